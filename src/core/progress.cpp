#include "kvtrace/core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace kvtrace::core {

Progress::Progress(std::string label, std::optional<std::uint64_t> total_bytes)
    : label_(std::move(label)), total_(total_bytes) {
  enabled_ = wanted(::isatty(STDERR_FILENO) == 1, total_);
  start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  done();
}

bool Progress::wanted(bool stderr_is_terminal, std::optional<std::uint64_t> total_bytes) {
  return stderr_is_terminal && total_bytes && *total_bytes >= kMinBytes;
}

std::string Progress::text(const std::string& label, std::uint64_t bytes, std::uint64_t total_bytes,
                           std::uint64_t items, double seconds) {
  const double mb = static_cast<double>(bytes) / 1e6;
  return fmt::format("\r{}: {:5.1f}% ({:.0f} of {:.0f} MB, {} requests, {:.0f} MB/s)   ", label,
                     100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes), mb,
                     static_cast<double>(total_bytes) / 1e6, items,
                     seconds > 0 ? mb / seconds : 0.0);
}

void Progress::draw(std::uint64_t bytes, std::uint64_t items) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  fmt::print(stderr, "{}", text(label_, bytes, *total_, items, seconds));
  drawn_ = true;
}

void Progress::done() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
  drawn_ = false;
  enabled_ = false;
}

}  // namespace kvtrace::core
