#pragma once
// AIPerf's EmpiricalSampler (aiperf-synthesis.md §5.3): draws values with the frequencies
// they have in the data.
//
// The draw follows numpy's Generator.choice(values, p=probs): cdf = cumsum(p) / cdf[-1],
// u = random(), index = searchsorted(cdf, u, side="right"). The uniform numbers come from
// the sampler's own kvtrace::random::PyRandom (CPython's MT19937 stream), not from numpy's
// PCG64, so the same seed does not give AIPerf's samples; the mapping from u to a value is
// the same.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kvtrace/random/py_random.hpp"

namespace kvtrace::synthesis {

// T is std::int64_t (token counts) or double.
template <typename T>
class EmpiricalSampler {
 public:
  struct Stats {
    T min{};
    T max{};
    double mean = 0;    // probability-weighted: the mean of the data
    double median = 0;  // np.median of the UNIQUE values, unweighted, as AIPerf
    std::size_t num_unique = 0;
  };

  // Empty data gives the single value 0 with probability 1. Throws UsageError for NaN.
  EmpiricalSampler(std::span<const T> data, random::PyRandom rng);

  // One value; O(log k) for k unique values; uses one random() draw.
  T sample();
  // n values, the same as n calls of sample().
  std::vector<T> sample_batch(std::size_t n);
  Stats get_stats() const;

  // The unique values, ascending, and their probabilities (count / total).
  std::span<const T> values() const { return values_; }
  std::span<const double> probabilities() const { return probs_; }

 private:
  std::vector<T> values_;
  std::vector<double> probs_;
  std::vector<double> cdf_;
  random::PyRandom rng_;
};

extern template class EmpiricalSampler<std::int64_t>;
extern template class EmpiricalSampler<double>;

}  // namespace kvtrace::synthesis
