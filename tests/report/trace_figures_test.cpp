#include "kvtrace/report/trace_figures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "report/report_test_util.hpp"

namespace kvtrace::report {
namespace {

using testing::figure;
using testing::figure_ids;

// Worked by hand below (block size 4).
const char* const kTrace =
    R"({"timestamp": 0, "input_length": 8, "output_length": 2, "hash_ids": [1, 2], "session_id": "a"}
{"timestamp": 1000, "input_length": 12, "output_length": 3, "hash_ids": [1, 2, 3], "session_id": "a"}
{"timestamp": 1500, "input_length": 4, "output_length": 1, "hash_ids": [7], "session_id": "b"}
{"timestamp": 4000, "input_length": 8, "output_length": 5, "hash_ids": [1, 9], "session_id": "a"}
)";

TraceData gather(const std::string& text, bool curve) {
  return testing::gather_text(text, "t.jsonl", curve);
}

TEST(TraceFigures, GathersTheColumnsAndSharingByHand) {
  const TraceData d = gather(kTrace, false);
  EXPECT_EQ(d.stats.total_requests, 4u);
  EXPECT_EQ(d.isl, (std::vector<double>{8, 12, 4, 8}));
  EXPECT_EQ(d.osl, (std::vector<double>{2, 3, 1, 5}));
  EXPECT_EQ(d.timestamps_ms, (std::vector<double>{0, 1000, 1500, 4000}));
  // Blocks in first-seen order 1, 2, 3, 7, 9, used by 3, 2, 1, 1 and 1 requests.
  EXPECT_EQ(d.block_uses, (std::vector<std::uint32_t>{3, 2, 1, 1, 1}));
  // Groups by first block: {1: requests 1, 2, 4} and {7: request 3}, a group of one, left
  // out. Requests 1, 2 share [1, 2]; request 4 shares only [1].
  ASSERT_EQ(d.largest_groups.size(), 1u);
  EXPECT_EQ(d.largest_groups[0].requests, 3u);
  EXPECT_EQ(d.largest_groups[0].common_blocks, 1u);
  std::vector<double> turns = d.turns_per_session;
  std::sort(turns.begin(), turns.end());
  EXPECT_EQ(turns, (std::vector<double>{1, 3}));
  // AIPerf's per-request hit rates: 0, 2/3, 0, 1/2.
  ASSERT_EQ(d.hit_rates.size(), 4u);
  EXPECT_DOUBLE_EQ(d.hit_rates[1], 2.0 / 3);
  EXPECT_DOUBLE_EQ(d.hit_rates[3], 0.5);
  EXPECT_FALSE(d.curve.has_value());
}

TEST(TraceFigures, TheCurveIsTheLruCurveOfTheTrace) {
  const TraceData d = gather(kTrace, true);
  ASSERT_TRUE(d.curve.has_value());
  cache::LruCurve direct(4);
  direct.add(std::vector<std::uint64_t>{1, 2}, 8);
  direct.add(std::vector<std::uint64_t>{1, 2, 3}, 12);
  direct.add(std::vector<std::uint64_t>{7}, 4);
  direct.add(std::vector<std::uint64_t>{1, 9}, 8);
  const cache::HitCurve want = direct.finish();
  EXPECT_EQ(d.curve->hit_blocks, want.hit_blocks);
  EXPECT_EQ(d.curve->hit_tokens, want.hit_tokens);
  EXPECT_EQ(d.curve->distinct_blocks, 5u);
}

TEST(TraceFigures, TheTraceSectionDrawsEveryFigureItHasDataFor) {
  const TraceData d = gather(kTrace, false);
  const Section s = trace_section(d);
  EXPECT_EQ(s.id, "trace");
  EXPECT_EQ(figure_ids(s), (std::vector<std::string>{
                               "trace-isl", "trace-osl", "trace-context", "trace-lengths-cdf",
                               "trace-arrivals", "trace-inter-arrival", "trace-turns",
                               "trace-hit-rate", "trace-block-reuse", "trace-prefix-groups"}));
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_NE(s.tables[0].text.find("Trace Statistics"), std::string::npos);
  for (const Figure& f : s.figures) {
    ASSERT_FALSE(f.series.empty()) << f.id;
    for (const Series& series : f.series) EXPECT_FALSE(series.points.empty()) << f.id;
  }
}

TEST(TraceFigures, ArrivalsAddUpToTheTrace) {
  const Section s = trace_section(gather(kTrace, false));
  const Figure* f = &figure(s, "trace-arrivals");
  // 4 s in at most 800 bins: 10 ms bins; rates times the bin width give back the counts.
  const double width_s = f->series[0].points[1][0] - f->series[0].points[0][0];
  EXPECT_DOUBLE_EQ(width_s, 0.01);
  const auto total = [&](const Series& series) {
    double sum = 0;
    for (const Point& p : series.points) sum += p[1] * width_s;
    return sum;
  };
  EXPECT_NEAR(total(f->series[0]), 4, 1e-9);   // requests
  EXPECT_NEAR(total(f->series[1]), 32, 1e-9);  // input tokens
  EXPECT_NEAR(total(f->series[2]), 11, 1e-9);  // output tokens
  EXPECT_TRUE(f->series[1].right_axis);
  EXPECT_TRUE(f->zoom);
}

TEST(TraceFigures, BlockReuseSharesAddUpToOne) {
  const Section s = trace_section(gather(kTrace, false));
  const Figure* f = &figure(s, "trace-block-reuse");
  for (const Series& series : f->series) {
    double sum = 0;
    // The last point repeats the last bin's value at its upper edge.
    for (std::size_t i = 0; i + 1 < series.points.size(); ++i) sum += series.points[i][1];
    EXPECT_NEAR(sum, 1, 1e-12) << series.name;
  }
  // Uses 1 (3 blocks), 2 (1), 3 (1): distinct 3/5 at 1; block uses 3/8 at 1, 3/8 at 3.
  EXPECT_DOUBLE_EQ(f->series[0].points[0][1], 0.6);
  EXPECT_DOUBLE_EQ(f->series[1].points[0][1], 3.0 / 8);
}

TEST(TraceFigures, ATraceWithOnlyLengthsDrawsOnlyLengths) {
  const TraceData d = gather(
      "{\"input_length\": 10, \"output_length\": 1}\n{\"input_length\": 30, \"output_length\": "
      "2}\n",
      false);
  const Section s = trace_section(d);
  EXPECT_EQ(figure_ids(s), (std::vector<std::string>{"trace-isl", "trace-osl", "trace-context",
                                                     "trace-lengths-cdf"}));
}

TEST(TraceFigures, TheCacheSectionMarksTheCeilingAndSizesInGib) {
  const TraceData d = gather(kTrace, true);
  const Section s = cache_section(*d.curve, 1024);
  ASSERT_EQ(s.figures.size(), 1u);
  const Figure& f = s.figures[0];
  // 1024 bytes per token, 4 tokens per block: 4 KiB per block; 5 distinct blocks.
  EXPECT_NE(f.x.name.find("GiB"), std::string::npos);
  ASSERT_TRUE(f.x_also.has_value());
  EXPECT_DOUBLE_EQ(f.x_also->factor, (1 << 30) / 4096.0);  // blocks per GiB
  EXPECT_EQ(f.x_also->unit, "blocks");
  const Point last = f.series[1].points.back();
  EXPECT_DOUBLE_EQ(last[0], 5 * 4096.0 / (1 << 30));
  // The infinite cache: requests 2 and 4 hit 8 and 4 of 32 input tokens.
  EXPECT_DOUBLE_EQ(last[1], 12.0 / 32);
  ASSERT_EQ(f.marks.size(), 2u);
  EXPECT_DOUBLE_EQ(f.marks[0].value, 12.0 / 32);
  EXPECT_TRUE(f.marks[1].vertical);
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_NE(s.tables[0].text.find("Capacity (GiB)"), std::string::npos);
}

}  // namespace
}  // namespace kvtrace::report
