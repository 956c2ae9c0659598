#include "kvtrace/cache/sweep_target.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "kvtrace/cache/lru_curve.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace kvtrace::cache {
namespace {

using kvtrace::testing::kSample;
using kvtrace::testing::thrown_message;

// The sample's first `n` requests.
CompactTrace sample(std::size_t n = 1000) {
  CompactTrace kept;
  for (const auto& r : trace::read_all(kSample)) {
    if (kept.size() == n) break;
    kept.add(r);
  }
  return kept;
}

HitCurve sample_curve() {
  LruCurve curve;
  for (const auto& r : trace::read_all(kSample)) curve.add(r);
  return curve.finish();
}

// The rate of `metric` with `capacity` blocks per worker, by direct simulation.
double rate_at(const CompactTrace& kept, SimConfig c, std::uint64_t capacity, RateMetric metric) {
  c.cache.capacity_blocks = capacity;
  const SimConfig one[] = {c};
  const SimResult r = replay_runs(kept, one, {.threads = 1})[0].result;
  return metric == RateMetric::kBlock ? r.total.block_hit_rate() : r.total.token_hit_rate();
}

// lru on one worker without timing has a curve, and its rate never falls: with no tolerance
// the sweep must find the curve's answer exactly, whatever the probes were.
TEST(SolveBySweep, EqualsTheCurveWhereThereIsOne) {
  const CompactTrace kept = sample();
  const HitCurve curve = sample_curve();
  for (const RateMetric m : {RateMetric::kToken, RateMetric::kBlock}) {
    for (const double share : {0.05, 0.3, 0.5, 0.8, 0.95, 0.999, 1.0}) {
      const Target t{m, std::nullopt, share};
      const TargetAnswer expected = solve_on_curve(curve, t);
      const SweepTargetAnswer got =
          solve_by_sweep(kept, {.target = t, .tolerance = 0, .replay = {.threads = 2}});
      ASSERT_TRUE(got.answer.capacity.has_value()) << share;
      EXPECT_EQ(*got.answer.capacity, std::max<std::uint64_t>(1, *expected.capacity)) << share;
      EXPECT_DOUBLE_EQ(got.answer.ideal, expected.ideal);
      EXPECT_DOUBLE_EQ(got.answer.goal, expected.goal);
      EXPECT_DOUBLE_EQ(got.answer.rate, expected.rate) << share;
      EXPECT_EQ(got.ideal_capacity, curve.distinct_blocks);
      EXPECT_TRUE(got.dips.empty());
      EXPECT_EQ(got.below, *got.answer.capacity - 1);
    }
  }
}

// kv-aware routing with timing: checked against a dense sweep of every capacity from 1 to
// the ideal's (on the first 150 requests, so that the dense sweep stays short). The answer
// reaches the goal and one block less does not; every probe's rate is the simulation's at
// that capacity.
TEST(SolveBySweep, KvAwareWithTimingAgainstADenseSweep) {
  const CompactTrace kept = sample(150);
  SimConfig base;
  base.workers = 3;
  base.router.kind = RouterKind::kKvAware;
  base.timing = {.enabled = true, .prefill_tokens_per_s = 20000, .decode_tokens_per_s = 40};
  const Target t{RateMetric::kToken, std::nullopt, 0.8};
  const SweepTargetAnswer got =
      solve_by_sweep(kept, {.base = base, .target = t, .tolerance = 0, .replay = {.threads = 2}});
  ASSERT_TRUE(got.answer.capacity.has_value());
  const std::uint64_t answer = *got.answer.capacity;
  std::vector<SimConfig> dense;
  for (std::uint64_t c = 1; c <= got.ideal_capacity; ++c) {
    dense.push_back(base);
    dense.back().cache.capacity_blocks = c;
  }
  const std::vector<cache::Run> runs = replay_runs(kept, dense, {.threads = 2});
  const auto dense_rate = [&](std::uint64_t c) {
    return runs[c - 1].result.total.token_hit_rate();
  };
  EXPECT_GE(dense_rate(answer), got.answer.goal);
  EXPECT_LT(dense_rate(answer - 1), got.answer.goal);
  EXPECT_EQ(got.below, answer - 1);
  for (const Probe& p : got.probes)
    EXPECT_DOUBLE_EQ(p.mean(), dense_rate(p.capacity)) << p.capacity;
  // The smallest capacity from which every capacity holds, by the dense sweep.
  std::uint64_t from = got.ideal_capacity;
  while (from > 1 && dense_rate(from - 1) >= got.answer.goal) --from;
  EXPECT_EQ(answer, from);
  EXPECT_DOUBLE_EQ(dense_rate(got.ideal_capacity), got.answer.ideal);
}

// Read from the file, the ideal runs during the read; the search and its answer are the same.
TEST(SolveBySweep, FromTheFileEqualsFromMemory) {
  SimConfig base;
  base.workers = 2;
  base.router.kind = RouterKind::kLeastLoaded;
  base.timing.enabled = true;
  base.cache.policy = Policy::kLineage;
  const SweepTargetOptions o{.base = base, .target = {RateMetric::kBlock, 0.05, std::nullopt}};
  trace::TraceReader reader(kSample);
  const SweepTargetAnswer file = solve_by_sweep(reader, o);
  const SweepTargetAnswer memory = solve_by_sweep(sample(), o);
  ASSERT_TRUE(file.answer.capacity.has_value());
  EXPECT_EQ(file.answer.capacity, memory.answer.capacity);
  EXPECT_EQ(file.ideal_capacity, memory.ideal_capacity);
  EXPECT_DOUBLE_EQ(file.answer.ideal, memory.answer.ideal);
  EXPECT_EQ(file.simulations, memory.simulations);
  ASSERT_EQ(file.probes.size(), memory.probes.size());
  for (std::size_t i = 0; i < file.probes.size(); ++i) {
    EXPECT_EQ(file.probes[i].capacity, memory.probes[i].capacity);
    EXPECT_EQ(file.probes[i].rates, memory.probes[i].rates);
  }
  EXPECT_EQ(file.requests, 1000u);
}

TEST(SolveBySweep, ToleranceBoundsTheGapAndSavesSimulations) {
  const CompactTrace kept = sample();
  const Target t{RateMetric::kToken, std::nullopt, 0.9};
  const SweepTargetAnswer exact = solve_by_sweep(kept, {.target = t, .tolerance = 0});
  const SweepTargetAnswer rough = solve_by_sweep(kept, {.target = t, .tolerance = 0.05});
  ASSERT_TRUE(rough.answer.capacity && exact.answer.capacity);
  EXPECT_LE(*rough.answer.capacity - rough.below,
            std::max<std::uint64_t>(1, *rough.answer.capacity / 20));
  // The exact answer lies in the rough one's gap.
  EXPECT_GT(*exact.answer.capacity, rough.below);
  EXPECT_LE(*exact.answer.capacity, *rough.answer.capacity);
  EXPECT_LT(rough.simulations, exact.simulations);
}

TEST(SolveBySweep, SeedsRepeatTheRandomRouter) {
  const CompactTrace kept = sample();
  SimConfig base;
  base.workers = 4;
  base.router.kind = RouterKind::kRandom;
  base.router.seed = 7;
  const Target t{RateMetric::kBlock, std::nullopt, 0.7};
  const SweepTargetAnswer got =
      solve_by_sweep(kept, {.base = base, .target = t, .seeds = 3, .tolerance = 0.02});
  ASSERT_EQ(got.seed_capacities.size(), 3u);
  const Probe& p = got.probes[got.probes.size() / 2];
  ASSERT_EQ(p.rates.size(), 3u);
  for (std::uint32_t k = 0; k < 3; ++k) {
    SimConfig c = base;
    c.router.seed = 7 + k;
    EXPECT_DOUBLE_EQ(p.rates[k], rate_at(kept, c, p.capacity, RateMetric::kBlock)) << k;
  }
  EXPECT_LE(p.min(), p.mean());
  EXPECT_LE(p.mean(), p.max());
  EXPECT_LT(p.min(), p.max());  // the seeds route differently
  for (const auto& s : got.seed_capacities) EXPECT_TRUE(s.has_value());
  EXPECT_EQ(got.simulations % 3, 0u);
}

TEST(SolveBySweep, BeyondTheIdealHasNoAnswer) {
  const CompactTrace kept = sample();
  const SweepTargetAnswer got = solve_by_sweep(kept, {.target = {RateMetric::kToken, 0.99, {}}});
  EXPECT_FALSE(got.answer.capacity.has_value());
  EXPECT_LT(got.answer.ideal, 0.99);
  EXPECT_EQ(got.rounds, 0u);
}

TEST(SolveBySweep, BadOptionsAreUsageErrors) {
  const CompactTrace kept = sample();
  const Target t{RateMetric::kToken, std::nullopt, 0.5};
  const auto error = [&](SweepTargetOptions o) {
    return thrown_message<UsageError>([&] { solve_by_sweep(kept, o); });
  };
  EXPECT_EQ(error({.target = {}}),
            "give one target: an absolute hit rate or a share of the ideal one");
  EXPECT_EQ(error({.target = t, .grid_points = 1}), "grid_points: must be at least 2");
  EXPECT_EQ(error({.target = t, .tolerance = 1}), "tolerance: must be at least 0 and below 1");
  EXPECT_EQ(error({.target = t, .seeds = 0}), "seeds: must be at least 1");
  SimConfig kv;
  kv.workers = 2;
  kv.router.kind = RouterKind::kKvAware;
  EXPECT_EQ(error({.base = kv, .target = t, .seeds = 2}),
            "seeds: 2 repeats only the random router's draws, and kv-aware on 2 worker(s) draws "
            "nothing random");
}

TEST(SolveBySweep, TheStopFlagInterrupts) {
  const CompactTrace kept = sample();
  const std::atomic<bool> stop{true};
  EXPECT_NE(thrown_message<Interrupted>([&] {
              solve_by_sweep(kept, {.target = {RateMetric::kToken, std::nullopt, 0.5},
                                    .replay = {.stop = &stop}});
            }),
            "");
}

}  // namespace
}  // namespace kvtrace::cache
