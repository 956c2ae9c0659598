#include "kvtrace/analysis/internal/id_hash_table.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace kvtrace::analysis {
namespace {

TEST(IdHashTable, AnyKeyIncludingZeroAndTheLargest) {
  IdHashTable t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find(0), IdHashTable::kFree);
  EXPECT_EQ(t.try_emplace(0, 7), std::make_pair(7u, true));
  EXPECT_EQ(t.try_emplace(UINT64_MAX, 8), std::make_pair(8u, true));
  EXPECT_EQ(t.try_emplace(0, 9), std::make_pair(7u, false));
  EXPECT_EQ(t.find(0), 7u);
  EXPECT_EQ(t.find(UINT64_MAX), 8u);
  EXPECT_EQ(t.find(1), IdHashTable::kFree);
  EXPECT_EQ(t.size(), 2u);
}

TEST(IdHashTable, AgreesWithAPlainMapThroughGrowthAndReserve) {
  std::mt19937_64 rng(11);
  IdHashTable t;
  std::unordered_map<std::uint64_t, std::uint32_t> reference;
  for (std::uint32_t i = 0; i < 200000; ++i) {
    if (i == 50000) t.reserve(300000);
    // Random keys, dense keys and keys that differ only in their high bits.
    const std::uint64_t key = i % 3 == 0   ? rng()
                              : i % 3 == 1 ? rng() % 100000
                                           : (rng() % 1000) << 48;
    t.prefetch(key);
    const auto got = t.try_emplace(key, i);
    const auto [it, inserted] = reference.try_emplace(key, i);
    ASSERT_EQ(got.second, inserted) << key;
    ASSERT_EQ(got.first, it->second) << key;
  }
  EXPECT_EQ(t.size(), reference.size());
  for (const auto& [key, value] : reference) ASSERT_EQ(t.find(key), value);
  EXPECT_EQ(t.find(UINT64_MAX - 3), IdHashTable::kFree);
}

}  // namespace
}  // namespace kvtrace::analysis
