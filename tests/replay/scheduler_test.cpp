#include "kvtrace/replay/scheduler.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "kvtrace/core/error.hpp"

namespace kvtrace::replay {
namespace {

Turn first(double ts) {
  return Turn{ts, std::nullopt, kNoTurn, kNoTurn};
}

// Links turns[i] -> turns[j] as consecutive turns of one session.
void link(std::vector<Turn>& turns, std::size_t i, std::size_t j) {
  turns[i].next_turn = j;
  turns[j].previous_turn = i;
}

TEST(Scheduler, FirstTurnsSpanIsTheLastFirstTurnsTime) {
  std::vector<Turn> turns{first(5000), first(1000), first(9000), first(2000)};
  link(turns, 1, 2);  // 9000 is a later turn: not a session's start
  EXPECT_EQ(first_turns_span_ms(turns, 2), 2000);
  EXPECT_EQ(first_turns_span_ms(std::vector<Turn>{Turn{}}, 1), 0);
  EXPECT_EQ(first_turns_span_ms({}, 1), 0);
}

Scheduler make(std::vector<Turn> turns, ScheduleOptions o) {
  return Scheduler(std::move(turns), o, random::PyRandom(42));
}

// Takes the next due request (which must exist) and marks it sent.
Due take(Scheduler& s) {
  const std::optional<Due> d = s.next();
  EXPECT_TRUE(d.has_value());
  s.sent();
  return *d;
}

TEST(Scheduler, TraceSendsAtTimestampOverSpeedupFromTheFirst) {
  Scheduler s = make({first(1000), first(1500), first(1000), first(3000)},
                     {.mode = Mode::kTrace, .speedup = 2});
  Due d = take(s);
  EXPECT_EQ(d.request, 0u);
  EXPECT_EQ(d.at_ms, 0);
  d = take(s);
  EXPECT_EQ(d.request, 2u);  // ties in file order, earlier times first
  EXPECT_EQ(d.at_ms, 0);
  d = take(s);
  EXPECT_EQ(d.request, 1u);
  EXPECT_EQ(d.at_ms, 250);
  d = take(s);
  EXPECT_EQ(d.request, 3u);
  EXPECT_EQ(d.at_ms, 1000);
  EXPECT_TRUE(s.all_sent());
  EXPECT_FALSE(s.next());
}

TEST(Scheduler, TraceLaterTurnAtPreviousEndPlusDelay) {
  std::vector<Turn> t{first(0), Turn{std::nullopt, 400, kNoTurn, kNoTurn}, first(100)};
  link(t, 0, 1);
  Scheduler s = make(t, {.mode = Mode::kTrace, .speedup = 4});
  EXPECT_EQ(take(s).request, 0u);
  Due d = take(s);
  EXPECT_EQ(d.request, 2u);
  EXPECT_EQ(d.at_ms, 25);
  EXPECT_FALSE(s.next());  // turn 1 waits for turn 0's end
  s.completed(0, 300);
  d = take(s);
  EXPECT_EQ(d.request, 1u);
  EXPECT_EQ(d.at_ms, 300 + 400 / 4.0);
}

TEST(Scheduler, TraceLaterTurnTimestampIsALowerBound) {
  std::vector<Turn> t{first(0), first(2000)};
  link(t, 0, 1);
  Scheduler s = make(t, {.mode = Mode::kTrace, .speedup = 1});
  take(s);
  s.completed(0, 50);
  EXPECT_EQ(take(s).at_ms, 2000);

  std::vector<Turn> u{first(0), first(10)};
  link(u, 0, 1);
  Scheduler late = make(u, {.mode = Mode::kTrace, .speedup = 1});
  take(late);
  late.completed(0, 50);
  EXPECT_EQ(take(late).at_ms, 50);  // not before the previous turn ended
}

TEST(Scheduler, TraceNeedsTimestampsOnFirstTurns) {
  EXPECT_THROW(make({Turn{}}, {.mode = Mode::kTrace}), UsageError);
  EXPECT_THROW(make({first(0)}, {.mode = Mode::kTrace, .speedup = 0}), UsageError);
}

TEST(Scheduler, RateDrawsExponentialGapsLikeExpovariate) {
  Scheduler s = make({Turn{}, Turn{}, Turn{}}, {.mode = Mode::kRate, .rate = 10});
  random::PyRandom rng(42);
  double expected = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const Due d = take(s);
    EXPECT_EQ(d.request, i);
    EXPECT_DOUBLE_EQ(d.at_ms, expected);
    expected += -std::log(1.0 - rng.random()) / 10 * 1e3;
  }
  EXPECT_THROW(make({Turn{}}, {.mode = Mode::kRate, .rate = 0}), UsageError);
}

TEST(Scheduler, RateArrivalWithNothingReadyGoesWhenATurnIsReady) {
  std::vector<Turn> t{Turn{}, Turn{}};
  link(t, 0, 1);
  Scheduler s = make(t, {.mode = Mode::kRate, .rate = 1e6});
  take(s);
  EXPECT_FALSE(s.next());
  s.completed(0, 500);
  EXPECT_EQ(take(s).at_ms, 500);  // the arrival (about 1 microsecond) has long passed
}

TEST(Scheduler, ConcurrencyKeepsCInFlight) {
  Scheduler s =
      make({Turn{}, Turn{}, Turn{}, Turn{}}, {.mode = Mode::kConcurrency, .concurrency = 2});
  EXPECT_EQ(take(s).at_ms, 0);
  EXPECT_EQ(take(s).at_ms, 0);
  EXPECT_EQ(s.in_flight(), 2u);
  EXPECT_FALSE(s.next());
  s.completed(1, 70);
  Due d = take(s);
  EXPECT_EQ(d.request, 2u);
  EXPECT_EQ(d.at_ms, 70);
  s.completed(0, 90);
  d = take(s);
  EXPECT_EQ(d.request, 3u);
  EXPECT_EQ(d.at_ms, 90);
  EXPECT_THROW(make({Turn{}}, {.mode = Mode::kConcurrency, .concurrency = 0}), UsageError);
}

TEST(Scheduler, ConcurrencyTakesReadyTurnsInFileOrder) {
  std::vector<Turn> t{Turn{}, Turn{}, Turn{}};
  link(t, 0, 2);
  Scheduler s = make(t, {.mode = Mode::kConcurrency, .concurrency = 1});
  EXPECT_EQ(take(s).request, 0u);
  s.completed(0, 10);
  EXPECT_EQ(take(s).request, 1u);  // 2 is ready too, 1 comes first in the file
  s.completed(1, 20);
  const Due d = take(s);
  EXPECT_EQ(d.request, 2u);
  EXPECT_EQ(d.at_ms, 20);
}

TEST(Mode, NamesAndParse) {
  EXPECT_EQ(mode_name(Mode::kTrace), "trace");
  EXPECT_EQ(mode_name(Mode::kRate), "rate");
  EXPECT_EQ(mode_name(Mode::kConcurrency), "concurrency");
  EXPECT_EQ(parse_mode("trace"), Mode::kTrace);
  EXPECT_EQ(parse_mode("rate"), Mode::kRate);
  EXPECT_EQ(parse_mode("concurrency"), Mode::kConcurrency);
  try {
    parse_mode("Rate");
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.parameter(), "schedule");
    EXPECT_EQ(e.problem(), "unknown schedule \"Rate\" (expected trace, rate or concurrency)");
  }
}

}  // namespace
}  // namespace kvtrace::replay
