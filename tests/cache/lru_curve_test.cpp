#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/analysis/prefix_analyzer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::cache::CacheSim;
using kvtrace::cache::HitCurve;
using kvtrace::cache::LruCurve;
using kvtrace::cache::Policy;
using kvtrace::trace::Request;
using Blocks = std::vector<std::uint64_t>;

Request request(Blocks ids, std::int64_t isl) {
  Request r;
  r.hash_ids = std::move(ids);
  r.input_length = isl;
  return r;
}

HitCurve curve_of(const std::vector<Request>& requests, std::uint32_t block_size) {
  LruCurve curve(block_size);
  for (const Request& r : requests) curve.add(r);
  return curve.finish();
}

struct Direct {
  std::uint64_t blocks = 0;
  std::uint64_t tokens = 0;
};

Direct simulate(const std::vector<Request>& requests, std::uint64_t capacity,
                std::uint32_t block_size, Policy policy = Policy::kLru) {
  CacheSim sim({.capacity_blocks = capacity, .policy = policy});
  Direct d;
  for (const Request& r : requests) {
    if (!r.hash_ids) continue;
    const std::uint32_t hits = sim.access(*r.hash_ids);
    d.blocks += hits;
    d.tokens += kvtrace::analysis::cached_prefix_tokens(hits, r.hash_ids->size(), *r.input_length,
                                                        block_size);
  }
  return d;
}

void expect_curve_equals_simulation(const std::vector<Request>& requests,
                                    const std::vector<std::uint64_t>& capacities,
                                    std::uint32_t block_size, Policy policy = Policy::kLru) {
  const HitCurve curve = curve_of(requests, block_size);
  for (const std::uint64_t c : capacities) {
    const Direct d = simulate(requests, c, block_size, policy);
    EXPECT_EQ(curve.blocks_at(c), d.blocks) << "capacity " << c;
    EXPECT_EQ(curve.tokens_at(c), d.tokens) << "capacity " << c;
  }
}

// Short requests over a small alphabet: repeated ids inside requests, ids under several
// parents, requests longer than the pool.
std::vector<Request> random_requests(std::uint32_t count, std::uint32_t alphabet,
                                     std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Request> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    Blocks ids(1 + rng() % 8);
    for (auto& id : ids) id = rng() % alphabet;
    const auto isl = static_cast<std::int64_t>(ids.size() * 4 - rng() % 6);
    out.push_back(request(std::move(ids), std::max<std::int64_t>(isl, 0)));
  }
  return out;
}

TEST(LruCurve, HandComputedCurve) {
  // Stack after each request (top first): 1 2 | 3 1 2 | 1 2 3. The last request finds 1 at
  // depth 2 and 2 at depth 3: one hit block from capacity 2, two from capacity 3.
  const HitCurve c =
      curve_of({request({1, 2}, 1000), request({3}, 100), request({1, 2, 4}, 1100)}, 512);
  EXPECT_EQ(c.distinct_blocks, 4u);
  EXPECT_EQ(c.total_blocks, 6u);
  EXPECT_EQ(c.total_input_tokens, 2200u);
  EXPECT_EQ(c.hit_blocks, (std::vector<std::uint64_t>{0, 0, 1, 2, 2}));
  EXPECT_EQ(c.hit_tokens, (std::vector<std::uint64_t>{0, 0, 512, 1024, 1024}));
  EXPECT_EQ(c.blocks_at(1000), 2u);
  EXPECT_DOUBLE_EQ(c.block_hit_rate(3), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(c.token_hit_rate(2), 512.0 / 2200.0);
}

TEST(LruCurve, CapacityForTokenRateIsTheSmallestThatReachesIt) {
  const HitCurve c =
      curve_of({request({1, 2}, 1000), request({3}, 100), request({1, 2, 4}, 1100)}, 512);
  EXPECT_EQ(c.capacity_for_token_rate(0), 0u);
  EXPECT_EQ(c.capacity_for_token_rate(0.1), 2u);  // 512 / 2200 = 0.233
  EXPECT_EQ(c.capacity_for_token_rate(512.0 / 2200.0), 2u);
  EXPECT_EQ(c.capacity_for_token_rate(0.3), 3u);
  EXPECT_EQ(c.capacity_for_token_rate(1024.0 / 2200.0), 3u);
  EXPECT_EQ(c.capacity_for_token_rate(0.5), std::nullopt);
}

// The hand-computed curve's requests with the server's cached_tokens: the infinite cache gives
// the third request 1024 tokens, the server said 512; the second request has no figure.
TEST(LruCurve, ServerMeasuredSitsBesideTheInfiniteCachePrediction) {
  std::vector<Request> rs{request({1, 2}, 1000), request({3}, 100), request({1, 2, 4}, 1100)};
  rs[0].extra = {{"cached_tokens", "0"}};
  rs[2].extra = {{"cached_tokens", "512"}};
  const HitCurve c = curve_of(rs, 512);
  EXPECT_EQ(c.server_measured.requests, 2u);
  EXPECT_EQ(c.server_measured.input_tokens, 2100u);
  EXPECT_EQ(c.server_measured.measured_cached_tokens, 512u);
  EXPECT_EQ(c.server_measured.predicted_cached_tokens, 1024u);
  EXPECT_DOUBLE_EQ(c.server_measured.achieved_share(), 0.5);
}

TEST(LruCurve, EqualsDirectSimulationOnRandomRequests) {
  for (const std::uint32_t seed : {1, 2, 3}) {
    const auto requests = random_requests(3000, 40, seed);
    std::vector<std::uint64_t> capacities;
    for (std::uint64_t c = 0; c <= 45; ++c) capacities.push_back(c);
    expect_curve_equals_simulation(requests, capacities, 4);
  }
}

TEST(LruCurve, EqualsDirectSimulationAcrossCompactions) {
  // Enough uses to renumber the use times several times (the tree starts at 2^16 times).
  const auto requests = random_requests(60000, 5000, 9);
  expect_curve_equals_simulation(requests, {1, 10, 100, 1000, 3000, 5000}, 4);
}

TEST(LruCurve, ReservingChangesNothing) {
  // Reserved before the first request (no renumbering at all), and after some (a renumbering
  // into the reserved size) with too little room, so that it renumbers again later.
  const auto requests = random_requests(60000, 5000, 11);
  const HitCurve plain = curve_of(requests, 4);
  for (const std::size_t after : {std::size_t{0}, std::size_t{20000}}) {
    LruCurve curve(4);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (i == after) curve.reserve(5000, after == 0 ? 300000 : 70000);
      curve.add(requests[i]);
    }
    const HitCurve c = curve.finish();
    EXPECT_EQ(c.hit_blocks, plain.hit_blocks) << after;
    EXPECT_EQ(c.hit_tokens, plain.hit_tokens) << after;
  }
}

TEST(LruCurve, EqualsDirectSimulationOnTheSample) {
  const auto requests = kvtrace::trace::read_all(kvtrace::testing::kSample);
  expect_curve_equals_simulation(requests, {0, 1, 16, 100, 1000, 4000, 100000}, 512);
}

TEST(LruCurve, EqualsDirectSimulationOnFast25) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  const auto requests = kvtrace::trace::read_all(path);
  expect_curve_equals_simulation(requests, {64, 1024, 8192, 32768}, 512);
}

// Every capacity from 1 to the distinct blocks of `requests`, and one past.
std::vector<std::uint64_t> every_capacity(const std::vector<Request>& requests) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t c = 1; c <= curve_of(requests, 512).distinct_blocks + 1; ++c) out.push_back(c);
  return out;
}

// The sample's first `n` requests.
std::vector<Request> sample_head(std::size_t n) {
  auto requests = kvtrace::trace::read_all(kvtrace::testing::kSample);
  requests.resize(std::min(n, requests.size()));
  return requests;
}

// Mooncake ids name their prefix: every id keeps its first predecessor, and lineage (leaf
// first) evicts what lru does, so the one-pass curve is lineage's at every capacity.
TEST(LruCurve, IsLineagesCurveWhenIdsNameTheirPrefix) {
  const auto head = sample_head(60);
  EXPECT_EQ(curve_of(head, 512).other_parent_uses, 0u);
  expect_curve_equals_simulation(head, every_capacity(head), 512, Policy::kLineage);
  const auto all = kvtrace::trace::read_all(kvtrace::testing::kSample);
  EXPECT_EQ(curve_of(all, 512).other_parent_uses, 0u);
  expect_curve_equals_simulation(all, {1, 7, 50, 333, 1000, 2500, 4000, 8000, 9000}, 512,
                                 Policy::kLineage);
}

TEST(LruCurve, IsLineagesCurveOnFast25) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  const auto requests = kvtrace::trace::read_all(path);
  ASSERT_EQ(curve_of(requests, 512).other_parent_uses, 0u);
  expect_curve_equals_simulation(requests, {64, 1024, 8192, 32768}, 512, Policy::kLineage);
}

// Uses that follow another parent are counted: the curve is then lru's only.
TEST(LruCurve, CountsUsesUnderAnotherParent) {
  // 2 first follows 1, then 3; 1 first starts a request, then follows 1; 4 keeps its parent.
  const std::vector<Request> requests = {request({1, 2}, 2), request({3, 2}, 2), request({1, 1}, 2),
                                         request({1, 2, 4}, 3)};
  EXPECT_EQ(curve_of(requests, 1).other_parent_uses, 2u);
  EXPECT_GT(curve_of(random_requests(300, 12, 5), 4).other_parent_uses, 0u);
}

// Depths at each request's arrival, by a plain list (the stack, top first).
std::vector<std::vector<std::uint64_t>> naive_depths(const std::vector<Request>& requests) {
  std::vector<std::uint64_t> stack;
  std::vector<std::vector<std::uint64_t>> out;
  for (const Request& r : requests) {
    std::vector<std::uint64_t> depths;
    for (const std::uint64_t id : *r.hash_ids) {
      const auto it = std::find(stack.begin(), stack.end(), id);
      depths.push_back(it == stack.end() ? UINT64_MAX : (it - stack.begin()) + 1);
    }
    out.push_back(depths);
    for (auto id = r.hash_ids->rbegin(); id != r.hash_ids->rend(); ++id) {
      std::erase(stack, *id);
      stack.insert(stack.begin(), *id);
    }
  }
  return out;
}

// Blocks whose own depth is at most `capacity`, wherever they are in their request.
std::uint64_t block_level_hits(const std::vector<std::vector<std::uint64_t>>& depths,
                               std::uint64_t capacity) {
  std::uint64_t n = 0;
  for (const auto& d : depths)
    n += std::count_if(d.begin(), d.end(), [&](std::uint64_t x) { return x <= capacity; });
  return n;
}

TEST(LruCurve, BlockLevelHitsEqualPrefixHitsOnMooncakeIds) {
  // Mooncake ids name a block with its prefix, so a block's parent was used right after it
  // at every use: depths grow along a request and every cached block is in the cached
  // prefix. Per-block hits and prefix hits are then the same number.
  const auto requests = kvtrace::trace::read_all(kvtrace::testing::kSample);
  const HitCurve c = curve_of(requests, 512);
  const auto depths = naive_depths(requests);
  for (const std::uint64_t capacity : {1, 10, 100, 1000, 3000}) {
    EXPECT_EQ(block_level_hits(depths, capacity), c.blocks_at(capacity)) << capacity;
  }
}

TEST(LruCurve, BlockLevelHitsExceedPrefixHitsWhenIdsAreShared) {
  // Block 2 follows 1 and then 3. With three blocks, 2 is cached when [3, 2] arrives (depth
  // 2) and when the last [1, 2] does (depth 3, below 1 at depth 4), but neither time is it
  // part of a cached prefix.
  const std::vector<Request> requests = {request({1, 2}, 2), request({3, 2}, 2), request({4}, 1),
                                         request({1, 2}, 2)};
  const auto depths = naive_depths(requests);
  EXPECT_EQ(block_level_hits(depths, 3), 2u);
  EXPECT_EQ(curve_of(requests, 1).blocks_at(3), 0u);
}

TEST(LruCurve, RequestsWithoutIdsAddTokensOnly) {
  LruCurve curve(512);
  Request r;
  r.input_length = 300;
  curve.add(r);
  curve.add(request({7}, 10));
  curve.add(request({7}, 10));
  const HitCurve c = curve.finish();
  EXPECT_EQ(c.requests, 3u);
  EXPECT_EQ(c.total_input_tokens, 320u);
  EXPECT_EQ(c.blocks_at(1), 1u);
  EXPECT_EQ(c.tokens_at(1), 10u);
  EXPECT_EQ(c.blocks_at(0), 0u);
}

TEST(LruCurve, RejectsBlockSizeZero) {
  EXPECT_THROW(LruCurve(0), kvtrace::UsageError);
}

}  // namespace
