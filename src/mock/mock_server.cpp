#include "kvtrace/mock/mock_server.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>

// GCC 12 with sanitizers reports a false maybe-uninitialized (a boost::optional) inside
// Beast's parser.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include <chrono>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/mock/mock_cache.hpp"
#include "kvtrace/mock/mock_request.hpp"
#include "kvtrace/mock/mock_response.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::mock {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr std::string_view kStreamHead11 =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kStreamHead11Close =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
// HTTP/1.0 has no chunked encoding: the stream ends when the connection closes.
constexpr std::string_view kStreamHead10 =
    "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";

std::string_view reason(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    default:
      return "Internal Server Error";
  }
}

std::chrono::nanoseconds ms_to_ns(double ms) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Counters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> errors_injected{0};
  std::atomic<std::uint64_t> stalls_injected{0};
  std::atomic<std::uint64_t> drops_injected{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> prompt_tokens{0};
  std::atomic<std::uint64_t> cached_tokens{0};
  std::atomic<std::uint64_t> output_tokens{0};
  std::atomic<std::uint64_t> open_connections{0};
  std::atomic<std::uint64_t> open_streams{0};
};

// One io thread's state: connections live on one worker, so its handlers never run
// concurrently and the worker's buffers need no lock.
struct Worker {
  asio::io_context io{1};
  MockRequestParser parser;
  std::vector<tokenizer::TokenId> tokens;  // the prompt being looked up
  MockPrefixCache::Scratch cache_scratch;
};

// What the connections share.
struct ServerState {
  explicit ServerState(MockServerConfig c)
      : config(std::move(c)),
        cache(config.block_size, config.cache),
        stall(ms_to_ns(config.faults.stall_ms)),
        read_timeout(ms_to_ns(config.read_timeout_ms)),
        idle_timeout(ms_to_ns(config.idle_timeout_ms)) {}

  MockServerConfig config;
  MockPrefixCache cache;
  std::chrono::nanoseconds stall;
  std::chrono::nanoseconds read_timeout;
  std::chrono::nanoseconds idle_timeout;
  std::int64_t created = unix_seconds();
  std::atomic<std::uint64_t> next_request{0};
  Counters counters;
};

}  // namespace

struct MockServer::Impl {
  explicit Impl(MockServerConfig config) : state(std::move(config)) {}

  ServerState state;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::vector<std::thread> threads;
  std::size_t next_worker = 0;  // touched by the accept handler only

  void accept();
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerState& server, Worker& worker, tcp::socket socket)
      : server_(server),
        worker_(worker),
        socket_(std::move(socket)),
        timer_(worker.io),
        read_timer_(worker.io) {
    ++server_.counters.open_connections;
  }
  ~Connection() {
    end_stream();
    --server_.counters.open_connections;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Waits, at most the idle timeout, for the next request's first byte (unless a pipelined
  // request's bytes are here already), then reads it within the read timeout.
  void read_request() {
    parser_.emplace();
    parser_->body_limit(server_.config.max_body_bytes);
    if (buffer_.size() > 0) return read_header();
    arm_read_timer(server_.idle_timeout);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
      if (ec) return self->close();
      self->read_header();
    });
  }

 private:
  void read_header() {
    arm_read_timer(server_.read_timeout);
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  // Closes the connection when the wait or read under way is not done in time; the pending
  // operation then ends with an error. A phase number tells a stale expiry from a live one.
  void arm_read_timer(std::chrono::nanoseconds after) {
    const std::uint64_t phase = ++read_phase_;
    read_timer_.expires_after(after);
    read_timer_.async_wait([self = shared_from_this(), phase](error_code ec) {
      if (ec || phase != self->read_phase_) return;
      self->close();
    });
  }

  void stop_read_timer() {
    ++read_phase_;
    read_timer_.cancel();
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    const auto expect = parser_->get()[http::field::expect];
    if (!boost::beast::iequals(expect, "100-continue")) return read_body();
    // curl waits a second for this before sending a large body.
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(socket_, asio::buffer(kContinue),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->close();
                        self->read_body();
                      });
  }

  void read_body() {
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->stop_read_timer();
                       try {
                         self->handle();
                       } catch (const std::exception& e) {
                         // A failure in one request (say the tokenizer's) must not end the
                         // io thread and every other stream with it.
                         self->keep_alive_ = false;
                         self->respond(500, error_response(e.what(), "server_error"));
                       }
                     });
  }

  void on_read_error(error_code ec) {
    stop_read_timer();
    if (ec.category() != http::make_error_code(http::error::end_of_stream).category() ||
        ec == http::error::end_of_stream) {
      return close();  // the peer went away (or we are stopping)
    }
    keep_alive_ = false;
    http11_ = true;
    ++server_.counters.bad_requests;
    if (ec == http::error::body_limit) {
      return respond(413, error_response(fmt::format("request body over {} bytes",
                                                     server_.config.max_body_bytes),
                                         "invalid_request_error"));
    }
    respond(400,
            error_response("malformed HTTP request: " + ec.message(), "invalid_request_error"));
  }

  void handle() {
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    http11_ = req.version() >= 11;
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));
    const bool get = req.method() == http::verb::get;
    const bool post = req.method() == http::verb::post;
    if (target == "/health") {
      if (get) return respond(200, R"({"status":"ok"})");
    } else if (target == "/v1/models") {
      if (get) return respond(200, models_response(server_.config.model, server_.created));
    } else if (target == "/v1/chat/completions") {
      if (post) return complete(MockApi::kChat);
    } else if (target == "/v1/completions") {
      if (post) return complete(MockApi::kCompletions);
    } else {
      ++server_.counters.bad_requests;
      return respond(
          404, error_response(fmt::format("no such path: {}", target), "invalid_request_error"));
    }
    ++server_.counters.bad_requests;
    respond(405, error_response(fmt::format("{} is not allowed on {}",
                                            std::string_view(req.method_string()), target),
                                "invalid_request_error"));
  }

  void complete(MockApi api) {
    ServerState& s = server_;
    ++s.counters.requests;
    const auto start = Clock::now();
    const std::uint64_t index = s.next_request++;
    rng_ = request_rng(s.config.seed, index);
    MockRequest r;
    try {
      r = worker_.parser.parse(api, parser_->get().body());
    } catch (const InputError& e) {
      return reject(e.what(), e.field());
    }
    parser_.reset();  // the body is no longer needed: idle connections hold no request

    std::span<const tokenizer::TokenId> prompt = r.prompt_ids;
    if (!r.prompt_is_ids) {
      if (!s.config.tokenizer) {
        return reject("this server has no tokenizer: give the prompt as token ids", "prompt");
      }
      worker_.tokens.clear();
      s.config.tokenizer->encode(r.prompt_text, worker_.tokens);
      prompt = worker_.tokens;
    }
    const std::uint32_t tokens = r.max_tokens.value_or(s.config.default_max_tokens);
    plan_ = plan_faults(s.config.faults, tokens, rng_);
    if (plan_.error) {
      ++s.counters.errors_injected;
      return respond(500, error_response("injected error (--error-rate)", "server_error"));
    }
    usage_ = Usage{prompt.size(), tokens, s.cache.cached_tokens(prompt, worker_.cache_scratch)};
    s.counters.prompt_tokens += usage_.prompt_tokens;
    s.counters.cached_tokens += usage_.cached_tokens;

    due_ = start + s.config.latency.ttft(usage_.prompt_tokens - usage_.cached_tokens);
    if (plan_.stall_before) ++s.counters.stalls_injected;
    if (plan_.stall_before == 0u) due_ += s.stall;
    const std::string id = fmt::format("{}-{}", api == MockApi::kChat ? "chatcmpl" : "cmpl", index);
    const std::string_view model = r.model.empty() ? std::string_view(s.config.model) : r.model;
    const std::int64_t created = unix_seconds();
    total_ = tokens;
    sent_ = 0;
    if (r.stream) {
      formatter_.emplace(api, id, created, model, r.include_usage);
      include_usage_ = r.include_usage;
      if (!http11_) keep_alive_ = false;
      head_sent_ = false;
      streaming_ = true;
      ++s.counters.open_streams;
      return wait(&Connection::tick);
    }
    // A whole response comes when its last token would have been streamed.
    for (std::uint32_t i = 1; i < tokens; ++i) {
      due_ += s.config.latency.itl(rng_);
      if (plan_.stall_before == i) due_ += s.stall;
    }
    body_ = full_response(api, id, created, model, usage_);
    wait(&Connection::send_whole);
  }

  void reject(std::string_view message, std::string_view param) {
    ++server_.counters.bad_requests;
    respond(400, error_response(message, "invalid_request_error", param));
  }

  void wait(void (Connection::*then)()) {
    timer_.expires_at(due_);
    timer_.async_wait([self = shared_from_this(), then](error_code ec) {
      if (ec) return self->close();
      ((*self).*then)();
    });
  }

  void send_whole() {
    if (plan_.drop_after) {
      ++server_.counters.drops_injected;
      return close();
    }
    server_.counters.output_tokens += total_;
    respond(200, std::move(body_), true);
  }

  // Sends every token whose time has come in one write.
  void tick() {
    ServerState& s = server_;
    events_.clear();
    const auto now = Clock::now();
    bool drop = false;
    const std::uint32_t before = sent_;
    while (sent_ < total_ && due_ <= now) {
      if (plan_.drop_after == sent_) {
        drop = true;
        break;
      }
      if (sent_ == 0) formatter_->append_role(events_);
      formatter_->append_token(events_, sent_, sent_ + 1 == total_);
      ++sent_;
      due_ += s.config.latency.itl(rng_);
      if (plan_.stall_before == sent_) due_ += s.stall;
    }
    // Counted when handed to the socket, so a client that has read a response sees it counted.
    s.counters.output_tokens += sent_ - before;
    const bool done = sent_ == total_ && !drop;
    if (done) {
      if (include_usage_) formatter_->append_usage(events_, usage_);
      StreamFormatter::append_done(events_);
      ++s.counters.completed;
      end_stream();
    }
    if (drop && events_.empty()) return dropped();
    std::size_t n = 0;
    if (!head_sent_) {
      head_sent_ = true;
      buffers_[n++] = asio::buffer(!http11_      ? kStreamHead10
                                   : keep_alive_ ? kStreamHead11
                                                 : kStreamHead11Close);
    }
    if (http11_) {
      const auto end = fmt::format_to(size_line_.data(), "{:x}\r\n", events_.size());
      buffers_[n++] = asio::buffer(size_line_.data(), end - size_line_.data());
    }
    buffers_[n++] = asio::buffer(events_);
    if (http11_) buffers_[n++] = asio::buffer(done ? std::string_view("\r\n0\r\n\r\n") : "\r\n");
    // The span points into the connection: a partial write resumes after tick() returned.
    asio::async_write(socket_, std::span(buffers_.data(), n),
                      [self = shared_from_this(), drop, done](error_code ec, std::size_t) {
                        self->on_stream_write(ec, drop, done);
                      });
  }

  void on_stream_write(error_code ec, bool drop, bool done) {
    if (ec) return close();
    if (drop) return dropped();
    if (!done) return wait(&Connection::tick);
    finish();
  }

  void dropped() {
    ++server_.counters.drops_injected;
    close();
  }

  void end_stream() {
    if (!streaming_) return;
    streaming_ = false;
    formatter_.reset();
    --server_.counters.open_streams;
  }

  // A whole response; `counted` when it ends a completion request.
  void respond(unsigned status, std::string body, bool counted = false) {
    head_ = fmt::format(
        "HTTP/1.{} {} {}\r\nContent-Type: application/json\r\n"
        "Content-Length: {}\r\n{}\r\n",
        http11_ ? 1 : 0, status, reason(status), body.size(),
        !keep_alive_ ? "Connection: close\r\n"
        : http11_    ? ""
                     : "Connection: keep-alive\r\n");
    body_ = std::move(body);
    if (counted) ++server_.counters.completed;
    const std::array buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(socket_, buffers, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->close();
      self->finish();
    });
  }

  void finish() {
    if (keep_alive_) return read_request();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    close();
  }

  void close() {
    error_code ignored;
    timer_.cancel();
    stop_read_timer();
    socket_.close(ignored);
  }

  ServerState& server_;
  Worker& worker_;
  tcp::socket socket_;
  asio::steady_timer timer_;       // when the response's next part is due
  asio::steady_timer read_timer_;  // the idle and read timeouts
  std::uint64_t read_phase_ = 0;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool http11_ = true;

  // The request being answered.
  SplitMix64 rng_{0};
  FaultPlan plan_;
  Usage usage_;
  Clock::time_point due_;  // when the next token (or the whole response) is due
  std::uint32_t total_ = 0;
  std::uint32_t sent_ = 0;
  std::optional<StreamFormatter> formatter_;
  bool include_usage_ = false;
  bool head_sent_ = false;
  bool streaming_ = false;
  std::string events_;
  std::array<char, 24> size_line_{};
  std::array<asio::const_buffer, 4> buffers_;  // head, chunk size, events, chunk end
  std::string head_;
  std::string body_;
};

}  // namespace

void MockServer::Impl::accept() {
  Worker& worker = *workers[next_worker];
  next_worker = (next_worker + 1) % workers.size();
  acceptor->async_accept(worker.io, [this, &worker](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors (or a connection reset before it was accepted): retry shortly
      // instead of spinning.
      accept_retry->expires_after(std::chrono::milliseconds(20));
      accept_retry->async_wait([this](error_code e) {
        if (!e) accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // tokens must not wait for ACKs
    auto connection = std::make_shared<Connection>(state, worker, std::move(socket));
    asio::post(worker.io, [connection] { connection->read_request(); });
    accept();
  });
}

namespace {

MockServerConfig validated(MockServerConfig config) {
  check_config(config);
  if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
  return config;
}

}  // namespace

void check_config(const MockServerConfig& config) {
  config.latency.validate();
  config.faults.validate();
  if (config.block_size == 0) throw UsageError("block_size", "must be at least 1");
  if (config.default_max_tokens == 0) throw UsageError("the default max_tokens must be >= 1");
  for (const auto& [name, ms] : {std::pair{"read_timeout_ms", config.read_timeout_ms},
                                 std::pair{"idle_timeout_ms", config.idle_timeout_ms}}) {
    if (!(ms > 0 && ms <= kMaxTimingMs)) {
      throw UsageError(name, fmt::format("must be more than 0 and at most {} (one hour), got {}",
                                         kMaxTimingMs, ms));
    }
  }
  if (config.max_body_bytes == 0 || config.max_body_bytes > kMaxBodyBytes) {
    throw UsageError("max_body_bytes",
                     fmt::format("must be 1 to {}, got {}", kMaxBodyBytes, config.max_body_bytes));
  }
}

MockServer::MockServer(MockServerConfig config)
    : impl_(std::make_unique<Impl>(validated(std::move(config)))) {}

MockServer::~MockServer() {
  stop();
}

std::uint16_t MockServer::start() {
  Impl& s = *impl_;
  if (!s.workers.empty()) throw std::logic_error("MockServer::start() called twice");
  for (unsigned i = 0; i < s.state.config.threads; ++i) {
    s.workers.push_back(std::make_unique<Worker>());
    s.guards.push_back(asio::make_work_guard(s.workers.back()->io));
  }
  asio::io_context& io = s.workers.front()->io;
  try {
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(
        s.state.config.host, std::to_string(s.state.config.port), tcp::resolver::passive);
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    s.acceptor.emplace(io);
    s.acceptor->open(endpoint.protocol());
    s.acceptor->set_option(asio::socket_base::reuse_address(true));
    s.acceptor->bind(endpoint);
    s.acceptor->listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    s.acceptor.reset();
    s.guards.clear();
    s.workers.clear();
    throw IoError(fmt::format("cannot listen on {}:{}: {}", s.state.config.host,
                              s.state.config.port, e.code().message()));
  }
  s.accept_retry.emplace(io);
  const std::uint16_t port = s.acceptor->local_endpoint().port();
  s.accept();
  for (auto& worker : s.workers) {
    s.threads.emplace_back([&io = worker->io] { io.run(); });
  }
  return port;
}

void MockServer::stop() {
  Impl& s = *impl_;
  if (s.workers.empty()) return;
  for (auto& worker : s.workers) worker->io.stop();
  for (auto& thread : s.threads) thread.join();
  s.threads.clear();
  // The acceptor and timer belong to the first worker's io_context: they go first; the
  // io_contexts then destroy the handlers that hold the connections.
  s.accept_retry.reset();
  s.acceptor.reset();
  s.guards.clear();
  s.workers.clear();
}

MockServerStats MockServer::stats() const {
  const Counters& c = impl_->state.counters;
  return MockServerStats{c.requests,       c.bad_requests,     c.errors_injected, c.stalls_injected,
                         c.drops_injected, c.completed,        c.prompt_tokens,   c.cached_tokens,
                         c.output_tokens,  c.open_connections, c.open_streams};
}

}  // namespace kvtrace::mock
