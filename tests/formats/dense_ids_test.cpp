#include "formats/dense_ids.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace kvtrace::formats {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

TEST(DenseIds, NumbersKeysInTheOrderTheyAreFirstSeen) {
  DenseIds ids;
  EXPECT_EQ(ids.number(UINT64_MAX), 0u);
  EXPECT_EQ(ids.number(0), 1u);
  EXPECT_EQ(ids.number(UINT64_MAX), 0u);
  EXPECT_EQ(ids.number(42), 2u);
  EXPECT_EQ(ids.number(0), 1u);
  EXPECT_EQ(ids.size(), 3u);
}

TEST(DenseIds, KeepsTheNumbersWhenItGrowsWithOrWithoutReserve) {
  for (const std::uint64_t reserved : {0u, 100u, 200000u}) {
    DenseIds ids;
    ids.reserve(reserved);
    for (std::uint64_t i = 0; i < 100000; ++i) {
      ids.prefetch(splitmix(i + 1));
      ASSERT_EQ(ids.number(splitmix(i)), i);
    }
    for (std::uint64_t i = 0; i < 100000; i += 7) ASSERT_EQ(ids.number(splitmix(i)), i);
    // Small consecutive keys, which a weak hash would pile up.
    for (std::uint64_t k = 0; k < 1000; ++k) ASSERT_EQ(ids.number(k), 100000 + k);
    EXPECT_EQ(ids.size(), 101000u);
  }
}

TEST(DistinctEstimate, IsWithinAFewPercentOfTheDistinctCount) {
  DistinctEstimate e;
  for (std::uint64_t round = 0; round < 3; ++round) {  // repeats do not count
    for (std::uint64_t i = 0; i < 200000; ++i) e.add(splitmix(i));
  }
  EXPECT_NEAR(static_cast<double>(e.estimate()), 200000.0, 200000.0 * 0.05);
  DistinctEstimate dense;  // small consecutive keys too
  for (std::uint64_t i = 0; i < 200000; ++i) dense.add(i);
  EXPECT_NEAR(static_cast<double>(dense.estimate()), 200000.0, 200000.0 * 0.05);
  EXPECT_EQ(DistinctEstimate().estimate(), 0u);
}

}  // namespace
}  // namespace kvtrace::formats
