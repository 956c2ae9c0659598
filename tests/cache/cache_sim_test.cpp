#include "kvtrace/cache/cache_sim.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::cache::CacheConfig;
using kvtrace::cache::CacheSim;
using kvtrace::cache::Policy;
using Blocks = std::vector<std::uint64_t>;

std::vector<std::uint32_t> hit_sequence(CacheSim& sim, const std::vector<Blocks>& requests) {
  std::vector<std::uint32_t> hits;
  for (const Blocks& r : requests) hits.push_back(sim.access(r));
  return hits;
}

// Requests over a tree of blocks, as Mooncake ids are: each request follows an existing path
// for a while, then continues with new ids, so every id has one parent.
std::vector<Blocks> random_tree_requests(std::uint32_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Blocks> paths;
  std::uint64_t next_id = 0;
  std::vector<Blocks> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    Blocks r;
    if (!paths.empty() && rng() % 4 != 0) {
      const Blocks& base = paths[rng() % paths.size()];
      r.assign(base.begin(), base.begin() + 1 + rng() % base.size());
    }
    const std::uint32_t fresh = rng() % 6;
    for (std::uint32_t k = 0; k < fresh; ++k) r.push_back(next_id++);
    if (r.empty()) r.push_back(next_id++);
    paths.push_back(r);
    out.push_back(r);
  }
  return out;
}

const std::vector<Blocks> kRequests = {{1, 2}, {3}, {1, 4}, {1, 2}, {3}, {1, 2, 5}};

TEST(CacheSim, LruHitSequenceByHand) {
  // MRU first after each request: 1 2 | 3 1 2 | 1 4 3 (2 out) | 1 2 4 (3 out) | 3 1 2 (4 out)
  // | 1 2 5 (3 out).
  CacheSim sim({.capacity_blocks = 3, .policy = Policy::kLru});
  EXPECT_EQ(hit_sequence(sim, kRequests), (std::vector<std::uint32_t>{0, 0, 1, 1, 0, 2}));
  EXPECT_EQ(sim.counts().evicted, 4u);
  EXPECT_EQ(sim.counts().inserted, 7u);
  EXPECT_EQ(sim.counts().hit_blocks, 4u);
  EXPECT_EQ(sim.counts().accesses, 11u);
  EXPECT_EQ(sim.size(), 3u);
  EXPECT_TRUE(sim.contains(1) && sim.contains(2) && sim.contains(5));
}

TEST(CacheSim, FifoHitSequenceByHand) {
  // Oldest first: 2 1 | 2 1 3 | 1 3 4 (2 out) | 1 4 2 (1 is in use: 3 out) | 4 2 3 (1 out)
  // | 2 5 1 (4 and 3 out; 2 is in use). Hits do not refresh, so [1, 2, 5] misses at 1.
  CacheSim sim({.capacity_blocks = 3, .policy = Policy::kFifo});
  EXPECT_EQ(hit_sequence(sim, kRequests), (std::vector<std::uint32_t>{0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(sim.counts().evicted, 5u);
  EXPECT_TRUE(sim.contains(1) && sim.contains(2) && sim.contains(5));
}

TEST(CacheSim, LineageHitSequenceByHand) {
  CacheSim sim({.capacity_blocks = 3, .policy = Policy::kLineage});
  EXPECT_EQ(hit_sequence(sim, kRequests), (std::vector<std::uint32_t>{0, 0, 1, 1, 0, 2}));
}

TEST(CacheSim, LineageEvictsLeavesFirstWhereLruDoesNot) {
  // Block 2 appears under two parents (not a Mooncake trace): lru evicts the least recently
  // used block 1 and strands 2; lineage keeps 1 because its child 2 is cached, and evicts
  // the oldest leaf, 2.
  const std::vector<Blocks> requests = {{1, 2}, {3, 2}, {4}, {1, 2}};
  CacheSim lru({.capacity_blocks = 3, .policy = Policy::kLru});
  CacheSim lineage({.capacity_blocks = 3, .policy = Policy::kLineage});
  EXPECT_EQ(hit_sequence(lru, requests), (std::vector<std::uint32_t>{0, 0, 0, 0}));
  EXPECT_EQ(hit_sequence(lineage, requests), (std::vector<std::uint32_t>{0, 0, 0, 1}));
}

TEST(CacheSim, LineageEqualsLruWhenIdsFormATree) {
  // A parent is always released right after its child, so the lru victim is always a leaf
  // (docs/simulate.md): the two policies agree on traces whose ids identify their prefix.
  const auto requests = random_tree_requests(3000, 7);
  for (const std::uint64_t capacity : {1, 5, 20, 100, 1000}) {
    CacheSim lru({.capacity_blocks = capacity, .policy = Policy::kLru});
    CacheSim lineage({.capacity_blocks = capacity, .policy = Policy::kLineage});
    EXPECT_EQ(hit_sequence(lru, requests), hit_sequence(lineage, requests)) << capacity;
    EXPECT_EQ(lru.counts().evicted, lineage.counts().evicted);
  }
}

TEST(CacheSim, DenseIdsGiveTheSameResults) {
  const auto requests = random_tree_requests(3000, 11);  // ids 0, 1, 2, ...
  for (const Policy p : {Policy::kLru, Policy::kLineage, Policy::kFifo}) {
    for (const std::uint64_t capacity : {3, 40, 500}) {
      CacheSim hashed({.capacity_blocks = capacity, .policy = p});
      CacheSim dense({.capacity_blocks = capacity, .policy = p, .dense_ids = true});
      EXPECT_EQ(hit_sequence(hashed, requests), hit_sequence(dense, requests));
      EXPECT_EQ(hashed.counts().evicted, dense.counts().evicted);
      EXPECT_EQ(hashed.size(), dense.size());
      for (std::uint64_t id = 0; id < 100; ++id) EXPECT_EQ(hashed.contains(id), dense.contains(id));
    }
  }
  CacheSim dense({.capacity_blocks = 4, .policy = Policy::kLru, .dense_ids = true});
  dense.access(Blocks{1, 2});
  EXPECT_THROW(dense.access(Blocks{1, std::uint64_t{1} << 40}), kvtrace::LimitError);
  EXPECT_EQ(dense.size(), 2u);
  EXPECT_EQ(dense.pinned_blocks(), 0u);
}

TEST(CacheSim, ARequestLargerThanThePoolKeepsItsFirstBlocks) {
  for (const Policy p : {Policy::kLru, Policy::kLineage, Policy::kFifo}) {
    CacheSim sim({.capacity_blocks = 2, .policy = p});
    EXPECT_EQ(sim.access(Blocks{9}), 0u);
    EXPECT_EQ(sim.access(Blocks{1, 2, 3, 4}), 0u);
    EXPECT_EQ(sim.counts().dropped, 2u);
    EXPECT_EQ(sim.counts().evicted, 1u);
    EXPECT_EQ(sim.access(Blocks{1, 2, 3}), 2u);
    EXPECT_EQ(sim.size(), 2u);
  }
}

TEST(CacheSim, PinnedBlocksAreNotEvicted) {
  for (const Policy p : {Policy::kLru, Policy::kLineage, Policy::kFifo}) {
    CacheSim sim({.capacity_blocks = 3, .policy = p});
    std::vector<CacheSim::Slot> pins;
    EXPECT_EQ(sim.acquire(Blocks{1, 2}, pins), 0u);
    EXPECT_EQ(pins.size(), 2u);
    EXPECT_EQ(sim.pinned_blocks(), 2u);
    sim.access(Blocks{3});
    sim.access(Blocks{4});  // 1 and 2 are in flight: 3 goes
    EXPECT_FALSE(sim.contains(3));
    EXPECT_TRUE(sim.contains(1) && sim.contains(2) && sim.contains(4));
    sim.release(pins);
    EXPECT_EQ(sim.pinned_blocks(), 0u);
    sim.access(Blocks{5});
    // lru and lineage: 4 was released before 1 and 2; fifo: 2 and 1 were inserted first,
    // the tail first.
    if (p == Policy::kFifo) {
      EXPECT_FALSE(sim.contains(2));
    } else {
      EXPECT_FALSE(sim.contains(4));
    }
  }
}

TEST(CacheSim, EverythingPinnedDropsTheMissingBlocks) {
  CacheSim sim({.capacity_blocks = 2, .policy = Policy::kLru});
  std::vector<CacheSim::Slot> pins;
  sim.acquire(Blocks{1, 2}, pins);
  EXPECT_EQ(sim.access(Blocks{1, 3}), 1u);
  EXPECT_EQ(sim.counts().dropped, 1u);
  EXPECT_FALSE(sim.contains(3));
  sim.release(pins);
  EXPECT_EQ(sim.access(Blocks{1, 3}), 1u);
  EXPECT_TRUE(sim.contains(3));
}

TEST(CacheSim, RepeatedIdsInsideARequest) {
  CacheSim sim({.capacity_blocks = 4, .policy = Policy::kLru});
  EXPECT_EQ(sim.access(Blocks{5, 5, 5}), 0u);  // nothing was cached when it arrived
  EXPECT_EQ(sim.size(), 1u);
  EXPECT_EQ(sim.pinned_blocks(), 0u);
  EXPECT_EQ(sim.access(Blocks{5, 5, 6}), 2u);
}

TEST(CacheSim, ZeroCapacityCachesNothing) {
  CacheSim sim({.capacity_blocks = 0, .policy = Policy::kLru});
  EXPECT_EQ(sim.access(Blocks{1, 2}), 0u);
  EXPECT_EQ(sim.access(Blocks{1, 2}), 0u);
  EXPECT_EQ(sim.size(), 0u);
  EXPECT_EQ(sim.counts().dropped, 4u);
}

TEST(CacheSim, CachedPrefixChangesNothing) {
  CacheSim sim({.capacity_blocks = 2, .policy = Policy::kLru});
  sim.access(Blocks{1, 2});
  EXPECT_EQ(sim.cached_prefix(Blocks{1, 2, 3}), 2u);
  EXPECT_EQ(sim.cached_prefix(Blocks{2, 1}), 2u);
  EXPECT_EQ(sim.cached_prefix(Blocks{3, 1}), 0u);
  EXPECT_EQ(sim.counts().accesses, 2u);
  sim.access(Blocks{3});  // 2 is the tail: cached_prefix did not refresh it
  EXPECT_FALSE(sim.contains(2));
}

TEST(CacheSim, PolicyNames) {
  for (const Policy p : {Policy::kLru, Policy::kLineage, Policy::kFifo}) {
    EXPECT_EQ(kvtrace::cache::parse_policy(kvtrace::cache::policy_name(p)), p);
  }
  EXPECT_THROW(kvtrace::cache::parse_policy("arc"), kvtrace::UsageError);
}

TEST(CacheSim, SameInputsSameResults) {
  const auto requests = random_tree_requests(2000, 3);
  for (const Policy p : {Policy::kLru, Policy::kLineage, Policy::kFifo}) {
    CacheSim a({.capacity_blocks = 50, .policy = p});
    CacheSim b({.capacity_blocks = 50, .policy = p});
    EXPECT_EQ(hit_sequence(a, requests), hit_sequence(b, requests));
  }
}

// An unbounded pool gives analyze's infinite-cache hit blocks, request by request summed.
void expect_infinite_cache_matches_analyze(const std::string& path) {
  const auto requests = kvtrace::trace::read_all(path);
  kvtrace::analysis::PrefixAnalyzer analyzer(512);
  for (const Policy p : {Policy::kLru, Policy::kLineage, Policy::kFifo}) {
    CacheSim sim({.capacity_blocks = UINT64_MAX, .policy = p});
    std::uint64_t hits = 0;
    for (const auto& r : requests) {
      if (r.hash_ids) hits += sim.access(*r.hash_ids);
    }
    if (p == Policy::kLru) {
      for (const auto& r : requests) analyzer.add(r);
      const auto stats = analyzer.finish();
      EXPECT_EQ(stats.distinct_hash_ids, sim.size());
      EXPECT_EQ(stats.hit_blocks, hits);
      EXPECT_GT(hits, 0u);
    }
    EXPECT_EQ(sim.counts().evicted, 0u);
    EXPECT_EQ(sim.counts().hit_blocks, hits);
  }
}

TEST(CacheSim, InfiniteCacheMatchesAnalyzeOnTheSample) {
  expect_infinite_cache_matches_analyze(kvtrace::testing::kSample);
}

TEST(CacheSim, InfiniteCacheMatchesAnalyzeOnFast25) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  expect_infinite_cache_matches_analyze(path);
}

}  // namespace
