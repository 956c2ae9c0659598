#include "kvtrace/stats/metric_stats.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::stats {
namespace {

// Every expected value below comes from numpy 1.24.2 (/usr/bin/python3) and is compared with
// EXPECT_EQ: the implementation reproduces numpy's order of operations, so the doubles are
// bit-identical. Python's repr is the shortest round-tripping decimal, so the literals are exact.

// ---- Reference goldens (aiperf-synthesis.md section 3) ----

TEST(MetricStats, ReferenceInputLengths) {
  const std::vector<std::int64_t> isl{1024, 1536, 1024, 1536, 1024};
  const auto s = summarize(isl);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->mean, 1228.8);
  EXPECT_EQ(s->std_dev, 250.82774966099743);
  EXPECT_EQ(s->min, 1024.0);
  EXPECT_EQ(s->p25, 1024.0);
  EXPECT_EQ(s->median, 1024.0);
  EXPECT_EQ(s->p75, 1536.0);
  EXPECT_EQ(s->max, 1536.0);
}

TEST(MetricStats, ReferenceOutputLengths) {
  const std::vector<std::int64_t> osl{20, 30, 25, 40, 22};
  const auto s = summarize(osl);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->mean, 27.4);
  EXPECT_EQ(s->std_dev, 7.144228439796701);
  EXPECT_EQ(s->min, 20.0);
  EXPECT_EQ(s->p25, 22.0);
  EXPECT_EQ(s->median, 25.0);
  EXPECT_EQ(s->p75, 30.0);
  EXPECT_EQ(s->max, 40.0);
}

TEST(MetricStats, ReferenceHitRates) {
  const std::vector<double> rates{0, 2.0 / 3, 1, 2.0 / 3, 1};
  const auto s = summarize(rates);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->mean, 0.6666666666666666);
  EXPECT_EQ(s->std_dev, 0.36514837167011077);
  EXPECT_EQ(s->min, 0.0);
  EXPECT_EQ(s->p25, 0.6666666666666666);
  EXPECT_EQ(s->median, 0.6666666666666666);
  EXPECT_EQ(s->p75, 1.0);
  EXPECT_EQ(s->max, 1.0);
}

TEST(MetricStats, ReferenceCliSample) {
  const std::vector<std::int64_t> isl{100, 150, 120};
  const auto s = summarize(isl);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->mean, 123.33333333333333);
  EXPECT_EQ(s->std_dev, 20.548046676563256);
  EXPECT_EQ(s->p25, 110.0);
  EXPECT_EQ(s->median, 120.0);
  EXPECT_EQ(s->p75, 135.0);

  // np.mean([0, 2/3, 1]) is one ulp below statistics.mean's 0.5555555555555556.
  const std::vector<double> rates{0, 2.0 / 3, 1};
  const auto r = summarize(rates);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mean, 0.5555555555555555);
  EXPECT_EQ(r->std_dev, 0.41573970964154905);
  EXPECT_EQ(r->p25, 0.3333333333333333);
  EXPECT_EQ(r->median, 0.6666666666666666);
  EXPECT_EQ(r->p75, 0.8333333333333333);
}

// ---- Generated data at the sizes where numpy's summation order changes ----
// (pairwise leaf < 8, unrolled block <= 128, recursive split, 8192-element reduce chunks)

constexpr std::uint64_t kPrime = 1000003;

// ((i * 2654435761) % 1000003) / 1000003, in [0, 1): the division is correctly rounded in both
// languages, so numpy sees the same doubles.
std::vector<double> fractions(std::size_t n) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<double>(i * 2654435761u % kPrime) / static_cast<double>(kPrime);
  }
  return out;
}

// (i * 2654435761) % 1000003: integers below 1e6.
std::vector<std::int64_t> small_ints(std::size_t n) {
  std::vector<std::int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int64_t>(i * 2654435761u % kPrime);
  return out;
}

// ((i * 0x9E3779B97F4A7C15) % 2**64) >> 2: integers below 2^62, so the float64 sum rounds and
// its chunking shows.
std::vector<std::int64_t> big_ints(std::size_t n) {
  std::vector<std::int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::int64_t>(i * 0x9E3779B97F4A7C15u >> 2);
  }
  return out;
}

struct Golden {
  std::size_t n;
  double mean, std_dev, p25, median, p75;
};

void expect_golden(const MetricStats& s, const Golden& g) {
  EXPECT_EQ(s.mean, g.mean) << "n = " << g.n;
  EXPECT_EQ(s.std_dev, g.std_dev) << "n = " << g.n;
  EXPECT_EQ(s.p25, g.p25) << "n = " << g.n;
  EXPECT_EQ(s.median, g.median) << "n = " << g.n;
  EXPECT_EQ(s.p75, g.p75) << "n = " << g.n;
}

// a = np.array([((i * 2654435761) % 1000003) / 1000003 for i in range(n)])
// np.mean(a), np.std(a), np.percentile(a, 25), np.median(a), np.percentile(a, 75)
TEST(MetricStats, NumpyGoldensFloat64) {
  const Golden goldens[] = {
      {1, 0.0, 0.0, 0.0, 0.0, 0.0},
      {2, 0.2138988583034251, 0.2138988583034251, 0.10694942915171254, 0.2138988583034251,
       0.3208482874551376},
      {7, 0.4262502926776933, 0.28533136354199284, 0.2111908664274007, 0.4277977166068502,
       0.6389885830342509},
      {8, 0.49729200812397567, 0.32644404723933174, 0.24729200812397562, 0.4972920081239756,
       0.7472920081239756},
      {9, 0.48896864420517855, 0.30867346495079034, 0.2833931498205505, 0.4277977166068502,
       0.7111908664274007},
      {127, 0.518185280089829, 0.28928763838695254, 0.25902122293633123, 0.5180424458726623,
       0.7824796525610422},
      {128, 0.5167175045349863, 0.28862975377223044, 0.2603752188743434, 0.515334453996638,
       0.7811256566230301},
      {129, 0.5185887465593416, 0.28828725431351937, 0.26172921481235556, 0.5180424458726623,
       0.7797716606850179},
      {1000, 0.5029594451216647, 0.2888497981128215, 0.2539807380577858, 0.5053509839470481,
       0.7526429920710238},
      {8191, 0.5006764858841061, 0.28868886246868536, 0.25066974799075603, 0.5010794967615098,
       0.7505072484782546},
      {8192, 0.5006264883549099, 0.288706704626182, 0.25062099813700556, 0.5010469968590094,
       0.7504909985270044},
      {8193, 0.5006287180577003, 0.28868915551852087, 0.2506372480882557, 0.5010794967615098,
       0.7504747485757542},
      {20000, 0.5002172101983693, 0.2886817833173671, 0.2504277487167539, 0.5002019993940019,
       0.7502959991120026},
      {100000, 0.5000514842055473, 0.28867606478810237, 0.2500784997645007, 0.5000429998710003,
       0.7500934997195008},
      {1000000, 0.49999956678629964, 0.2886752582981488, 0.25, 0.499999000003, 0.75},
  };
  for (const Golden& g : goldens) {
    const std::vector<double> values = fractions(g.n);
    const auto s = summarize(values);
    ASSERT_TRUE(s.has_value());
    expect_golden(*s, g);
    EXPECT_EQ(s->min, *std::ranges::min_element(values));
    EXPECT_EQ(s->max, *std::ranges::max_element(values));
    EXPECT_EQ(numpy_mean(values), g.mean);
    EXPECT_EQ(numpy_std(values), g.std_dev);
  }
}

// a = np.array([(i * 2654435761) % 1000003 for i in range(n)], dtype=np.int64); same calls.
TEST(MetricStats, NumpyGoldensInt64) {
  const Golden goldens[] = {
      {1, 0.0, 0.0, 0.0, 0.0, 0.0},
      {2, 213899.5, 213899.5, 106949.75, 213899.5, 320849.25},
      {7, 426251.5714285714, 285332.2195360835, 211191.5, 427799.0, 638990.5},
      {8, 497293.5, 326445.02657147346, 247292.75, 497293.5, 747294.25},
      {9, 488970.1111111111, 308674.3909711852, 283394.0, 427799.0, 711193.0},
      {127, 518186.83464566927, 289288.5062498677, 259022.0, 518044.0, 782482.0},
      {128, 516719.0546875, 288630.61966149166, 260376.0, 515336.0, 781128.0},
      {129, 518590.3023255814, 288288.1191752823, 261730.0, 518044.0, 779774.0},
      {1000, 502960.954, 288850.66466221586, 253981.5, 505352.5, 752645.25},
      {8191, 500677.9879135637, 288689.72853527276, 250670.5, 501081.0, 750509.5},
      {8192, 500627.990234375, 288707.5707462959, 250621.75, 501048.5, 750493.25},
      {8193, 500630.2199438545, 288690.0215859875, 250638.0, 501081.0, 750477.0},
      {20000, 500218.71085, 288682.64936271706, 250428.5, 500203.5, 750298.25},
      {100000, 500052.98436, 288676.9308162968, 250079.25, 500044.5, 750095.75},
      {1000000, 500001.066785, 288676.1243239237, 250000.75, 500000.5, 750002.25},
  };
  for (const Golden& g : goldens) {
    const std::vector<std::int64_t> values = small_ints(g.n);
    const auto s = summarize(values);
    ASSERT_TRUE(s.has_value());
    expect_golden(*s, g);
    EXPECT_EQ(numpy_mean(values), g.mean);
    EXPECT_EQ(numpy_std(values), g.std_dev);
  }
}

// a = np.array([((i * 0x9E3779B97F4A7C15) % 2**64) >> 2 for i in range(n)], dtype=np.int64)
// np.mean(a), np.std(a): sums beyond 2^53 round, so these pin the 8192-element chunking.
TEST(MetricStats, NumpyGoldensLargeInt64) {
  struct MeanStd {
    std::size_t n;
    double mean, std_dev;
  };
  const MeanStd goldens[] = {
      {1, 0.0, 0.0},
      {2, 1.4250893524154e+18, 1.4250893524154e+18},
      {7, 1.9624132310247017e+18, 1.3859701921188726e+18},
      {8, 1.90517493465987e+18, 1.3052711441524365e+18},
      {9, 2.1773427824684227e+18, 1.4515618549789484e+18},
      {127, 2.2836903573914964e+18, 1.3388571626590687e+18},
      {128, 2.2835145426944947e+18, 1.3336184689142413e+18},
      {129, 2.2696863583525117e+18, 1.3376199362901489e+18},
      {1000, 2.30573869551604e+18, 1.331415175174373e+18},
      {8191, 2.305936232350287e+18, 1.3313613112800558e+18},
      {8192, 2.3058328644007378e+18, 1.3313129192756152e+18},
      {8193, 2.306077401423815e+18, 1.331415647672385e+18},
      {20000, 2.3057069855678538e+18, 1.3313318038443564e+18},
      {100000, 2.3058453167513144e+18, 1.3312854666086495e+18},
      {1000000, 2.3058427926910193e+18, 1.3312791303245517e+18},
  };
  for (const MeanStd& g : goldens) {
    const std::vector<std::int64_t> values = big_ints(g.n);
    EXPECT_EQ(numpy_mean(values), g.mean) << "n = " << g.n;
    EXPECT_EQ(numpy_std(values), g.std_dev) << "n = " << g.n;
  }
}

// ---- Behaviour ----

TEST(MetricStats, EmptyIsNullopt) {
  EXPECT_FALSE(summarize(std::span<const double>{}).has_value());
  EXPECT_FALSE(summarize(std::span<const std::int64_t>{}).has_value());
  // np.mean([]) and np.std([]) are nan (with a RuntimeWarning).
  EXPECT_TRUE(std::isnan(numpy_mean(std::span<const double>{})));
  EXPECT_TRUE(std::isnan(numpy_std(std::span<const std::int64_t>{})));
}

TEST(MetricStats, OrderStatisticsDoNotNeedSortedInput) {
  std::vector<double> values = fractions(1001);
  const auto unsorted = summarize(values);
  std::ranges::sort(values);
  const auto sorted = summarize(values);
  ASSERT_TRUE(unsorted.has_value() && sorted.has_value());
  EXPECT_EQ(unsorted->min, sorted->min);
  EXPECT_EQ(unsorted->p25, sorted->p25);
  EXPECT_EQ(unsorted->median, sorted->median);
  EXPECT_EQ(unsorted->p75, sorted->p75);
  EXPECT_EQ(unsorted->max, sorted->max);
  EXPECT_EQ(sorted->p25, numpy_percentile(values, 25));
  EXPECT_EQ(sorted->median, numpy_median(values));
}

// np.percentile([0.1, 0.2, 0.3], 2.3) and np.percentile([0, 1/3, 2/3, 1], 83.7): a fused
// multiply-add would give 0.10460000000000001 and 0.8370000000000001 instead.
TEST(MetricStats, PercentileRoundsProductBeforeSum) {
  const std::vector<double> a{0.1, 0.2, 0.3};
  EXPECT_EQ(numpy_percentile(a, 2.3), 0.1046);
  const std::vector<double> b{0.0, 1.0 / 3, 2.0 / 3, 1.0};
  EXPECT_EQ(numpy_percentile(b, 83.7), 0.837);
}

TEST(MetricStats, PercentileEnds) {
  const std::vector<double> sorted{1.0, 2.0, 3.0};
  EXPECT_EQ(numpy_percentile(sorted, 0), 1.0);
  EXPECT_EQ(numpy_percentile(sorted, 100), 3.0);
  const std::vector<double> one{4.5};
  EXPECT_EQ(numpy_percentile(one, 25), 4.5);
  EXPECT_EQ(numpy_median(one), 4.5);
}

TEST(MetricStats, PercentileRejectsBadArguments) {
  const std::vector<double> sorted{1.0, 2.0};
  EXPECT_THROW(numpy_percentile(sorted, -1), std::invalid_argument);
  EXPECT_THROW(numpy_percentile(sorted, 100.5), std::invalid_argument);
  EXPECT_THROW(numpy_percentile(sorted, std::numeric_limits<double>::quiet_NaN()),
               std::invalid_argument);
  EXPECT_THROW(numpy_percentile(std::span<const double>{}, 50), std::invalid_argument);
  EXPECT_THROW(numpy_median(std::span<const double>{}), std::invalid_argument);
}

// np.median([-0.0]) is 0.0 (it is a mean, summed from 0.0); np.percentile([-0.0], 50) is -0.0.
TEST(MetricStats, NegativeZero) {
  const std::vector<double> values{-0.0};
  EXPECT_FALSE(std::signbit(numpy_median(values)));
  EXPECT_TRUE(std::signbit(numpy_percentile(values, 50)));
  EXPECT_FALSE(std::signbit(numpy_mean(values)));
}

// a = np.array([-2**62, 2**62, 2**62 + 3], dtype=np.int64): np.percentile(a, 25) subtracts in
// int64, which wraps to -2**63, giving 9.223372036854776e+18; np.percentile(a, 75) and
// np.median(a) are 4.611686018427388e+18.
TEST(MetricStats, Int64PercentileSubtractsInInt64) {
  const std::int64_t big = std::int64_t{1} << 62;
  const std::vector<std::int64_t> values{big + 3, -big, big};
  const auto s = summarize(values);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->p25, 9.223372036854776e+18);
  EXPECT_EQ(s->median, 4.611686018427388e+18);
  EXPECT_EQ(s->p75, 4.611686018427388e+18);
  EXPECT_EQ(s->min, -4.611686018427388e+18);
}

// numpy returns nan for every statistic of an array that holds a NaN.
TEST(MetricStats, NanPropagates) {
  const std::vector<double> values{1.0, std::numeric_limits<double>::quiet_NaN(), 0.5};
  const auto s = summarize(values);
  ASSERT_TRUE(s.has_value());
  for (const double v : {s->mean, s->std_dev, s->min, s->p25, s->median, s->p75, s->max}) {
    EXPECT_TRUE(std::isnan(v));
  }
}

}  // namespace
}  // namespace kvtrace::stats
