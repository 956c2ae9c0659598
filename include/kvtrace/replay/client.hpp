#pragma once
// The HTTP/1.1 client of the replay: one streaming completion request at a time per
// connection, connections kept alive in a pool of at most --max-connections, TLS for
// https:// URLs. Runs on one io_context thread (no locks); each request is a coroutine that
// records its timings into a Record. Network and server faults end up in the record, never
// as exceptions.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kvtrace/replay/record.hpp"
#include "kvtrace/replay/request_loader.hpp"
#include "kvtrace/replay/stream_chunk.hpp"
#include "kvtrace/replay/url.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::replay {

struct ClientOptions {
  Url url;
  // The path after the URL's; empty: /v1/chat/completions for "messages" bodies and
  // /v1/completions for "prompt" bodies.
  std::string endpoint;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::string api_key;              // sent as "Authorization: Bearer KEY" when not empty
  std::size_t max_connections = 0;  // 0: as many as requests in flight
  std::chrono::milliseconds request_timeout{0};  // 0: none
  bool insecure = false;                         // TLS without certificate checks
  // Counts output tokens when the server sends no usage; null: count chunks.
  const tokenizer::Tokenizer* tokenizer = nullptr;
  std::chrono::steady_clock::time_point origin;  // time zero of the records
  // Called after every read of a response (the runner sends due requests from there).
  std::function<void()> after_read;
};

// Extra request headers from "Name: value" texts (spaces after the colon are dropped);
// UsageError naming the parameter "header" for a text without a name and a colon, or with a
// line break.
std::vector<std::pair<std::string, std::string>> parse_headers(
    std::span<const std::string> headers);

class Client {
 public:
  // Resolves the host now (UsageError when it cannot be resolved).
  Client(boost::asio::io_context& io, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `body` (the request's, possibly with history) and streams the response into
  // `record`: status, first token and chunk times, end, error, token counts. The caller has
  // set record.start_ns. `reply`, when not null, receives the generated text.
  boost::asio::awaitable<void> send(const ReplayRequest& request, std::string_view body,
                                    Record& record, std::string* reply);

  // Closes every connection and wakes requests waiting for one: what is in flight ends as
  // kCancelled. Later sends fail as kCancelled at once.
  void cancel_all();

  std::size_t open_connections() const { return open_; }
  std::int64_t now_ns() const;

 private:
  struct Connection;
  struct Exchange;
  boost::asio::awaitable<std::unique_ptr<Connection>> acquire();
  void release(std::unique_ptr<Connection> connection, bool reusable);
  boost::asio::awaitable<void> run(Exchange& x);
  template <class Stream>
  boost::asio::awaitable<void> exchange(Stream& stream, Exchange& x);

  boost::asio::io_context& io_;
  ClientOptions options_;
  std::optional<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::string chat_head_;  // request head up to the Content-Length value
  std::string completions_head_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::vector<Connection*> busy_;  // for cancel_all
  std::deque<boost::asio::steady_timer*> waiters_;
  std::size_t open_ = 0;  // idle + busy + connecting
  bool cancelled_ = false;
  ChunkReader chunks_;  // shared: reads are synchronous on the one thread
  StreamChunk chunk_;
};

}  // namespace kvtrace::replay
