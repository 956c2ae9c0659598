#pragma once
// The RequestSource of Alibaba Bailian (Qwen) usage traces, qwen_traceA/B and their kin
// (JSONL, 16-token blocks): one request per line, sessions rebuilt from the parent_chat_id
// chain as AIPerf's bailian_trace loader builds them (docs/formats.md).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::formats {

// The block size of the Bailian traces' hash_ids (AIPerf's default_block_size for them).
inline constexpr std::uint32_t kBailianBlockSize = 16;

class BailianSource final : public trace::RequestSource {
 public:
  explicit BailianSource(std::unique_ptr<trace::LineReader> input);
  ~BailianSource() override;

  // Requests in file order, except that a turn read before the turn its parent_chat_id names
  // waits for it (or, when that turn never comes, for the end of the input).
  trace::SourceResult next(trace::Request& out, std::uint64_t& line,
                           std::vector<trace::FieldProblem>& problems) override;
  const trace::LineReader& input() const override { return *lines_; }
  std::uint64_t lines() const override { return line_count_; }
  std::uint64_t blank_lines() const override { return blank_lines_; }
  std::string_view format_name() const override { return "Bailian trace"; }
  std::optional<std::uint32_t> block_size() const override { return kBailianBlockSize; }
  std::vector<std::string> notes() const override;

 private:
  struct State;

  std::unique_ptr<trace::LineReader> lines_;
  std::unique_ptr<State> state_;
  std::uint64_t line_count_ = 0;
  std::uint64_t blank_lines_ = 0;
};

// Seconds as read from a trace -> milliseconds, computed on the decimal digits (61.114 s is
// 61114 ms exactly, not 61113.99999999999): an integer when the result is one and fits in
// 64 bits, a float otherwise.
trace::Number seconds_to_ms(const trace::Number& seconds);

}  // namespace kvtrace::formats
