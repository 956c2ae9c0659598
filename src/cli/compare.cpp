// kvtrace compare: the fidelity report of two traces (e.g. a trace and a synthetic one).

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/synthesis/fidelity.hpp"

namespace kvtrace::cli {
namespace {

struct CompareFlags {
  std::string a;
  std::string b;
  std::string format;
  std::string output = "-";
  ReaderFlags reader;
};

int run_compare(const CompareFlags& f) {
  auto profile = [&](const std::string& path) {
    const std::unique_ptr<trace::TraceReader> reader = f.reader.open(path);
    const std::vector<trace::Request> requests = read_requests(*reader, "compare");
    return synthesis::profile_trace(requests, reader->options().block_size);
  };
  synthesis::TraceProfile a = profile(f.a);
  synthesis::TraceProfile b = profile(f.b);
  const auto report = synthesis::compare_traces(std::move(a), std::move(b));
  const std::string format = flags::resolve_format(f.format, f.output);
  write_text(f.output, format == "table" ? synthesis::render_fidelity_table(report)
                                         : synthesis::render_fidelity_json(report));
  return kOk;
}

}  // namespace

void add_compare(CLI::App& app, Action& action) {
  auto flags = std::make_shared<CompareFlags>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare two traces: request count, rate, AIPerf's statistics, hit rates, and the KS "
      "statistic and Wasserstein-1 distance of the ISL, OSL and hit-rate distributions");
  cmd->add_option("a", flags->a, "First trace (e.g. the original)")->required();
  cmd->add_option("b", flags->b, "Second trace (e.g. a synthetic one)")->required();
  flags::format(*cmd, flags->format, {"table", "json"}, "the fidelity report");
  flags::output(*cmd, flags->output, "Where the report goes");
  flags->reader.add_to(*cmd, true);
  cmd->callback([flags, &action] { action = [flags] { return run_compare(*flags); }; });
}

}  // namespace kvtrace::cli
