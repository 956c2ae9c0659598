#pragma once
// What the CSV source tests share: the sample files and reading a source to its end.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats/source_test_util.hpp"
#include "kvtrace/trace/request.hpp"
#include "kvtrace/trace/request_source.hpp"

namespace kvtrace::testing {

inline std::string csv_sample(const std::string& name) {
  return std::string(KVTRACE_SOURCE_DIR) + "/tests/formats/data/" + name;
}

// Everything a source gives (read_source), sorted: its requests with their lines, and its bad
// rows.
struct SourceRead {
  std::vector<trace::Request> requests;
  std::vector<std::uint64_t> request_lines;
  std::vector<std::pair<std::uint64_t, trace::FieldProblem>> bad;  // line, first problem
};

inline SourceRead read_to_end(trace::RequestSource& source) {
  SourceRead read;
  for (formats::testing::SourceRecord& r : formats::testing::read_source(source)) {
    if (r.result == trace::SourceResult::kRequest) {
      read.requests.push_back(std::move(r.request));
      read.request_lines.push_back(r.line);
    } else {
      read.bad.emplace_back(r.line, r.problems.at(0));
    }
  }
  return read;
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
