#include "kvtrace/replay/client.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
// GCC 12 under the sanitizers warns of a maybe-uninitialized boost::optional in Beast's
// parser (a false positive); silenced for Beast's headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include "kvtrace/core/error.hpp"
#include "kvtrace/replay/sse_parser.hpp"
#include "replay/no_throw.hpp"

namespace kvtrace::replay {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadBuffer = 16384;
constexpr std::size_t kMaxErrorBody = 1024;  // of a non-200 answer, kept as error text
// What one response may bring (docs/replay.md, "Limits"): its generated text, kept for token
// counting and history, and its content chunks, whose times are kept. Far beyond any model's
// answer; a server streaming without end fails its request rather than fill the memory.
constexpr std::size_t kMaxResponseText = std::size_t{64} << 20;
constexpr std::size_t kMaxResponseChunks = std::size_t{1} << 22;

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_version).category();
}

std::string head_for(const ClientOptions& o, std::string_view endpoint) {
  std::string head = fmt::format(
      "POST {}{} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n"
      "Accept: text/event-stream\r\nUser-Agent: kvtrace-replay\r\n",
      o.url.base_path, endpoint, o.url.host_header());
  if (!o.api_key.empty()) head += fmt::format("Authorization: Bearer {}\r\n", o.api_key);
  for (const auto& [name, value] : o.headers) head += fmt::format("{}: {}\r\n", name, value);
  head += "Content-Length: ";
  return head;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_headers(
    std::span<const std::string> headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& h : headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
      throw UsageError("header", fmt::format("\"{}\": expected \"Name: value\"", h));
    }
    std::string_view value = std::string_view(h).substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.emplace_back(h.substr(0, colon), std::string(value));
  }
  return out;
}

struct Client::Connection {
  Connection(asio::io_context& io, asio::ssl::context* tls_context) : tcp(io) {
    if (tls_context != nullptr) tls.emplace(tcp, *tls_context);
  }
  beast::tcp_stream tcp;
  std::optional<asio::ssl::stream<beast::tcp_stream&>> tls;
  beast::flat_buffer buffer;  // bytes read past the parser's needs
  std::string head;
  std::string text;  // the generated text of the current response
  SseParser sse;
  std::array<char, kReadBuffer> body;
  bool connected = false;
};

// One request's state while it runs.
struct Client::Exchange {
  const ReplayRequest& request;
  std::string_view body;
  Record& record;
  std::string* reply;
  std::unique_ptr<Connection> connection;
  bool reused = false;  // the connection served a request before
  bool retry = false;   // a reused connection was closed by the server before answering
  bool keep_alive = false;
  bool complete = false;  // a whole 200 response was read
  std::optional<std::uint64_t> completion_tokens;
};

Client::Client(asio::io_context& io, ClientOptions options)
    : io_(io), options_(std::move(options)) {
  if (options_.url.tls) {
    tls_.emplace(asio::ssl::context::tls_client);
    if (options_.insecure) {
      tls_->set_verify_mode(asio::ssl::verify_none);
    } else {
      tls_->set_default_verify_paths();
      tls_->set_verify_mode(asio::ssl::verify_peer);
    }
  }
  tcp::resolver resolver(io_);
  beast::error_code ec;
  endpoints_ = resolver.resolve(options_.url.host, std::to_string(options_.url.port), ec);
  if (ec) {
    throw IoError(fmt::format("cannot resolve {}: {}", options_.url.host, ec.message()));
  }
  chat_head_ =
      head_for(options_, options_.endpoint.empty() ? "/v1/chat/completions" : options_.endpoint);
  completions_head_ =
      head_for(options_, options_.endpoint.empty() ? "/v1/completions" : options_.endpoint);
}

Client::~Client() = default;

std::int64_t Client::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              options_.origin)
      .count();
}

asio::awaitable<std::unique_ptr<Client::Connection>> Client::acquire() {
  while (!cancelled_) {
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      co_return c;
    }
    if (options_.max_connections == 0 || open_ < options_.max_connections) {
      ++open_;
      co_return std::make_unique<Connection>(io_, tls_ ? &*tls_ : nullptr);
    }
    asio::steady_timer wait(io_, asio::steady_timer::time_point::max());
    waiters_.push_back(&wait);
    co_await wait.async_wait(kNoThrow);
  }
  co_return nullptr;
}

void Client::release(std::unique_ptr<Connection> c, bool reusable) {
  std::erase(busy_, c.get());
  if (reusable && !cancelled_) {
    c->tcp.expires_never();
    idle_.push_back(std::move(c));
  } else {
    beast::error_code ignored;
    c->tcp.socket().close(ignored);
    --open_;
  }
  if (!waiters_.empty()) {
    waiters_.front()->cancel();
    waiters_.pop_front();
  }
}

void Client::cancel_all() {
  cancelled_ = true;
  for (Connection* c : busy_) {
    beast::error_code ignored;
    c->tcp.socket().close(ignored);
  }
  for (auto& c : idle_) {
    beast::error_code ignored;
    c->tcp.socket().close(ignored);
  }
  open_ -= idle_.size();
  idle_.clear();
  for (asio::steady_timer* w : waiters_) w->cancel();
  waiters_.clear();
}

namespace {

void fail(Record& r, ErrorKind kind, std::string text) {
  if (r.error_kind != ErrorKind::kNone && r.error_kind != ErrorKind::kServerError) return;
  r.error_kind = kind;
  r.error = std::move(text);
}

}  // namespace

asio::awaitable<void> Client::send(const ReplayRequest& request, std::string_view body,
                                   Record& record, std::string* reply) {
  Exchange x{request, body, record, reply, nullptr};
  co_await run(x);
  // Only a whole 200 response is a success: whatever path ended without one is a failure
  // here, never a record counted ok with status 0.
  if (record.ok() && !x.complete) fail(record, ErrorKind::kReset, "no complete response");
  record.end_ns = now_ns();
}

asio::awaitable<void> Client::run(Exchange& x) {
  Record& r = x.record;
  x.connection = co_await acquire();
  if (!x.connection) {
    fail(r, ErrorKind::kCancelled, "stopped before it was sent");
    co_return;
  }
  busy_.push_back(x.connection.get());
  while (true) {
    Connection& c = *x.connection;
    if (options_.request_timeout.count() > 0) {
      const auto deadline =
          options_.origin + std::chrono::nanoseconds(r.start_ns) + options_.request_timeout;
      c.tcp.expires_at(deadline);
    }
    x.reused = c.connected;
    if (!c.connected) {
      r.new_connection = true;
      auto [ec, endpoint] = co_await c.tcp.async_connect(endpoints_, kNoThrow);
      if (!ec && c.tls) {
        if (!SSL_set_tlsext_host_name(c.tls->native_handle(), options_.url.host.c_str())) {
          ec = beast::error_code(static_cast<int>(::ERR_get_error()),
                                 asio::error::get_ssl_category());
        }
        if (!ec) {
          if (!options_.insecure) {
            c.tls->set_verify_callback(asio::ssl::host_name_verification(options_.url.host));
          }
          std::tie(ec) = co_await c.tls->async_handshake(asio::ssl::stream_base::client, kNoThrow);
        }
      }
      if (ec) {
        fail(r,
             cancelled_                    ? ErrorKind::kCancelled
             : ec == beast::error::timeout ? ErrorKind::kTimeout
                                           : ErrorKind::kConnect,
             fmt::format("connect: {}", ec.message()));
        release(std::move(x.connection), false);
        co_return;
      }
      c.tcp.socket().set_option(tcp::no_delay(true), ec);
      c.connected = true;
    }
    if (c.tls) {
      co_await exchange(*c.tls, x);
    } else {
      co_await exchange(c.tcp, x);
    }
    if (!x.retry) break;
    // The server closed an idle kept-alive connection as the request went out: once more, timed
    // from the same start, on a new connection in the same pool slot, never another pooled one
    // (as stale when the server restarted or closes idle connections).
    x.retry = false;
    std::erase(busy_, &c);
    beast::error_code ignored;
    c.tcp.socket().close(ignored);
    x.connection = std::make_unique<Connection>(io_, tls_ ? &*tls_ : nullptr);
    busy_.push_back(x.connection.get());
  }
  release(std::move(x.connection), x.keep_alive && r.ok());
}

template <class Stream>
asio::awaitable<void> Client::exchange(Stream& stream, Exchange& x) {
  Record& r = x.record;
  Connection& c = *x.connection;
  const auto failed = [&](const beast::error_code& ec, std::string_view during) {
    const ErrorKind kind = cancelled_                           ? ErrorKind::kCancelled
                           : ec == beast::error::timeout        ? ErrorKind::kTimeout
                           : ec == http::error::end_of_stream   ? ErrorKind::kReset
                           : ec == http::error::partial_message ? ErrorKind::kReset
                           : is_http_error(ec)                  ? ErrorKind::kProtocol
                                                                : ErrorKind::kReset;
    fail(r, kind, fmt::format("{}: {}", during, ec.message()));
  };

  // An event beyond the parser's limit, or a response beyond its own, fails the request at
  // once: dropping an event would lose its tokens and keep the request ok.
  std::string over_limit;
  const auto oversized = [&] {
    if (over_limit.empty() && (c.sse.oversized_events() > 0 || c.sse.in_oversized_event())) {
      over_limit = fmt::format("an SSE event or line over {} bytes", SseParser::kMaxEventBytes);
    }
    if (over_limit.empty()) return false;
    fail(r, ErrorKind::kProtocol, over_limit);
    return true;
  };

  c.head = x.request.chat ? chat_head_ : completions_head_;
  fmt::format_to(std::back_inserter(c.head), "{}\r\n\r\n", x.body.size());
  const std::array<asio::const_buffer, 2> out{asio::buffer(c.head), asio::buffer(x.body)};
  if (auto [ec, n] = co_await asio::async_write(stream, out, kNoThrow); ec) {
    if (x.reused && !cancelled_) {
      x.retry = true;
    } else {
      failed(ec, "write");
    }
    co_return;
  }

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  if (auto [ec, n] = co_await http::async_read_header(stream, c.buffer, parser, kNoThrow); ec) {
    if (x.reused && n == 0 && !cancelled_ && ec != beast::error::timeout) {
      x.retry = true;
    } else {
      failed(ec, "read");
    }
    c.buffer.clear();
    co_return;
  }
  r.status = static_cast<int>(parser.get().result_int());
  const bool streaming = r.status == 200;
  std::string error_body;
  c.sse.reset();
  c.text.clear();
  std::int64_t now = 0;
  const auto on_event = [&](std::string_view data) {
    chunks_.read(data, chunk_);
    if (chunk_.done) {
      r.done = true;
      return;
    }
    if (chunk_.malformed) {
      ++r.malformed_events;
      return;
    }
    if (!chunk_.error.empty()) fail(r, ErrorKind::kServerError, chunk_.error);
    if (chunk_.prompt_tokens) r.input_tokens = chunk_.prompt_tokens;
    if (chunk_.completion_tokens) x.completion_tokens = chunk_.completion_tokens;
    if (!chunk_.text.empty()) {
      if (r.first_token_ns == kNever) r.first_token_ns = now;
      if (c.text.size() + chunk_.text.size() > kMaxResponseText) {
        over_limit = fmt::format("a response text over {} bytes", kMaxResponseText);
        return;
      }
      if (r.chunk_ns.size() == kMaxResponseChunks) {
        over_limit = fmt::format("a response of over {} chunks", kMaxResponseChunks);
        return;
      }
      r.chunk_ns.push_back(now);
      c.text.append(chunk_.text);
    }
  };
  while (!parser.is_done()) {
    parser.get().body().data = c.body.data();
    parser.get().body().size = c.body.size();
    auto [ec, n] = co_await http::async_read_some(stream, c.buffer, parser, kNoThrow);
    if (ec == http::error::need_buffer) ec = {};
    const std::size_t got = c.body.size() - parser.get().body().size;
    if (got > 0) {
      const std::string_view bytes(c.body.data(), got);
      if (streaming) {
        now = now_ns();
        c.sse.feed(bytes, on_event);
      } else if (error_body.size() < kMaxErrorBody) {
        error_body.append(bytes.substr(0, kMaxErrorBody - error_body.size()));
      }
    }
    if (options_.after_read) options_.after_read();
    if (ec) {
      failed(ec, "read");
      c.buffer.clear();
      co_return;
    }
    if (oversized()) {
      c.buffer.clear();  // the connection is closed: the rest of the stream is not read
      co_return;
    }
  }
  x.keep_alive = parser.keep_alive();
  if (!streaming) {
    fail(r, ErrorKind::kHttpStatus, fmt::format("HTTP {}: {}", r.status, error_body));
    co_return;
  }
  now = now_ns();
  c.sse.finish(on_event);
  if (oversized()) co_return;
  x.complete = true;
  if (x.completion_tokens) {
    r.output_tokens = *x.completion_tokens;
    r.token_source = TokenSource::kUsage;
  } else if (options_.tokenizer != nullptr) {
    r.output_tokens = options_.tokenizer->encode(c.text).size();
    r.token_source = TokenSource::kTokenizer;
  } else {
    r.output_tokens = r.chunk_ns.size();
    r.token_source = TokenSource::kChunks;
  }
  if (x.reply != nullptr) *x.reply = c.text;
}

}  // namespace kvtrace::replay
