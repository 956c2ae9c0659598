#pragma once
// Whole lines of a regular file by byte range, for reading a file from several threads at
// once: the lines that start in [begin, end) of the file, read with pread. Cutting a file
// into consecutive ranges gives every line exactly once, in order.

#include <cstdint>
#include <optional>
#include <string>

namespace kvtrace::trace {

class FileSlices {
 public:
  // nullopt when `path` is "-", not a regular file (a pipe cannot be read by range) or a
  // compressed one (trace/compression.hpp): LineReader reads those in order.
  // Throws IoError when the file cannot be opened.
  static std::optional<FileSlices> open(const std::string& path);

  FileSlices(FileSlices&& other) noexcept;
  FileSlices& operator=(FileSlices&&) = delete;
  FileSlices(const FileSlices&) = delete;
  FileSlices& operator=(const FileSlices&) = delete;
  ~FileSlices();

  std::uint64_t size() const { return size_; }

  // Appends to `out` the lines that start in [begin, end): from the first line start at or
  // after `begin` (offset 0, or the byte after a '\n') through the end of the last line
  // starting before `end`, its '\n' included. Thread-safe. Throws IoError on a read error.
  void read_lines_starting_in(std::uint64_t begin, std::uint64_t end, std::string& out) const;

 private:
  FileSlices(std::string name, int fd, std::uint64_t size);
  // pread of up to `count` bytes at `offset`, appended to `out`; returns the count read.
  std::size_t read_at(std::uint64_t offset, std::size_t count, std::string& out) const;

  std::string name_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace kvtrace::trace
