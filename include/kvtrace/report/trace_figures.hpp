#pragma once
// The trace's side of a report: one pass over the trace gathers what the figures need
// (AIPerf's statistics, the per-request lengths and hit rates, arrival times, turns per
// session, how often each block is reused, and optionally the lru hit-rate curve), then the
// sections are drawn from it.
//
// Memory: the analyzer's (4 bytes per hash id, about 40 per request) plus 40 bytes per
// request for the drawn columns; the lru curve adds its own (docs/simulate.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/report/figure.hpp"
#include "kvtrace/trace/trace_reader.hpp"

namespace kvtrace::report {

struct TraceData {
  std::string source;  // the file as given
  analysis::AnalysisStats stats;
  trace::ReaderCounts counts;
  // Per request, in file order.
  std::vector<double> isl, osl, context, timestamps_ms;  // timestamp NaN when absent
  std::vector<double> hit_rates;                         // AIPerf's, requests with hash ids only
  std::vector<double> turns_per_session;
  // Per distinct block: the number of its uses, over all requests.
  std::vector<std::uint32_t> block_uses;
  // The largest prefix groups (requests sharing their first block), largest first: requests
  // in the group and blocks of the group's longest common prefix.
  struct Group {
    std::uint64_t requests = 0;
    std::uint64_t common_blocks = 0;
  };
  std::vector<Group> largest_groups;
  std::optional<cache::HitCurve> curve;
};

// Reads every request of `reader` (progress, the reader's notes and the no-request error of
// trace::for_each_request). With `lru_curve`, also the lru hit rate of every capacity.
TraceData gather_trace(trace::TraceReader& reader, const std::string& source, bool lru_curve);

// "Trace": the analyze table; ISL, OSL and context histograms and CDFs; arrivals over time;
// inter-arrival times; turns per session; per-request hit rates; block reuse; prefix groups.
Section trace_section(const TraceData& data);

// "Cache": the lru hit rate against capacity, block and token rates, the infinite cache's
// ceiling marked; capacity in GiB too when `kv_bytes_per_token` is given.
Section cache_section(const cache::HitCurve& curve,
                      std::optional<std::uint64_t> kv_bytes_per_token);

}  // namespace kvtrace::report
