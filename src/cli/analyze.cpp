// kvtrace analyze: AIPerf `analyze-trace` statistics of a Mooncake trace.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/analysis/analyze_trace.hpp"
#include "kvtrace/analysis/report.hpp"

namespace kvtrace::cli {
namespace {

struct AnalyzeFlags {
  std::string input;
  std::string format;  // empty: table on a terminal, json otherwise
  std::string output = "-";
  std::string report_json;
  ReaderFlags reader;
};

int run_analyze(const AnalyzeFlags& f) {
  const std::unique_ptr<trace::TraceReader> reader = f.reader.open(f.input);
  const analysis::AnalysisStats stats = analysis::analyze_trace(*reader);
  const analysis::ReportInput input{f.input, reader->counts()};

  const std::string format = flags::resolve_format(f.format, f.output);
  if (format == "table") {
    write_text(f.output, analysis::render_table(stats, input));
  } else if (format == "csv") {
    write_text(f.output, analysis::render_csv(stats, input));
  } else {
    write_text(f.output,
               analysis::render_json(stats, input,
                                     format == "aiperf-json" ? analysis::JsonFields::kAiperf
                                                             : analysis::JsonFields::kAll));
  }
  if (!f.report_json.empty()) {
    write_text(f.report_json, analysis::render_json(stats, input));
    fmt::print(stderr, "Analysis report saved to {}\n", f.report_json);
  }
  return kOk;
}

}  // namespace

void add_analyze(CLI::App& app, Action& action) {
  auto flags = std::make_shared<AnalyzeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "ISL/OSL distributions, prefix sharing and infinite-cache hit rates of a Mooncake trace, "
      "with AIPerf analyze-trace's definitions (docs/analyze.md)");
  cmd->add_option("file", flags->input, "Mooncake JSONL trace, - for stdin")->required();
  flags::format(*cmd, flags->format, {"table", "json", "aiperf-json", "csv"},
                "json has AIPerf's fields and kvtrace's, aiperf-json AIPerf's only, csv one "
                "statistic,value row per number of json");
  flags::output(*cmd, flags->output, "Where the report goes");
  flags::report_json(*cmd, flags->report_json);
  flags->reader.add_to(*cmd, true);
  cmd->callback([flags, &action] { action = [flags] { return run_analyze(*flags); }; });
}

}  // namespace kvtrace::cli
