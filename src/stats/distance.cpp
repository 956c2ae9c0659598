#include "kvtrace/stats/distance.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/stats/numpy_sum.hpp"

namespace kvtrace::stats {
namespace {

// ks_2samp's default method "auto" takes its exact p-value path, which also rounds D, when
// neither sample has more than this many values.
constexpr std::size_t kKsExactMaxSize = 10000;

// A sorted copy of a sample, its values cast to Out.
template <typename Out, typename In>
std::vector<Out> sorted_copy(std::span<const In> values, const char* what) {
  if (values.empty()) throw std::invalid_argument(std::string(what) + ": empty sample");
  if constexpr (std::is_floating_point_v<In>) {
    // An ECDF has no place for NaN, and NaN would break the sort's ordering.
    if (std::ranges::any_of(values, [](In v) { return std::isnan(v); })) {
      throw std::invalid_argument(std::string(what) + ": NaN in sample");
    }
  }
  std::vector<Out> out(values.begin(), values.end());
  std::ranges::sort(out);
  return out;
}

// Walks the pooled sample of the sorted a and b in one merge: for each distinct value, in
// ascending order, visit(value, i, j, count) gets the number of values of a and of b that are
// <= it (np.searchsorted(side='right')) and how many pooled values equal it.
template <typename T, typename Visit>
void for_each_pooled_value(std::span<const T> a, std::span<const T> b, Visit visit) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    const T value = (j == b.size() || (i < a.size() && a[i] < b[j])) ? a[i] : b[j];
    const std::size_t before = i + j;
    while (i < a.size() && !(value < a[i])) ++i;
    while (j < b.size() && !(value < b[j])) ++j;
    visit(value, i, j, i + j - before);
  }
}

// F_a - F_b after i of n and j of m values, rounded as scipy's `cdf1 - cdf2`.
double cdf_difference(std::size_t i, std::size_t n, std::size_t j, std::size_t m) {
  return static_cast<double>(i) / static_cast<double>(n) -
         static_cast<double>(j) / static_cast<double>(m);
}

template <typename T>
double ks_of(std::span<const T> a_values, std::span<const T> b_values) {
  const std::vector<T> a = sorted_copy<T>(a_values, "ks_statistic");
  const std::vector<T> b = sorted_copy<T>(b_values, "ks_statistic");
  double d = 0.0;
  for_each_pooled_value<T>(a, b, [&](T, std::size_t i, std::size_t j, std::size_t) {
    d = std::max(d, std::abs(cdf_difference(i, a.size(), j, b.size())));
  });
  if (std::max(a.size(), b.size()) > kKsExactMaxSize) return d;
  // scipy's exact path replaces D by h / lcm(n, m) with h = round(D * lcm), the value D truly
  // has; it can differ from the computed maximum in the last bit. D * lcm is within 1e-8 of an
  // integer, so the rounding mode does not matter.
  const std::size_t lcm = a.size() / std::gcd(a.size(), b.size()) * b.size();
  return std::round(d * static_cast<double>(lcm)) / static_cast<double>(lcm);
}

template <typename T>
double wasserstein_of(std::span<const T> a_values, std::span<const T> b_values) {
  const std::vector<double> a = sorted_copy<double>(a_values, "wasserstein_1");
  const std::vector<double> b = sorted_copy<double>(b_values, "wasserstein_1");
  // scipy sums |F_a - F_b| * (gap to the next pooled value) over every pooled value but the
  // last, in pooled order. Ties keep their own terms, over gaps of value - value (0, or NaN for
  // infinities as in scipy), because their positions decide how numpy's pairwise sum groups.
  NumpySum sum;
  bool first = true;
  double previous_value = 0.0;
  double previous_difference = 0.0;
  for_each_pooled_value<double>(
      a, b, [&](double value, std::size_t i, std::size_t j, std::size_t count) {
        const double difference = std::abs(cdf_difference(i, a.size(), j, b.size()));
        if (!first) sum.add(previous_difference * (value - previous_value));
        const double tie_term = difference * (value - value);
        for (std::size_t k = 1; k < count; ++k) sum.add(tie_term);
        first = false;
        previous_value = value;
        previous_difference = difference;
      });
  return sum.total();
}

}  // namespace

double ks_statistic(std::span<const double> a, std::span<const double> b) {
  return ks_of(a, b);
}

double ks_statistic(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
  return ks_of(a, b);
}

double wasserstein_1(std::span<const double> a, std::span<const double> b) {
  return wasserstein_of(a, b);
}

double wasserstein_1(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
  return wasserstein_of(a, b);
}

}  // namespace kvtrace::stats
