#include "kvtrace/core/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "kvtrace/core/error.hpp"

namespace kvtrace::core {

OutputFile::OutputFile(const std::string& path)
    : name_(path == "-" ? std::string(kStdoutName) : path) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      throw IoError("cannot create directory " + p.parent_path().string() + ": " + ec.message());
    }
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError("cannot create " + path + ": " + std::strerror(errno));
  owned_ = true;
}

OutputFile::~OutputFile() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

void OutputFile::write(std::string_view bytes) {
  if (fd_ < 0) throw IoError("cannot write " + name_ + ": already closed");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + name_ + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputFile::close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  if (owned_ && ::close(fd) != 0) {
    throw IoError("cannot close " + name_ + ": " + std::strerror(errno));
  }
}

void write_text(const std::string& path, std::string_view text) {
  OutputFile out(path);
  out.write(text);
  out.close();
}

}  // namespace kvtrace::core
