#include "kvtrace/report/compare_figures.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include "kvtrace/core/text_table.hpp"
#include "kvtrace/synthesis/fidelity.hpp"
#include "report/figure_util.hpp"

namespace kvtrace::report {
namespace {

synthesis::TraceProfile profile_of(const TraceData& d) {
  synthesis::TraceProfile p;
  p.stats = d.stats;
  if (d.stats.workload && d.stats.workload->arrivals.timed_requests > 0) {
    const auto& a = d.stats.workload->arrivals;
    p.duration_ms = a.last_ms - a.first_ms;
    if (*p.duration_ms > 0)
      p.rate_per_s = static_cast<double>(d.stats.total_requests) / (*p.duration_ms / 1000);
  }
  p.isl.assign(d.isl.begin(), d.isl.end());
  p.osl.assign(d.osl.begin(), d.osl.end());
  p.hit_rates = d.hit_rates;
  return p;
}

std::string distance_note(const std::optional<synthesis::Distance>& d, std::string_view unit) {
  if (!d) return "One of the traces has no values.";
  return fmt::format(
      "KS statistic {:.4f} (the largest vertical gap between the curves), "
      "Wasserstein-1 {:.4g} {} (the area between them).",
      d->ks, d->wasserstein_1, unit);
}

// Requests per second of each trace over time since its own first request; none unless both
// have timestamps.
std::optional<Figure> arrivals_overlay(const TraceData& a, const TraceData& b,
                                       const std::string& name_a, const std::string& name_b) {
  Figure f;
  f.id = "compare-arrivals";
  f.title = "Arrivals over time";
  f.note = "Requests per second of each trace, from its own first request. Drag or scroll to zoom.";
  f.x.name = "time since the trace's first request (s)";
  f.y.name = "requests/s";
  f.zoom = true;
  const Range ra = range_of({a.timestamps_ms});
  const Range rb = range_of({b.timestamps_ms});
  if (ra.empty || rb.empty) return std::nullopt;
  const TimeBins bins = time_bins(0, std::max(ra.hi - ra.lo, rb.hi - rb.lo));
  const double per_s = 1000 / bins.width_ms;
  for (const auto& [d, r, name] : {std::tuple{&a, ra, name_a}, std::tuple{&b, rb, name_b}}) {
    std::vector<double> counts(bins.count);
    for (const double t : d->timestamps_ms) {
      if (!std::isnan(t)) counts[bins.index(t - r.lo)] += 1;
    }
    Series s{name, Style::kLine, {}};
    for (std::size_t i = 0; i < bins.count; ++i)
      s.points.push_back({bins.start_s(i), counts[i] * per_s});
    f.series.push_back(std::move(s));
  }
  return f;
}

}  // namespace

Section compare_section(const TraceData& a, const TraceData& b) {
  const synthesis::FidelityReport fidelity =
      synthesis::compare_traces(profile_of(a), profile_of(b));
  Section s;
  s.id = "compare";
  s.title = "Compare";
  s.intro = fmt::format(
      "A: {} ({} requests) against B: {} ({} requests), as kvtrace compare "
      "A B reports them.",
      a.source, core::grouped_int(a.stats.total_requests), b.source,
      core::grouped_int(b.stats.total_requests));
  s.tables.push_back({"kvtrace compare", synthesis::render_fidelity_table(fidelity)});
  // Legends name the files only; the intro has the paths.
  const std::string name_a = "A: " + std::filesystem::path(a.source).filename().string();
  const std::string name_b = "B: " + std::filesystem::path(b.source).filename().string();
  s.figures.push_back(cdf_figure("compare-isl", "ISL CDFs", distance_note(fidelity.isl, "tokens"),
                                 "input tokens", {{name_a, a.isl}, {name_b, b.isl}}));
  s.figures.push_back(cdf_figure("compare-osl", "OSL CDFs", distance_note(fidelity.osl, "tokens"),
                                 "output tokens", {{name_a, a.osl}, {name_b, b.osl}}));
  s.figures.push_back(cdf_figure("compare-hit-rate", "Per-request hit rate CDFs",
                                 distance_note(fidelity.hit_rate, ""), "hit rate (infinite cache)",
                                 {{name_a, a.hit_rates}, {name_b, b.hit_rates}}, true));
  s.figures.push_back(cdf_figure("compare-context", "Context length CDFs",
                                 "AIPerf's context length of each request.", "context tokens",
                                 {{name_a, a.context}, {name_b, b.context}}));
  if (auto arrivals = arrivals_overlay(a, b, name_a, name_b))
    s.figures.push_back(std::move(*arrivals));
  return s;
}

}  // namespace kvtrace::report
