#include "kvtrace/trace/file_slices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/compression.hpp"
#include "trace/utf8_bom.hpp"

namespace kvtrace::trace {
namespace {

// Reads when looking for a '\n': small first (lines are usually short), then growing.
constexpr std::size_t kFirstStep = std::size_t{4} << 10;
constexpr std::size_t kMaxStep = std::size_t{1} << 20;

}  // namespace

std::optional<FileSlices> FileSlices::open(const std::string& path) {
  if (path == "-") return std::nullopt;
  // Asked of the path before opening it: opening a named pipe would wait for a writer, and
  // its caller opens it once more to read it in order.
  struct stat before {};
  if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) return std::nullopt;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  // Compressed data cannot be cut by byte range: its caller reads it in order instead.
  char head[kCompressionMagicBytes];
  const ssize_t n = ::pread(fd, head, sizeof head, 0);
  if (n > 0 && detect_compression({head, static_cast<std::size_t>(n)}) != Compression::kNone) {
    ::close(fd);
    return std::nullopt;
  }
  return FileSlices(path, fd, static_cast<std::uint64_t>(st.st_size));
}

FileSlices::FileSlices(std::string name, int fd, std::uint64_t size)
    : name_(std::move(name)), fd_(fd), size_(size) {}

FileSlices::FileSlices(FileSlices&& other) noexcept
    : name_(std::move(other.name_)), fd_(other.fd_), size_(other.size_) {
  other.fd_ = -1;
}

FileSlices::~FileSlices() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t FileSlices::read_at(std::uint64_t offset, std::size_t count, std::string& out) const {
  const std::size_t old = out.size();
  out.resize(old + count);
  std::size_t got = 0;
  while (got < count) {
    const ssize_t n =
        ::pread(fd_, out.data() + old + got, count - got, static_cast<off_t>(offset + got));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      out.resize(old);
      throw IoError("cannot read " + name_ + ": " + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  out.resize(old + got);
  return got;
}

void FileSlices::read_lines_starting_in(std::uint64_t begin, std::uint64_t end,
                                        std::string& out) const {
  end = std::min(end, size_);
  // The first line start at or after `begin`: `begin` itself when the byte before is '\n'.
  std::uint64_t start = begin;
  if (begin > 0) {
    std::string probe;
    std::uint64_t at = begin - 1;
    for (std::size_t step = kFirstStep;; step = std::min(2 * step, kMaxStep)) {
      probe.clear();
      const std::size_t got = read_at(at, step, probe);
      const void* nl = std::memchr(probe.data(), '\n', got);
      if (nl != nullptr) {
        start = at + static_cast<std::uint64_t>(static_cast<const char*>(nl) - probe.data()) + 1;
        break;
      }
      if (got < step) return;  // no line starts after `begin`
      at += got;
    }
  }
  if (start >= end) return;
  const std::size_t first = out.size();
  read_at(start, static_cast<std::size_t>(end - start), out);
  if (start == 0 && starts_with_bom(std::string_view(out).substr(first))) {
    out.erase(first, kUtf8Bom.size());
  }
  // The last line starting before `end` runs on to its '\n' (or the end of the file).
  if (out.size() > first && out.back() == '\n') return;
  std::uint64_t at = end;
  for (std::size_t step = kFirstStep;; step = std::min(2 * step, kMaxStep)) {
    const std::size_t old = out.size();
    const std::size_t got = read_at(at, step, out);
    const void* nl = std::memchr(out.data() + old, '\n', got);
    if (nl != nullptr) {
      out.resize(static_cast<std::size_t>(static_cast<const char*>(nl) - out.data()) + 1);
      return;
    }
    if (got < step) return;
    at += got;
  }
}

}  // namespace kvtrace::trace
