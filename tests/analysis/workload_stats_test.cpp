#include "kvtrace/analysis/workload_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace kvtrace::analysis {
namespace {

// Worked by hand: arrivals at 0, 100, 100, 1000 and 5000 ms (read out of order).
TEST(WorkloadStats, ArrivalsOfAHandWorkedTrace) {
  WorkloadStats w;
  for (const double t : {0.0, 100.0, 5000.0, 100.0, 1000.0}) w.add(t, std::nullopt, std::nullopt);
  const ArrivalStats a = w.finish().arrivals;
  EXPECT_EQ(a.timed_requests, 5u);
  EXPECT_EQ(a.first_ms, 0);
  EXPECT_EQ(a.last_ms, 5000);
  EXPECT_EQ(a.duration_s, 5);
  EXPECT_EQ(a.mean_rate, 1);  // 5 requests over 5 s
  // [100, 1100) holds 100, 100 and 1000; [0, 1000) only three too (1000 is outside).
  EXPECT_EQ(a.peak_1s, 3u);
  EXPECT_DOUBLE_EQ(a.peak_60s_rate, 5.0 / 60);
  // Gaps 100, 0, 900, 4000: mean 1250; deviations -1150, -1250, -350, 2750.
  ASSERT_TRUE(a.inter_arrival_ms);
  EXPECT_EQ(a.inter_arrival_ms->mean, 1250);
  EXPECT_EQ(a.inter_arrival_ms->min, 0);
  EXPECT_EQ(a.inter_arrival_ms->max, 4000);
  const double std_dev =
      std::sqrt((1150.0 * 1150 + 1250.0 * 1250 + 350.0 * 350 + 2750.0 * 2750) / 4);
  EXPECT_DOUBLE_EQ(a.inter_arrival_ms->std_dev, std_dev);
  EXPECT_DOUBLE_EQ(a.inter_arrival_cv, std_dev / 1250);
}

TEST(WorkloadStats, SessionsCountTurnsAndDelays) {
  WorkloadStats w;
  w.add(std::nullopt, "a", std::nullopt);
  w.add(std::nullopt, "b", std::nullopt);
  w.add(std::nullopt, "a", 100.5);
  w.add(std::nullopt, std::nullopt, std::nullopt);
  w.add(std::nullopt, "a", 200.0);
  const WorkloadStatsResult r = w.finish();
  EXPECT_EQ(r.sessions.sessions, 2u);
  EXPECT_EQ(r.sessions.requests_in_sessions, 4u);
  ASSERT_TRUE(r.sessions.turns_per_session);
  EXPECT_EQ(r.sessions.turns_per_session->min, 1);
  EXPECT_EQ(r.sessions.turns_per_session->max, 3);
  EXPECT_EQ(r.sessions.turns_per_session->mean, 2);
  ASSERT_TRUE(r.sessions.delay_ms);
  EXPECT_EQ(r.sessions.delay_ms->mean, 150.25);
  EXPECT_EQ(r.arrivals.timed_requests, 0u);
  EXPECT_FALSE(r.arrivals.inter_arrival_ms);
}

TEST(WorkloadStats, OneArrivalHasNoGapsAndNoRate) {
  WorkloadStats w;
  trace::Request r;
  r.timestamp = trace::Number::of_int(42);
  r.session_id = "s";
  w.add(r);
  const WorkloadStatsResult out = w.finish();
  EXPECT_EQ(out.arrivals.timed_requests, 1u);
  EXPECT_EQ(out.arrivals.duration_s, 0);
  EXPECT_EQ(out.arrivals.mean_rate, 0);
  EXPECT_EQ(out.arrivals.peak_1s, 1u);
  EXPECT_FALSE(out.arrivals.inter_arrival_ms);
  EXPECT_EQ(out.sessions.sessions, 1u);
  EXPECT_FALSE(out.sessions.delay_ms);
}

}  // namespace
}  // namespace kvtrace::analysis
