#pragma once
// Descriptive statistics that equal numpy's (1.24) to the last bit: np.mean (numpy's pairwise
// summation over 8192-element reduce chunks), np.std (population, ddof = 0), np.percentile
// (default "linear" method, numpy's two-sided _lerp) and np.median. Like numpy, a NaN input
// makes every statistic NaN, and int64 inputs are cast to float64 per element.

#include <cstdint>
#include <optional>
#include <span>

namespace kvtrace::stats {

struct MetricStats {
  double mean = 0;
  double std_dev = 0;  // population standard deviation (ddof = 0)
  double min = 0;
  double p25 = 0;
  double median = 0;
  double p75 = 0;
  double max = 0;
  // kvtrace's tails beside AIPerf's quartiles (AIPerf's reports do not carry them).
  double p90 = 0;
  double p99 = 0;
};

// std::nullopt for an empty input, as AIPerf's `_compute_metric_stats` returns None.
std::optional<MetricStats> summarize(std::span<const double> values);
std::optional<MetricStats> summarize(std::span<const std::int64_t> values);

// The single statistics, each as numpy computes it on a float64 / int64 array (NaN when empty).
double numpy_mean(std::span<const double> values);
double numpy_mean(std::span<const std::int64_t> values);
double numpy_std(std::span<const double> values);
double numpy_std(std::span<const std::int64_t> values);
// `sorted` must be sorted ascending and non-empty and q in [0, 100] (UsageError otherwise).
double numpy_percentile(std::span<const double> sorted, double q);
double numpy_median(std::span<const double> sorted);

}  // namespace kvtrace::stats
