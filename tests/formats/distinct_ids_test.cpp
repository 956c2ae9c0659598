#include "formats/distinct_ids.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

namespace kvtrace::formats {
namespace {

TEST(DistinctIds, CountsDenseIdsOnce) {
  DistinctIds ids;
  EXPECT_EQ(ids.count(), 0u);
  const std::vector<std::uint64_t> some{0, 1, 2, 2, 1, 63, 64, 5000000};
  ids.add(some);
  ids.add(some);
  EXPECT_EQ(ids.count(), 6u);
}

TEST(DistinctIds, CountsSparseIdsOnce) {
  DistinctIds ids;
  ids.add(std::vector<std::uint64_t>{UINT64_MAX, 1ull << 40, UINT64_MAX, 7, 1ull << 40});
  EXPECT_EQ(ids.count(), 3u);
}

TEST(DistinctIds, AnIdKeptAsSparseIsNotCountedAgainOnceTheBitmapCoversIt) {
  DistinctIds ids;
  // Beyond what the bitmap may cover with one id seen: kept aside.
  const std::uint64_t far = 100'000'000;
  ids.add(far);
  // Many ids: the bitmap may now grow past `far`.
  for (std::uint64_t i = 0; i < 2'000'000; ++i) ids.add(i);
  ids.add(far - 1);  // the bitmap grows to just below `far`
  ids.add(far + 1);  // and now past it: it takes `far` over from the ids kept aside
  ids.add(far);
  EXPECT_EQ(ids.count(), 2'000'003u);
}

TEST(DistinctIds, AgreesWithASetOnAMixOfSmallAndLargeIds) {
  DistinctIds ids;
  std::set<std::uint64_t> expected;
  std::uint64_t x = 12345;
  for (int i = 0; i < 300000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint64_t id = (x >> 60) < 10 ? (x >> 40) % 500000 : (x >> 60) < 13 ? x : x >> 20;
    ids.add(id);
    expected.insert(id);
  }
  EXPECT_EQ(ids.count(), expected.size());
}

}  // namespace
}  // namespace kvtrace::formats
