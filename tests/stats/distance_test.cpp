#include "kvtrace/stats/distance.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::stats {
namespace {

// Goldens are from scipy 1.10.1 / numpy 1.24.2 (Debian 12, /usr/bin/python3), written as
// K = scipy.stats.ks_2samp and W = scipy.stats.wasserstein_distance, and compared with EXPECT_EQ:
// the implementation repeats scipy's operations, so the doubles are bit-identical.

using Doubles = std::vector<double>;
using Ints = std::vector<std::int64_t>;

// ---- Hand-checkable cases ----

TEST(Distance, IdenticalSamplesAreZeroApart) {
  const Doubles a{3.5, -1, 2, 2, 9};
  const Doubles shuffled{2, 9, 3.5, 2, -1};
  EXPECT_EQ(ks_statistic(a, shuffled), 0.0);
  EXPECT_EQ(wasserstein_1(a, shuffled), 0.0);
  const Ints lengths{1024, 1536, 1024};
  EXPECT_EQ(ks_statistic(lengths, lengths), 0.0);
  EXPECT_EQ(wasserstein_1(lengths, lengths), 0.0);
}

TEST(Distance, DisjointSamplesHaveKsOne) {
  // K([5.0, -1.0, 2.0], [12.0, 9.0, 30.0]) -> 1.0; W(...) -> 15.0, the difference of the means.
  const Doubles low{5, -1, 2};
  const Doubles high{12, 9, 30};
  EXPECT_EQ(ks_statistic(low, high), 1.0);
  EXPECT_EQ(ks_statistic(high, low), 1.0);
  EXPECT_EQ(wasserstein_1(low, high), 15.0);
  EXPECT_EQ(ks_statistic(Ints{1}, Ints{2}), 1.0);
  EXPECT_EQ(wasserstein_1(Ints{0}, Ints{1}), 1.0);
}

TEST(Distance, ShiftedSampleIsTheShiftAway) {
  // W([1.0, 2.0, 3.0, 7.0], [1.5, 2.5, 3.5, 7.5]) -> 0.5; K(...) -> 0.25 (one value in four).
  const Doubles a{1, 2, 3, 7};
  const Doubles shifted{1.5, 2.5, 3.5, 7.5};
  EXPECT_EQ(wasserstein_1(a, shifted), 0.5);
  EXPECT_EQ(ks_statistic(a, shifted), 0.25);
  EXPECT_EQ(wasserstein_1(Ints{7, 1, 3}, Ints{13, 11, 17}), 10.0);
}

TEST(Distance, TiesAreEvaluatedAfterEveryEqualValue) {
  // K([1, 1, 2], [1, 2, 2]) -> 1/3: at x = 1, F_a = 2/3 and F_b = 1/3 (searchsorted 'right').
  // W(...) -> 1/3: the gap from 1 to 2 times 1/3.
  EXPECT_EQ(ks_statistic(Ints{1, 1, 2}, Ints{1, 2, 2}), 0.3333333333333333);
  EXPECT_EQ(wasserstein_1(Ints{1, 1, 2}, Ints{1, 2, 2}), 0.3333333333333333);
  // -0.0 and 0.0 are one value.
  EXPECT_EQ(ks_statistic(Doubles{-0.0, 1}, Doubles{0.0, 1}), 0.0);
  EXPECT_EQ(wasserstein_1(Doubles{-0.0, 1}, Doubles{0.0, 1}), 0.0);
}

// ---- scipy goldens ----

TEST(Distance, SmallGoldens) {
  // K([1, 2, 3], [2, 3, 4]) -> 0.3333333333333333; W(...) -> 1.0
  EXPECT_EQ(ks_statistic(Ints{1, 2, 3}, Ints{2, 3, 4}), 0.3333333333333333);
  EXPECT_EQ(wasserstein_1(Ints{1, 2, 3}, Ints{2, 3, 4}), 1.0);
  // K([0.1, 0.7, 0.3, 2.5, 1.1], [0.2, 0.2, 1.9, 3.3]) -> 0.3; W(...) -> 0.6
  const Doubles a{0.1, 0.7, 0.3, 2.5, 1.1};
  const Doubles b{0.2, 0.2, 1.9, 3.3};
  EXPECT_EQ(ks_statistic(a, b), 0.3);
  EXPECT_EQ(wasserstein_1(a, b), 0.6);
}

TEST(Distance, KsRoundsToAMultipleOfOneOverLcmLikeScipy) {
  // K([3], [17, 1, 18]) -> 0.6666666666666666: the computed maximum 1 - 1/3 is
  // 0.6666666666666667, but scipy's exact path (both sizes <= 10000) returns round(D*3)/3.
  EXPECT_EQ(ks_statistic(Ints{3}, Ints{17, 1, 18}), 0.6666666666666666);
  EXPECT_EQ(ks_statistic(Doubles{3}, Doubles{17, 1, 18}), 0.6666666666666666);
  // W([3], [17, 1, 18]) -> 10.333333333333334
  EXPECT_EQ(wasserstein_1(Ints{3}, Ints{17, 1, 18}), 10.333333333333334);
}

TEST(Distance, LargeFloatGolden) {
  // a = [(k * 37 % 1001) * 0.125 for k in range(12000)]
  // b = [(k * 53 % 997) / 7 + 3.0 for k in range(15000)]
  // K(a, b) -> 0.14239999999999997 (above 10000 values: scipy's unrounded maximum).
  // W(a, b) -> 11.6483625 (numpy's chunked pairwise sum; a running sum is 11.648362500000008).
  Doubles a;
  Doubles b;
  for (std::int64_t k = 0; k < 12000; ++k) a.push_back(static_cast<double>(k * 37 % 1001) * 0.125);
  for (std::int64_t k = 0; k < 15000; ++k) {
    b.push_back(static_cast<double>(k * 53 % 997) / 7 + 3.0);
  }
  EXPECT_EQ(ks_statistic(a, b), 0.14239999999999997);
  EXPECT_EQ(wasserstein_1(a, b), 11.6483625);
  EXPECT_EQ(ks_statistic(b, a), ks_statistic(a, b));
  EXPECT_EQ(wasserstein_1(b, a), wasserstein_1(a, b));
}

TEST(Distance, LargeIntGolden) {
  // a = np.array([k * k % 1009 for k in range(9000)])
  // b = np.array([(k * 31) % 1200 + 50 for k in range(9500)])
  // K(a, b) -> 0.2005263157894737 (the computed maximum is 0.20052631578947366)
  // W(a, b) -> 144.17794152046784
  Ints a;
  Ints b;
  for (std::int64_t k = 0; k < 9000; ++k) a.push_back(k * k % 1009);
  for (std::int64_t k = 0; k < 9500; ++k) b.push_back(k * 31 % 1200 + 50);
  EXPECT_EQ(ks_statistic(a, b), 0.2005263157894737);
  EXPECT_EQ(wasserstein_1(a, b), 144.17794152046784);
  const Doubles da(a.begin(), a.end());
  const Doubles db(b.begin(), b.end());
  EXPECT_EQ(ks_statistic(da, db), ks_statistic(a, b));
  EXPECT_EQ(wasserstein_1(da, db), wasserstein_1(a, b));
}

TEST(Distance, Int64KsComparesIntegersWasserstein1CastsToDouble) {
  // 2^53 and 2^53 + 1 are distinct int64 values but the same double. With int64 arrays,
  // K([2**53], [2**53 + 1]) -> 1.0 and W(...) -> 0.0 (W casts to float64 first).
  const Ints a{std::int64_t{1} << 53};
  const Ints b{(std::int64_t{1} << 53) + 1};
  EXPECT_EQ(ks_statistic(a, b), 1.0);
  EXPECT_EQ(wasserstein_1(a, b), 0.0);
}

// ---- Bad input ----

TEST(Distance, EmptyOrNanSampleIsAnInvalidArgument) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Doubles ok{1, 2};
  EXPECT_THROW(ks_statistic(Doubles{}, ok), std::invalid_argument);
  EXPECT_THROW(ks_statistic(ok, Doubles{}), std::invalid_argument);
  EXPECT_THROW(wasserstein_1(Doubles{}, ok), std::invalid_argument);
  EXPECT_THROW(wasserstein_1(ok, Doubles{}), std::invalid_argument);
  EXPECT_THROW(ks_statistic(Ints{}, Ints{1}), std::invalid_argument);
  EXPECT_THROW(wasserstein_1(Ints{1}, Ints{}), std::invalid_argument);
  EXPECT_THROW(ks_statistic(Doubles{1, nan}, ok), std::invalid_argument);
  EXPECT_THROW(wasserstein_1(ok, Doubles{nan}), std::invalid_argument);
}

}  // namespace
}  // namespace kvtrace::stats
