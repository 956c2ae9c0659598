#include "kvtrace/trace/measured_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kvtrace::trace {
namespace {

Request with_cached(std::int64_t input_length, std::string raw) {
  Request r;
  r.input_length = input_length;
  r.extra = {{"model", "\"qwen3\""}, {"cached_tokens", std::move(raw)}};
  return r;
}

TEST(CachedTokensField, ReadsTheExtraField) {
  EXPECT_EQ(cached_tokens_field(with_cached(8, "4")).tokens, 4u);
  EXPECT_TRUE(cached_tokens_field(with_cached(8, "4")).present);
  EXPECT_EQ(cached_tokens_field(with_cached(8, "18446744073709551615")).tokens,
            18446744073709551615u);
}

TEST(CachedTokensField, AbsentOrNullIsNotPresent) {
  Request r;
  r.extra = {{"ttft_ms", "35.5"}};
  EXPECT_FALSE(cached_tokens_field(r).present);
  EXPECT_FALSE(cached_tokens_field(with_cached(8, "null")).present);
}

TEST(CachedTokensField, OtherValuesArePresentButUnreadable) {
  for (const char* raw : {"-1", "4.5", "\"4\"", "[4]", "1e3"}) {
    const CachedTokensField f = cached_tokens_field(with_cached(8, raw));
    EXPECT_TRUE(f.present) << raw;
    EXPECT_FALSE(f.tokens) << raw;
  }
}

// Worked by hand: three requests carry the field (8, 10 and 2 input tokens; the server cached
// 4, 0 and 2; kvtrace predicts 8, 4 and 2), one has none, one is unreadable.
TEST(MeasuredCache, SumsOverTheRequestsThatCarryIt) {
  MeasuredCache m;
  m.add(with_cached(8, "4"), 8);
  m.add(with_cached(10, "0"), 4);
  m.add(Request{.input_length = 100}, 50);
  m.add(with_cached(2, "2"), 2);
  m.add(with_cached(6, "\"x\""), 6);
  EXPECT_TRUE(m.any());
  EXPECT_EQ(m.requests, 3u);
  EXPECT_EQ(m.unreadable, 1u);
  EXPECT_EQ(m.input_tokens, 20u);
  EXPECT_EQ(m.measured_cached_tokens, 6u);
  EXPECT_EQ(m.predicted_cached_tokens, 14u);
  EXPECT_DOUBLE_EQ(m.measured_rate(), 0.3);
  EXPECT_DOUBLE_EQ(m.predicted_rate(), 0.7);
  EXPECT_DOUBLE_EQ(m.achieved_share(), 6.0 / 14.0);
}

TEST(MeasuredCache, NothingMeasuredGivesZeroRates) {
  MeasuredCache m;
  m.add(Request{.input_length = 10}, 5);
  EXPECT_FALSE(m.any());
  EXPECT_EQ(m.measured_rate(), 0);
  EXPECT_EQ(m.predicted_rate(), 0);
  EXPECT_EQ(m.achieved_share(), 0);
}

}  // namespace
}  // namespace kvtrace::trace
