#pragma once
// Streaming line splitter over a file or stdin ("-"), plain or compressed (gzip or zstd,
// told by the first bytes: trace/compression.hpp). Lines are views into an internal buffer
// that always has kLinePadding readable bytes after each line, which is what simdjson needs
// to parse a line in place without copying it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kvtrace/trace/compression.hpp"

namespace kvtrace::trace {

class Decompressor;

inline constexpr std::size_t kLinePadding = 64;
inline constexpr std::size_t kDefaultMaxLineBytes = std::size_t{100} << 20;

struct Line {
  std::string_view text;     // without the '\n' and a trailing '\r'
  std::size_t capacity = 0;  // readable bytes from text.data(): >= text.size() + kLinePadding
  std::uint64_t number = 0;  // 1-based, counting blank lines
  bool too_long = false;     // the line exceeded the limit; text is empty and was discarded
  // Not empty: the compressed input broke (truncated or corrupt) in this line, or just before
  // it; says what and where. text is empty, the partial line discarded; it is the last line.
  std::string_view problem;
};

// Splits `lines`, whole lines with their '\n' as read_lines() and FileSlices give them (the
// last one may lack it), into Lines numbered from 1 like next() does, and calls f(const Line&)
// on each in order; returns how many there were. `readable`: the bytes that can be read from
// lines.data(), at least lines.size() + kLinePadding, from which each Line's capacity comes.
// No length limit applies (too_long stays false): the lines are already in memory.
template <typename F>
std::uint64_t for_each_line_in(std::string_view lines, std::size_t readable, F&& f) {
  if (readable < lines.size() + kLinePadding) {
    throw std::logic_error(
        "for_each_line_in: the lines need kLinePadding readable bytes after them");
  }
  const char* const base = lines.data();
  std::size_t at = 0;
  std::uint64_t number = 0;
  while (at < lines.size()) {
    const void* nl = std::memchr(base + at, '\n', lines.size() - at);
    const std::size_t stop = nl != nullptr
                                 ? static_cast<std::size_t>(static_cast<const char*>(nl) - base)
                                 : lines.size();
    std::size_t length = stop - at;
    if (length > 0 && base[at + length - 1] == '\r') --length;
    f(Line{std::string_view(base + at, length), readable - at, ++number, false});
    at = stop + 1;
  }
  return number;
}

class LineReader {
 public:
  // Throws IoError when the file cannot be opened. Reads the first bytes of the input to tell
  // whether it is compressed: a pipe with nothing written yet blocks here.
  explicit LineReader(std::string path, std::size_t max_line_bytes = kDefaultMaxLineBytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line, or false at the end of input. The view stays valid until the next call.
  // Throws IoError on a read error. A broken compressed stream ends with a Line whose
  // `problem` says so, after every whole line before the break.
  bool next(Line& line);

  // Appends whole lines, '\n' included, to `out` until it holds at least `target` bytes or
  // the input ends (a last line without '\n' is appended as is); false when nothing was
  // left. For callers that split and number the lines themselves, e.g. in parallel: one
  // copy of a large run instead of one per line. Not to be mixed with next(). At a break of a
  // compressed stream the partial line is not appended: stream_problem() says why.
  bool read_lines(std::string& out, std::size_t target);

  // Up to the first `n` bytes of the text not consumed yet (a byte order mark included),
  // reading as much as needed; consumes nothing. Fewer only at the end of input. The view
  // stays valid until the next call; it invalidates the last Line returned.
  std::string_view peek(std::size_t n);

  // Once the end of input was reached: why a compressed stream ended before its end (the
  // problem of the last Line next() gave), "" when it ended well.
  std::string_view stream_problem() const { return problem_; }

  const std::string& name() const { return name_; }
  std::size_t max_line_bytes() const { return max_line_bytes_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  // Bytes of text up to the end of the last line returned: how far the text has been consumed.
  std::uint64_t position() const { return bytes_read_ - (end_ - begin_); }
  // How far the input has been consumed, in bytes of the file: position() for plain input,
  // compressed bytes for compressed input. What progress compares with total_bytes().
  std::uint64_t input_position() const;
  // Size of the input when it is a regular file (for progress), else nullopt: compressed
  // bytes for compressed input.
  std::optional<std::uint64_t> total_bytes() const { return total_bytes_; }
  Compression compression() const { return compression_; }

 private:
  // Reads more input after the unconsumed bytes; false at end of input.
  bool fill();
  // One read of the file into the buffer after end_: the count, 0 at its end.
  std::size_t read_fd();
  void zero_padding();

  std::string name_;
  std::size_t max_line_bytes_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool eof_ = false;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;      // usable bytes of buf_, padding excluded
  std::size_t begin_ = 0;    // first unconsumed byte
  std::size_t end_ = 0;      // one past the last byte read
  std::size_t scanned_ = 0;  // bytes after begin_ already known to hold no '\n'
  std::uint64_t line_number_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::optional<std::uint64_t> total_bytes_;
  Compression compression_ = Compression::kNone;
  std::unique_ptr<Decompressor> decompressor_;  // for compressed input only
  std::string problem_;                         // the break of a compressed stream
  bool problem_given_ = false;                  // next() returned it
};

}  // namespace kvtrace::trace
