#pragma once
// Streaming line splitter over a file or stdin ("-"). Lines are views into an internal
// buffer that always has kLinePadding readable bytes after each line, which is what
// simdjson needs to parse a line in place without copying it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kvtrace::trace {

inline constexpr std::size_t kLinePadding = 64;
inline constexpr std::size_t kDefaultMaxLineBytes = std::size_t{100} << 20;

struct Line {
  std::string_view text;     // without the '\n' and a trailing '\r'
  std::size_t capacity = 0;  // readable bytes from text.data(): >= text.size() + kLinePadding
  std::uint64_t number = 0;  // 1-based, counting blank lines
  bool too_long = false;     // the line exceeded the limit; text is empty and was discarded
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
  // Throws IoError when the file cannot be opened.
  explicit LineReader(std::string path, std::size_t max_line_bytes = kDefaultMaxLineBytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line, or false at the end of input. The view stays valid until the next call.
  // Throws IoError on a read error.
  bool next(Line& line);

  // Appends whole lines, '\n' included, to `out` until it holds at least `target` bytes or
  // the input ends (a last line without '\n' is appended as is); false when nothing was
  // left. For callers that split and number the lines themselves, e.g. in parallel: one
  // copy of a large run instead of one per line. Not to be mixed with next().
  bool read_lines(std::string& out, std::size_t target);

  // Up to the first `n` bytes not yet consumed, reading more input as needed but consuming
  // nothing (to look at an input before choosing how to read it). Valid until the next call.
  std::string_view peek(std::size_t n);

  const std::string& name() const { return name_; }
  std::size_t max_line_bytes() const { return max_line_bytes_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  // Bytes up to the end of the last line returned: how far the input has been consumed.
  std::uint64_t position() const { return bytes_read_ - (end_ - begin_); }
  // Size of the input when it is a regular file (for progress), else nullopt.
  std::optional<std::uint64_t> total_bytes() const { return total_bytes_; }

 private:
  // Reads more input after the unconsumed bytes; false at end of input.
  bool fill();
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
};

}  // namespace kvtrace::trace
