#pragma once
// When each request is sent (docs/replay.md, "Scheduling"). Pure bookkeeping on a clock the
// caller passes in (milliseconds since the run's start), so it is tested without sleeping:
// the caller asks next(), waits until its time, reports sent() and then completed()
// when a response ends. A session's later turn becomes ready only when its previous turn has
// completed, in every mode.
//
// - trace: a session's first turn at (timestamp - first timestamp) / speedup; a later turn
//   at the previous turn's end + delay / speedup (its timestamp, when it has no delay, is a
//   lower bound). Due requests go out in time order, ties by file order.
// - rate: Poisson arrivals of rate R/s (exponential gaps, seeded); each arrival sends the
//   ready request that comes first in the file; an arrival with nothing ready is taken by
//   the next request to become ready (its intended time is then when it became ready).
// - concurrency: C requests in flight; when one ends, the next ready request goes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <span>
#include <string_view>
#include <vector>

#include "kvtrace/random/py_random.hpp"
#include "kvtrace/replay/request_loader.hpp"

namespace kvtrace::replay {

enum class Mode { kTrace, kRate, kConcurrency };

// "trace", "rate", "concurrency"; parse_mode throws UsageError (of the parameter "schedule")
// for another name.
std::string_view mode_name(Mode mode);
Mode parse_mode(std::string_view name);

struct ScheduleOptions {
  Mode mode = Mode::kTrace;
  double speedup = 1.0;           // trace: timestamps and delays are divided by it
  double rate = 0;                // rate: requests per second
  std::uint32_t concurrency = 1;  // concurrency: requests in flight
};

// What the scheduler needs of a request.
struct Turn {
  std::optional<double> timestamp_ms;
  std::optional<double> delay_ms;
  std::size_t previous_turn = kNoTurn;
  std::size_t next_turn = kNoTurn;
};

std::vector<Turn> turns_of(std::span<const ReplayRequest> requests);

// Trace timing: when the last session's first turn is due, in ms after the start ((its
// timestamp - the earliest first turn's) / speedup), the least a run lasts; 0 when no first
// turn has a timestamp. Told before a long run starts rather than waited out in silence.
double first_turns_span_ms(std::span<const Turn> turns, double speedup);

struct Due {
  std::size_t request = 0;  // position in the request list
  double at_ms = 0;         // intended send time
};

class Scheduler {
 public:
  // Throws UsageError for trace mode when a session's first turn has no timestamp, for a
  // non-positive speedup or rate, or a concurrency of 0.
  Scheduler(std::vector<Turn> turns, const ScheduleOptions& options, random::PyRandom rng);

  // The next request to send and its intended time (possibly in the past), or nullopt when
  // none can go before a request completes (or every request was sent).
  std::optional<Due> next() const;
  // The request next() returned was sent.
  void sent();
  // A sent request's response ended (successfully or not) at now_ms.
  void completed(std::size_t request, double now_ms);

  bool all_sent() const { return sent_ == turns_.size(); }
  std::size_t in_flight() const { return in_flight_; }

 private:
  struct Ready {
    double at_ms;  // trace: intended time; other modes: when it became ready
    std::size_t request;
    bool operator>(const Ready& o) const {
      return at_ms != o.at_ms ? at_ms > o.at_ms : request > o.request;
    }
  };
  struct ByIndex {
    bool operator()(const Ready& a, const Ready& b) const { return a.request > b.request; }
  };
  void make_ready(std::size_t request, double at_ms);

  std::vector<Turn> turns_;
  ScheduleOptions options_;
  random::PyRandom rng_;
  double origin_ms_ = 0;  // trace: the earliest first-turn timestamp
  // trace: ordered by time; rate and concurrency: by file order.
  std::priority_queue<Ready, std::vector<Ready>, std::greater<Ready>> by_time_;
  std::priority_queue<Ready, std::vector<Ready>, ByIndex> by_index_;
  double next_arrival_ms_ = 0;  // rate: the first request goes at once
  std::priority_queue<double, std::vector<double>, std::greater<double>> free_slots_;  // conc.
  std::size_t sent_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace kvtrace::replay
