#pragma once
// The run's metrics from its records, as docs/replay.md defines them: per-request latencies
// (TTFT, ITL, TPOT, E2E, output tokens/s) summarized with numpy-exact MetricStats plus
// p90/p95/p99, throughputs, goodput under SLOs, errors by kind, scheduler lateness.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/replay/record.hpp"
#include "kvtrace/stats/metric_stats.hpp"

namespace kvtrace::replay {

struct Stats {
  stats::MetricStats base;
  double p90 = 0;
  double p95 = 0;
  double p99 = 0;
  std::uint64_t count = 0;
};

// MetricStats plus p90/p95/p99 (numpy linear percentiles); nullopt when empty.
std::optional<Stats> summarize_with_tails(std::vector<double> values);

// Service level objectives for goodput (--slo ttft=MS,tpot=MS,e2e=MS); absent = no bound.
struct Slo {
  std::optional<double> ttft_ms;
  std::optional<double> tpot_ms;
  std::optional<double> e2e_ms;
  bool any() const { return ttft_ms || tpot_ms || e2e_ms; }
  // "ttft=200,tpot=50"; throws UsageError for anything else.
  static Slo parse(const std::string& text);
};

// One request's derived values (milliseconds), from its record.
struct RequestMetrics {
  std::optional<double> ttft_ms;
  std::optional<double> tpot_ms;  // needs >= 2 output tokens
  double e2e_ms = 0;
  std::optional<double> output_tokens_per_s;
  std::vector<double> itl_ms;  // gaps between consecutive content-bearing chunks
};
RequestMetrics request_metrics(const Record& r);
bool meets(const RequestMetrics& m, const Slo& slo);

struct RunSummary {
  std::uint64_t requests = 0;  // in the input
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;  // succeeded
  std::uint64_t failed = 0;
  std::uint64_t not_sent = 0;                   // stopped before their time (Ctrl-C)
  std::uint64_t good = 0;                       // met every SLO (completed ones only)
  std::map<std::string, std::uint64_t> errors;  // by kind name
  std::map<std::string, std::uint64_t> token_sources;
  std::uint64_t malformed_events = 0;
  std::uint64_t output_tokens = 0;          // of completed requests
  std::uint64_t input_tokens = 0;           // usage.prompt_tokens of completed requests
  std::uint64_t max_tokens_mismatches = 0;  // completed requests with output != max_tokens
  double duration_s = 0;                    // first send to last end
  double request_throughput = 0;            // completed / duration
  double output_throughput = 0;             // output tokens / duration
  double goodput = 0;                       // good / duration
  std::optional<Stats> ttft_ms, itl_ms, tpot_ms, e2e_ms, output_tokens_per_s,
      output_tokens_per_request;
  std::optional<Stats> lateness_ms;  // every sent request
};

RunSummary summarize_run(std::span<const Record> records, std::uint64_t requests, const Slo& slo);

}  // namespace kvtrace::replay
