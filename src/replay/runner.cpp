#include "kvtrace/replay/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <exception>
#include <unordered_map>

#include "kvtrace/core/json_writer.hpp"
#include "replay/no_throw.hpp"

namespace kvtrace::replay {

namespace asio = boost::asio;

void RunStop::fail(std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  if (on_fail_) {
    on_fail_(std::move(error));
  } else if (!early_) {
    early_ = std::move(error);
  }
}

void RunStop::attach(std::function<void(std::exception_ptr)> on_fail) {
  std::lock_guard lock(mutex_);
  on_fail_ = std::move(on_fail);
  if (early_) on_fail_(early_);
}

void RunStop::detach() {
  std::lock_guard lock(mutex_);
  on_fail_ = nullptr;
  ended_ = true;
}

namespace {

constexpr auto kTick = std::chrono::milliseconds(500);
// A record's chunk times are reserved for max_tokens chunks up to this many (64 KiB): a body
// may ask for far more than any server sends.
constexpr std::uint64_t kReservedChunks = 8192;
// Send times are clamped to about 31 years (milliseconds), which keeps their nanoseconds in
// an int64 whatever the speedup ratio or rate; such a time is never reached.
constexpr double kFarMs = 1e12;

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "an unknown exception";
  }
}

// Detaches the run's RunStop however run() ends.
struct StopAttachment {
  RunStop* stop;
  ~StopAttachment() {
    if (stop != nullptr) stop->detach();
  }
};

class Runner {
 public:
  Runner(std::span<const ReplayRequest> requests, RunOptions options,
         const std::function<void(const Record&)>& on_record)
      : requests_(requests),
        options_(std::move(options)),
        on_record_(on_record),
        origin_(std::chrono::steady_clock::now()),
        client_(io_, client_options()),
        scheduler_(turns_of(requests), options_.schedule, random::PyRandom(options_.seed)),
        slots_(requests.size()) {
    ended_.reserve(requests.size());
  }

  // The completion handler of a coroutine: its exception stops the run.
  auto on_exit() {
    return [this](std::exception_ptr e) {
      if (e) fail_run(e);
    };
  }

  RunResult run() {
    if (options_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](const auto& ec, int) { on_signal(ec); });
    }
    const StopAttachment attachment{options_.stop};
    if (options_.stop != nullptr) {
      // Before anything is sent: a stop that came early stops the run before its first send.
      options_.stop->attach(
          [this](std::exception_ptr e) { asio::post(io_, [this, e] { fail_run(e); }); });
    }
    // Every coroutine ends in a handler that sees its exception: none dies unseen.
    asio::co_spawn(io_, schedule(), [this](std::exception_ptr e) {
      if (e) fail_run(e);
      finish();
    });
    if (options_.on_progress) asio::co_spawn(io_, tick(), on_exit());
    io_.run();
    RunResult result;
    result.interrupted = interrupted_;
    result.error = error_;
    result.records.reserve(ended_.size());
    for (std::size_t pos : ended_) result.records.push_back(std::move(slots_[pos]));
    return result;
  }

 private:
  ClientOptions client_options() {
    ClientOptions o = options_.client;
    o.origin = origin_;
    o.after_read = [this] { after_read(); };
    return o;
  }

  double now_ms() const { return ns_to_ms(client_.now_ns()); }

  asio::awaitable<void> schedule() {
    while (!stopping_ && !scheduler_.all_sent()) {
      pump();
      if (stopping_ || scheduler_.all_sent()) break;
      // Until the next request is due, or until a completion or a read changes that.
      wake_.expires_at(next_due_);
      co_await wake_.async_wait(kNoThrow);
    }
    while (counters_.in_flight > 0) {
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(kNoThrow);
    }
  }

  void finish() {
    finished_ = true;
    signals_.cancel();
    drain_.cancel();
    ticker_.cancel();
  }

  // An exception escaped (a record consumer's, no memory, a bug) or RunStop::fail: nothing more
  // is sent, what is in flight is cancelled at once, and the run returns with the error.
  void fail_run(std::exception_ptr e) {
    if (!error_) error_ = std::move(e);
    if (finished_) return;
    stopping_ = true;
    client_.cancel_all();
    drain_.cancel();
    wake_.cancel();
  }

  // Sends every request that is due, and notes when the next one is. Runs from the timer and
  // after every read of a response: under load the thread is busy with reads, and a timer's
  // handler would wait behind all of them.
  void pump() {
    if (pumping_) return;  // a send that ended at once (Ctrl-C) must not recurse
    pumping_ = true;
    next_due_ = asio::steady_timer::time_point::max();
    try {
      while (!stopping_ && !scheduler_.all_sent()) {
        const std::optional<Due> due = scheduler_.next();
        if (!due) break;
        const auto at = origin_ + std::chrono::nanoseconds(intended_ns(*due));
        if (at > std::chrono::steady_clock::now()) {
          next_due_ = at;
          break;
        }
        dispatch(*due);
      }
    } catch (...) {
      fail_run(std::current_exception());
    }
    pumping_ = false;
  }

  static std::int64_t intended_ns(const Due& due) {
    return static_cast<std::int64_t>(std::min(due.at_ms, kFarMs) * 1e6);
  }

  void after_read() {
    if (std::chrono::steady_clock::now() < next_due_) return;
    pump();
    wake_.cancel();  // the loop's timer waits for an old due time
  }

  void dispatch(const Due& due) {
    scheduler_.sent();
    const ReplayRequest& q = requests_[due.request];
    Record& r = slots_[due.request];
    r.index = q.index;
    r.session_id = q.session_id;
    r.max_tokens = q.max_tokens;
    r.intended_ns = intended_ns(due);
    r.start_ns = client_.now_ns();
    if (q.max_tokens) r.chunk_ns.reserve(std::min(*q.max_tokens, kReservedChunks));
    ++counters_.sent;
    ++counters_.in_flight;
    asio::co_spawn(io_, request(due.request), on_exit());
  }

  asio::awaitable<void> request(std::size_t pos) {
    try {
      co_await send(pos);
    } catch (...) {
      // No memory, or a bug: the request cannot be measured, and the run stops with the error.
      Record& r = slots_[pos];
      const std::exception_ptr e = std::current_exception();
      r.end_ns = client_.now_ns();
      r.error_kind = ErrorKind::kCancelled;
      r.error = "stopped by an error: " + what_of(e);
      fail_run(e);
    }
    end(pos);
  }

  asio::awaitable<void> send(std::size_t pos) {
    const ReplayRequest& q = requests_[pos];
    Record& r = slots_[pos];
    const bool append = options_.history == History::kAppend && q.messages.has_value();
    std::string body;
    std::string messages;  // the messages sent, history included (kAppend)
    if (append) {
      const auto [begin, end] = *q.messages;
      const std::string_view own(q.body.data() + begin, end - begin);
      if (const auto it = history_.find(pos); it != history_.end()) {
        messages = std::move(it->second);
        history_.erase(it);
        if (!own.empty()) messages.append(",").append(own);
      } else {
        messages = own;
      }
      body.append(q.body, 0, begin).append(messages).append(q.body, end);
    }
    const bool keep_reply = append && q.next_turn != kNoTurn;
    std::string reply;
    co_await client_.send(q, append ? std::string_view(body) : std::string_view(q.body), r,
                          keep_reply ? &reply : nullptr);
    if (keep_reply) {
      // The next turn sees this one's messages and the answer, as a chat client sends them.
      if (!messages.empty()) messages.push_back(',');
      messages.append("{\"role\":\"assistant\",\"content\":");
      json::append_string(messages, reply);
      messages.push_back('}');
      history_[q.next_turn] = std::move(messages);
    }
  }

  void end(std::size_t pos) {
    const Record& r = slots_[pos];
    --counters_.in_flight;
    ++counters_.completed;
    if (!r.ok()) ++counters_.errors;
    ended_.push_back(pos);  // reserved: cannot throw
    try {
      scheduler_.completed(pos, ns_to_ms(r.end_ns));
    } catch (...) {
      fail_run(std::current_exception());
    }
    // A consumer that failed (a records file on a full disk) is not called again.
    if (!consumer_failed_) {
      try {
        on_record_(r);
      } catch (...) {
        consumer_failed_ = true;
        fail_run(std::current_exception());
      }
    }
    pump();
    wake_.cancel();
  }

  asio::awaitable<void> tick() {
    while (!finished_) {
      ticker_.expires_after(kTick);
      co_await ticker_.async_wait(kNoThrow);
      if (finished_) break;
      counters_.requests = requests_.size();
      counters_.connections = client_.open_connections();
      counters_.elapsed_s = now_ms() / 1e3;
      options_.on_progress(counters_);
    }
  }

  void on_signal(const boost::system::error_code& ec) {
    if (ec || finished_) return;
    if (stopping_) {
      client_.cancel_all();  // a second signal: stop waiting
      return;
    }
    stopping_ = interrupted_ = true;
    wake_.cancel();
    drain_.expires_after(options_.drain_timeout);
    drain_.async_wait([this](const boost::system::error_code& e) {
      if (!e) client_.cancel_all();
    });
    signals_.async_wait([this](const auto& e, int) { on_signal(e); });
  }

  std::span<const ReplayRequest> requests_;
  RunOptions options_;
  const std::function<void(const Record&)>& on_record_;
  std::chrono::steady_clock::time_point origin_;
  asio::io_context io_{1};
  Client client_;
  Scheduler scheduler_;
  std::vector<Record> slots_;  // by request position: stable while requests run
  std::vector<std::size_t> ended_;
  std::unordered_map<std::size_t, std::string> history_;  // kAppend: next turn -> messages
  asio::steady_timer wake_{io_};
  asio::steady_timer drain_{io_};
  asio::steady_timer ticker_{io_};
  asio::signal_set signals_{io_};
  Counters counters_;
  asio::steady_timer::time_point next_due_ = asio::steady_timer::time_point::max();
  bool pumping_ = false;
  bool stopping_ = false;
  bool interrupted_ = false;
  bool finished_ = false;
  bool consumer_failed_ = false;
  std::exception_ptr error_;  // the first failure of the run
};

}  // namespace

std::string progress_text(const Counters& c) {
  return fmt::format(
      "\rreplay: {:.1f} s, sent {} of {}, ended {} ({} errors), in flight {}, {} connections, "
      "{:.0f} req/s   ",
      c.elapsed_s, c.sent, c.requests, c.completed, c.errors, c.in_flight, c.connections,
      c.elapsed_s > 0 ? static_cast<double>(c.completed) / c.elapsed_s : 0.0);
}

RunResult run_replay(std::span<const ReplayRequest> requests, RunOptions options,
                     const std::function<void(const Record&)>& on_record) {
  return Runner(requests, std::move(options), on_record).run();
}

}  // namespace kvtrace::replay
