#include "kvtrace/cache/worker_curves.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace kvtrace::cache {
namespace {

using trace::Request;

// Short requests over a small alphabet, so that caches of a few blocks evict.
std::vector<Request> requests(std::uint32_t count, std::uint32_t alphabet, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Request> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    Request r;
    std::vector<std::uint64_t> ids(1 + rng() % 6);
    for (auto& id : ids) id = rng() % alphabet;
    r.input_length = static_cast<std::int64_t>(ids.size() * 4 - rng() % 4);
    r.output_length = 1;
    r.hash_ids = std::move(ids);
    out.push_back(std::move(r));
  }
  return out;
}

// The curve equals ClusterSim's lru simulation, total and per worker, at every capacity.
void expect_equals_cluster_sim(const std::vector<Request>& rs, std::uint32_t workers,
                               RouterKind router, std::uint32_t block_size,
                               std::uint64_t max_capacity) {
  const RouterConfig config{router, 1.0, 7};
  WorkerCurves curves(workers, config, block_size);
  for (const Request& r : rs) curves.add(r);
  const ClusterCurve c = curves.finish();
  ASSERT_EQ(c.per_worker.size(), workers);
  for (std::uint64_t cap = 1; cap <= max_capacity; ++cap) {
    SimConfig sim_config;
    sim_config.cache.capacity_blocks = cap;
    sim_config.workers = workers;
    sim_config.router = config;
    sim_config.block_size = block_size;
    ClusterSim sim(sim_config);
    for (const Request& r : rs) sim.add(r);
    const SimResult want = sim.finish();
    EXPECT_EQ(c.total.blocks_at(cap), want.total.hit_blocks) << "capacity " << cap;
    EXPECT_EQ(c.total.tokens_at(cap), want.total.hit_tokens) << "capacity " << cap;
    for (std::uint32_t w = 0; w < workers; ++w) {
      EXPECT_EQ(c.per_worker[w].blocks_at(cap), want.workers[w].tally.hit_blocks)
          << "capacity " << cap << " worker " << w;
    }
  }
  EXPECT_EQ(c.total.requests, rs.size());
}

TEST(WorkerCurves, RoundRobinEqualsTheSimulationAtEveryCapacity) {
  expect_equals_cluster_sim(requests(3000, 60, 1), 3, RouterKind::kRoundRobin, 4, 70);
}

TEST(WorkerCurves, RandomEqualsTheSimulationAtEveryCapacity) {
  expect_equals_cluster_sim(requests(3000, 60, 2), 4, RouterKind::kRandom, 4, 70);
}

TEST(WorkerCurves, ManyWorkersShareTheCallersThread) {
  // Past kMaxThreads workers the curves run on the caller's thread: the same answers.
  static_assert(WorkerCurves::kMaxThreads < 10);
  expect_equals_cluster_sim(requests(2000, 40, 5), 10, RouterKind::kRoundRobin, 4, 45);
}

TEST(WorkerCurves, ServerMeasuredCachedTokensAreKeptOnTheThreads) {
  std::vector<Request> rs = requests(200, 20, 6);
  for (std::size_t i = 0; i < rs.size(); i += 3) {
    rs[i].extra = {{"cached_tokens", std::to_string(i % 5)}};
  }
  LruCurve one(4);
  WorkerCurves curves(1, {}, 4);
  for (const Request& r : rs) {
    one.add(r);
    curves.add(r);
  }
  const HitCurve want = one.finish();
  const ClusterCurve got = curves.finish();
  EXPECT_EQ(got.total.server_measured.requests, want.server_measured.requests);
  EXPECT_EQ(got.total.server_measured.measured_cached_tokens,
            want.server_measured.measured_cached_tokens);
  EXPECT_EQ(got.total.server_measured.predicted_cached_tokens,
            want.server_measured.predicted_cached_tokens);
  EXPECT_GT(want.server_measured.requests, 0u);
}

TEST(WorkerCurves, OneWorkerIsTheLruCurve) {
  const auto rs = requests(2000, 50, 3);
  WorkerCurves curves(1, {}, 4);
  LruCurve one(4);
  for (const Request& r : rs) {
    curves.add(r);
    one.add(r);
  }
  const HitCurve want = one.finish();
  const ClusterCurve got = curves.finish();
  EXPECT_EQ(got.total.hit_blocks, want.hit_blocks);
  EXPECT_EQ(got.total.hit_tokens, want.hit_tokens);
  EXPECT_EQ(got.total.distinct_blocks, want.distinct_blocks);
}

TEST(WorkerCurves, TheSampleEqualsTheSimulation) {
  const auto rs = trace::read_all(testing::kSample);
  for (const std::uint64_t cap : {64, 1000, 5000}) {
    SimConfig config;
    config.cache.capacity_blocks = cap;
    config.workers = 4;
    ClusterSim sim(config);
    for (const Request& r : rs) sim.add(r);
    const SimResult want = sim.finish();
    WorkerCurves curves(4, {}, 512);
    for (const Request& r : rs) curves.add(r);
    const ClusterCurve c = curves.finish();
    EXPECT_EQ(c.total.blocks_at(cap), want.total.hit_blocks) << cap;
    EXPECT_EQ(c.total.tokens_at(cap), want.total.hit_tokens) << cap;
  }
}

TEST(WorkerCurves, RoutersThatLookAtTheCachesHaveNoCurve) {
  for (const RouterKind k : {RouterKind::kLeastLoaded, RouterKind::kKvAware}) {
    EXPECT_NE(testing::thrown_message<UsageError>([&] {
                WorkerCurves(2, {k, 1.0, 0}, 512);
              }).find("sweep"),
              std::string::npos);
  }
  EXPECT_NE(testing::thrown_message<UsageError>([] { WorkerCurves(0, {}, 512); }), "");
  // One worker gets every request whatever the router.
  EXPECT_EQ(testing::thrown_message<UsageError>([] {
              WorkerCurves(1, {RouterKind::kKvAware, 1.0, 0}, 512);
            }),
            "");
}

}  // namespace
}  // namespace kvtrace::cache
