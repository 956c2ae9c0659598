#include "kvtrace/cache/target.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::cache {
namespace {

using testing::thrown_message;

// lru_curve_test's hand-computed curve: requests [1 2] (1,000 tokens), [3] (100), [1 2 4]
// (1,100) in blocks of 512: hit blocks 0 0 1 2 2 and hit tokens 0 0 512 1024 1024 at
// capacities 0..4, of 6 blocks and 2,200 tokens.
HitCurve hand_curve() {
  HitCurve c;
  c.block_size = 512;
  c.requests = 3;
  c.total_blocks = 6;
  c.total_input_tokens = 2200;
  c.distinct_blocks = 4;
  c.hit_blocks = {0, 0, 1, 2, 2};
  c.hit_tokens = {0, 0, 512, 1024, 1024};
  return c;
}

TEST(Target, ShareOfTheIdealTokenRate) {
  const HitCurve c = hand_curve();
  // The ideal: 1024 / 2200. Half of it is 512 / 2200, reached at 2 blocks.
  TargetAnswer a = solve_on_curve(c, {RateMetric::kToken, std::nullopt, 0.5});
  EXPECT_DOUBLE_EQ(a.ideal, 1024.0 / 2200);
  EXPECT_DOUBLE_EQ(a.goal, 512.0 / 2200);
  ASSERT_TRUE(a.capacity.has_value());
  EXPECT_EQ(*a.capacity, 2u);
  EXPECT_DOUBLE_EQ(a.rate, 512.0 / 2200);
  // Just above half: 3 blocks; all of it: 3 blocks too; nothing: 0.
  EXPECT_EQ(*solve_on_curve(c, {RateMetric::kToken, std::nullopt, 0.51}).capacity, 3u);
  EXPECT_EQ(*solve_on_curve(c, {RateMetric::kToken, std::nullopt, 1.0}).capacity, 3u);
  EXPECT_EQ(*solve_on_curve(c, {RateMetric::kToken, std::nullopt, 0.0}).capacity, 0u);
}

TEST(Target, AbsoluteAndBlockRates) {
  const HitCurve c = hand_curve();
  // Block rates 0, 0, 1/6, 2/6, 2/6.
  const TargetAnswer a = solve_on_curve(c, {RateMetric::kBlock, 0.3, std::nullopt});
  EXPECT_DOUBLE_EQ(a.ideal, 2.0 / 6);
  EXPECT_EQ(*a.capacity, 3u);
  EXPECT_EQ(*solve_on_curve(c, {RateMetric::kBlock, std::nullopt, 0.5}).capacity, 2u);
  // Beyond the ideal: no capacity reaches it.
  const TargetAnswer none = solve_on_curve(c, {RateMetric::kToken, 0.5, std::nullopt});
  EXPECT_FALSE(none.capacity.has_value());
  EXPECT_DOUBLE_EQ(none.goal, 0.5);
}

TEST(Target, BadTargetsAreUsageErrors) {
  const HitCurve c = hand_curve();
  EXPECT_NE(thrown_message<UsageError>([&] { solve_on_curve(c, {}); }), "");
  EXPECT_NE(thrown_message<UsageError>([&] {
              solve_on_curve(c, {RateMetric::kToken, 0.1, 0.1});
            }),
            "");
  EXPECT_NE(thrown_message<UsageError>([&] {
              solve_on_curve(c, {RateMetric::kToken, std::nullopt, 1.5});
            }).find("between 0 and 1"),
            std::string::npos);
  EXPECT_EQ(parse_metric("block"), RateMetric::kBlock);
  EXPECT_NE(thrown_message<UsageError>([] { parse_metric("bytes"); }), "");
}

}  // namespace
}  // namespace kvtrace::cache
