#include "kvtrace/analysis/workload_stats.hpp"

#include <algorithm>

namespace kvtrace::analysis {
namespace {

// The most values of `sorted` in any window [t, t + width).
std::uint64_t peak_in_window(const std::vector<double>& sorted, double width) {
  std::uint64_t best = 0;
  std::size_t begin = 0;
  for (std::size_t end = 0; end < sorted.size(); ++end) {
    while (sorted[end] - sorted[begin] >= width) ++begin;
    best = std::max<std::uint64_t>(best, end - begin + 1);
  }
  return best;
}

}  // namespace

void WorkloadStats::add(const trace::Request& r) {
  add(r.timestamp ? std::optional(r.timestamp->value()) : std::nullopt,
      r.session_id ? std::optional<std::string_view>(*r.session_id) : std::nullopt,
      r.delay ? std::optional(r.delay->value()) : std::nullopt);
}

void WorkloadStats::add(std::optional<double> timestamp_ms,
                        std::optional<std::string_view> session_id,
                        std::optional<double> delay_ms) {
  if (timestamp_ms) timestamps_.push_back(*timestamp_ms);
  if (delay_ms) delays_.push_back(*delay_ms);
  if (session_id) {
    ++requests_in_sessions_;
    const auto it = turns_.find(*session_id);
    if (it != turns_.end()) {
      ++it->second;
    } else {
      turns_.emplace(std::string(*session_id), 1);
    }
  }
}

void WorkloadStats::reserve(std::uint64_t requests) {
  timestamps_.reserve(requests);
}

WorkloadStatsResult WorkloadStats::finish() const {
  WorkloadStatsResult out;
  ArrivalStats& a = out.arrivals;
  std::vector<double> sorted = timestamps_;
  std::sort(sorted.begin(), sorted.end());
  a.timed_requests = sorted.size();
  if (!sorted.empty()) {
    a.first_ms = sorted.front();
    a.last_ms = sorted.back();
    a.duration_s = (a.last_ms - a.first_ms) / 1000;
    if (a.duration_s > 0) a.mean_rate = static_cast<double>(sorted.size()) / a.duration_s;
    a.peak_1s = peak_in_window(sorted, 1000);
    a.peak_60s_rate = static_cast<double>(peak_in_window(sorted, 60000)) / 60;
    std::vector<double> gaps;
    gaps.reserve(sorted.size());
    for (std::size_t i = 1; i < sorted.size(); ++i) gaps.push_back(sorted[i] - sorted[i - 1]);
    a.inter_arrival_ms = stats::summarize(gaps);
    if (a.inter_arrival_ms && a.inter_arrival_ms->mean > 0) {
      a.inter_arrival_cv = a.inter_arrival_ms->std_dev / a.inter_arrival_ms->mean;
    }
  }
  SessionStats& s = out.sessions;
  s.sessions = turns_.size();
  s.requests_in_sessions = requests_in_sessions_;
  s.turns_per_session = stats::summarize(turns_per_session());
  s.delay_ms = stats::summarize(delays_);
  return out;
}

std::vector<std::int64_t> WorkloadStats::turns_per_session() const {
  std::vector<std::int64_t> turns;
  turns.reserve(turns_.size());
  for (const auto& [id, n] : turns_) turns.push_back(static_cast<std::int64_t>(n));
  // Sorted: the statistics must not depend on the map's iteration order (the mean's pairwise
  // sum would, in its last bits).
  std::sort(turns.begin(), turns.end());
  return turns;
}

}  // namespace kvtrace::analysis
