#include "kvtrace/mock/mock_timing.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"

namespace kvtrace::mock {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(MockTiming, TtftIsBasePlusUncachedPrefill) {
  const LatencyModel m{.ttft_ms = 20, .prefill_tokens_per_s = 10000, .itl_ms = 5};
  EXPECT_EQ(m.ttft(0), milliseconds(20));
  EXPECT_EQ(m.ttft(1000), milliseconds(120));
  EXPECT_EQ(m.ttft(15), nanoseconds(21'500'000));
  const LatencyModel free_prefill{.ttft_ms = 3, .prefill_tokens_per_s = 0};
  EXPECT_EQ(free_prefill.ttft(1'000'000), milliseconds(3));
}

TEST(MockTiming, ItlIsFixedWithoutJitterAndBoundedWithIt) {
  SplitMix64 rng(1);
  const LatencyModel fixed{.itl_ms = 5};
  EXPECT_EQ(fixed.itl(rng), milliseconds(5));
  const LatencyModel jittered{.itl_ms = 10, .itl_jitter = 0.5};
  nanoseconds lo = milliseconds(100), hi{0};
  for (int i = 0; i < 1000; ++i) {
    const nanoseconds d = jittered.itl(rng);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, milliseconds(5));
  EXPECT_LE(hi, milliseconds(15));
  EXPECT_LT(lo, milliseconds(6));  // the range is used, not one value
  EXPECT_GT(hi, milliseconds(14));
}

TEST(MockTiming, ValidationNamesTheParameter) {
  EXPECT_THROW((LatencyModel{.ttft_ms = -1}.validate()), UsageError);
  EXPECT_THROW((LatencyModel{.itl_jitter = 1.5}.validate()), UsageError);
  EXPECT_THROW((FaultRates{.error_rate = 2}.validate()), UsageError);
  EXPECT_THROW((FaultRates{.stall_ms = -5}.validate()), UsageError);
  try {
    FaultRates{.drop_rate = -0.1}.validate();
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(e.parameter(), "drop_rate");
    EXPECT_EQ(std::string(e.what()), "drop_rate: must be between 0 and 1, got -0.1");
  }
  EXPECT_NO_THROW((FaultRates{.error_rate = 1, .stall_rate = 0, .drop_rate = 0.5}.validate()));
}

// --ttft-ms 1e300 overflowed the nanosecond conversion (UB) and responses came at once.
TEST(MockTiming, TimesOverAnHourAreRefused) {
  try {
    LatencyModel{.ttft_ms = 1e300}.validate();
    FAIL() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "ttft_ms: must be at most 3600000 (one hour), got 1e+300");
  }
  EXPECT_THROW((LatencyModel{.itl_ms = 3'600'001}.validate()), UsageError);
  EXPECT_THROW((FaultRates{.stall_ms = 1e19}.validate()), UsageError);
  EXPECT_NO_THROW((LatencyModel{.ttft_ms = kMaxTimingMs, .itl_ms = kMaxTimingMs}.validate()));
  EXPECT_NO_THROW((FaultRates{.stall_ms = kMaxTimingMs}.validate()));
}

TEST(MockTiming, AComputedTtftIsCappedAtADay) {
  const LatencyModel slow{.ttft_ms = 1, .prefill_tokens_per_s = 1e-300};
  EXPECT_EQ(slow.ttft(1'000'000), milliseconds(86'400'000));
  const LatencyModel most{.ttft_ms = kMaxTimingMs, .itl_ms = kMaxTimingMs, .itl_jitter = 1};
  SplitMix64 rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_LE(most.itl(rng), milliseconds(7'200'000));
}

TEST(MockTiming, RequestGeneratorsDependOnSeedAndIndexOnly) {
  EXPECT_EQ(request_rng(7, 3).next(), request_rng(7, 3).next());
  EXPECT_NE(request_rng(7, 3).next(), request_rng(7, 4).next());
  EXPECT_NE(request_rng(7, 3).next(), request_rng(8, 3).next());
}

TEST(MockTiming, FaultRatesAreHonouredAndPositionsInside) {
  const FaultRates rates{.error_rate = 0.25, .stall_rate = 0.5, .drop_rate = 0.1};
  int errors = 0, stalls = 0, drops = 0;
  constexpr int kRequests = 20000;
  for (int i = 0; i < kRequests; ++i) {
    SplitMix64 rng = request_rng(42, i);
    const FaultPlan p = plan_faults(rates, 64, rng);
    errors += p.error;
    if (p.stall_before) {
      ++stalls;
      EXPECT_GE(*p.stall_before, 1u);
      EXPECT_LE(*p.stall_before, 63u);
    }
    if (p.drop_after) {
      ++drops;
      EXPECT_LE(*p.drop_after, 63u);
    }
  }
  // Binomial standard deviations are below 1% of kRequests: 3% is far outside chance.
  EXPECT_NEAR(errors, kRequests / 4, kRequests * 0.03);
  EXPECT_NEAR(stalls, kRequests / 2, kRequests * 0.03);
  EXPECT_NEAR(drops, kRequests / 10, kRequests * 0.03);
}

TEST(MockTiming, OneTokenStallsBeforeTheFirstToken) {
  const FaultRates always{.stall_rate = 1, .drop_rate = 1};
  SplitMix64 rng(5);
  const FaultPlan p = plan_faults(always, 1, rng);
  EXPECT_EQ(p.stall_before, 0u);
  EXPECT_EQ(p.drop_after, 0u);
  EXPECT_FALSE(p.error);
}

TEST(MockTiming, PlansDoNotDependOnTheRates) {
  // The same draws whatever the rates: turning one fault on does not move another's requests.
  for (int i = 0; i < 100; ++i) {
    SplitMix64 a = request_rng(1, i), b = request_rng(1, i);
    const FaultPlan only_errors = plan_faults({.error_rate = 0.3}, 10, a);
    const FaultPlan all = plan_faults({.error_rate = 0.3, .stall_rate = 1, .drop_rate = 1}, 10, b);
    EXPECT_EQ(only_errors.error, all.error);
    EXPECT_EQ(a.next(), b.next());
  }
}

}  // namespace
}  // namespace kvtrace::mock
