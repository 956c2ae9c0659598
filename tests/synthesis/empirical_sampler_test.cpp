// EmpiricalSampler: every case of upstream test_empirical_sampler.py, with a seeded
// PyRandom in place of numpy's default_rng, plus goldens from CPython's stream:
//   vals, cdf = sorted unique values, [c / cdf[-1] for c in cumsum(probs)]
//   rng = random.Random(seed); [vals[bisect.bisect_right(cdf, rng.random())] ...]

#include "kvtrace/synthesis/empirical_sampler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::synthesis {
namespace {

using IntSampler = EmpiricalSampler<std::int64_t>;
using FloatSampler = EmpiricalSampler<double>;
using Ints = std::vector<std::int64_t>;
using Floats = std::vector<double>;

random::PyRandom rng(std::uint64_t seed = 42) {
  return random::PyRandom(seed);
}

TEST(EmpiricalSampler, InitialisesFromData) {
  const Ints data{1, 2, 3, 4, 5};
  const IntSampler sampler(data, rng());
  EXPECT_EQ(sampler.values().size(), 5u);
  EXPECT_EQ(std::vector<double>(sampler.probabilities().begin(), sampler.probabilities().end()),
            (std::vector<double>(5, 0.2)));
}

TEST(EmpiricalSampler, EmptyDataSamplesZero) {
  IntSampler sampler(Ints{}, rng());
  EXPECT_EQ(Ints(sampler.values().begin(), sampler.values().end()), Ints{0});
  EXPECT_EQ(sampler.probabilities().front(), 1.0);
  EXPECT_EQ(sampler.sample_batch(5), Ints(5, 0));
  const auto stats = sampler.get_stats();
  EXPECT_EQ(stats.min, 0);
  EXPECT_EQ(stats.max, 0);
  EXPECT_EQ(stats.num_unique, 1u);

  FloatSampler floats(Floats{}, rng());
  EXPECT_EQ(floats.sample(), 0.0);
}

TEST(EmpiricalSampler, InitialisesFromFloats) {
  const Floats data{1.5, 2.3, 3.1, 4.8};
  const FloatSampler sampler(data, rng());
  EXPECT_EQ(Floats(sampler.values().begin(), sampler.values().end()), data);
}

TEST(EmpiricalSampler, SamplesLieWithinTheData) {
  const Ints data{10, 20, 30, 40, 50};
  IntSampler sampler(data, rng());
  for (int i = 0; i < 100; ++i) {
    EXPECT_NE(std::ranges::find(data, sampler.sample()), data.end());
  }
}

TEST(EmpiricalSampler, SampleBatchSizes) {
  Ints data(10);
  std::iota(data.begin(), data.end(), 1);
  for (const std::size_t size : {1u, 10u, 100u, 1000u}) {
    IntSampler sampler(data, rng());
    const Ints samples = sampler.sample_batch(size);  // integers, as upstream asserts
    EXPECT_EQ(samples.size(), size);
    EXPECT_TRUE(std::ranges::all_of(samples, [](std::int64_t v) { return v >= 1 && v <= 10; }));
  }
}

TEST(EmpiricalSampler, RespectsTheDistribution) {
  Ints data(90, 1);
  data.insert(data.end(), 10, 2);
  IntSampler sampler(data, rng());
  const Ints samples = sampler.sample_batch(1000);
  EXPECT_GT(std::ranges::count(samples, 1), 800);
  EXPECT_GT(std::ranges::count(samples, 2), 0);
}

TEST(EmpiricalSampler, StatsOfOneToFive) {
  const IntSampler sampler(Ints{1, 2, 3, 4, 5}, rng());
  const auto stats = sampler.get_stats();
  EXPECT_EQ(stats.min, 1);
  EXPECT_EQ(stats.max, 5);
  EXPECT_EQ(stats.mean, 3.0);
  EXPECT_EQ(stats.median, 3.0);
  EXPECT_EQ(stats.num_unique, 5u);
}

TEST(EmpiricalSampler, StatsWithDuplicates) {
  const IntSampler sampler(Ints{1, 1, 2, 2, 2, 3}, rng());
  const auto stats = sampler.get_stats();
  EXPECT_EQ(stats.num_unique, 3u);
  EXPECT_EQ(stats.median, 2.0);
  EXPECT_DOUBLE_EQ(stats.mean, 11.0 / 6.0);  // weighted: the data's mean
  EXPECT_EQ(std::vector<double>(sampler.probabilities().begin(), sampler.probabilities().end()),
            (std::vector<double>{2.0 / 6.0, 3.0 / 6.0, 1.0 / 6.0}));
}

TEST(EmpiricalSampler, MedianIsOverUniqueValuesUnweighted) {
  // The data median is 1; AIPerf's np.median(values) over [1, 4] is 2.5.
  const auto stats = IntSampler(Ints{1, 1, 1, 1, 4}, rng()).get_stats();
  EXPECT_EQ(stats.median, 2.5);
  EXPECT_EQ(stats.mean, 1.6);
  EXPECT_EQ(IntSampler(Ints{10, 1, 3, 2}, rng()).get_stats().median, 2.5);
}

TEST(EmpiricalSampler, SingleValueAlwaysSampled) {
  IntSampler sampler(Ints{42}, rng());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sampler.sample(), 42);
}

TEST(EmpiricalSampler, TwoValues) {
  IntSampler sampler(Ints{1, 2}, rng());
  const Ints samples = sampler.sample_batch(100);
  EXPECT_TRUE(std::ranges::all_of(samples, [](std::int64_t v) { return v == 1 || v == 2; }));
}

TEST(EmpiricalSampler, LargeData) {
  Ints data(1000);
  std::iota(data.begin(), data.end(), 1);
  const auto stats = IntSampler(data, rng()).get_stats();
  EXPECT_EQ(stats.min, 1);
  EXPECT_EQ(stats.max, 1000);
  EXPECT_EQ(stats.num_unique, 1000u);
  EXPECT_EQ(stats.median, 500.5);
}

TEST(EmpiricalSampler, ReproducibleWithTheSameSeed) {
  const Ints data{1, 2, 3, 4, 5};
  IntSampler a(data, rng(42));
  IntSampler b(data, rng(42));
  EXPECT_EQ(a.sample_batch(100), b.sample_batch(100));
  IntSampler c(data, rng(43));
  IntSampler d(data, rng(42));
  EXPECT_NE(c.sample_batch(100), d.sample_batch(100));
}

TEST(EmpiricalSampler, BatchEqualsRepeatedSample) {
  const Ints data{3, 1, 4, 1, 5, 9, 2, 6};
  IntSampler batch(data, rng(9));
  IntSampler single(data, rng(9));
  Ints one_by_one;
  for (int i = 0; i < 50; ++i) one_by_one.push_back(single.sample());
  EXPECT_EQ(batch.sample_batch(50), one_by_one);
}

TEST(EmpiricalSampler, FloatData) {
  FloatSampler sampler(Floats{1.5, 2.3, 3.1, 4.8, 5.2}, rng());
  const auto stats = sampler.get_stats();
  EXPECT_EQ(stats.min, 1.5);
  EXPECT_EQ(stats.max, 5.2);
  EXPECT_EQ(stats.median, 3.1);
}

TEST(EmpiricalSampler, RejectsNan) {
  const Floats data{1.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THROW((FloatSampler{data, rng()}), UsageError);
}

// --- goldens: numpy's choice mapping driven by CPython's random() -----------------------

TEST(EmpiricalSampler, CpythonStreamGolden) {
  IntSampler sampler(Ints{10, 20, 30, 40, 50}, rng(42));
  EXPECT_EQ(sampler.sample_batch(12), (Ints{40, 10, 20, 20, 40, 40, 50, 10, 30, 10, 20, 30}));
}

TEST(EmpiricalSampler, CpythonStreamGoldenSkewed) {
  Ints data(90, 1);
  data.insert(data.end(), 10, 2);
  IntSampler sampler(data, rng(7));
  Ints expected(20, 1);
  expected[17] = 2;
  EXPECT_EQ(sampler.sample_batch(20), expected);
}

TEST(EmpiricalSampler, CpythonStreamGoldenFloats) {
  FloatSampler sampler(Floats{5.2, 1.5, 4.8, 3.1, 2.3}, rng(123));
  EXPECT_EQ(sampler.sample_batch(8), (Floats{1.5, 1.5, 3.1, 1.5, 5.2, 1.5, 3.1, 2.3}));
}

}  // namespace
}  // namespace kvtrace::synthesis
