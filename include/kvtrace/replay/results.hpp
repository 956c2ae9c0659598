#pragma once
// A replay's output directory read back (kvtrace replay --output-dir: summary.json and
// records.jsonl, docs/replay.md "Outputs"): what kvtrace report draws. The records come back
// as the replay kept them, so summarize_run() of them gives the run's summary again.

#include <cstdint>
#include <string>
#include <vector>

#include "kvtrace/replay/output.hpp"
#include "kvtrace/replay/record.hpp"

namespace kvtrace::replay {

struct RunResults {
  RunInfo info;                // summary.json's "run"
  std::uint64_t requests = 0;  // summary.json's "requests" (sent or not)
  std::vector<Record> records;
};

// Reads DIR/summary.json and DIR/records.jsonl. Throws IoError when a file cannot be read
// and InputError ("file:line: field: problem") for a line or field that is not what replay
// writes.
RunResults read_results(const std::string& dir);

}  // namespace kvtrace::replay
