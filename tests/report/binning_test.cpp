#include "kvtrace/report/binning.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace kvtrace::report {
namespace {

TEST(Binning, SpansDecades) {
  EXPECT_TRUE(spans_decades(1, 100));
  EXPECT_FALSE(spans_decades(1, 99));
  EXPECT_FALSE(spans_decades(0, 1e9));  // no positive lower end: no log axis
}

TEST(Binning, IntegerHistogramHasWholeBinsOfANiceWidth) {
  // 0..9 in at most 4 bins: width 10/4 = 2.5 -> 5, bins [0,5) [5,10).
  const std::vector<double> v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Histogram h = histogram(v, 4);
  EXPECT_FALSE(h.log);
  ASSERT_EQ(h.edges, (std::vector<double>{0, 5, 10}));
  EXPECT_EQ(h.counts, (std::vector<std::uint64_t>{5, 5}));
  // Points: each bin's lower edge and count, then the last upper edge with the last count.
  const std::vector<Point> points = h.points();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], (Point{0, 5}));
  EXPECT_EQ(points[2], (Point{10, 5}));
}

TEST(Binning, IntegerBinsAreNeverNarrowerThanOne) {
  const std::vector<double> v = {3, 3, 4};
  const Histogram h = histogram(v, 60);
  ASSERT_EQ(h.edges, (std::vector<double>{3, 4, 5}));
  EXPECT_EQ(h.counts, (std::vector<std::uint64_t>{2, 1}));
}

TEST(Binning, OneValueMakesOneBin) {
  const std::vector<double> v = {7, 7, 7};
  const Histogram h = histogram(v);
  ASSERT_EQ(h.counts, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(h.edges, (std::vector<double>{7, 8}));
}

TEST(Binning, ValuesSpanningDecadesGetLogBinsAndZerosAreCountedApart) {
  // 1 to 1000 is 3 decades; 6 bins at most -> 2 per decade: edges 10^0, 10^0.5, ..., 10^3.
  const std::vector<double> v = {0, 1, 2, 5, 10, 50, 999, 1000};
  const Histogram h = histogram(v, 6);
  ASSERT_TRUE(h.log);
  ASSERT_EQ(h.edges.size(), 8u);  // 7 bins: the last one holds 1000 = 10^3 itself
  EXPECT_DOUBLE_EQ(h.edges[0], 1);
  EXPECT_NEAR(h.edges[1], std::sqrt(10.0), 1e-9);
  EXPECT_NEAR(h.edges[6], 1000, 1e-9);
  // [1,3.16): 1, 2; [3.16,10): 5; [10,31.6): 10; [31.6,100): 50; [316,1000): 999; [1000,..): 1000
  EXPECT_EQ(h.counts, (std::vector<std::uint64_t>{2, 1, 1, 1, 0, 1, 1}));
  EXPECT_EQ(h.not_shown, 1u);  // the 0
}

TEST(Binning, SharesGetEqualLinearBinsWithOneInTheLast) {
  // Spanning decades, but shares are read linearly.
  const std::vector<double> v = {0.001, 0.05, 0.5, 0.99, 1};
  const Histogram h = share_histogram(v, 20);
  EXPECT_FALSE(h.log);
  ASSERT_EQ(h.counts.size(), 20u);
  EXPECT_DOUBLE_EQ(h.edges[1], 0.05);
  EXPECT_DOUBLE_EQ(h.edges[20], 1);
  EXPECT_EQ(h.counts[0], 1u);   // 0.001
  EXPECT_EQ(h.counts[1], 1u);   // 0.05
  EXPECT_EQ(h.counts[10], 1u);  // 0.5
  EXPECT_EQ(h.counts[19], 2u);  // 0.99 and 1
}

TEST(Binning, NansAreNotCounted) {
  const std::vector<double> v = {1, std::numeric_limits<double>::quiet_NaN(), 2};
  const Histogram h = histogram(v);
  EXPECT_EQ(h.not_shown, 1u);
  std::uint64_t total = 0;
  for (const auto c : h.counts) total += c;
  EXPECT_EQ(total, 2u);
}

TEST(Binning, BinOfFindsTheBinAndClampsOutsiders) {
  const std::vector<double> v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Histogram h = histogram(v, 4);
  EXPECT_EQ(h.bin_of(4.99), 0u);
  EXPECT_EQ(h.bin_of(5), 1u);
  EXPECT_EQ(h.bin_of(-3), 0u);
  EXPECT_EQ(h.bin_of(100), 1u);
}

TEST(Binning, SmallCdfHasEveryDistinctValue) {
  std::vector<double> v = {3, 1, 2, 2};
  const std::vector<Point> c = cdf(v);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], (Point{1, 0.25}));
  EXPECT_EQ(c[1], (Point{2, 0.75}));
  EXPECT_EQ(c[2], (Point{3, 1.0}));
}

TEST(Binning, LargeCdfIsBoundedAndKeepsTheTail) {
  std::vector<double> v;
  for (int i = 1; i <= 100000; ++i) v.push_back(i);
  const std::vector<Point> c = cdf(v);
  EXPECT_LE(c.size(), 210u);
  EXPECT_EQ(c.front(), (Point{1, 1e-5}));
  EXPECT_EQ(c.back(), (Point{100000, 1.0}));
  // The 99.99th percentile is a point of its own: 0.9999 * 99999 = 99989.0001 -> index 99989.
  bool tail = false;
  for (const Point& p : c) tail = tail || p == Point{99990, 0.9999};
  EXPECT_TRUE(tail);
  for (std::size_t i = 1; i < c.size(); ++i) {
    EXPECT_LT(c[i - 1][0], c[i][0]);
    EXPECT_LE(c[i - 1][1], c[i][1]);
  }
}

TEST(Binning, TimeBinsPickTheSmallestRoundWidth) {
  // 330 s in at most 800 bins: 0.5 s gives 660 (0.2 s would give 1,650).
  const TimeBins b = time_bins(1000, 331000);
  EXPECT_EQ(b.width_ms, 500);
  EXPECT_EQ(b.count, 661u);
  EXPECT_EQ(b.index(1000), 0u);
  EXPECT_EQ(b.index(1499), 0u);
  EXPECT_EQ(b.index(1500), 1u);
  EXPECT_EQ(b.index(331000), 660u);
  EXPECT_EQ(b.index(0), 0u);       // before the first: the first bin
  EXPECT_EQ(b.index(1e12), 660u);  // after the last: the last bin
  EXPECT_DOUBLE_EQ(b.start_s(3), 1.5);
  // A week of trace: hours, doubled until at most 800 bins.
  const TimeBins week = time_bins(0, 7 * 24 * 3600e3, 100);
  EXPECT_EQ(week.width_ms, 2 * 3600e3);
  EXPECT_EQ(week.count, 85u);
  // One instant: one bin.
  EXPECT_EQ(time_bins(5, 5).count, 1u);
}

}  // namespace
}  // namespace kvtrace::report
