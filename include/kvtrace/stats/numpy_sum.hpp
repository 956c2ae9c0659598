#pragma once
// np.sum of a float64 array, addition for addition: numpy's pairwise summation over chunks of
// NPY_BUFSIZE (8192) elements, each chunk's sum added to a total that starts at 0.0. The order
// decides the last bit, which is what numpy-exact statistics need.

#include <cstddef>
#include <span>
#include <vector>

namespace kvtrace::stats {

// numpy's pairwise_sum for float64 (8 accumulators up to 128 elements, then halves).
double pairwise_sum(std::span<const double> a);

// np.sum of elements that arrive one at a time; holds one chunk. Staging the terms in memory
// also keeps their products from fusing into the sums.
class NumpySum {
 public:
  NumpySum();
  void add(double term) {
    chunk_[size_++] = term;
    if (size_ == chunk_.size()) flush();
  }
  double total() {
    flush();
    return total_;
  }

 private:
  void flush();

  std::vector<double> chunk_;
  std::size_t size_ = 0;
  double total_ = 0.0;
};

}  // namespace kvtrace::stats
