#include "kvtrace/analysis/id_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

namespace kvtrace::analysis {
namespace {

TEST(IdIndex, NumbersIdsInFirstSeenOrder) {
  IdIndex index;
  bool created = false;
  EXPECT_EQ(index.intern(7, created), 0u);
  EXPECT_TRUE(created);
  EXPECT_EQ(index.intern(3, created), 1u);
  EXPECT_EQ(index.intern(7, created), 0u);
  EXPECT_FALSE(created);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.find(3), 1u);
  EXPECT_EQ(index.find(4), IdIndex::kNone);
}

TEST(IdIndex, SixtyFourBitIdsAreNeverMerged) {
  IdIndex index;
  bool created = false;
  // Ids that collide if truncated to 32 bits.
  const std::uint64_t a = 5, b = (std::uint64_t{1} << 32) + 5, c = UINT64_MAX, d = UINT64_MAX - 1;
  EXPECT_EQ(index.intern(a, created), 0u);
  EXPECT_EQ(index.intern(b, created), 1u);
  EXPECT_EQ(index.intern(c, created), 2u);
  EXPECT_EQ(index.intern(d, created), 3u);
  EXPECT_EQ(index.find(b), 1u);
  EXPECT_EQ(index.find(c), 2u);
}

// Interns `ids` in turn into `index` and into a plain map numbering ids in first-seen order:
// both agree on each number and on whether the id was new; then every id is found again.
void expect_like_a_plain_map(IdIndex& index, const std::vector<std::uint64_t>& ids) {
  std::unordered_map<std::uint64_t, std::uint32_t> reference;
  for (const std::uint64_t id : ids) {
    bool created = false;
    const std::uint32_t got = index.intern(id, created);
    const auto [it, inserted] =
        reference.try_emplace(id, static_cast<std::uint32_t>(reference.size()));
    ASSERT_EQ(created, inserted) << "id " << id;
    ASSERT_EQ(got, it->second) << "id " << id;
  }
  for (const auto& [id, dense] : reference) ASSERT_EQ(index.find(id), dense);
}

TEST(IdIndex, AgreesWithAPlainMapOnMixedDenseAndSparseIds) {
  // Dense ids grow the direct table past ids that were first seen as sparse (hashed) ones;
  // those must keep their number.
  std::mt19937_64 rng(42);
  IdIndex index;
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 400000; ++i) {
    std::uint64_t id;
    switch (rng() % 4) {
      case 0:
        id = static_cast<std::uint64_t>(i);
        break;  // dense, growing
      case 1:
        id = rng() % 2000000;
        break;  // ahead of the table
      case 2:
        id = rng();  // anywhere in 64 bits
        break;
      default:
        id = static_cast<std::uint64_t>(i / 2);
        break;  // repeats
    }
    ids.push_back(id);
  }
  expect_like_a_plain_map(index, ids);
}

// A later shard of a Mooncake trace: new ids count up from a large first one, mixed with
// earlier ids below it (shared prefixes) and repeats.
TEST(IdIndex, IdsFromALargeFirstOneAgreeWithAPlainMap) {
  constexpr std::uint64_t kFirst = std::uint64_t{1} << 40;
  std::mt19937_64 rng(7);
  IdIndex index;
  std::vector<std::uint64_t> ids;
  std::uint64_t next = kFirst;
  for (int i = 0; i < 300000; ++i) {
    std::uint64_t id = next;
    switch (i == 0 ? 0 : rng() % 5) {
      case 0:
      case 1:
        ++next;
        break;
      case 2:
        id = kFirst - 1 - rng() % 100000;  // below the first id
        break;
      case 3:
        id = kFirst + rng() % (next - kFirst);  // a repeat
        break;
      default:
        id = next + 1000000 + rng() % 1000;  // ahead of the table
        break;
    }
    ids.push_back(id);
  }
  expect_like_a_plain_map(index, ids);
  EXPECT_EQ(index.find(kFirst - 200000), IdIndex::kNone);
  EXPECT_EQ(index.find(0), IdIndex::kNone);
}

TEST(IdIndex, IdsInFirstSeenOrderKeepTheirNumbersAndLeavingThatModeKeepsThemToo) {
  IdIndex index;
  bool created = false;
  for (std::uint64_t id : {0, 1, 0, 2, 1, 3}) index.intern(id, created);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.find(3), 3u);
  EXPECT_EQ(index.intern(10, created), 4u);  // out of order: the table takes over
  EXPECT_TRUE(created);
  EXPECT_EQ(index.intern(2, created), 2u);
  EXPECT_FALSE(created);
  EXPECT_EQ(index.intern(4, created), 5u);
  EXPECT_EQ(index.find(10), 4u);
  EXPECT_EQ(index.find(0), 0u);
  EXPECT_EQ(index.find(5), IdIndex::kNone);
}

TEST(IdIndex, FreshNumbersBelongToNoId) {
  IdIndex index;
  bool created = false;
  EXPECT_EQ(index.intern(0, created), 0u);
  EXPECT_EQ(index.fresh(), 1u);
  // Id 1 would have had number 1 in first-seen order: it gets its own.
  EXPECT_EQ(index.intern(1, created), 2u);
  EXPECT_TRUE(created);
  EXPECT_EQ(index.fresh(), 3u);
  EXPECT_EQ(index.intern(UINT64_MAX, created), 4u);
  EXPECT_EQ(index.find(1), 2u);
  EXPECT_EQ(index.find(3), IdIndex::kNone);
  EXPECT_EQ(index.size(), 5u);
}

TEST(IdIndex, PrefetchChangesNothing) {
  IdIndex index;
  bool created = false;
  std::mt19937_64 rng(3);
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(rng());
  for (const std::uint64_t id : ids) {
    index.prefetch(id);
    index.intern(id, created);
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    index.prefetch(ids[i]);
    EXPECT_EQ(index.find(ids[i]), i);
  }
}

}  // namespace
}  // namespace kvtrace::analysis
