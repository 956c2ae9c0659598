#include "kvtrace/report/replay_figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "kvtrace/core/text_table.hpp"
#include "kvtrace/replay/metrics.hpp"
#include "kvtrace/stats/metric_stats.hpp"
#include "report/figure_util.hpp"

namespace kvtrace::report {
namespace {

struct PerRequest {
  double start_ms = 0;
  double end_ms = 0;
  double lateness_ms = 0;
  bool ok = false;
  std::string_view error_kind;
  replay::RequestMetrics m;
  std::uint64_t output_tokens = 0;
};

// One line per (name, q): numpy's percentile at share q of each non-empty bin (1 is the
// largest).
std::vector<Series> bin_quantiles(std::vector<std::vector<double>>& per_bin, const TimeBins& bins,
                                  std::initializer_list<std::pair<const char*, double>> qs) {
  std::vector<Series> out;
  for (const auto& [name, q] : qs) out.push_back({name, Style::kLine, {}});
  for (std::size_t b = 0; b < bins.count; ++b) {
    auto& v = per_bin[b];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    std::size_t i = 0;
    for (const auto& [name, q] : qs)
      out[i++].points.push_back({bins.start_s(b), stats::numpy_percentile(v, 100 * q)});
  }
  return out;
}

// p50 and p90 of `value` per time bin of the request's start.
Figure latency_over_time(std::string id, std::string title, const std::vector<PerRequest>& rs,
                         const TimeBins& bins,
                         const std::function<std::optional<double>(const PerRequest&)>& value) {
  std::vector<std::vector<double>> per_bin(bins.count);
  for (const PerRequest& r : rs) {
    if (!r.ok) continue;
    if (const auto v = value(r)) per_bin[bins.index(r.start_ms)].push_back(*v);
  }
  Figure f;
  f.id = std::move(id);
  f.title = std::move(title);
  f.note = fmt::format(
      "Median and p90 of the requests sent in each {} s bin. Drag or scroll "
      "to zoom.",
      bins.width_ms / 1000);
  f.x.name = "time since the first send (s)";
  f.y.name = "ms";
  f.zoom = true;
  f.series = bin_quantiles(per_bin, bins, {{"p50", 0.5}, {"p90", 0.9}});
  return f;
}

void add_slo_mark(Figure& f, const std::optional<double>& bound, std::string_view name) {
  if (bound) f.marks.push_back({true, *bound, fmt::format("SLO {} {:g} ms", name, *bound)});
}

}  // namespace

Section replay_section(const replay::RunResults& run, const std::string& dir) {
  const replay::Slo slo = run.info.slo.empty() ? replay::Slo{} : replay::Slo::parse(run.info.slo);
  const replay::RunSummary summary = replay::summarize_run(run.records, run.requests, slo);
  Section s;
  s.id = "replay";
  s.title = "Replay";
  s.intro = fmt::format("{}: {} of {} requests sent to {} ({} timing), {} completed, {} failed.",
                        dir, core::grouped_int(summary.sent), core::grouped_int(summary.requests),
                        run.info.url, run.info.mode, core::grouped_int(summary.completed),
                        core::grouped_int(summary.failed));
  s.tables.push_back({"kvtrace replay", replay::summary_table(summary, run.info)});
  if (run.records.empty()) return s;

  std::vector<PerRequest> rs;
  rs.reserve(run.records.size());
  double first = 0;
  double last = 0;
  for (const replay::Record& r : run.records) {
    PerRequest p;
    p.start_ms = replay::ns_to_ms(r.start_ns);
    p.end_ms = replay::ns_to_ms(r.end_ns);
    p.lateness_ms = replay::ns_to_ms(r.start_ns - r.intended_ns);
    p.ok = r.ok();
    if (!p.ok) p.error_kind = replay::error_kind_name(r.error_kind);
    p.m = replay::request_metrics(r);
    p.output_tokens = r.output_tokens;
    first = rs.empty() ? p.start_ms : std::min(first, p.start_ms);
    last = rs.empty() ? p.end_ms : std::max(last, p.end_ms);
    rs.push_back(std::move(p));
  }
  for (PerRequest& p : rs) {
    p.start_ms -= first;
    p.end_ms -= first;
  }
  std::vector<double> ttft, tpot, e2e, itl, lateness;
  for (const PerRequest& p : rs) {
    lateness.push_back(p.lateness_ms);
    if (!p.ok) continue;
    if (p.m.ttft_ms) ttft.push_back(*p.m.ttft_ms);
    if (p.m.tpot_ms) tpot.push_back(*p.m.tpot_ms);
    e2e.push_back(p.m.e2e_ms);
    itl.insert(itl.end(), p.m.itl_ms.begin(), p.m.itl_ms.end());
  }
  if (!ttft.empty()) {
    Figure f = cdf_figure("replay-ttft", "Time to first token",
                          "Share of completed requests whose first token came within x ms.",
                          "TTFT (ms)", {{"TTFT", ttft}});
    add_slo_mark(f, slo.ttft_ms, "ttft");
    s.figures.push_back(std::move(f));
  }
  if (!itl.empty() || !tpot.empty()) {
    Figure f = cdf_figure("replay-itl-tpot", "Inter-token latency and time per output token",
                          "ITL: every gap between streamed chunks; TPOT: per request, (E2E - "
                          "TTFT) / (output tokens - 1).",
                          "ms", {{"ITL", itl}, {"TPOT", tpot}});
    add_slo_mark(f, slo.tpot_ms, "tpot");
    s.figures.push_back(std::move(f));
  }
  if (!e2e.empty()) {
    Figure f = cdf_figure("replay-e2e", "End-to-end latency",
                          "Share of completed requests that ended within x ms of being sent.",
                          "E2E latency (ms)", {{"E2E", e2e}});
    add_slo_mark(f, slo.e2e_ms, "e2e");
    s.figures.push_back(std::move(f));
  }
  const TimeBins bins = time_bins(0, last - first, 200);
  if (!ttft.empty()) {
    s.figures.push_back(latency_over_time("replay-ttft-time", "TTFT over time", rs, bins,
                                          [](const PerRequest& p) { return p.m.ttft_ms; }));
  }
  if (!e2e.empty()) {
    s.figures.push_back(
        latency_over_time("replay-e2e-time", "E2E latency over time", rs, bins,
                          [](const PerRequest& p) { return std::optional<double>(p.m.e2e_ms); }));
  }
  {
    Figure f;
    f.id = "replay-throughput";
    f.title = "Throughput over time";
    f.note = fmt::format(
        "Requests completed and output tokens of completed requests per "
        "second, by the {} s bin they ended in.",
        bins.width_ms / 1000);
    f.x.name = "time since the first send (s)";
    f.y.name = "requests/s";
    f.y2 = Axis{"output tokens/s"};
    f.zoom = true;
    std::vector<double> done(bins.count), tokens(bins.count);
    for (const PerRequest& p : rs) {
      if (!p.ok) continue;
      done[bins.index(p.end_ms)] += 1;
      tokens[bins.index(p.end_ms)] += static_cast<double>(p.output_tokens);
    }
    const double per_s = 1000 / bins.width_ms;
    Series a{"completed requests/s", Style::kLine, {}};
    Series b{"output tokens/s", Style::kLine, {}, true};
    for (std::size_t i = 0; i < bins.count; ++i) {
      a.points.push_back({bins.start_s(i), done[i] * per_s});
      b.points.push_back({bins.start_s(i), tokens[i] * per_s});
    }
    f.series = {std::move(a), std::move(b)};
    s.figures.push_back(std::move(f));
  }
  {
    Figure f;
    f.id = "replay-lateness";
    f.title = "Scheduler lateness";
    f.note =
        "How late each request was sent after its intended time (every sent request), the "
        "median and the largest per time bin: a replay that cannot keep up shows here.";
    f.x.name = "time since the first send (s)";
    f.y.name = "lateness (ms)";
    f.zoom = true;
    std::vector<std::vector<double>> per_bin(bins.count);
    for (const PerRequest& p : rs) per_bin[bins.index(p.start_ms)].push_back(p.lateness_ms);
    f.series = bin_quantiles(per_bin, bins, {{"p50", 0.5}, {"max", 1.0}});
    s.figures.push_back(std::move(f));
  }
  if (summary.failed > 0) {
    Figure f;
    f.id = "replay-errors";
    f.title = "Errors by kind over time";
    f.note = fmt::format("Failed requests per {} s bin, by the time they ended, stacked by kind.",
                         bins.width_ms / 1000);
    f.x.name = "time since the first send (s)";
    f.y.name = "failed requests";
    f.zoom = true;
    std::map<std::string_view, std::vector<double>> by_kind;
    for (const PerRequest& p : rs) {
      if (p.ok) continue;
      auto& counts = by_kind[p.error_kind];
      counts.resize(bins.count);
      counts[bins.index(p.end_ms)] += 1;
    }
    for (const auto& [kind, counts] : by_kind) {
      Series k{std::string(kind), Style::kBar, {}, false, "errors"};
      for (std::size_t b = 0; b < bins.count; ++b) {
        if (counts[b] > 0) k.points.push_back({bins.start_s(b), counts[b]});
      }
      f.series.push_back(std::move(k));
    }
    s.figures.push_back(std::move(f));
  }
  return s;
}

}  // namespace kvtrace::report
