// PositionalRadixTree: the map operations per position, Dynamo's prefix/position/len, removal,
// parent and child lookup with both lineage codecs across mode boundaries, and a multi-thread
// stress test (RadixTreeStress.*, also run under TSan) that checks no insert is lost.

#include "kvtrace/hashing/positional_radix_tree.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/positional_lineage_hash.hpp"
#include "kvtrace/hashing/token_block_sequence.hpp"

namespace kvtrace::hashing {
namespace {

PositionalSequenceHash psh(std::uint64_t position, std::uint64_t seq) {
  return {seq, position, seq * 31};
}

// A key whose std::hash is the identity, to check that shard selection still spreads it.
struct RawKey {
  std::uint64_t pos;
  std::uint64_t id;
  std::uint64_t position() const { return pos; }
  friend bool operator==(const RawKey&, const RawKey&) = default;
};

}  // namespace
}  // namespace kvtrace::hashing

template <>
struct std::hash<kvtrace::hashing::RawKey> {
  std::size_t operator()(const kvtrace::hashing::RawKey& k) const noexcept { return k.id; }
};

namespace kvtrace::hashing {
namespace {

TEST(PositionalRadixTree, InsertFindEraseLen) {
  PositionalRadixTree<int> tree;
  EXPECT_TRUE(tree.is_empty());
  EXPECT_EQ(tree.find(psh(0, 1)), std::nullopt);
  EXPECT_TRUE(tree.insert(psh(0, 1), 10));
  EXPECT_FALSE(tree.insert(psh(0, 1), 11));  // present: the value stays
  EXPECT_EQ(tree.find(psh(0, 1)), 10);
  EXPECT_TRUE(tree.insert(psh(0, 2), 20));
  EXPECT_TRUE(tree.insert(psh(300, 1), 30));  // same sequence hash, other position
  EXPECT_EQ(tree.len(), 3u);
  EXPECT_EQ(tree.find(psh(300, 1)), 30);
  EXPECT_TRUE(tree.contains(psh(0, 2)));
  EXPECT_FALSE(tree.contains(psh(1, 2)));

  tree.insert_or_assign(psh(0, 1), 12);
  EXPECT_EQ(tree.find(psh(0, 1)), 12);
  EXPECT_TRUE(tree.position(0)->visit(psh(0, 1), [](int& v) { v += 1; }));
  EXPECT_EQ(tree.find(psh(0, 1)), 13);
  EXPECT_FALSE(tree.position(0)->visit(psh(0, 9), [](int& v) { v = 0; }));

  EXPECT_TRUE(tree.erase(psh(0, 1)));
  EXPECT_FALSE(tree.erase(psh(0, 1)));
  EXPECT_FALSE(tree.erase(psh(5, 1)));  // no level there
  EXPECT_EQ(tree.find(psh(0, 1)), std::nullopt);
  EXPECT_EQ(tree.len(), 2u);
  EXPECT_TRUE(tree.erase(psh(0, 2)));
  EXPECT_TRUE(tree.erase(psh(300, 1)));
  EXPECT_TRUE(tree.is_empty());
}

TEST(PositionalRadixTree, PrefixAndPosition) {
  PositionalRadixTree<std::string> tree(4);
  EXPECT_EQ(tree.position(7), nullptr);
  auto& level = tree.prefix(psh(7, 1));
  EXPECT_EQ(tree.position(7), &level);
  EXPECT_EQ(level.size(), 0u);
  level.insert(psh(7, 1), "a");
  level.insert(psh(7, 2), "b");
  EXPECT_EQ(&tree.prefix(psh(7, 99)), &level);
  EXPECT_EQ(tree.position(7)->size(), 2u);
  EXPECT_EQ(tree.position(6), nullptr);
  EXPECT_EQ(tree.position(std::uint64_t{1} << 40), nullptr);
  std::vector<std::string> values;
  level.for_each([&](const PositionalSequenceHash&, const std::string& v) { values.push_back(v); });
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values, (std::vector<std::string>{"a", "b"}));
  // An emptied level stays, like Dynamo's sub-maps.
  level.erase(psh(7, 1));
  level.erase(psh(7, 2));
  EXPECT_EQ(tree.position(7), &level);
  EXPECT_EQ(tree.len(), 0u);
}

TEST(PositionalRadixTree, FarPositionsAndLimit) {
  PositionalRadixTree<int> tree;
  const std::uint64_t far = PositionalSequenceHash::kMaxPosition;
  for (const std::uint64_t p :
       {std::uint64_t{0}, std::uint64_t{1023}, std::uint64_t{1024}, std::uint64_t{1} << 20, far}) {
    EXPECT_TRUE(tree.insert(psh(p, p + 1), static_cast<int>(p & 0xFFFF)));
  }
  EXPECT_EQ(tree.len(), 5u);
  EXPECT_EQ(tree.find(psh(far, far + 1)), static_cast<int>(far & 0xFFFF));
  EXPECT_EQ(tree.find(psh(1024, 1024 + 1)), 1024);

  PositionalRadixTree<int, RawKey> raw;
  EXPECT_THROW(raw.insert(RawKey{std::uint64_t{1} << 31, 1}, 1), UsageError);
  EXPECT_EQ(raw.find(RawKey{std::uint64_t{1} << 31, 1}), std::nullopt);
}

TEST(PositionalRadixTree, IdentityHashKeysSpreadOverShards) {
  PositionalRadixTree<std::uint64_t, RawKey> tree(64);
  for (std::uint64_t i = 0; i < 10000; ++i) tree.insert(RawKey{i % 3, i}, i);
  EXPECT_EQ(tree.len(), 10000u);
  for (std::uint64_t i = 0; i < 10000; ++i) ASSERT_EQ(tree.find(RawKey{i % 3, i}), i);
}

// Two sequences sharing their first blocks, crossing the 255 -> 256 boundary (block size 1).
template <class Lineage>
void check_lineage_queries(Lineage (TokenBlock::*lineage)() const) {
  std::vector<Token> a(300);
  std::vector<Token> b(300);
  for (Token i = 0; i < 300; ++i) a[i] = b[i] = i;
  b[255] = 9999;  // diverges at position 255
  const TokenBlockSequence seq_a(a, 1, kBaseSeed);
  const TokenBlockSequence seq_b(b, 1, kBaseSeed);

  PositionalRadixTree<std::uint64_t, Lineage> tree;
  for (const TokenBlockSequence* seq : {&seq_a, &seq_b}) {
    for (const TokenBlock& block : seq->blocks()) {
      tree.insert((block.*lineage)(), block.sequence_hash());
    }
  }
  EXPECT_EQ(tree.len(), 255u + 2 * 45);

  // Backward from every block of b to the root, through both mode boundaries' neighbours.
  for (std::size_t i = 1; i < 300; ++i) {
    const auto parent = tree.find_parent((seq_b.blocks()[i].*lineage)());
    ASSERT_TRUE(parent.has_value()) << i;
    EXPECT_EQ(parent->second, seq_b.blocks()[i - 1].sequence_hash()) << i;
  }
  EXPECT_EQ(tree.find_parent((seq_b.blocks()[0].*lineage)()), std::nullopt);

  // Position 254 has two children (a's and b's 255), every other block of b one.
  const auto fork = tree.children((seq_a.blocks()[254].*lineage)());
  EXPECT_EQ(fork.size(), 2u);
  for (const std::size_t i : {255u, 256u, 298u}) {
    const auto kids = tree.children((seq_b.blocks()[i].*lineage)());
    ASSERT_EQ(kids.size(), 1u) << i;
    EXPECT_EQ(kids[0].second, seq_b.blocks()[i + 1].sequence_hash());
  }
  EXPECT_TRUE(tree.children((seq_b.blocks()[299].*lineage)()).empty());

  // Eviction: removing b's block 256 orphans 257 and leaves 255 a leaf.
  EXPECT_TRUE(tree.erase((seq_b.blocks()[256].*lineage)()));
  EXPECT_EQ(tree.find_parent((seq_b.blocks()[257].*lineage)()), std::nullopt);
  EXPECT_TRUE(tree.children((seq_b.blocks()[255].*lineage)()).empty());
}

TEST(PositionalRadixTree, LineageQueriesSeedDesignCodec) {
  check_lineage_queries(&TokenBlock::seed_layout_lineage_hash);
}

TEST(PositionalRadixTree, LineageQueriesMainBranchCodec) {
  check_lineage_queries(&TokenBlock::positional_lineage_hash);
}

TEST(PositionalRadixTree, FindParentAcrossSecondBoundary) {
  PositionalRadixTree<int, PositionalLineageHashSeedLayout> tree;
  const SequenceHash p65535 = 0x1111222233334444;
  const PositionalLineageHashSeedLayout parent(p65535, 5, 65535);
  const PositionalLineageHashSeedLayout child(0x5555666677778888, p65535, 65536);
  tree.insert(parent, 1);
  tree.insert(child, 2);
  ASSERT_TRUE(tree.find_parent(child).has_value());
  EXPECT_EQ(tree.find_parent(child)->first, parent);
  EXPECT_EQ(tree.children(parent).size(), 1u);
}

// --- concurrency -----------------------------------------------------------------------

// 37 positions spread over several tables of the position directory (up to 1.44M).
std::uint64_t stress_position(std::uint64_t id) {
  return (id % 37) * 40009;
}

TEST(RadixTreeStress, ConcurrentInsertsLookupsAndErasesLoseNothing) {
  constexpr int kThreads = 4;
  constexpr std::uint64_t kPerThread = 20000;
  PositionalRadixTree<std::uint64_t> tree(8);
  std::atomic<std::uint64_t> found_early{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0; i < kPerThread; ++i) {
        const std::uint64_t id = i * kThreads + t;
        // Few levels, so threads share them and race to create them.
        ASSERT_TRUE(tree.insert(psh(stress_position(id), id + 1), id));
        // Look up a key another thread may or may not have inserted yet.
        const std::uint64_t other = i * kThreads + (t + 1) % kThreads;
        if (const auto v = tree.find(psh(stress_position(other), other + 1))) {
          ASSERT_EQ(*v, other);
          found_early.fetch_add(1, std::memory_order_relaxed);
        }
        // Every third key of its own is erased again.
        if (i % 3 == 0) {
          ASSERT_TRUE(tree.erase(psh(stress_position(id), id + 1)));
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();

  std::uint64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (std::uint64_t i = 0; i < kPerThread; ++i) {
      const std::uint64_t id = i * kThreads + t;
      const bool kept = i % 3 != 0;
      expected += kept;
      ASSERT_EQ(tree.find(psh(stress_position(id), id + 1)),
                kept ? std::optional(id) : std::nullopt)
          << id;
    }
  }
  EXPECT_EQ(tree.len(), expected);
  RecordProperty("found_early", std::to_string(found_early.load()));
}

TEST(RadixTreeStress, RacingInsertsOfTheSameKeysHaveOneWinnerEach) {
  constexpr int kThreads = 4;
  constexpr std::uint64_t kKeys = 20000;
  PositionalRadixTree<int, PositionalLineageHashSeedLayout> tree(4);
  std::atomic<std::uint64_t> wins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0; i < kKeys; ++i) {
        const PositionalLineageHashSeedLayout key(next_sequence_hash(i, 1), i, i % 300);
        if (tree.insert(key, t)) wins.fetch_add(1, std::memory_order_relaxed);
        EXPECT_TRUE(tree.contains(key));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wins.load(), kKeys);
  EXPECT_EQ(tree.len(), kKeys);
}

}  // namespace
}  // namespace kvtrace::hashing
