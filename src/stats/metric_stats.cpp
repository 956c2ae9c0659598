#include "kvtrace/stats/metric_stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/stats/numpy_sum.hpp"

namespace kvtrace::stats {
namespace {

// np.add.reduce over a 1-D array, each element cast to float64 first.
template <typename T, typename ToDouble>
double numpy_sum(std::span<const T> values, ToDouble to_double) {
  NumpySum sum;
  for (const T& v : values) sum.add(to_double(v));
  return sum.total();
}

template <typename T>
double as_double(T v) {
  return static_cast<double>(v);
}

template <typename T>
double mean_of(std::span<const T> values) {
  return numpy_sum(values, as_double<T>) / static_cast<double>(values.size());
}

// np.std with ddof = 0: sqrt(sum((x - mean)**2) / n), each step rounded as numpy rounds it.
template <typename T>
double std_about(std::span<const T> values, double mean) {
  const double squares = numpy_sum(values, [mean](T v) {
    const double d = static_cast<double>(v) - mean;
    return d * d;
  });
  return std::sqrt(squares / static_cast<double>(values.size()));
}

// b - a as numpy subtracts two elements of the array's own dtype (int64 wraps on overflow).
template <typename T>
double difference(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<double>(static_cast<T>(static_cast<U>(b) - static_cast<U>(a)));
  } else {
    return b - a;
  }
}

// numpy's two-sided _lerp. numpy rounds the product before the sum (separate ufuncs); the
// volatile stops the compiler fusing them into one FMA on targets that have it.
double lerp(double a, double b, double diff, double gamma) {
  if (gamma < 0.5) {
    const volatile double step = diff * gamma;
    return a + step;
  }
  const volatile double step = diff * (1 - gamma);
  return b - step;
}

void check_sorted_input(std::size_t size, const char* what) {
  if (size == 0) throw std::invalid_argument(std::string(what) + ": empty input");
}

// Where np.percentile's "linear" method reads a sorted array of n values: the ranks of the
// two neighbours and the fraction between them.
struct PercentilePoint {
  std::size_t below;
  std::size_t above;
  double gamma;
};

PercentilePoint percentile_point(std::size_t n, double q) {
  if (!(q >= 0 && q <= 100)) throw std::invalid_argument("numpy_percentile: q must be in [0, 100]");
  const std::size_t last = n - 1;
  const double virtual_index = static_cast<double>(last) * (q / 100);
  // At the top numpy indexes the last element as -1 and measures gamma from that -1.
  if (!(virtual_index < static_cast<double>(last))) return {last, last, virtual_index + 1};
  const double floor_index = std::floor(virtual_index);
  const auto below = static_cast<std::size_t>(floor_index);
  return {below, below + 1, virtual_index - floor_index};
}

template <typename T>
double percentile_value(T a, T b, double gamma) {
  return lerp(static_cast<double>(a), static_cast<double>(b), difference(a, b), gamma);
}

// np.percentile with the default "linear" method on already sorted values.
template <typename T>
double percentile_sorted(std::span<const T> sorted, double q) {
  check_sorted_input(sorted.size(), "numpy_percentile");
  const PercentilePoint p = percentile_point(sorted.size(), q);
  return percentile_value(sorted[p.below], sorted[p.above], p.gamma);
}

// np.median is np.mean of the middle one or two elements: a sum from 0.0 (so -0.0 becomes
// 0.0), then a division.
template <typename T>
double median_of(T low, T high, bool odd) {
  if (odd) return 0.0 + static_cast<double>(high);
  return (0.0 + static_cast<double>(low) + static_cast<double>(high)) / 2;
}

template <typename T>
double median_sorted(std::span<const T> sorted) {
  check_sorted_input(sorted.size(), "numpy_median");
  const std::size_t mid = sorted.size() / 2;
  const bool odd = sorted.size() % 2 == 1;
  return median_of(odd ? sorted[mid] : sorted[mid - 1], sorted[mid], odd);
}

// Puts the elements of the given ascending ranks where a full sort would put them, in
// O(n) per rank instead of sorting: summaries need only eight order statistics.
template <typename T>
void select_ranks(std::vector<T>& v, std::vector<std::size_t> ranks) {
  std::ranges::sort(ranks);
  std::size_t lo = 0;  // elements before lo are final and <= everything after them
  for (const std::size_t r : ranks) {
    if (r < lo) continue;
    std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(lo),
                     v.begin() + static_cast<std::ptrdiff_t>(r), v.end());
    lo = r + 1;
  }
}

template <typename T>
std::optional<MetricStats> summarize_values(std::span<const T> values) {
  if (values.empty()) return std::nullopt;
  MetricStats stats;
  stats.mean = mean_of(values);
  stats.std_dev = std_about(values, stats.mean);

  std::vector<T> v(values.begin(), values.end());
  if constexpr (std::is_floating_point_v<T>) {
    // numpy propagates NaN into every order statistic; ordering NaN would also be undefined.
    if (std::ranges::any_of(v, [](T x) { return std::isnan(x); })) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      stats.min = stats.p25 = stats.median = stats.p75 = stats.max = stats.p90 = stats.p99 = nan;
      return stats;
    }
  }
  const std::size_t n = v.size();
  const PercentilePoint p25 = percentile_point(n, 25);
  const PercentilePoint p75 = percentile_point(n, 75);
  const PercentilePoint p90 = percentile_point(n, 90);
  const PercentilePoint p99 = percentile_point(n, 99);
  const std::size_t mid = n / 2;
  const bool odd = n % 2 == 1;
  select_ranks(v, {0, p25.below, p25.above, odd ? mid : mid - 1, mid, p75.below, p75.above,
                   p90.below, p90.above, p99.below, p99.above, n - 1});
  stats.min = static_cast<double>(v[0]);
  stats.p25 = percentile_value(v[p25.below], v[p25.above], p25.gamma);
  stats.median = median_of(odd ? v[mid] : v[mid - 1], v[mid], odd);
  stats.p75 = percentile_value(v[p75.below], v[p75.above], p75.gamma);
  stats.max = static_cast<double>(v[n - 1]);
  stats.p90 = percentile_value(v[p90.below], v[p90.above], p90.gamma);
  stats.p99 = percentile_value(v[p99.below], v[p99.above], p99.gamma);
  return stats;
}

}  // namespace

std::optional<MetricStats> summarize(std::span<const double> values) {
  return summarize_values(values);
}

std::optional<MetricStats> summarize(std::span<const std::int64_t> values) {
  return summarize_values(values);
}

double numpy_mean(std::span<const double> values) {
  return mean_of(values);
}

double numpy_mean(std::span<const std::int64_t> values) {
  return mean_of(values);
}

double numpy_std(std::span<const double> values) {
  return std_about(values, mean_of(values));
}

double numpy_std(std::span<const std::int64_t> values) {
  return std_about(values, mean_of(values));
}

double numpy_percentile(std::span<const double> sorted, double q) {
  return percentile_sorted(sorted, q);
}

double numpy_median(std::span<const double> sorted) {
  return median_sorted(sorted);
}

}  // namespace kvtrace::stats
