#pragma once
// A "\r"-updated progress line on stderr for the passes over a whole input file, drawn only
// when stderr is a terminal and the input is large (scripts and small files see nothing).
// In core so that the library's own passes over a trace (trace::for_each_request,
// cache::run_sweep) draw the same line as the command-line tools.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace kvtrace::core {

class Progress {
 public:
  // Inputs smaller than this finish too soon for a progress line to help.
  static constexpr std::uint64_t kMinBytes = std::uint64_t{50} << 20;

  // `label` starts the line; `total_bytes` is the input's size, unknown for stdin.
  Progress(std::string label, std::optional<std::uint64_t> total_bytes);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Cheap to call often: only looks at the clock every 64K calls.
  void tick(std::uint64_t bytes, std::uint64_t items) {
    if (enabled_ && (++calls_ & 0xFFFF) == 0) draw(bytes, items);
  }
  // For callers that already call rarely (once per batch).
  void update(std::uint64_t bytes, std::uint64_t items) {
    if (enabled_) draw(bytes, items);
  }
  // Clears the line; nothing is drawn after this.
  void done();

  // Whether a line is drawn: on a terminal, for an input of known size of at least kMinBytes.
  static bool wanted(bool stderr_is_terminal, std::optional<std::uint64_t> total_bytes);
  // The line after `seconds`, `bytes` of `total_bytes` and `items` requests in.
  static std::string text(const std::string& label, std::uint64_t bytes, std::uint64_t total_bytes,
                          std::uint64_t items, double seconds);

 private:
  void draw(std::uint64_t bytes, std::uint64_t items);

  std::string label_;
  std::optional<std::uint64_t> total_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace kvtrace::core
