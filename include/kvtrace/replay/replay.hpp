#pragma once
// One whole replay as kvtrace replay runs it (docs/replay.md): the run (runner.hpp) with its
// records written to the output directory as they end, then summarized (metrics.hpp) and the
// summary written there too (output.hpp).

#include <exception>
#include <functional>
#include <span>
#include <string>

#include "kvtrace/replay/metrics.hpp"
#include "kvtrace/replay/output.hpp"
#include "kvtrace/replay/request_loader.hpp"
#include "kvtrace/replay/runner.hpp"

namespace kvtrace::replay {

// A finished replay: its summary and the run it describes.
struct ReplayReport {
  RunSummary summary;
  RunInfo info;      // as given, completed from the options and the run
  std::string json;  // summary_json(summary, info), as written to summary.json
  // The failure that stopped the run early (a records file that could not be written, an
  // exception out of the run: RunResult::error), else the first failure to write the record
  // files or summary.json; null when all went well. The report covers what ended before, and
  // info.interrupted is set when the run was stopped. The caller reports it.
  std::exception_ptr error;
};

// Where the caller's own messages go around the run.
struct ReplayHooks {
  std::function<void()> started;  // the output files are open; nothing is sent yet
  std::function<void()> ended;    // the run is over; the output files are not closed yet
};

// Raises the open file limit, opens records.jsonl and records.csv in `output_dir` (when not
// empty), sends `requests` with run_replay(options) writing each record there as it ends,
// then summarizes the records against `slo` and writes summary.json. `info` needs input, url
// and slo: its mode, speedup, rate, concurrency and seed are set from `options`, interrupted
// from the run. A records file that cannot be written stops the run at once; that and later
// write failures come back in the report's `error` (summary.json is still attempted). Throws
// IoError when the output directory cannot be opened, and UsageError as run_replay.
ReplayReport replay(std::span<const ReplayRequest> requests, RunOptions options, RunInfo info,
                    const Slo& slo, const std::string& output_dir, const ReplayHooks& hooks = {});

}  // namespace kvtrace::replay
