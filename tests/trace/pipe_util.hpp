#pragma once
// A pipe for the reader tests: its read end given to a reader (also as stdin), its write end
// fed by a thread, to check that what arrives piece by piece on a pipe reads as from a file.

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace kvtrace::testing {

class Pipe {
 public:
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  ~Pipe() {
    if (writer_.joinable()) writer_.join();
    close_write();
    if (read_fd_ >= 0) ::close(read_fd_);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  int read_fd() const { return read_fd_; }
  // "/dev/fd/N": the read end as a path, for readers that open a path.
  std::string path() const { return "/dev/fd/" + std::to_string(read_fd_); }

  // Writes `data` in pieces of `piece` bytes from a thread; closes the write end after it
  // unless `keep_open`.
  void feed(std::string data, std::size_t piece, bool keep_open = false) {
    writer_ = std::thread([this, data = std::move(data), piece, keep_open] {
      for (std::size_t at = 0; at < data.size(); at += piece) {
        const std::string_view part = std::string_view(data).substr(at, piece);
        if (::write(write_fd_, part.data(), part.size()) != static_cast<ssize_t>(part.size())) {
          break;  // the reader went away
        }
      }
      if (!keep_open) close_write();
    });
  }
  void close_write() {
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = -1;
  }
  void join() {
    if (writer_.joinable()) writer_.join();
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::thread writer_;
};

// Makes the pipe's read end the process's stdin for the object's life.
class StdinFrom {
 public:
  explicit StdinFrom(const Pipe& pipe) : saved_(::dup(STDIN_FILENO)) {
    ::dup2(pipe.read_fd(), STDIN_FILENO);
  }
  ~StdinFrom() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;

 private:
  int saved_;
};

}  // namespace kvtrace::testing
