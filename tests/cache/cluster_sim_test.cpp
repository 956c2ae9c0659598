#include "kvtrace/cache/cluster_sim.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "kvtrace/analysis/prefix_analyzer.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/random/py_random.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::cache::ClusterSim;
using kvtrace::cache::Policy;
using kvtrace::cache::RequestResult;
using kvtrace::cache::RouterKind;
using kvtrace::cache::SimConfig;
using kvtrace::cache::SimResult;
using Blocks = std::vector<std::uint64_t>;

SimConfig config(std::uint32_t workers, RouterKind router, std::uint64_t capacity = 100) {
  SimConfig c;
  c.cache = {.capacity_blocks = capacity, .policy = Policy::kLru};
  c.workers = workers;
  c.router.kind = router;
  c.block_size = 4;
  return c;
}

// A request of `blocks` full blocks of 4 tokens.
RequestResult add(ClusterSim& sim, const Blocks& blocks, double ts = 0, std::int64_t osl = 0) {
  return sim.add(blocks, static_cast<std::int64_t>(blocks.size() * 4), osl, ts);
}

std::vector<std::uint32_t> workers_of(ClusterSim& sim, const std::vector<Blocks>& requests) {
  std::vector<std::uint32_t> out;
  for (const Blocks& b : requests) out.push_back(add(sim, b).worker);
  return out;
}

const std::vector<Blocks> kShared = {{1, 2}, {1, 2}, {3}, {1, 2}};

TEST(ClusterSim, RoundRobin) {
  ClusterSim sim(config(2, RouterKind::kRoundRobin));
  std::vector<std::uint32_t> hits;
  for (const Blocks& b : kShared) hits.push_back(add(sim, b).hit_blocks);
  EXPECT_EQ(hits, (std::vector<std::uint32_t>{0, 0, 0, 2}));
  const SimResult r = sim.finish();
  EXPECT_EQ(r.total.hit_blocks, 2u);
  EXPECT_EQ(r.total.blocks, 7u);
  EXPECT_EQ(r.workers[0].tally.requests, 2u);
  EXPECT_EQ(r.workers[1].tally.hit_blocks, 2u);
  // Worker 0 got [1, 2] and [3]: 12 tokens; worker 1 16; the mean is 14.
  EXPECT_DOUBLE_EQ(r.load_balance, 16.0 / 14.0);
}

TEST(ClusterSim, KvAwareFollowsTheCachedPrefix) {
  // [1, 2] stays on worker 0, which has it; [3] costs the same everywhere and goes to the
  // worker with fewer blocks routed so far.
  ClusterSim sim(config(2, RouterKind::kKvAware));
  std::vector<std::uint32_t> hits;
  std::vector<std::uint32_t> workers;
  for (const Blocks& b : kShared) {
    const RequestResult r = add(sim, b);
    hits.push_back(r.hit_blocks);
    workers.push_back(r.worker);
  }
  EXPECT_EQ(workers, (std::vector<std::uint32_t>{0, 0, 1, 0}));
  EXPECT_EQ(hits, (std::vector<std::uint32_t>{0, 2, 0, 2}));
}

SimConfig timed(SimConfig c) {
  c.timing.enabled = true;
  c.timing.prefill_tokens_per_s = 1000;
  c.timing.decode_tokens_per_s = 1;
  return c;
}

TEST(ClusterSim, KvAwareWeighsOverlapAgainstLoad) {
  // A holds 4 blocks on worker 0 for 1000 s; B runs briefly on worker 1. C shares A's four
  // blocks and adds one: on worker 0 it costs weight * 1 + 4 active blocks, on worker 1
  // weight * 5.
  for (const auto& [weight, expected] : {std::pair{2.0, 0u}, std::pair{0.5, 1u}}) {
    SimConfig c = timed(config(2, RouterKind::kKvAware));
    c.router.overlap_score_weight = weight;
    ClusterSim sim(c);
    EXPECT_EQ(add(sim, {1, 2, 3, 4}, 0, 1000).worker, 0u);
    EXPECT_EQ(add(sim, {9}, 1).worker, 1u);
    const RequestResult r = add(sim, {1, 2, 3, 4, 5}, 100);
    EXPECT_EQ(r.worker, expected) << weight;
    EXPECT_EQ(r.hit_blocks, expected == 0 ? 4u : 0u);
  }
}

TEST(ClusterSim, LeastLoadedCountsActiveBlocks) {
  ClusterSim sim(timed(config(2, RouterKind::kLeastLoaded)));
  EXPECT_EQ(add(sim, {1, 2, 3, 4}, 0, 1000).worker, 0u);
  EXPECT_EQ(add(sim, {5}, 1, 1000).worker, 1u);
  EXPECT_EQ(add(sim, {1, 2, 3, 4}, 2, 1000).worker, 1u);  // 1 active block against 4
  EXPECT_EQ(add(sim, {6}, 3).worker, 0u);                 // 4 against 5
}

TEST(ClusterSim, LeastLoadedWithoutTimingBalancesBlocksRouted) {
  ClusterSim sim(config(3, RouterKind::kLeastLoaded));
  EXPECT_EQ(workers_of(sim, {{1, 2, 3}, {4}, {5}, {6}, {7, 8}}),
            (std::vector<std::uint32_t>{0, 1, 2, 1, 2}));
}

TEST(ClusterSim, RandomIsSeededPythonRandrange) {
  std::vector<Blocks> requests(50, Blocks{1});
  for (const std::uint64_t seed : {0, 42}) {
    SimConfig c = config(3, RouterKind::kRandom);
    c.router.seed = seed;
    ClusterSim sim(c);
    kvtrace::random::PyRandom rng(seed);
    std::vector<std::uint32_t> expected;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      expected.push_back(static_cast<std::uint32_t>(rng.randbelow(3)));
    }
    EXPECT_EQ(workers_of(sim, requests), expected);
  }
}

TEST(ClusterSim, ServiceTimeFromUncachedInputAndOutput) {
  SimConfig c = timed(config(1, RouterKind::kRoundRobin));
  c.timing.decode_tokens_per_s = 100;
  ClusterSim sim(c);
  // 8 input tokens at 1000/s and 100 output tokens at 100/s: 8 ms + 1000 ms.
  RequestResult a = add(sim, {1, 2}, 10, 100);
  EXPECT_DOUBLE_EQ(a.start_ms, 10);
  EXPECT_DOUBLE_EQ(a.end_ms, 1018);
  // All cached: only the decode.
  RequestResult b = add(sim, {1, 2}, 5000, 100);
  EXPECT_EQ(b.hit_tokens, 8u);
  EXPECT_DOUBLE_EQ(b.end_ms, 6000);
  // A timestamp earlier than the previous arrival starts with it (trace order).
  RequestResult d = add(sim, {3}, 20, 0);
  EXPECT_DOUBLE_EQ(d.start_ms, 5000);
  EXPECT_DOUBLE_EQ(sim.finish().end_ms, 6000);
}

TEST(ClusterSim, InFlightBlocksAreNotEvicted) {
  SimConfig c = timed(config(1, RouterKind::kRoundRobin, 4));
  ClusterSim sim(c);
  add(sim, {1, 2, 3}, 0, 1000);  // in flight until ~1000 s
  add(sim, {4, 5}, 1);           // 4 takes the last slot, 5 finds none free
  EXPECT_EQ(add(sim, {1, 2, 3}, 2).hit_blocks, 3u);
  const SimResult r = sim.finish();
  EXPECT_EQ(r.dropped, 1u);
  EXPECT_EQ(r.evicted, 0u);
  EXPECT_EQ(r.peak_in_flight, 3u);  // the second request's 8 ms prefill ends at 9 ms
  EXPECT_EQ(r.workers[0].peak_active_blocks, 4u);
}

TEST(ClusterSim, ConcurrencyLimitWithoutTimestamps) {
  SimConfig c = timed(config(1, RouterKind::kRoundRobin));
  c.timing.use_timestamps = false;
  c.timing.concurrency = 2;
  ClusterSim sim(c);
  // Service: 4 ms prefill per uncached block + 1 s per output token.
  const RequestResult a = add(sim, {1}, 0, 1);  // 0 .. 1004
  const RequestResult b = add(sim, {2}, 0, 2);  // 0 .. 2004
  const RequestResult d = add(sim, {3}, 0, 1);  // waits for a: 1004 .. 2008
  EXPECT_DOUBLE_EQ(a.start_ms, 0);
  EXPECT_DOUBLE_EQ(b.start_ms, 0);
  EXPECT_DOUBLE_EQ(d.start_ms, 1004);
  EXPECT_DOUBLE_EQ(d.end_ms, 2008);
  EXPECT_EQ(sim.finish().peak_in_flight, 2u);
}

TEST(ClusterSim, CachedOutputBlocksTakeRoom) {
  SimConfig c = config(1, RouterKind::kRoundRobin, 3);
  c.cache_output = true;
  ClusterSim sim(c);
  // 6 input tokens = 2 blocks; 6 output tokens fill to 12 = 3 blocks: one output block.
  sim.add(Blocks{1, 2}, 6, 6, 0);
  sim.add(Blocks{3}, 4, 0, 0);  // evicts the output block, the oldest
  EXPECT_EQ(sim.add(Blocks{1, 2}, 6, 0, 0).hit_blocks, 2u);
  const SimResult r = sim.finish();
  EXPECT_EQ(r.output_blocks, 1u);
  EXPECT_EQ(r.evicted, 1u);
}

TEST(ClusterSim, CachedOutputBlocksNeverMeetATraceId) {
  SimConfig c = config(1, RouterKind::kRoundRobin, 100);
  c.cache_output = true;
  ClusterSim sim(c);
  // The first output block once had id splitmix64(0): a raw-hash trace could name it.
  const std::uint64_t first_output_id = 16294208416658607535ull;
  sim.add(Blocks{1}, 3, 6, 0);  // one input block, two output blocks
  EXPECT_EQ(sim.add(Blocks{first_output_id}, 3, 0, 0).hit_blocks, 0u);
  EXPECT_EQ(sim.add(Blocks{first_output_id}, 3, 0, 0).hit_blocks, 1u);
  EXPECT_EQ(sim.finish().output_blocks, 2u);
}

TEST(ClusterSim, RejectsBadConfigs) {
  EXPECT_THROW(ClusterSim(config(0, RouterKind::kRoundRobin)), kvtrace::UsageError);
  SimConfig c = timed(config(1, RouterKind::kRoundRobin));
  c.timing.decode_tokens_per_s = 0;
  EXPECT_THROW(ClusterSim{c}, kvtrace::UsageError);
  SimConfig k = config(2, RouterKind::kKvAware);
  k.router.overlap_score_weight = -1;
  EXPECT_THROW(ClusterSim{k}, kvtrace::UsageError);
  EXPECT_THROW(kvtrace::cache::parse_router("sticky"), kvtrace::UsageError);
  for (const RouterKind r : {RouterKind::kRoundRobin, RouterKind::kRandom, RouterKind::kLeastLoaded,
                             RouterKind::kKvAware}) {
    EXPECT_EQ(kvtrace::cache::parse_router(kvtrace::cache::router_name(r)), r);
  }
}

TEST(ClusterSim, RoutesByLoadAreTheRoutersWeighingActiveBlocks) {
  EXPECT_FALSE(kvtrace::cache::routes_by_load(RouterKind::kRoundRobin));
  EXPECT_FALSE(kvtrace::cache::routes_by_load(RouterKind::kRandom));
  EXPECT_TRUE(kvtrace::cache::routes_by_load(RouterKind::kLeastLoaded));
  EXPECT_TRUE(kvtrace::cache::routes_by_load(RouterKind::kKvAware));
}

// The message of validate(c)'s UsageError, or "" when it accepts c.
std::string problem(const SimConfig& c) {
  try {
    kvtrace::cache::validate(c);
  } catch (const kvtrace::UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ClusterSim, ValidateNamesTheBadParameter) {
  EXPECT_EQ(problem(config(1, RouterKind::kRoundRobin)), "");
  EXPECT_EQ(problem(config(0, RouterKind::kRoundRobin)),
            "the number of workers must be at least 1");
  SimConfig b = config(1, RouterKind::kRoundRobin);
  b.block_size = 0;
  EXPECT_EQ(problem(b), "block size must be at least 1");
  SimConfig w = config(2, RouterKind::kKvAware);
  w.router.overlap_score_weight = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(problem(w), "the overlap score weight must be >= 0");
  w.router.overlap_score_weight = 0;
  EXPECT_EQ(problem(w), "");
  // Tokens/s only matter with timing.
  SimConfig t = config(1, RouterKind::kRoundRobin);
  t.timing.prefill_tokens_per_s = 0;
  EXPECT_EQ(problem(t), "");
  t.timing.enabled = true;
  EXPECT_EQ(problem(t), "prefill and decode tokens/s must be positive");
  t.timing.prefill_tokens_per_s = std::numeric_limits<double>::infinity();
  EXPECT_EQ(problem(t), "prefill and decode tokens/s must be positive");
}

TEST(ClusterSim, ReservedIdTablesChangeNothing) {
  const auto requests = kvtrace::trace::read_all(kvtrace::testing::kSample);
  SimConfig c = config(3, RouterKind::kKvAware, 300);
  c.block_size = 512;
  c.cache_output = true;
  ClusterSim plain(c);
  for (const auto& r : requests) plain.add(r);
  const std::uint64_t ids = plain.distinct_ids();
  EXPECT_GT(ids, 8638u);  // the sample's distinct blocks, and output blocks
  // Too few, exactly enough, and more than enough ids reserved.
  for (const std::uint64_t reserved : {ids / 2, ids, 10 * ids}) {
    ClusterSim sim(c);
    sim.reserve_ids(reserved);
    for (const auto& r : requests) sim.add(r);
    EXPECT_EQ(sim.distinct_ids(), ids);
    ClusterSim again(c);
    for (const auto& r : requests) again.add(r);
    EXPECT_TRUE(sim.finish() == again.finish()) << reserved;
  }
}

TEST(ClusterSim, LineageEqualsLruOnMooncakeIdsWithTiming) {
  // A parent is pinned whenever its child is and released no earlier (docs/simulate.md), so
  // even with requests in flight the lru victim is a leaf.
  const auto requests = kvtrace::trace::read_all(kvtrace::testing::kSample);
  std::vector<std::vector<RequestResult>> results;
  std::vector<std::uint64_t> evicted;
  for (const Policy p : {Policy::kLru, Policy::kLineage}) {
    SimConfig c = config(4, RouterKind::kKvAware, 256);
    c.cache.policy = p;
    c.block_size = 512;
    c.timing.enabled = true;
    c.timing.concurrency = 16;
    c.cache_output = true;
    ClusterSim sim(c);
    results.emplace_back();
    for (const auto& r : requests) results.back().push_back(sim.add(r));
    evicted.push_back(sim.finish().evicted);
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  for (std::size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_EQ(results[0][i].worker, results[1][i].worker) << i;
    EXPECT_EQ(results[0][i].hit_blocks, results[1][i].hit_blocks) << i;
  }
  EXPECT_EQ(evicted[0], evicted[1]);
  EXPECT_GT(evicted[0], 0u);
}

// One worker with room for every block gives analyze's infinite-cache block and token hit
// rates exactly.
void expect_one_worker_matches_analyze(const std::string& path) {
  const auto requests = kvtrace::trace::read_all(path);
  kvtrace::analysis::PrefixAnalyzer analyzer(512);
  for (const auto& r : requests) analyzer.add(r);
  const auto stats = analyzer.finish();
  SimConfig c = config(1, RouterKind::kRoundRobin, stats.distinct_hash_ids);
  c.block_size = 512;
  ClusterSim sim(c);
  for (const auto& r : requests) sim.add(r);
  const SimResult r = sim.finish();
  EXPECT_EQ(r.total.hit_blocks, stats.hit_blocks);
  EXPECT_EQ(r.total.hit_tokens, stats.cached_input_tokens);
  EXPECT_EQ(r.total.input_tokens, stats.total_input_tokens);
  EXPECT_DOUBLE_EQ(r.total.block_hit_rate(), stats.block_hit_rate);
  EXPECT_DOUBLE_EQ(r.total.token_hit_rate(), stats.token_hit_rate);
  EXPECT_EQ(r.evicted, 0u);
}

TEST(ClusterSim, OneWorkerMatchesAnalyzeOnTheSample) {
  expect_one_worker_matches_analyze(kvtrace::testing::kSample);
}

TEST(ClusterSim, OneWorkerMatchesAnalyzeOnFast25) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  expect_one_worker_matches_analyze(path);
}

}  // namespace
