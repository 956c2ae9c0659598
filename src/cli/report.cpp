// kvtrace report: one self-contained HTML page of a trace's figures (and its cache curve, a
// second trace compared with it, a replay's results), and the figures as image files.

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/core/text_table.hpp"
#include "kvtrace/report/build_report.hpp"
#include "kvtrace/report/export.hpp"
#include "kvtrace/report/page.hpp"

namespace kvtrace::cli {
namespace {

struct ReportFlags {
  std::string input;
  std::string output = "report.html";
  std::string compare;
  std::string replay;
  bool simulate_curve = false;
  flags::KvMemory kv;
  std::string png;
  std::string svg;
  std::string title;
  ReaderFlags reader;
};

int run_report(const ReportFlags& f) {
  report::ReportOptions o;
  o.trace = f.input;
  if (!f.compare.empty()) o.compare = f.compare;
  if (!f.replay.empty()) o.replay = f.replay;
  o.simulate_curve = f.simulate_curve;
  o.kv_bytes_per_token = f.kv.resolve();
  o.title = f.title;
  o.reader = f.reader.options();
  o.format = *formats::parse_format(f.reader.format_in);
  report::require_chart_library();  // before the trace is read
  report::Report r = report::build_report(o);
  r.generator = "kvtrace report " KVTRACE_VERSION;
  const std::string page = report::render_page(r);
  write_text(f.output, page);
  if (f.output != "-") {
    fmt::print(stderr, "Report saved to {} ({} figures, {} KB)\n", f.output,
               report::figure_count(r), core::grouped_int((page.size() + 1023) / 1024));
  }
  for (const auto& [dir, format] :
       {std::pair{f.png, report::ImageFormat::kPng}, std::pair{f.svg, report::ImageFormat::kSvg}}) {
    if (dir.empty()) continue;
    const auto files = report::export_images(r, dir, format);
    fmt::print(stderr, "{} figures saved to {}/\n", files.size(), dir);
  }
  return kOk;
}

}  // namespace

void add_report(CLI::App& app, Action& action) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "One self-contained HTML page of a trace's figures: ISL/OSL/context distributions, "
      "arrivals, sessions, prefix sharing, the analyze tables; the lru hit-rate curve, a "
      "comparison with a second trace and a replay's latencies on request; images with "
      "--png/--svg (docs/report.md)");
  cmd->add_option("file", f->input, "The trace (any format kvtrace reads), - for stdin")
      ->required();
  flags::output(*cmd, f->output, "The HTML page");
  cmd->add_option("--compare", f->compare,
                  "A second trace (e.g. a synthetic one): its CDFs over the first's, with the "
                  "KS and Wasserstein-1 figures of kvtrace compare")
      ->type_name("TRACE");
  cmd->add_option("--replay", f->replay,
                  "A kvtrace replay --output-dir: latency CDFs with the SLO bounds, latency and "
                  "throughput over time, scheduler lateness, errors by kind")
      ->type_name("DIR");
  cmd->add_flag("--simulate-curve", f->simulate_curve,
                "The Cache section: the lru hit rate of every capacity (kvtrace simulate --curve)");
  flags::kv_memory(*cmd, f->kv,
                   "The model's KV bytes per token, to show capacities in GiB (with "
                   "--simulate-curve)");
  cmd->add_option("--png", f->png,
                  "Also write each figure as DIR/<figure>.png (needs node and rsvg-convert)")
      ->type_name("DIR");
  cmd->add_option("--svg", f->svg, "Also write each figure as DIR/<figure>.svg (needs node)")
      ->type_name("DIR");
  cmd->add_option("--title", f->title, "The page's title (default: kvtrace report: FILE)");
  f->reader.add_to(*cmd, true);
  cmd->callback([f, &action] { action = [f] { return run_report(*f); }; });
}

}  // namespace kvtrace::cli
