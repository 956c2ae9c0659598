#pragma once
// The shape of a workload in time and in sessions, beside the prefix statistics of
// PrefixAnalyzer: how long the trace lasts, how fast and how burstily requests arrive, how
// many sessions it holds and how their turns are spaced (docs/analyze.md, "Arrivals and
// sessions"). add() each request in file order, then finish().
//
// Arrivals are the requests' timestamps sorted (a trace whose timestamps go backwards is
// taken in arrival order; the reader counts the jumps). Memory: 8 bytes per request with a
// timestamp, 8 per delay, and a map entry per distinct session id.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/stats/metric_stats.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::analysis {

struct ArrivalStats {
  std::uint64_t timed_requests = 0;  // requests with a timestamp; the rest below is over them
  double first_ms = 0;
  double last_ms = 0;
  double duration_s = 0;      // (last - first) / 1000
  double mean_rate = 0;       // requests per second over the duration (0 if it is 0)
  std::uint64_t peak_1s = 0;  // most arrivals in any window [t, t + 1 s)
  double peak_60s_rate = 0;   // most arrivals in any window [t, t + 60 s), per second
  // Gaps between consecutive arrivals (ms) and their coefficient of variation, std / mean
  // (1 for Poisson arrivals, above 1 for bursty ones; 0 when the mean gap is 0).
  std::optional<stats::MetricStats> inter_arrival_ms;
  double inter_arrival_cv = 0;
};

struct SessionStats {
  std::uint64_t sessions = 0;              // distinct session_id values
  std::uint64_t requests_in_sessions = 0;  // requests with a session_id
  std::optional<stats::MetricStats> turns_per_session;
  // The `delay` field (ms after the previous turn of the session), where requests carry it.
  std::optional<stats::MetricStats> delay_ms;
};

struct WorkloadStatsResult {
  ArrivalStats arrivals;
  SessionStats sessions;
};

class WorkloadStats {
 public:
  void add(const trace::Request& r);
  // One request given by what add(r) reads of it.
  void add(std::optional<double> timestamp_ms, std::optional<std::string_view> session_id,
           std::optional<double> delay_ms);
  void reserve(std::uint64_t requests);
  WorkloadStatsResult finish() const;
  // Requests per distinct session_id, ascending.
  std::vector<std::int64_t> turns_per_session() const;

 private:
  // Session ids looked up as string views, without a string per request.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct NameEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  std::vector<double> timestamps_;
  std::vector<double> delays_;
  boost::unordered_flat_map<std::string, std::uint64_t, NameHash, NameEqual> turns_;
  std::uint64_t requests_in_sessions_ = 0;
};

}  // namespace kvtrace::analysis
