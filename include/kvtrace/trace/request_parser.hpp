#pragma once
// Parses and validates one trace line into a Request, collecting every problem of the line
// (not just the first) as (field, problem) pairs. simdjson On-Demand underneath.

#include <memory>
#include <string>
#include <vector>

#include "kvtrace/trace/line_reader.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::trace {

struct FieldProblem {
  std::string field;  // e.g. "input_length", "hash_ids[3]"; empty for the whole line
  std::string problem;
  friend bool operator==(const FieldProblem&, const FieldProblem&) = default;
};

class RequestParser {
 public:
  RequestParser();
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Fills `out` from a non-blank line and returns true, or appends the line's problems to
  // `problems` and returns false (then `out` holds no meaningful value). Reuses the
  // storage of `out` (hash_ids capacity), so callers should pass the same Request again.
  bool parse(const Line& line, Request& out, std::vector<FieldProblem>& problems);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A line with only whitespace: skipped by every reader (AIPerf strips lines).
bool is_blank(std::string_view text);

}  // namespace kvtrace::trace
