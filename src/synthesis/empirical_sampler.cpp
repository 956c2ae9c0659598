#include "kvtrace/synthesis/empirical_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "kvtrace/core/error.hpp"

namespace kvtrace::synthesis {

template <typename T>
EmpiricalSampler<T>::EmpiricalSampler(std::span<const T> data, random::PyRandom rng)
    : rng_(std::move(rng)) {
  static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>);
  if constexpr (std::is_same_v<T, double>) {
    // NaN has no place in a sorted order (np.unique would put it last).
    if (std::ranges::any_of(data, [](double v) { return std::isnan(v); })) {
      throw UsageError("EmpiricalSampler: data contains NaN");
    }
  }
  if (data.empty()) {
    values_ = {T{0}};
    probs_ = {1.0};
    cdf_ = {1.0};
    return;
  }

  std::vector<T> sorted(data.begin(), data.end());
  std::ranges::sort(sorted);
  std::vector<std::size_t> counts;
  for (const T v : sorted) {
    if (values_.empty() || values_.back() != v) {
      values_.push_back(v);
      counts.push_back(0);
    }
    ++counts.back();
  }
  const auto total = static_cast<double>(sorted.size());
  probs_.reserve(values_.size());
  for (const std::size_t c : counts) probs_.push_back(static_cast<double>(c) / total);

  // numpy's choice: cumulative sums left to right, then each divided by the last one. The
  // last entry becomes exactly 1.0, above every u in [0, 1), so upper_bound stays in range.
  cdf_.reserve(probs_.size());
  double running = 0;
  for (const double p : probs_) cdf_.push_back(running += p);
  const double last = cdf_.back();
  for (double& c : cdf_) c /= last;
}

template <typename T>
T EmpiricalSampler<T>::sample() {
  const double u = rng_.random();
  return values_[static_cast<std::size_t>(std::ranges::upper_bound(cdf_, u) - cdf_.begin())];
}

template <typename T>
std::vector<T> EmpiricalSampler<T>::sample_batch(std::size_t n) {
  std::vector<T> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(sample());
  return out;
}

template <typename T>
typename EmpiricalSampler<T>::Stats EmpiricalSampler<T>::get_stats() const {
  Stats s;
  s.min = values_.front();
  s.max = values_.back();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    s.mean += static_cast<double>(values_[i]) * probs_[i];
  }
  const std::size_t k = values_.size();
  const std::size_t mid = k / 2;
  s.median =
      k % 2 == 1
          ? static_cast<double>(values_[mid])
          : (static_cast<double>(values_[mid - 1]) + static_cast<double>(values_[mid])) / 2.0;
  s.num_unique = k;
  return s;
}

template class EmpiricalSampler<std::int64_t>;
template class EmpiricalSampler<double>;

}  // namespace kvtrace::synthesis
