#pragma once
// One replay run: the scheduler's timing, the client's requests, Ctrl-C handling, progress
// ticks, on one io_context thread. Records come out as each request ends.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/replay/client.hpp"
#include "kvtrace/replay/record.hpp"
#include "kvtrace/replay/request_loader.hpp"
#include "kvtrace/replay/scheduler.hpp"

namespace kvtrace::replay {

// How a session's later turn is sent (docs/replay.md, "Sessions").
enum class History {
  kNone,    // as materialized: each turn's body already holds its whole prompt
  kAppend,  // chat: the earlier turns' messages and the replies are put before its messages
};

struct Counters {
  std::uint64_t requests = 0;
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;  // ended, successfully or not
  std::uint64_t errors = 0;
  std::uint64_t in_flight = 0;
  std::size_t connections = 0;
  double elapsed_s = 0;
};

// The progress line of a run for a terminal: "\rreplay: 1.5 s, sent 9 of 20, ended 7 (1
// errors), in flight 2, 2 connections, 5 req/s   " (ended requests per second so far).
std::string progress_text(const Counters& counters);

// Stops a run from any thread as a failure (a records writer that found the disk full): the
// run sends nothing more, cancels what is in flight at once and returns with that error. A
// fail() before the run starts stops it before its first send; after it ended, nothing.
class RunStop {
 public:
  void fail(std::exception_ptr error);  // thread-safe

  // run_replay's: from attach() to detach(), fail() hands its error to `on_fail`, called from
  // fail()'s thread under a lock (at once for an earlier fail()).
  void attach(std::function<void(std::exception_ptr)> on_fail);
  void detach();

 private:
  std::mutex mutex_;
  std::function<void(std::exception_ptr)> on_fail_;  // guarded by mutex_
  std::exception_ptr early_;                         // guarded by mutex_
  bool ended_ = false;                               // guarded by mutex_
};

struct RunOptions {
  ClientOptions client;  // its origin is set by the run
  ScheduleOptions schedule;
  std::uint64_t seed = 42;  // --rate's arrivals
  History history = History::kNone;
  // After Ctrl-C (SIGINT or SIGTERM): how long in-flight requests may still finish before
  // they are cancelled. A second signal cancels them at once.
  std::chrono::milliseconds drain_timeout{10000};
  bool handle_signals = true;
  std::function<void(const Counters&)> on_progress;  // every 0.5 s, when set
  RunStop* stop = nullptr;  // when set, its fail() stops the run (it must outlive the run)
};

struct RunResult {
  std::vector<Record> records;  // the requests sent, in the order they ended
  bool interrupted = false;     // stopped by a signal
  // Set when the run stopped early on a failure: an exception out of on_record, of
  // on_progress or of the run itself (no memory), or RunStop::fail's. Nothing more was sent,
  // what was in flight was cancelled, `records` holds every request sent. The caller reports
  // it (kvtrace replay: after the summary, as its error).
  std::exception_ptr error;
};

// Sends `requests` as scheduled; calls on_record for each request as it ends (for
// incremental output; once it throws, it is not called again and the run stops with its
// exception in `error`). Throws UsageError for bad options (before anything is sent).
RunResult run_replay(std::span<const ReplayRequest> requests, RunOptions options,
                     const std::function<void(const Record&)>& on_record);

}  // namespace kvtrace::replay
