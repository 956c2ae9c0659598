#include "kvtrace/report/replay_figures.hpp"

#include <gtest/gtest.h>

#include "report/report_test_util.hpp"

namespace kvtrace::report {
namespace {

using testing::figure;

constexpr std::int64_t kMs = 1'000'000;

// Three successes with TTFTs of 10, 20 and 30 ms and two chunks each, one failure.
replay::RunResults run() {
  replay::RunResults r;
  r.info.url = "http://server";
  r.info.mode = "trace";
  r.info.slo = "ttft=15,e2e=100";
  r.requests = 5;
  for (int i = 0; i < 3; ++i) {
    replay::Record rec;
    rec.index = static_cast<std::uint64_t>(i);
    rec.intended_ns = i * 1000 * kMs;
    rec.start_ns = rec.intended_ns + (i + 1) * kMs;  // 1, 2, 3 ms late
    rec.first_token_ns = rec.start_ns + (i + 1) * 10 * kMs;
    rec.chunk_ns = {rec.first_token_ns, rec.first_token_ns + 5 * kMs};
    rec.end_ns = rec.first_token_ns + 5 * kMs;
    rec.status = 200;
    rec.output_tokens = 2;
    r.records.push_back(rec);
  }
  replay::Record failed;
  failed.index = 3;
  failed.intended_ns = 1500 * kMs;
  failed.start_ns = 1500 * kMs;
  failed.end_ns = 1600 * kMs;
  failed.error_kind = replay::ErrorKind::kTimeout;
  failed.error = "timed out";
  r.records.push_back(failed);
  return r;
}

TEST(ReplayFigures, DrawsTheLatenciesWithTheSloBounds) {
  const Section s = replay_section(run(), "results");
  EXPECT_EQ(s.id, "replay");
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_NE(s.tables[0].text.find("Time to first token"), std::string::npos);
  EXPECT_NE(s.intro.find("4 of 5 requests sent"), std::string::npos);
  const Figure& ttft = figure(s, "replay-ttft");
  EXPECT_EQ(ttft.series[0].points, (std::vector<Point>{{10, 1.0 / 3}, {20, 2.0 / 3}, {30, 1.0}}));
  ASSERT_EQ(ttft.marks.size(), 1u);
  EXPECT_TRUE(ttft.marks[0].vertical);
  EXPECT_EQ(ttft.marks[0].value, 15);
  EXPECT_EQ(figure(s, "replay-e2e").marks[0].value, 100);
  // ITL: one 5 ms gap per request; TPOT = (E2E - TTFT) / (2 - 1) = 5 ms.
  const Figure& itl = figure(s, "replay-itl-tpot");
  EXPECT_EQ(itl.series[0].points, (std::vector<Point>{{5, 1.0}}));
  EXPECT_EQ(itl.series[1].points, (std::vector<Point>{{5, 1.0}}));
  EXPECT_TRUE(itl.marks.empty());  // no tpot bound
}

TEST(ReplayFigures, OverTimeFiguresCountEveryRequestOnce) {
  const Section s = replay_section(run(), "results");
  // From the first send at 1 ms to the last end at 2,038 ms: 20 ms bins (at most 200).
  const Figure& throughput = figure(s, "replay-throughput");
  const double width_s = throughput.series[0].points[1][0] - throughput.series[0].points[0][0];
  EXPECT_DOUBLE_EQ(width_s, 0.02);
  double completed = 0;
  double tokens = 0;
  for (const Point& p : throughput.series[0].points) completed += p[1] * width_s;
  for (const Point& p : throughput.series[1].points) tokens += p[1] * width_s;
  EXPECT_NEAR(completed, 3, 1e-9);
  EXPECT_NEAR(tokens, 6, 1e-9);
  const Figure& lateness = figure(s, "replay-lateness");
  double largest = 0;
  for (const Point& p : lateness.series[1].points) largest = std::max(largest, p[1]);
  EXPECT_EQ(largest, 3);
  const Figure& errors = figure(s, "replay-errors");
  ASSERT_EQ(errors.series.size(), 1u);
  EXPECT_EQ(errors.series[0].name, "timeout");
  EXPECT_EQ(errors.series[0].style, Style::kBar);
  ASSERT_EQ(errors.series[0].points.size(), 1u);
  EXPECT_EQ(errors.series[0].points[0][1], 1);
}

TEST(ReplayFigures, ARunWithoutFailuresHasNoErrorFigure) {
  replay::RunResults r = run();
  r.records.pop_back();
  const Section s = replay_section(r, "results");
  for (const Figure& f : s.figures) EXPECT_NE(f.id, "replay-errors");
}

TEST(ReplayFigures, ARunWithNoRecordsHasOnlyTheTable) {
  replay::RunResults r = run();
  r.records.clear();
  const Section s = replay_section(r, "results");
  EXPECT_TRUE(s.figures.empty());
  EXPECT_EQ(s.tables.size(), 1u);
}

}  // namespace
}  // namespace kvtrace::report
