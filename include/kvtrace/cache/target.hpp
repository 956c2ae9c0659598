#pragma once
// Capacity answers (docs/simulate.md, "Capacity for a target"): the smallest capacity per
// worker at which a hit-rate curve reaches a target, given as an absolute rate or as a share
// of the ideal (the rate with room for every distinct block), by block or token hit rate.
// A curve's hits never fall as capacity grows, so the answer is exact and "from there on".

#include <cstdint>
#include <optional>
#include <string_view>

#include "kvtrace/cache/lru_curve.hpp"

namespace kvtrace::cache {

enum class RateMetric { kBlock, kToken };

// "block", "token"; UsageError for anything else.
RateMetric parse_metric(std::string_view name);
std::string_view metric_name(RateMetric m);

struct Target {
  RateMetric metric = RateMetric::kToken;
  std::optional<double> rate;      // absolute, in [0, 1]
  std::optional<double> of_ideal;  // a share of the ideal rate, in [0, 1]
};

struct TargetAnswer {
  Target target;
  double ideal = 0;  // the curve's rate at its distinct blocks
  double goal = 0;   // the absolute rate sought
  // Blocks per worker; none when even the ideal falls short of the goal.
  std::optional<std::uint64_t> capacity;
  double rate = 0;  // at `capacity`
};

// Throws UsageError unless exactly one of rate and of_ideal is given, in [0, 1].
void validate(const Target& target);
// The absolute rate `target` seeks when the ideal rate is `ideal`.
double goal_rate(const Target& target, double ideal);

// Throws validate()'s UsageError.
TargetAnswer solve_on_curve(const HitCurve& curve, const Target& target);

}  // namespace kvtrace::cache
