#pragma once
// The fidelity report: how a synthetic trace compares with the trace it came from. Request
// count, duration and rate, AIPerf's statistics, and the Kolmogorov-Smirnov statistic and
// Wasserstein-1 distance of the ISL, OSL and per-request hit-rate distributions, with the
// values the knobs should give where they have a closed form.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/synthesis/synthesis_params.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::synthesis {

struct TraceProfile {
  analysis::AnalysisStats stats;
  std::optional<double> duration_ms;  // last - first timestamp; none without timestamps
  std::optional<double> rate_per_s;   // requests per second over the duration
  std::vector<std::int64_t> isl;
  std::vector<std::int64_t> osl;
  std::vector<double> hit_rates;
};

TraceProfile profile_trace(std::span<const trace::Request> requests, std::uint32_t block_size);

struct Distance {
  double ks = 0;             // two-sample KS statistic
  double wasserstein_1 = 0;  // in the metric's unit
};

// What the knobs should give, where that has a closed form.
struct Expected {
  std::uint64_t requests = 0;  // rewrite: input requests minus those over max_isl; sample: N
  std::optional<double> duration_ms;
  std::optional<double> rate_per_s;
  double mean_osl = 0;  // before rounding and caps
};

struct FidelityReport {
  TraceProfile input;
  TraceProfile output;
  std::optional<Distance> isl, osl, hit_rate;  // none when either side is empty
  std::optional<Expected> expected;            // when the knobs are known
};

// `knobs` (when the output was synthesized) gives the expected values; `generated` is the
// request count asked of sample mode (none for rewrite mode).
FidelityReport compare_traces(TraceProfile input, TraceProfile output,
                              const SynthesisParams* knobs = nullptr,
                              std::optional<std::uint64_t> generated = std::nullopt);

std::string render_fidelity_table(const FidelityReport& r);
std::string render_fidelity_json(const FidelityReport& r);

}  // namespace kvtrace::synthesis
