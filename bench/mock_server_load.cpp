// Load generator for `kvtrace mock-server` (bench/RESULTS.md, "Mock server"): C keep-alive
// connections, each sending streaming completion requests back to back (closed loop), spread
// over --threads io_contexts. Reports completed requests/s, streamed tokens/s, errors, the
// largest number of streams open at once, TTFT and end-to-end percentiles (of the requests
// sent in the window), and the CPU time of this process and (with --server-pid) of the
// server over the measured window.
//
// Connections start spread over the first half of the warm-up.
//
//   mock_server_load --port P [--connections 1500] [--duration 10] [--warmup 2]
//                    [--max-tokens 64] [--prompt-tokens 32] [--threads 1] [--server-pid PID]

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>

// GCC 12 with sanitizers reports a false maybe-uninitialized (a boost::optional) inside
// Beast's parser.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kvtrace/core/open_file_limit.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned connections = 1500;
  double duration_s = 10;
  double warmup_s = 2;
  unsigned max_tokens = 64;
  unsigned prompt_tokens = 32;
  unsigned threads = 1;
  long server_pid = 0;
};

// Shared by the connections of one thread (each thread has its own).
struct Tally {
  std::uint64_t completed = 0;
  std::uint64_t tokens = 0;
  std::uint64_t errors = 0;
  std::uint64_t short_streams = 0;  // completed with another token count than max_tokens
  std::uint64_t open_streams = 0;
  std::uint64_t max_open_streams = 0;
  std::vector<double> ttft_ms;
  std::vector<double> e2e_ms;
  bool measuring = false;
  bool stopping = false;
};

class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(asio::io_context& io, tcp::endpoint endpoint, const std::string& request,
                 const Options& options, Tally& tally)
      : socket_(io),
        retry_(io),
        endpoint_(endpoint),
        request_(request),
        options_(options),
        tally_(tally) {}

  // Connects after `delay`: staggered starts keep the closed loops from moving in lockstep.
  void start(std::chrono::nanoseconds delay) {
    retry_.expires_after(delay);
    retry_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->connect();
    });
  }

 private:
  void connect() {
    socket_.async_connect(endpoint_, [self = shared_from_this()](error_code ec) {
      if (ec) return self->fail();
      self->socket_.set_option(tcp::no_delay(true));
      self->send();
    });
  }

  void send() {
    if (tally_.stopping) return;
    started_ = Clock::now();
    started_measuring_ = tally_.measuring;
    first_.reset();
    parser_.emplace();
    parser_->body_limit(64 << 20);
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->fail();
                        self->read();
                      });
  }

  void read() {
    http::async_read_some(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) return fail();
    if (!opened_ && parser_->is_header_done()) {
      opened_ = true;
      tally_.max_open_streams = std::max(tally_.max_open_streams, ++tally_.open_streams);
    }
    if (!first_ && !parser_->get().body().empty()) first_ = Clock::now();
    if (!parser_->is_done()) return read();
    close_stream();
    const auto& res = parser_->get();
    if (res.result_int() != 200) return fail();
    // One `"text":"` per token event of the completions API.
    const std::string& body = res.body();
    std::uint64_t tokens = 0;
    for (std::size_t p = body.find("\"text\":\""); p != std::string::npos;
         p = body.find("\"text\":\"", p + 8)) {
      ++tokens;
    }
    if (tally_.measuring) {
      const auto end = Clock::now();
      ++tally_.completed;
      tally_.tokens += tokens;
      if (tokens != options_.max_tokens) ++tally_.short_streams;
      // Latencies of the requests sent in the window only: the connections' start-up is not
      // the steady state.
      if (started_measuring_) {
        tally_.ttft_ms.push_back(
            std::chrono::duration<double, std::milli>(*first_ - started_).count());
        tally_.e2e_ms.push_back(std::chrono::duration<double, std::milli>(end - started_).count());
      }
    }
    send();
  }

  void close_stream() {
    if (opened_) --tally_.open_streams;
    opened_ = false;
  }

  // Counts the error and starts over on a new connection after a pause.
  void fail() {
    close_stream();
    if (tally_.measuring) ++tally_.errors;
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
    if (tally_.stopping) return;
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->connect();
    });
  }

  tcp::socket socket_;
  asio::steady_timer retry_;
  tcp::endpoint endpoint_;
  const std::string& request_;
  const Options& options_;
  Tally& tally_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Clock::time_point started_;
  std::optional<Clock::time_point> first_;
  bool opened_ = false;
  bool started_measuring_ = false;
};

double cpu_seconds_self() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// utime + stime of a process from /proc/PID/stat (fields 14 and 15), in seconds.
double cpu_seconds_of(long pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::size_t pos = close + 2;
  double ticks = 0;
  for (int field = 3; field <= 15 && pos < stat.size(); ++field) {
    const std::size_t end = stat.find(' ', pos);
    if (field == 14 || field == 15) ticks += std::stod(stat.substr(pos, end - pos));
    pos = end + 1;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::chrono::nanoseconds seconds_to_ns(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(rank);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

template <typename T>
void parse_value(std::string_view text, T& out, std::string_view flag) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error(fmt::format("bad value for {}: {}", flag, text));
  }
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(fmt::format("{} needs a value", flag));
    const std::string_view v = argv[++i];
    if (flag == "--host") {
      o.host = v;
    } else if (flag == "--port") {
      parse_value(v, o.port, flag);
    } else if (flag == "--connections") {
      parse_value(v, o.connections, flag);
    } else if (flag == "--duration") {
      o.duration_s = std::stod(std::string(v));
    } else if (flag == "--warmup") {
      o.warmup_s = std::stod(std::string(v));
    } else if (flag == "--max-tokens") {
      parse_value(v, o.max_tokens, flag);
    } else if (flag == "--prompt-tokens") {
      parse_value(v, o.prompt_tokens, flag);
    } else if (flag == "--threads") {
      parse_value(v, o.threads, flag);
    } else if (flag == "--server-pid") {
      parse_value(v, o.server_pid, flag);
    } else {
      throw std::runtime_error(fmt::format("unknown flag {}", flag));
    }
  }
  if (o.port == 0) throw std::runtime_error("give --port");
  if (o.threads == 0 || o.connections == 0) throw std::runtime_error("need >= 1 thread/connection");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse_options(argc, argv);
  kvtrace::core::raise_open_file_limit();
  std::string ids;
  for (unsigned i = 0; i < o.prompt_tokens; ++i) ids += fmt::format("{}{}", i ? "," : "", 100 + i);
  const std::string body =
      fmt::format(R"({{"prompt":[{}],"max_tokens":{},"stream":true}})", ids, o.max_tokens);
  const std::string request = fmt::format(
      "POST /v1/completions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      o.host, body.size(), body);
  const tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);

  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<Tally> tallies(o.threads);
  for (unsigned t = 0; t < o.threads; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  for (unsigned c = 0; c < o.connections; ++c) {
    const unsigned t = c % o.threads;
    std::make_shared<LoadConnection>(*ios[t], endpoint, request, o, tallies[t])
        ->start(seconds_to_ns(o.warmup_s / 2 * c / o.connections));
  }
  // The window: flags flipped on each thread's own io_context, so no Tally is shared.
  double cpu_self = 0, cpu_server = 0;
  Clock::time_point window_start, window_end;
  for (unsigned t = 0; t < o.threads; ++t) {
    auto begin = std::make_shared<asio::steady_timer>(*ios[t]);
    begin->expires_after(seconds_to_ns(o.warmup_s));
    begin->async_wait(
        [begin, &tally = tallies[t], t, &o, &cpu_self, &cpu_server, &window_start](error_code) {
          tally.measuring = true;
          if (t == 0) {
            window_start = Clock::now();
            cpu_self = cpu_seconds_self();
            if (o.server_pid) cpu_server = cpu_seconds_of(o.server_pid);
          }
        });
    auto end = std::make_shared<asio::steady_timer>(*ios[t]);
    end->expires_after(seconds_to_ns(o.warmup_s + o.duration_s));
    end->async_wait([end, &tally = tallies[t], t, &o, &cpu_self, &cpu_server, &window_end,
                     &io = *ios[t]](error_code) {
      tally.measuring = false;
      tally.stopping = true;
      if (t == 0) {
        window_end = Clock::now();
        cpu_self = cpu_seconds_self() - cpu_self;
        if (o.server_pid) cpu_server = cpu_seconds_of(o.server_pid) - cpu_server;
      }
      io.stop();  // in-flight requests are not waited for: they are outside the window
    });
  }
  std::vector<std::thread> threads;
  for (auto& io : ios) threads.emplace_back([&io = *io] { io.run(); });
  for (auto& th : threads) th.join();

  Tally all;
  for (Tally& t : tallies) {
    all.completed += t.completed;
    all.tokens += t.tokens;
    all.errors += t.errors;
    all.short_streams += t.short_streams;
    all.max_open_streams += t.max_open_streams;
    all.ttft_ms.insert(all.ttft_ms.end(), t.ttft_ms.begin(), t.ttft_ms.end());
    all.e2e_ms.insert(all.e2e_ms.end(), t.e2e_ms.begin(), t.e2e_ms.end());
  }
  const double seconds = std::chrono::duration<double>(window_end - window_start).count();
  fmt::print(
      "connections {}, client threads {}, window {:.1f} s: {} requests ({:.0f} req/s), {} tokens "
      "({:.0f} tokens/s), {} errors, {} streams with another token count than {}, max open "
      "streams {}\n",
      o.connections, o.threads, seconds, all.completed,
      static_cast<double>(all.completed) / seconds, all.tokens,
      static_cast<double>(all.tokens) / seconds, all.errors, all.short_streams, o.max_tokens,
      all.max_open_streams);
  fmt::print("ttft ms p50 {:.1f} p99 {:.1f} max {:.1f}; e2e ms p50 {:.1f} p99 {:.1f} max {:.1f}\n",
             percentile(all.ttft_ms, 0.5), percentile(all.ttft_ms, 0.99),
             percentile(all.ttft_ms, 1.0), percentile(all.e2e_ms, 0.5),
             percentile(all.e2e_ms, 0.99), percentile(all.e2e_ms, 1.0));
  fmt::print("cpu: load generator {:.0f}%{}\n", 100 * cpu_self / seconds,
             o.server_pid ? fmt::format(", server {:.0f}%", 100 * cpu_server / seconds) : "");
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "mock_server_load: {}\n", e.what());
  return 64;
}
