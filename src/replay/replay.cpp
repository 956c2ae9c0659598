#include "kvtrace/replay/replay.hpp"

#include <exception>
#include <filesystem>
#include <optional>

#include "kvtrace/core/error.hpp"
#include "kvtrace/core/open_file_limit.hpp"
#include "kvtrace/core/output_file.hpp"

namespace kvtrace::replay {

ReplayReport replay(std::span<const ReplayRequest> requests, RunOptions options, RunInfo info,
                    const Slo& slo, const std::string& output_dir, const ReplayHooks& hooks) {
  info.mode = mode_name(options.schedule.mode);
  info.speedup = options.schedule.speedup;
  info.rate = options.schedule.rate;
  info.concurrency = options.schedule.concurrency;
  info.seed = options.seed;
  // A records file that cannot be written stops the run at once (a caller's stop, when given,
  // is the one stopped).
  RunStop own_stop;
  RunStop* stop = options.stop != nullptr ? options.stop : &own_stop;
  options.stop = stop;
  std::optional<RecordFiles> files;
  if (!output_dir.empty()) {
    files.emplace(output_dir, [stop](std::exception_ptr e) { stop->fail(std::move(e)); });
  }
  core::raise_open_file_limit();
  if (hooks.started) hooks.started();
  const RunResult result = run_replay(requests, std::move(options), [&](const Record& r) {
    if (files) files->write(r);
  });
  if (hooks.ended) hooks.ended();
  // After a failure, what can still be written is: the summary of what ended.
  std::exception_ptr error = result.error;
  const auto keep_first = [&] {
    if (!error) error = std::current_exception();
  };
  if (files) {
    try {
      files->close();
    } catch (const IoError&) {
      keep_first();
    }
  }
  info.interrupted = result.interrupted || error != nullptr;
  ReplayReport report{summarize_run(result.records, requests.size(), slo), std::move(info), "",
                      nullptr};
  report.json = summary_json(report.summary, report.info);
  if (!output_dir.empty()) {
    try {
      core::write_text((std::filesystem::path(output_dir) / "summary.json").string(), report.json);
    } catch (const IoError&) {
      keep_first();
    }
  }
  report.error = error;
  return report;
}

}  // namespace kvtrace::replay
