#include "kvtrace/trace/line_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kvtrace/core/error.hpp"
#include "trace/decompressor.hpp"
#include "trace/utf8_bom.hpp"

namespace kvtrace::trace {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{4} << 20;

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

LineReader::LineReader(std::string path, std::size_t max_line_bytes)
    : name_(path == "-" ? "<stdin>" : path), max_line_bytes_(max_line_bytes) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError("cannot open " + path + ": " + errno_text());
    owns_fd_ = true;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      if (owns_fd_) ::close(fd_);
      throw IoError("cannot read " + name_ + ": is a directory");
    }
    if (S_ISREG(st.st_mode)) {
      total_bytes_ = static_cast<std::uint64_t>(st.st_size);
      ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
  }
  cap_ = kChunkBytes;
  // Not zero-filled: touching 4 MiB on every open costs more than reading a small file.
  // simdjson reads the kLinePadding bytes after the last line, so those are zeroed instead.
  buf_ = std::make_unique_for_overwrite<char[]>(cap_ + kLinePadding);
  try {
    // The first read tells the compression. Plain text stays in the buffer as read (no copy,
    // nothing lost on a pipe); compressed bytes go to the decompressor as its first input.
    while (end_ < kCompressionMagicBytes && !eof_) {
      const std::size_t n = read_fd();
      end_ += n;
      eof_ = n == 0;
    }
    compression_ = detect_compression({buf_.get(), end_});
    if (compression_ != Compression::kNone) {
      decompressor_ = std::make_unique<Decompressor>(
          compression_, fd_, std::string(buf_.get(), end_), name_, total_bytes_);
      end_ = 0;
      eof_ = false;
    }
  } catch (...) {
    if (owns_fd_) ::close(fd_);
    throw;
  }
  bytes_read_ = end_;
  zero_padding();
}

void LineReader::zero_padding() {
  std::memset(buf_.get() + end_, 0, kLinePadding);
}

LineReader::~LineReader() {
  decompressor_.reset();  // its thread reads fd_
  if (owns_fd_) ::close(fd_);
}

std::uint64_t LineReader::input_position() const {
  return decompressor_ ? decompressor_->input_position(position()) : position();
}

std::size_t LineReader::read_fd() {
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw IoError("cannot read " + name_ + ": " + errno_text());
  }
}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    zero_padding();  // the moved bytes' old copy is not padding, should nothing more come
  }
  if (cap_ - end_ < kChunkBytes / 2) {
    // A long line: grow so that a whole line up to the limit fits in the buffer.
    const std::size_t new_cap = cap_ * 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(new_cap + kLinePadding);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ = new_cap;
    zero_padding();
  }
  std::size_t n;
  if (decompressor_) {
    decompressor_->forget_before(position());
    n = decompressor_->read(buf_.get() + end_, cap_ - end_);
  } else {
    n = read_fd();
  }
  if (n == 0) {
    eof_ = true;
    if (decompressor_) problem_ = decompressor_->problem();
    return false;
  }
  end_ += n;
  bytes_read_ += n;
  zero_padding();
  return true;
}

std::string_view LineReader::peek(std::size_t n) {
  while (end_ - begin_ < n && fill()) {
  }
  return {buf_.get() + begin_, std::min(n, end_ - begin_)};
}

bool LineReader::next(Line& line) {
  bool discarding = false;  // inside a line over the limit: drop bytes up to its end
  for (;;) {
    const char* base = buf_.get();
    const auto* nl = static_cast<const char*>(
        std::memchr(base + begin_ + scanned_, '\n', end_ - begin_ - scanned_));
    std::size_t line_end;
    std::size_t next_begin;
    if (nl != nullptr) {
      line_end = static_cast<std::size_t>(nl - base);
      next_begin = line_end + 1;
    } else {
      scanned_ = end_ - begin_;
      if (scanned_ > max_line_bytes_) {
        // Too long already: keep nothing of it but remember that it is being discarded.
        discarding = true;
        begin_ = end_;
        scanned_ = 0;
      }
      if (fill()) continue;
      if (!problem_.empty() && !problem_given_) {
        // The partial line before the break, if any, goes with it: one bad line, the last.
        problem_given_ = true;
        begin_ = end_;
        scanned_ = 0;
        line = Line{{}, 0, ++line_number_, false, problem_};
        return true;
      }
      if (begin_ == end_ && !discarding) return false;  // clean end of input
      line_end = end_;                                  // a last line without '\n'
      next_begin = end_;
    }
    scanned_ = 0;
    ++line_number_;
    line.number = line_number_;
    const std::size_t length = line_end - begin_;
    if (discarding || length > max_line_bytes_) {
      line.problem = {};
      line.too_long = true;
      line.text = {};
      line.capacity = 0;
    } else {
      std::size_t first = begin_;
      std::size_t trimmed = length;
      if (line_number_ == 1 && starts_with_bom({base + first, length})) {
        first += kUtf8Bom.size();
        trimmed -= kUtf8Bom.size();
      }
      if (trimmed > 0 && base[first + trimmed - 1] == '\r') --trimmed;
      line.too_long = false;
      line.problem = {};
      line.text = std::string_view(base + first, trimmed);
      line.capacity = cap_ + kLinePadding - first;
    }
    begin_ = next_begin;
    return true;
  }
}

bool LineReader::read_lines(std::string& out, std::size_t target) {
  const std::size_t start = out.size();
  while (out.size() - start < target) {
    if (begin_ == end_ && !fill()) break;
    if (position() == 0) {
      while (end_ - begin_ < kUtf8Bom.size() && fill()) {
      }
      if (starts_with_bom({buf_.get() + begin_, end_ - begin_})) begin_ += kUtf8Bom.size();
      if (begin_ == end_) continue;
    }
    const std::size_t want = target - (out.size() - start);
    const char* base = buf_.get();
    const std::size_t held = end_ - begin_;
    // The end of the line that reaches `want` bytes, else of the last whole line held.
    const void* nl =
        held > want ? std::memchr(base + begin_ + want - 1, '\n', held - want + 1) : nullptr;
    if (nl == nullptr) nl = ::memrchr(base + begin_, '\n', held);
    if (nl == nullptr) {
      if (fill()) continue;  // a line longer than the buffer holds yet
      if (!problem_.empty()) {
        begin_ = end_;  // the partial line before a break is not a line
        break;
      }
    }
    const std::size_t stop =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) + 1 : end_;
    out.append(base + begin_, stop - begin_);
    begin_ = stop;
  }
  return out.size() > start;
}

}  // namespace kvtrace::trace
