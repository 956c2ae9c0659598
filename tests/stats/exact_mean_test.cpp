#include "kvtrace/stats/exact_mean.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/stats/metric_stats.hpp"

namespace kvtrace::stats {
namespace {

// Expected values are `statistics.mean(xs)` from Python 3.11 (/usr/bin/python3), compared with
// EXPECT_EQ: the mean is correctly rounded, so there is exactly one right answer.

constexpr double kTiny = std::numeric_limits<double>::denorm_min();  // 2^-1074
constexpr double kHuge = std::numeric_limits<double>::max();

TEST(ExactMean, ReferenceHitRates) {
  // statistics.mean([0, 2/3, 1]); numpy's pairwise mean is 0.5555555555555555.
  const std::vector<double> cli{0, 2.0 / 3, 1};
  EXPECT_EQ(exact_mean(cli), 0.5555555555555556);
  EXPECT_EQ(numpy_mean(cli), 0.5555555555555555);
  // statistics.mean([0, 2/3, 1, 2/3, 1])
  EXPECT_EQ(exact_mean(std::vector<double>{0, 2.0 / 3, 1, 2.0 / 3, 1}), 0.6666666666666666);
  // statistics.mean([0, 1/15, 1/15, 0.2, 0]); numpy gives 0.06666666666666668.
  EXPECT_EQ(exact_mean(std::vector<double>{0, 1.0 / 15, 1.0 / 15, 0.2, 0}), 0.06666666666666667);
}

TEST(ExactMean, EmptyIsZero) {
  EXPECT_EQ(exact_mean(std::span<const double>{}), 0.0);
}

TEST(ExactMean, RoundsOnceToNearestEven) {
  // statistics.mean([0.1, 0.2, 0.3]) == 0.2 (numpy: 0.20000000000000004)
  EXPECT_EQ(exact_mean(std::vector<double>{0.1, 0.2, 0.3}), 0.2);
  // statistics.mean([0.1] * 10) == 0.1
  EXPECT_EQ(exact_mean(std::vector<double>(10, 0.1)), 0.1);
  // statistics.mean([2.0**53, 1.0, 0.0]) == 3002399751580331.0 (the sum 2^53 + 1 is exact)
  EXPECT_EQ(exact_mean(std::vector<double>{9007199254740992.0, 1.0, 0.0}), 3002399751580331.0);
  // statistics.mean([1.0, 2**-53]) == 0.5: exactly half an ulp above 0.5, a tie to even.
  EXPECT_EQ(exact_mean(std::vector<double>{1.0, std::ldexp(1.0, -53)}), 0.5);
  // statistics.mean([1.0, 2**-53 + 2**-105]) == 0.5000000000000001: just above the tie.
  EXPECT_EQ(exact_mean(std::vector<double>{1.0, std::ldexp(1.0, -53) + std::ldexp(1.0, -105)}),
            0.5000000000000001);
  // statistics.mean([1e-300, 1.0]) == 0.5
  EXPECT_EQ(exact_mean(std::vector<double>{1e-300, 1.0}), 0.5);
}

TEST(ExactMean, Subnormals) {
  // statistics.mean([5e-324, 0.0]) == 0.0: half the smallest subnormal ties to even zero.
  EXPECT_EQ(exact_mean(std::vector<double>{kTiny, 0.0}), 0.0);
  // statistics.mean([3 * 5e-324, 0.0]) == statistics.mean([5 * 5e-324, 0.0]) == 1e-323
  EXPECT_EQ(exact_mean(std::vector<double>{3 * kTiny, 0.0}), 1e-323);
  EXPECT_EQ(exact_mean(std::vector<double>{5 * kTiny, 0.0}), 1e-323);
  // statistics.mean([5e-324] * 3 + [0.0]) == 5e-324 (0.75 units rounds up)
  EXPECT_EQ(exact_mean(std::vector<double>{kTiny, kTiny, kTiny, 0.0}), kTiny);
  // statistics.mean([2**-1022, 5e-324, 0.0]) == 7.416912861690675e-309
  EXPECT_EQ(exact_mean(std::vector<double>{std::ldexp(1.0, -1022), kTiny, 0.0}),
            7.416912861690675e-309);
}

TEST(ExactMean, HugeValuesDoNotOverflow) {
  // statistics.mean([sys.float_info.max] * 1000) is the max itself (numpy overflows to inf).
  EXPECT_EQ(exact_mean(std::vector<double>(1000, kHuge)), kHuge);
  // statistics.mean([sys.float_info.max, 5e-324]) == 8.988465674311579e+307
  EXPECT_EQ(exact_mean(std::vector<double>{kHuge, kTiny}), 8.988465674311579e+307);
}

TEST(ExactMean, NegativeZeroCountsAsZero) {
  EXPECT_EQ(exact_mean(std::vector<double>{-0.0, 1.0}), 0.5);
  EXPECT_FALSE(std::signbit(exact_mean(std::vector<double>{-0.0})));
}

// xs = [((i * 2654435761) % (2 + i % 63)) / (1 + i % 63) for i in range(n)]: hit-rate-like
// fractions. For n = 1000 both numpy and math.fsum(xs) / n give 0.4811932355276663.
TEST(ExactMean, ManyFractions) {
  const auto rates = [](std::size_t n) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t den = 1 + i % 63;
      out[i] = static_cast<double>(i * 2654435761u % (den + 1)) / static_cast<double>(den);
    }
    return out;
  };
  EXPECT_EQ(exact_mean(rates(1000)), 0.48119323552766624);
  EXPECT_EQ(exact_mean(rates(100000)), 0.4914924032370734);
  EXPECT_EQ(exact_mean(rates(1000000)), 0.49154384860877964);
}

// xs = [math.ldexp(((i * 2654435761) % 1000003) / 1000003, (i * 7919) % 2000 - 1000)
//       for i in range(100000)]: addends spread over 2000 binades.
TEST(ExactMean, WideExponentRange) {
  std::vector<double> values(100000);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double fraction = static_cast<double>(i * 2654435761u % 1000003) / 1000003.0;
    values[i] = std::ldexp(fraction, static_cast<int>(i * 7919 % 2000) - 1000);
  }
  EXPECT_EQ(exact_mean(values), 2.7006349628492384e+297);
}

TEST(ExactMean, RejectsNegativeAndNonFinite) {
  EXPECT_THROW(exact_mean(std::vector<double>{0.5, -0.25}), UsageError);
  EXPECT_THROW(exact_mean(std::vector<double>{-kTiny}), UsageError);
  EXPECT_THROW(exact_mean(std::vector<double>{std::numeric_limits<double>::quiet_NaN()}),
               UsageError);
  EXPECT_THROW(exact_mean(std::vector<double>{1.0, std::numeric_limits<double>::infinity()}),
               UsageError);
  try {
    exact_mean(std::vector<double>{1.0, -2.5});
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "exact_mean: values must be finite and >= 0, got -2.5 at index 1");
  }
}

}  // namespace
}  // namespace kvtrace::stats
