#pragma once
// Reading every record of a RequestSource, for the format sources' tests.

#include <cstdint>
#include <string>
#include <vector>

#include "kvtrace/trace/request_source.hpp"
#include "test_util.hpp"

namespace kvtrace::formats::testing {

// The hand-made samples of each format (tests/data/formats/).
inline std::string format_sample(const std::string& name) {
  return kvtrace::testing::kSource + "/tests/data/formats/" + name;
}

struct SourceRecord {
  trace::SourceResult result = trace::SourceResult::kEnd;
  std::uint64_t line = 0;
  trace::Request request;                     // for kRequest
  std::vector<trace::FieldProblem> problems;  // for kBad
};

inline std::vector<SourceRecord> read_source(trace::RequestSource& source) {
  std::vector<SourceRecord> out;
  while (true) {
    SourceRecord r;
    r.result = source.next(r.request, r.line, r.problems);
    if (r.result == trace::SourceResult::kEnd) return out;
    out.push_back(std::move(r));
  }
}

}  // namespace kvtrace::formats::testing
