#include "kvtrace/cache/target.hpp"

#include "kvtrace/core/error.hpp"

namespace kvtrace::cache {
namespace {

double rate_at(const HitCurve& c, RateMetric m, std::uint64_t capacity) {
  return m == RateMetric::kBlock ? c.block_hit_rate(capacity) : c.token_hit_rate(capacity);
}

void check_share(std::string_view name, double v) {
  if (!(v >= 0 && v <= 1)) throw UsageError(std::string(name), "must be between 0 and 1");
}

}  // namespace

RateMetric parse_metric(std::string_view name) {
  if (name == "block") return RateMetric::kBlock;
  if (name == "token") return RateMetric::kToken;
  throw UsageError("metric", "must be block or token");
}

std::string_view metric_name(RateMetric m) {
  return m == RateMetric::kBlock ? "block" : "token";
}

void validate(const Target& target) {
  if (target.rate.has_value() == target.of_ideal.has_value()) {
    throw UsageError("give one target: an absolute hit rate or a share of the ideal one");
  }
  if (target.rate) check_share("target_hit_rate", *target.rate);
  if (target.of_ideal) check_share("target_of_ideal", *target.of_ideal);
}

double goal_rate(const Target& target, double ideal) {
  return target.rate ? *target.rate : target.of_ideal.value_or(1) * ideal;
}

TargetAnswer solve_on_curve(const HitCurve& c, const Target& target) {
  validate(target);
  TargetAnswer a;
  a.target = target;
  a.ideal = rate_at(c, target.metric, c.distinct_blocks);
  a.goal = goal_rate(target, a.ideal);
  a.capacity = target.metric == RateMetric::kBlock ? c.capacity_for_block_rate(a.goal)
                                                   : c.capacity_for_token_rate(a.goal);
  if (a.capacity) a.rate = rate_at(c, target.metric, *a.capacity);
  return a;
}

}  // namespace kvtrace::cache
