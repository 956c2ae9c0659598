// kvtrace analyze: AIPerf `analyze-trace` statistics of a Mooncake trace.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/analysis/report.hpp"
#include "kvtrace/trace/for_each_request.hpp"

namespace kvtrace::cli {
namespace {

// Requests read before the analyzer's arrays are sized from the file size.
constexpr std::uint64_t kSampleRequests = 4096;

struct AnalyzeFlags {
  std::string input;
  std::string format;  // empty: table on a terminal, json otherwise
  std::string output;
  ReaderFlags reader;
};

int run_analyze(const AnalyzeFlags& f) {
  trace::TraceReader reader(f.input, f.reader.options());
  analysis::PrefixAnalyzer analyzer(f.reader.block_size);
  bool reserved = false;
  trace::for_each_request(reader, "analyze", [&](const trace::RequestBatch& batch) {
    for (const trace::Request& r : batch.requests) analyzer.add(r);
    if (!reserved && analyzer.requests() >= kSampleRequests) {
      reserved = true;
      analyzer.reserve(extrapolate(reader, analyzer.requests(), batch.position),
                       extrapolate(reader, analyzer.blocks(), batch.position));
    }
  });
  const analysis::AnalysisStats stats = analyzer.finish();
  const analysis::ReportInput input{f.input, reader.counts()};

  const std::string format = !f.format.empty() ? f.format : stdout_is_tty() ? "table" : "json";
  if (format == "table") {
    write_text("-", analysis::render_table(stats, input));
  } else {
    write_text("-", analysis::render_json(stats, input,
                                          format == "aiperf-json" ? analysis::JsonFields::kAiperf
                                                                  : analysis::JsonFields::kAll));
  }
  if (!f.output.empty()) {
    write_text(f.output, analysis::render_json(stats, input));
    fmt::print(stderr, "Analysis report saved to {}\n", f.output);
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
  cmd->add_option("-f,--format", flags->format,
                  "table, json (AIPerf's fields + kvtrace's), or aiperf-json (AIPerf's fields "
                  "only). Default: table on a terminal, json otherwise")
      ->check(CLI::IsMember({"table", "json", "aiperf-json"}));
  cmd->add_option("-o,--output", flags->output,
                  "Also write the JSON report to this file (parent directories are created)");
  flags->reader.add_to(*cmd, true);
  cmd->callback([flags, &action] { action = [flags] { return run_analyze(*flags); }; });
}

}  // namespace kvtrace::cli
