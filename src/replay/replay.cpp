#include "kvtrace/replay/replay.hpp"

#include <filesystem>
#include <optional>

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
  std::optional<RecordFiles> files;
  if (!output_dir.empty()) files.emplace(output_dir);
  core::raise_open_file_limit();
  if (hooks.started) hooks.started();
  const RunResult result = run_replay(requests, std::move(options), [&](const Record& r) {
    if (files) files->write(r);
  });
  if (hooks.ended) hooks.ended();
  if (files) files->close();
  info.interrupted = result.interrupted;
  ReplayReport report{summarize_run(result.records, requests.size(), slo), std::move(info), ""};
  report.json = summary_json(report.summary, report.info);
  if (!output_dir.empty()) {
    core::write_text((std::filesystem::path(output_dir) / "summary.json").string(), report.json);
  }
  return report;
}

}  // namespace kvtrace::replay
