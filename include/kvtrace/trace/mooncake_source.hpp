#pragma once
// The RequestSource of Mooncake JSONL, kvtrace's own format: one request per non-blank line.

#include <cstdint>
#include <memory>
#include <string>

#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::trace {

// Mooncake JSONL: one request per non-blank line (docs/formats.md).
class MooncakeSource final : public RequestSource {
 public:
  // Throws IoError when the input cannot be opened; "-" reads stdin.
  MooncakeSource(std::string path, std::size_t max_line_bytes);
  // Reads an input already opened (e.g. after its first bytes were looked at).
  explicit MooncakeSource(std::unique_ptr<LineReader> input);

  SourceResult next(Request& out, std::uint64_t& line,
                    std::vector<FieldProblem>& problems) override;
  const LineReader& input() const override { return *lines_; }
  std::uint64_t lines() const override { return line_count_; }
  std::uint64_t blank_lines() const override { return blank_lines_; }
  std::string_view format_name() const override { return "Mooncake JSONL"; }

 private:
  std::unique_ptr<LineReader> lines_;
  RequestParser parser_;
  std::uint64_t line_count_ = 0;
  std::uint64_t blank_lines_ = 0;
};

}  // namespace kvtrace::trace
