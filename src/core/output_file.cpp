#include "kvtrace/core/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "kvtrace/core/error.hpp"

namespace kvtrace::core {

namespace fs = std::filesystem;

OutputFile::OutputFile(const std::string& path, Staging staging)
    : name_(path == "-" ? std::string(kStdoutName) : path) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  const fs::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) {
      throw IoError("cannot create directory " + p.parent_path().string() + ": " + ec.message());
    }
  }
  std::string open_path = path;
  if (staging == Staging::kStaged) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);  // through symbolic links
    const bool exists = fs::exists(status);
    if (!exists || fs::is_regular_file(status)) {
      // Renamed over the file a link names, not over the link.
      const fs::path target = exists ? fs::canonical(path, ec) : fs::path(path);
      final_path_ = ec ? path : target.string();
      staged_path_ = final_path_ + ".tmp." + std::to_string(::getpid());
      open_path = staged_path_;
    }
  }
  fd_ = ::open(open_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int error = errno;
    staged_path_.clear();  // nothing was created
    throw IoError("cannot create " + path + ": " + std::strerror(error));
  }
  owned_ = true;
}

OutputFile::~OutputFile() {
  discard();
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
    const int error = errno;
    remove_staged();
    throw IoError("cannot close " + name_ + ": " + std::strerror(error));
  }
  if (staged_path_.empty()) return;
  if (std::rename(staged_path_.c_str(), final_path_.c_str()) != 0) {
    const int error = errno;
    remove_staged();
    throw IoError("cannot write " + name_ +
                  ": renaming its temporary file: " + std::strerror(error));
  }
  staged_path_.clear();
}

void OutputFile::discard() noexcept {
  if (fd_ >= 0 && owned_) ::close(fd_);
  fd_ = -1;
  remove_staged();
}

void OutputFile::remove_staged() noexcept {
  if (staged_path_.empty()) return;
  ::unlink(staged_path_.c_str());
  staged_path_.clear();
}

void write_text(const std::string& path, std::string_view text) {
  OutputFile out(path);
  out.write(text);
  out.close();
}

}  // namespace kvtrace::core
