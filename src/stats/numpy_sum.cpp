#include "kvtrace/stats/numpy_sum.hpp"

#include <algorithm>
#include <array>

namespace kvtrace::stats {
namespace {

// numpy's reduction constants: pairwise_sum unrolls by 8 below PW_BLOCKSIZE (128), and the
// reduction iterator feeds the add loop NPY_BUFSIZE (8192) elements at a time (measured on
// numpy 1.24: float64 input is chunked the same way as int64 input cast to float64).
constexpr std::size_t kUnroll = 8;
constexpr std::size_t kPairwiseBlock = 128;
constexpr std::size_t kReduceChunk = 8192;

}  // namespace

double pairwise_sum(std::span<const double> a) {
  const std::size_t n = a.size();
  if (n < kUnroll) {
    double res = 0.0;
    for (const double v : a) res += v;
    return res;
  }
  if (n <= kPairwiseBlock) {
    std::array<double, kUnroll> r{};
    std::copy_n(a.begin(), kUnroll, r.begin());
    std::size_t i = kUnroll;
    for (; i < n - n % kUnroll; i += kUnroll) {
      for (std::size_t j = 0; j < kUnroll; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % kUnroll;  // keep the left half a multiple of the unroll factor
  return pairwise_sum(a.first(n2)) + pairwise_sum(a.subspan(n2));
}

NumpySum::NumpySum() : chunk_(kReduceChunk) {}

void NumpySum::flush() {
  if (size_ == 0) return;
  total_ += pairwise_sum(std::span<const double>(chunk_).first(size_));
  size_ = 0;
}

}  // namespace kvtrace::stats
