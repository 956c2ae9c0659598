#include "kvtrace/cache/sweep.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace kvtrace::cache {
namespace {

using kvtrace::testing::kSample;
using kvtrace::testing::TempFile;

// The message of the UsageError `f` throws, or "" when it throws none.
template <typename F>
std::string usage_error(F f) {
  return kvtrace::testing::thrown_message<UsageError>(f);
}

TEST(SweepConfigs, CapacitiesOutermostRoutersInnermost) {
  SweepOptions o;
  o.base.workers = 3;
  o.base.block_size = 16;
  o.base.cache_output = true;
  o.base.router.seed = 9;
  o.capacities = {10, 20};
  o.policies = {Policy::kLru, Policy::kFifo};
  o.routers = {RouterKind::kRandom, RouterKind::kKvAware, RouterKind::kRoundRobin};
  const std::vector<SimConfig> configs = sweep_configs(o);
  ASSERT_EQ(configs.size(), 12u);
  std::size_t i = 0;
  for (const std::uint64_t c : o.capacities) {
    for (const Policy p : o.policies) {
      for (const RouterKind r : o.routers) {
        const SimConfig& cfg = configs[i++];
        EXPECT_EQ(cfg.cache.capacity_blocks, c);
        EXPECT_EQ(cfg.cache.policy, p);
        EXPECT_EQ(cfg.router.kind, r);
        EXPECT_EQ(cfg.workers, 3u);
        EXPECT_EQ(cfg.block_size, 16u);
        EXPECT_TRUE(cfg.cache_output);
        EXPECT_EQ(cfg.router.seed, 9u);
      }
    }
  }
  o.routers.clear();
  EXPECT_TRUE(sweep_configs(o).empty());
}

TEST(SweepConfigs, ValidatesEachConfiguration) {
  SweepOptions o{
      .capacities = {10}, .policies = {Policy::kLru}, .routers = {RouterKind::kRoundRobin}};
  o.base.workers = 0;
  EXPECT_EQ(usage_error([&] { sweep_configs(o); }), "the number of workers must be at least 1");
  o.base.workers = 1;
  o.base.timing.enabled = true;
  o.base.timing.decode_tokens_per_s = -1;
  EXPECT_EQ(usage_error([&] { sweep_configs(o); }), "prefill and decode tokens/s must be positive");
}

TEST(SweepOptionsOfASpec, NamesParsedCapacitiesAndTiming) {
  SweepSpec spec;
  spec.base.workers = 2;
  spec.base.router.seed = 5;
  spec.base.block_size = 999;  // replaced by the block size given
  spec.capacities = {10, 20};
  spec.policies = {"fifo", "lru", "lineage"};
  spec.routers = {"kv-aware", "random"};
  SweepOptions o = sweep_options(spec, 16);
  EXPECT_EQ(o.capacities, (std::vector<std::uint64_t>{10, 20}));
  EXPECT_EQ(o.policies, (std::vector<Policy>{Policy::kFifo, Policy::kLru, Policy::kLineage}));
  EXPECT_EQ(o.routers, (std::vector<RouterKind>{RouterKind::kKvAware, RouterKind::kRandom}));
  EXPECT_EQ(o.base.block_size, 16u);
  EXPECT_EQ(o.base.workers, 2u);
  EXPECT_EQ(o.base.router.seed, 5u);
  EXPECT_FALSE(o.base.timing.enabled);
  EXPECT_FALSE(o.base.timing.use_timestamps);

  // The defaults: lru, round-robin.
  EXPECT_EQ(sweep_options(SweepSpec{.capacities = {1}}, 512).policies,
            std::vector<Policy>{Policy::kLru});
  EXPECT_EQ(sweep_options(SweepSpec{.capacities = {1}}, 512).routers,
            std::vector<RouterKind>{RouterKind::kRoundRobin});

  // Timing: by timestamps, or closed loop under a concurrency.
  spec.timestamps = true;
  o = sweep_options(spec, 16);
  EXPECT_TRUE(o.base.timing.enabled);
  EXPECT_TRUE(o.base.timing.use_timestamps);
  spec.timestamps = false;
  spec.base.timing.concurrency = 4;
  o = sweep_options(spec, 16);
  EXPECT_TRUE(o.base.timing.enabled);
  EXPECT_FALSE(o.base.timing.use_timestamps);
}

TEST(SweepOptionsOfASpec, MemoryAddsItsCapacityAfterTheOthers) {
  SweepSpec spec{.capacities = {7}, .gpu_mem_gib = {1, 2}, .kv_bytes_per_token = 131072};
  // 1 GiB at 128 KiB per token: 8192 tokens, 16 blocks of 512; 2 GiB: 32.
  EXPECT_EQ(sweep_options(spec, 512).capacities, (std::vector<std::uint64_t>{7, 16, 32}));
  spec.capacities.clear();
  EXPECT_EQ(sweep_options(spec, 256).capacities, (std::vector<std::uint64_t>{32, 64}));
}

TEST(SweepOptionsOfASpec, BadValuesAndNames) {
  SweepSpec spec{.capacities = {1}, .gpu_mem_gib = {0}, .kv_bytes_per_token = 8};
  EXPECT_EQ(usage_error([&] { sweep_options(spec, 512); }),
            "gpu_mem_gib: must be a positive number of GiB");
  spec.gpu_mem_gib = {1};
  spec.kv_bytes_per_token.reset();
  EXPECT_EQ(usage_error([&] { sweep_options(spec, 512); }),
            "kv_bytes_per_token: must be at least 1");
  spec.gpu_mem_gib.clear();
  // The first bad name, policies before routers.
  spec.policies = {"lru", "mru"};
  spec.routers = {"nearest"};
  EXPECT_EQ(usage_error([&] { sweep_options(spec, 512); }),
            "unknown eviction policy 'mru' (expected lru, lineage or fifo)");
  spec.policies = {"lru"};
  EXPECT_EQ(usage_error([&] { sweep_options(spec, 512); }),
            "unknown router 'nearest' (expected round-robin, random, least-loaded or kv-aware)");
}

TEST(CapacityFromMemory, FloorOfTheBlocksThatFit) {
  // 2^30 / (2^17 * 2^9) = 16 exactly.
  EXPECT_EQ(capacity_from_memory(1, 131072, 512), 16u);
  EXPECT_EQ(capacity_from_memory(3.5, 65536, 512), 112u);
  // 2^30 / 3 = 357913941.33
  EXPECT_EQ(capacity_from_memory(1, 3, 1), 357913941u);
  // 2^30 / (100000 * 512) = 20.97
  EXPECT_EQ(capacity_from_memory(1, 100000, 512), 20u);
  // Exactly one block.
  EXPECT_EQ(capacity_from_memory(1.0 / 1024, 2048, 512), 1u);
}

TEST(CapacityFromMemory, NoBlockIsAnError) {
  EXPECT_EQ(usage_error([] { capacity_from_memory(0.001, 131072, 512); }),
            "0.001 GiB holds no block of 512 tokens at 131072 bytes per token");
  // Just under one block.
  EXPECT_NE(usage_error([] { capacity_from_memory(0.999 / 1024, 2048, 512); }), "");
}

TEST(CapacityFromMemory, BadValuesNameTheParameter) {
  for (const double gib : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(usage_error([&] { capacity_from_memory(gib, 131072, 512); }),
              "gpu_mem_gib: must be a positive number of GiB")
        << gib;
  }
  EXPECT_EQ(usage_error([] { capacity_from_memory(8, 0, 512); }),
            "kv_bytes_per_token: must be at least 1");
  EXPECT_EQ(usage_error([] { capacity_from_memory(8, 131072, 0); }),
            "block_size: must be at least 1");
}

// Requests with and without hash ids, timestamps (integer and float) and output lengths.
const char* const kMixed =
    "{\"timestamp\": 0, \"input_length\": 8, \"output_length\": 3, \"hash_ids\": [1, 2]}\n"
    "{\"input_length\": 5, \"output_length\": 1}\n"
    "{\"timestamp\": 2.5, \"input_length\": 12, \"hash_ids\": [1, 2, 3]}\n"
    "{\"timestamp\": 40, \"input_length\": 7, \"output_length\": 9, \"hash_ids\": [1, 9]}\n"
    "{\"input_length\": 3, \"output_length\": 2, \"hash_ids\": [4]}\n";

TEST(CompactTrace, ReplaysAsTheRequestsWould) {
  const TempFile f(kMixed);
  const auto requests = trace::read_all(f.path(), {.block_size = 4});
  SimConfig c;
  c.cache.capacity_blocks = 3;
  c.workers = 2;
  c.router.kind = RouterKind::kKvAware;
  c.block_size = 4;
  c.cache_output = true;
  // Requests start at their timestamps (fast enough that those matter).
  c.timing = {.enabled = true, .prefill_tokens_per_s = 1000, .decode_tokens_per_s = 100};
  CompactTrace kept;
  for (const auto& r : requests) kept.add(r);
  ASSERT_EQ(kept.size(), requests.size());
  ClusterSim direct(c);
  ClusterSim replayed(c);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const RequestResult a = direct.add(requests[i]);
    const RequestResult b = kept.replay(i, replayed);
    EXPECT_EQ(a.worker, b.worker) << i;
    EXPECT_EQ(a.blocks, b.blocks) << i;
    EXPECT_EQ(a.hit_blocks, b.hit_blocks) << i;
    EXPECT_EQ(a.input_tokens, b.input_tokens) << i;
    EXPECT_EQ(a.hit_tokens, b.hit_tokens) << i;
    EXPECT_EQ(a.start_ms, b.start_ms) << i;
    EXPECT_EQ(a.end_ms, b.end_ms) << i;
  }
  EXPECT_EQ(direct.finish(), replayed.finish());
}

std::vector<Run> sweep_file(const std::string& path, std::span<const SimConfig> configs,
                            const RequestSink& sink = {}) {
  trace::TraceReader reader(path);
  return run_sweep(reader, configs, sink);
}

TEST(RunSweep, ReplayedRunsEqualRunsFromTheFile) {
  std::vector<SimConfig> configs;
  // No timing; requests at their timestamps; at most 8 in flight, output blocks cached.
  for (const int timing : {0, 1, 2}) {
    SweepOptions o{.capacities = {300, 3000},
                   .policies = {Policy::kLru, Policy::kFifo, Policy::kLineage},
                   .routers = {RouterKind::kKvAware, RouterKind::kRandom}};
    o.base.workers = 3;
    o.base.router.seed = 4;
    o.base.timing.enabled = timing > 0;
    o.base.timing.concurrency = timing == 2 ? 8 : 0;
    o.base.cache_output = timing == 2;
    const auto more = sweep_configs(o);
    configs.insert(configs.end(), more.begin(), more.end());
  }
  const std::vector<cache::Run> swept = sweep_file(kSample, configs);
  ASSERT_EQ(swept.size(), configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k) {
    const std::vector<cache::Run> alone = sweep_file(kSample, std::span(configs).subspan(k, 1));
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(swept[k].result.total.requests, 1000u) << k;
    EXPECT_TRUE(swept[k].result == alone[0].result) << k;
    EXPECT_EQ(swept[k].config.cache.capacity_blocks, configs[k].cache.capacity_blocks);
    EXPECT_EQ(swept[k].config.router.kind, configs[k].router.kind);
    EXPECT_EQ(swept[k].config.cache.policy, configs[k].cache.policy);
  }
  // Not all the same: the sweep's settings matter.
  EXPECT_NE(swept.front().result.total.hit_blocks, swept[1].result.total.hit_blocks);
}

// Worked by hand, blocks of 4 tokens, one worker. Three requests carry cached_tokens (0, 2
// and 4 of 4, 8 and 4 input tokens). With 1 block of capacity request 2 finds block 1 (4
// tokens) and has no room for block 2 (pinned pool: dropped), request 4 has no room for block
// 5 either, so request 5 misses: 4 predicted tokens. With 10 blocks request 5 finds block 5
// too: 8.
TEST(RunSweep, EachRunSetsTheServersCachedTokensBesideItsOwn) {
  const TempFile f(
      "{\"input_length\": 4, \"hash_ids\": [1], \"cached_tokens\": 0}\n"
      "{\"input_length\": 8, \"hash_ids\": [1, 2], \"cached_tokens\": 2}\n"
      "{\"input_length\": 4, \"hash_ids\": [1]}\n"
      "{\"input_length\": 6, \"hash_ids\": [1, 5], \"cached_tokens\": null}\n"
      "{\"input_length\": 4, \"hash_ids\": [5], \"cached_tokens\": 4}\n");
  SimConfig small;
  small.block_size = 4;
  small.cache.capacity_blocks = 1;
  SimConfig large = small;
  large.cache.capacity_blocks = 10;
  const SimConfig configs[] = {small, large};
  trace::TraceReader reader(f.path(), {.block_size = 4});
  const auto runs = run_sweep(reader, configs);
  ASSERT_EQ(runs.size(), 2u);
  for (const cache::Run& run : runs) {
    EXPECT_EQ(run.server_measured.requests, 3u);
    EXPECT_EQ(run.server_measured.input_tokens, 16u);
    EXPECT_EQ(run.server_measured.measured_cached_tokens, 6u);
  }
  EXPECT_EQ(runs[0].server_measured.predicted_cached_tokens, 4u);
  EXPECT_EQ(runs[1].server_measured.predicted_cached_tokens, 8u);
  // Alone, the second run reads the file itself and agrees with its replay.
  trace::TraceReader again(f.path(), {.block_size = 4});
  const auto alone = run_sweep(again, std::span(configs).subspan(1, 1));
  EXPECT_EQ(alone[0].server_measured.predicted_cached_tokens,
            runs[1].server_measured.predicted_cached_tokens);
}

TEST(RunSweep, PerRequestSinkSeesTheFirstRun) {
  SimConfig a;
  a.cache.capacity_blocks = 500;
  a.workers = 2;
  SimConfig b = a;
  b.cache.capacity_blocks = 5000;
  const SimConfig configs[] = {a, b};
  std::vector<std::uint64_t> lines;
  std::uint64_t hits = 0;
  const auto runs = sweep_file(kSample, configs, [&](std::uint64_t line, const RequestResult& r) {
    lines.push_back(line);
    hits += r.hit_blocks;
  });
  ASSERT_EQ(lines.size(), 1000u);
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], i + 1);
  EXPECT_EQ(hits, runs[0].result.total.hit_blocks);
  EXPECT_LT(hits, runs[1].result.total.hit_blocks);
}

// The sample's requests, kept in memory.
CompactTrace kept_sample() {
  CompactTrace kept;
  for (const auto& r : trace::read_all(kSample)) kept.add(r);
  return kept;
}

TEST(ReplayRuns, ThreadsGiveTheResultsOfOneAfterAnotherInOrder) {
  SweepOptions o{.capacities = {50, 400, 3000},
                 .policies = {Policy::kLru, Policy::kLineage},
                 .routers = {RouterKind::kKvAware, RouterKind::kRandom}};
  o.base.workers = 3;
  o.base.timing.enabled = true;
  const std::vector<SimConfig> configs = sweep_configs(o);
  const CompactTrace kept = kept_sample();
  const std::vector<cache::Run> one = replay_runs(kept, configs, {.threads = 1});
  const std::vector<cache::Run> four = replay_runs(kept, configs, {.threads = 4});
  ASSERT_EQ(one.size(), configs.size());
  ASSERT_EQ(four.size(), configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k) {
    EXPECT_EQ(four[k].config.cache.capacity_blocks, configs[k].cache.capacity_blocks) << k;
    EXPECT_EQ(four[k].config.router.kind, configs[k].router.kind) << k;
    EXPECT_TRUE(four[k].result == one[k].result) << k;
    EXPECT_EQ(four[k].result.total.requests, 1000u) << k;
  }
  EXPECT_LT(one.front().result.total.hit_blocks, one.back().result.total.hit_blocks);
  EXPECT_TRUE(replay_runs(kept, {}, {}).empty());
}

TEST(ReplayRuns, AFailingRunIsRethrownAfterTheOthersStop) {
  SimConfig good;
  good.cache.capacity_blocks = 100;
  SimConfig bad = good;
  bad.workers = 0;  // ClusterSim refuses it
  const SimConfig configs[] = {good, bad, good, good};
  const CompactTrace kept = kept_sample();
  EXPECT_EQ(usage_error([&] { replay_runs(kept, configs, {.threads = 2}); }),
            "the number of workers must be at least 1");
}

TEST(ReplayRuns, TheStopFlagInterrupts) {
  SimConfig c;
  c.cache.capacity_blocks = 100;
  const SimConfig configs[] = {c, c};
  const CompactTrace kept = kept_sample();
  const std::atomic<bool> stop{true};
  EXPECT_EQ(kvtrace::testing::thrown_message<Interrupted>([&] {
              replay_runs(kept, configs, {.threads = 2, .stop = &stop, .label = "solve"});
            }),
            "interrupted: solve stopped at request 1");
}

// Each run's ideal is the same settings with unlimited capacity, whatever the policy; the
// second run and the ideals go on a thread of their own with two threads, with the same
// results as in the reading thread.
TEST(RunSweep, EachRunBesideItsIdealOnOneThreadOrTwo) {
  SweepOptions o{.capacities = {100, 2000},
                 .policies = {Policy::kLru, Policy::kFifo},
                 .routers = {RouterKind::kKvAware, RouterKind::kRoundRobin}};
  o.base.workers = 2;
  o.base.timing.enabled = true;
  const std::vector<SimConfig> configs = sweep_configs(o);
  std::vector<std::vector<cache::Run>> by_threads;
  for (const unsigned threads : {1u, 2u}) {
    trace::TraceReader reader(kSample);
    by_threads.push_back(run_sweep(reader, configs, {}, threads, true));
  }
  for (const RouterKind router : {RouterKind::kKvAware, RouterKind::kRoundRobin}) {
    SimConfig unlimited = o.base;
    unlimited.router.kind = router;
    unlimited.cache.capacity_blocks = std::numeric_limits<std::uint64_t>::max();
    const Tally ideal = sweep_file(kSample, std::span(&unlimited, 1))[0].result.total;
    for (const auto& runs : by_threads) {
      ASSERT_EQ(runs.size(), configs.size());
      for (std::size_t k = 0; k < runs.size(); ++k) {
        if (runs[k].config.router.kind != router) continue;
        ASSERT_TRUE(runs[k].ideal.has_value()) << k;
        EXPECT_EQ(*runs[k].ideal, ideal) << k;
        EXPECT_LE(runs[k].result.total.hit_blocks, ideal.hit_blocks) << k;
      }
    }
  }
  for (std::size_t k = 0; k < configs.size(); ++k) {
    EXPECT_TRUE(by_threads[0][k].result == by_threads[1][k].result) << k;
    EXPECT_EQ(by_threads[1][k].config.cache.capacity_blocks, configs[k].cache.capacity_blocks);
  }
  trace::TraceReader reader(kSample);
  EXPECT_FALSE(run_sweep(reader, std::span(configs).first(1))[0].ideal.has_value());
}

TEST(RunSweep, NoConfigurationIsAUsageError) {
  trace::TraceReader reader(kSample);
  EXPECT_EQ(usage_error([&] { run_sweep(reader, {}); }),
            "run_sweep needs at least one configuration");
}

// The problem of the InputError `f` throws.
template <typename F>
std::string input_error(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(RunSweep, NoRequestIsAnInputError) {
  const TempFile empty("");
  const TempFile blank("\n\n");
  const SimConfig config[] = {SimConfig{}};
  EXPECT_EQ(input_error([&] { sweep_file(empty.path(), config); }),
            empty.path() + ": the file is empty: no requests to simulate");
  EXPECT_EQ(input_error([&] { sweep_file(blank.path(), config); }),
            blank.path() + ": no requests to simulate");
  trace::TraceReader reader(blank.path());
  EXPECT_EQ(input_error([&] { run_curve(reader, 512); }),
            blank.path() + ": no requests to simulate");
}

TEST(RunCurve, TheCurveOfTheFile) {
  trace::TraceReader reader(kSample);
  const HitCurve curve = run_curve(reader, 512);
  LruCurve direct(512);
  for (const auto& r : trace::read_all(kSample)) direct.add(r);
  const HitCurve want = direct.finish();
  EXPECT_EQ(curve.requests, 1000u);
  EXPECT_EQ(curve.total_blocks, want.total_blocks);
  EXPECT_EQ(curve.distinct_blocks, want.distinct_blocks);
  EXPECT_EQ(curve.total_input_tokens, want.total_input_tokens);
  EXPECT_EQ(curve.hit_blocks, want.hit_blocks);
  EXPECT_EQ(curve.hit_tokens, want.hit_tokens);
  // And a sweep's lru run on one worker agrees at its capacity.
  SimConfig c;
  c.cache.capacity_blocks = 2000;
  const auto runs = sweep_file(kSample, std::span(&c, 1));
  EXPECT_EQ(curve.blocks_at(2000), runs[0].result.total.hit_blocks);
  EXPECT_EQ(curve.tokens_at(2000), runs[0].result.total.hit_tokens);
}

}  // namespace
}  // namespace kvtrace::cache
