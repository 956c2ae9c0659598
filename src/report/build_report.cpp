#include "kvtrace/report/build_report.hpp"

#include <fmt/format.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/open_trace.hpp"
#include "kvtrace/replay/results.hpp"
#include "kvtrace/report/compare_figures.hpp"
#include "kvtrace/report/replay_figures.hpp"
#include "kvtrace/report/trace_figures.hpp"

namespace kvtrace::report {

Report build_report(const ReportOptions& o) {
  if (o.kv_bytes_per_token && *o.kv_bytes_per_token == 0) {
    throw UsageError("kv_bytes_per_token", "must be a positive number");
  }
  if (o.kv_bytes_per_token && !o.simulate_curve) {
    throw UsageError("kv_bytes_per_token", "sizes the cache curve: give it with simulate_curve");
  }
  if (o.trace == "-" && o.compare && *o.compare == "-") {
    throw UsageError("compare", "only one input can be stdin");
  }
  const auto gather = [&](const std::string& path, bool curve) {
    const auto reader = formats::open_trace(path, o.reader, o.format);
    return gather_trace(*reader, path, curve);
  };
  Report r;
  r.title = o.title.empty() ? fmt::format("kvtrace report: {}", o.trace) : o.title;
  const TraceData data = gather(o.trace, o.simulate_curve);
  r.sections.push_back(trace_section(data));
  if (data.curve) r.sections.push_back(cache_section(*data.curve, o.kv_bytes_per_token));
  if (o.compare) r.sections.push_back(compare_section(data, gather(*o.compare, false)));
  if (o.replay) r.sections.push_back(replay_section(replay::read_results(*o.replay), *o.replay));
  return r;
}

}  // namespace kvtrace::report
