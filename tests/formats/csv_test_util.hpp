#pragma once
// What the CSV source tests share: the sample files and reading a source to its end.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kvtrace/trace/request.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::testing {

inline std::string csv_sample(const std::string& name) {
  return std::string(KVTRACE_SOURCE_DIR) + "/tests/formats/data/" + name;
}

// Everything a source gives, in order: its requests with their lines, and its bad rows.
struct SourceRead {
  std::vector<trace::Request> requests;
  std::vector<std::uint64_t> request_lines;
  std::vector<std::pair<std::uint64_t, trace::FieldProblem>> bad;  // line, first problem
};

inline SourceRead read_to_end(trace::RequestSource& source) {
  SourceRead read;
  trace::Request r;
  std::uint64_t line = 0;
  std::vector<trace::FieldProblem> problems;
  while (true) {
    problems.clear();
    const trace::SourceResult result = source.next(r, line, problems);
    if (result == trace::SourceResult::kEnd) return read;
    if (result == trace::SourceResult::kRequest) {
      read.requests.push_back(r);
      read.request_lines.push_back(line);
    } else {
      read.bad.emplace_back(line, problems.at(0));
    }
  }
}

// A request as the CSV sources make it: no session, delay or text.
inline trace::Request csv_request(trace::Number timestamp, std::int64_t input, std::int64_t output,
                                  std::vector<std::uint64_t> ids,
                                  std::vector<trace::ExtraField> extra = {}) {
  trace::Request r;
  r.timestamp = timestamp;
  r.input_length = input;
  r.output_length = output;
  r.hash_ids = std::move(ids);
  r.extra = std::move(extra);
  return r;
}

}  // namespace kvtrace::testing
