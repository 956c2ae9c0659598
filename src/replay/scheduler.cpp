#include "kvtrace/replay/scheduler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "kvtrace/core/error.hpp"

namespace kvtrace::replay {

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::kTrace:
      return "trace";
    case Mode::kRate:
      return "rate";
    case Mode::kConcurrency:
      return "concurrency";
  }
  throw std::logic_error("mode_name: not a Mode");
}

Mode parse_mode(std::string_view name) {
  for (const Mode m : {Mode::kTrace, Mode::kRate, Mode::kConcurrency}) {
    if (name == mode_name(m)) return m;
  }
  throw UsageError("schedule", fmt::format("unknown schedule \"{}\" (expected trace, rate or "
                                           "concurrency)",
                                           name));
}

std::vector<Turn> turns_of(std::span<const ReplayRequest> requests) {
  std::vector<Turn> turns;
  turns.reserve(requests.size());
  for (const ReplayRequest& r : requests) {
    turns.push_back({r.timestamp_ms, r.delay_ms, r.previous_turn, r.next_turn});
  }
  return turns;
}

double first_turns_span_ms(std::span<const Turn> turns, double speedup) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const Turn& t : turns) {
    if (t.previous_turn != kNoTurn || !t.timestamp_ms) continue;
    lo = std::min(lo, *t.timestamp_ms);
    hi = std::max(hi, *t.timestamp_ms);
  }
  return hi >= lo ? (hi - lo) / speedup : 0.0;
}

Scheduler::Scheduler(std::vector<Turn> turns, const ScheduleOptions& options, random::PyRandom rng)
    : turns_(std::move(turns)), options_(options), rng_(std::move(rng)) {
  switch (options_.mode) {
    case Mode::kTrace:
      if (!(options_.speedup > 0) || !std::isfinite(options_.speedup)) {
        throw UsageError("speedup", "must be a positive number");
      }
      break;
    case Mode::kRate:
      if (!(options_.rate > 0) || !std::isfinite(options_.rate)) {
        throw UsageError("rate", "must be a positive number of requests per second");
      }
      break;
    case Mode::kConcurrency:
      if (options_.concurrency == 0) throw UsageError("concurrency", "must be at least 1");
      for (std::uint32_t i = 0; i < options_.concurrency; ++i) free_slots_.push(0.0);
      break;
  }
  origin_ms_ = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < turns_.size(); ++i) {
    if (turns_[i].previous_turn != kNoTurn) continue;
    if (options_.mode == Mode::kTrace) {
      if (!turns_[i].timestamp_ms) {
        throw UsageError(
            "schedule",
            fmt::format("trace needs a timestamp on every session's first turn; request {} has "
                        "none (schedule by rate or concurrency instead)",
                        i));
      }
      origin_ms_ = std::min(origin_ms_, *turns_[i].timestamp_ms);
    }
  }
  if (!std::isfinite(origin_ms_)) origin_ms_ = 0;
  for (std::size_t i = 0; i < turns_.size(); ++i) {
    if (turns_[i].previous_turn != kNoTurn) continue;
    make_ready(i, options_.mode == Mode::kTrace
                      ? (*turns_[i].timestamp_ms - origin_ms_) / options_.speedup
                      : 0.0);
  }
}

void Scheduler::make_ready(std::size_t request, double at_ms) {
  if (options_.mode == Mode::kTrace) {
    by_time_.push({at_ms, request});
  } else {
    by_index_.push({at_ms, request});
  }
}

std::optional<Due> Scheduler::next() const {
  switch (options_.mode) {
    case Mode::kTrace:
      if (by_time_.empty()) return std::nullopt;
      return Due{by_time_.top().request, by_time_.top().at_ms};
    case Mode::kRate:
      if (by_index_.empty()) return std::nullopt;
      return Due{by_index_.top().request, std::max(next_arrival_ms_, by_index_.top().at_ms)};
    case Mode::kConcurrency:
      if (by_index_.empty() || free_slots_.empty()) return std::nullopt;
      return Due{by_index_.top().request, std::max(free_slots_.top(), by_index_.top().at_ms)};
  }
  return std::nullopt;
}

void Scheduler::sent() {
  switch (options_.mode) {
    case Mode::kTrace:
      by_time_.pop();
      break;
    case Mode::kRate: {
      // The next gap is drawn from the arrival just used, as random.expovariate does.
      const double used = std::max(next_arrival_ms_, by_index_.top().at_ms);
      by_index_.pop();
      next_arrival_ms_ = used + -std::log(1.0 - rng_.random()) / options_.rate * 1e3;
      break;
    }
    case Mode::kConcurrency:
      by_index_.pop();
      free_slots_.pop();
      break;
  }
  ++sent_;
  ++in_flight_;
}

void Scheduler::completed(std::size_t request, double now_ms) {
  --in_flight_;
  if (options_.mode == Mode::kConcurrency) free_slots_.push(now_ms);
  const Turn& t = turns_[request];
  if (t.next_turn == kNoTurn) return;
  const Turn& next = turns_[t.next_turn];
  double at = now_ms;
  if (options_.mode == Mode::kTrace) {
    if (next.delay_ms) {
      at += *next.delay_ms / options_.speedup;
    } else if (next.timestamp_ms) {
      at = std::max(at, (*next.timestamp_ms - origin_ms_) / options_.speedup);
    }
  }
  make_ready(t.next_turn, at);
}

}  // namespace kvtrace::replay
