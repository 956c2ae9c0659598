// The client against a scripted loopback server: each connection reads one request and
// answers with the bytes a test gives (well-formed or not), so every fault path is reached.

#include "kvtrace/replay/client.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <thread>

#include "kvtrace/core/error.hpp"
#include "read_http_request.hpp"
#include "test_util.hpp"
#include "watchdog.hpp"

namespace kvtrace::replay {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Answer {
  std::string bytes;   // written after the request was read
  bool stall = false;  // then wait for the client to go away instead of closing
  bool reset = false;  // then close with a TCP reset rather than an orderly close
};

// Serves the answers in turn, one connection each, on a background thread.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Answer> answers)
      : answers_(std::move(answers)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> requests() const { return requests_; }

 private:
  void serve() {
    for (const Answer& a : answers_) {
      tcp::socket s(io_);
      acceptor_.accept(s);
      std::size_t head = 0;
      std::string in = testing::read_http_request(s, head);
      boost::system::error_code ec;
      requests_.push_back(in);
      asio::write(s, asio::buffer(a.bytes), ec);
      if (a.stall) {
        char c;
        s.read_some(asio::buffer(&c, 1), ec);  // returns when the client closes
      }
      if (a.reset) s.set_option(asio::socket_base::linger(true, 0), ec);
    }
  }

  std::vector<Answer> answers_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

std::string chunked(const std::string& body) {
  std::string out;
  // One HTTP chunk per SSE event, as streaming servers write them.
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find("\n\n", start);
    end = end == std::string::npos ? body.size() : end + 2;
    out += fmt::format("{:x}\r\n{}\r\n", end - start, body.substr(start, end - start));
    start = end;
  }
  return out + "0\r\n\r\n";
}

std::string sse_response(const std::string& events) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
         "chunked\r\n\r\n" +
         chunked(events);
}

ReplayRequest request(std::string body = R"({"prompt":"x","max_tokens":3,"stream":true})") {
  ReplayRequest r;
  r.body = std::move(body);
  r.chat = false;
  return r;
}

// Sends the requests one after the other on one client and returns their records.
std::vector<Record> send_all(std::uint16_t port, std::vector<ReplayRequest> requests,
                             ClientOptions o = {}) {
  asio::io_context io;
  o.url = Url::parse(fmt::format("http://127.0.0.1:{}", port));
  o.origin = std::chrono::steady_clock::now();
  Client client(io, o);
  std::vector<Record> records(requests.size());
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < requests.size(); ++i) {
          records[i].start_ns = client.now_ns();
          co_await client.send(requests[i], requests[i].body, records[i], nullptr);
        }
      },
      asio::detached);
  io.run();
  return records;
}

// Sends the requests in waves: a wave's requests at once (each on its own connection when the
// pool has none idle), each wave once the previous one has ended.
std::vector<Record> send_waves(std::uint16_t port, const std::vector<std::size_t>& waves,
                               ClientOptions o = {}) {
  asio::io_context io;
  o.url = Url::parse(fmt::format("http://127.0.0.1:{}", port));
  o.origin = std::chrono::steady_clock::now();
  Client client(io, o);
  const ReplayRequest req = request();
  std::size_t total = 0;
  for (std::size_t n : waves) total += n;
  std::vector<Record> records(total);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::size_t next = 0;
        for (std::size_t n : waves) {
          std::size_t running = n;
          asio::steady_timer ended(io);
          for (std::size_t k = 0; k < n; ++k, ++next) {
            records[next].start_ns = client.now_ns();
            asio::co_spawn(io, client.send(req, req.body, records[next], nullptr),
                           [&](std::exception_ptr) {
                             if (--running == 0) ended.cancel();
                           });
          }
          while (running > 0) {
            ended.expires_at(asio::steady_timer::time_point::max());
            co_await ended.async_wait(asio::as_tuple(asio::use_awaitable));
          }
        }
      },
      asio::detached);
  io.run();
  return records;
}

const std::string kThreeChunks =
    "data: {\"choices\":[{\"text\":\"a\"}]}\n\n"
    "data: {\"choices\":[{\"text\":\"b\"}]}\n\n"
    ": comment\n\n"
    "data: {\"choices\":[{\"text\":\"\"}]}\n\n"
    "data: {\"choices\":[{\"text\":\"c\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4}}\n\n"
    "data: [DONE]\n\n";

TEST(Client, StreamsChunksAndUsageOverOneKeptAliveConnection) {
  ScriptedServer server({{sse_response(kThreeChunks) + sse_response(kThreeChunks)}});
  ClientOptions o;
  o.headers = {{"X-Test", "1"}};
  o.api_key = "secret";
  const auto records = send_all(server.port(), {request(), request()}, o);
  for (const Record& r : records) {
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.chunk_ns.size(), 3u);  // the empty text is not content
    EXPECT_EQ(r.first_token_ns, r.chunk_ns.front());
    EXPECT_GE(r.end_ns, r.chunk_ns.back());
    EXPECT_EQ(r.output_tokens, 4u);
    EXPECT_EQ(r.token_source, TokenSource::kUsage);
    EXPECT_EQ(r.input_tokens, 5u);
    EXPECT_TRUE(r.done);
  }
  EXPECT_TRUE(records[0].new_connection);
  EXPECT_FALSE(records[1].new_connection);  // both answers came on the one connection
  const std::string req = server.requests().at(0);
  EXPECT_TRUE(req.starts_with("POST /v1/completions HTTP/1.1\r\n")) << req;
  EXPECT_NE(req.find("Authorization: Bearer secret\r\n"), std::string::npos);
  EXPECT_NE(req.find("X-Test: 1\r\n"), std::string::npos);
  EXPECT_TRUE(req.ends_with(R"({"prompt":"x","max_tokens":3,"stream":true})"));
}

TEST(Client, WithoutUsageCountsChunks) {
  ScriptedServer server({{sse_response(
      "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n")}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output_tokens, 1u);
  EXPECT_EQ(r.token_source, TokenSource::kChunks);
}

TEST(Client, WithoutUsageReTokenizesTheWholeText) {
  const std::string path = kvtrace::testing::installed_qwen3_tokenizer();
  if (path.empty()) GTEST_SKIP() << "no Qwen3 tokenizer installed (scripts/setup)";
  const auto tok = tokenizer::load_tokenizer(path);
  ScriptedServer server({{sse_response(
      "data: {\"choices\":[{\"text\":\"Hel\"}]}\n\ndata: {\"choices\":[{\"text\":\"lo wor\"}]}\n\n"
      "data: {\"choices\":[{\"text\":\"ld\"}]}\n\ndata: [DONE]\n\n")}});
  ClientOptions o;
  o.tokenizer = tok.get();
  const auto r = send_all(server.port(), {request()}, o).at(0);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.token_source, TokenSource::kTokenizer);
  EXPECT_EQ(r.chunk_ns.size(), 3u);
  // The text's tokens ("Hello", " world"), not one per chunk.
  EXPECT_EQ(r.output_tokens, tok->encode("Hello world").size());
  EXPECT_EQ(r.output_tokens, 2u);
}

TEST(Client, MalformedEventsAreCountedNotFatal) {
  ScriptedServer server({{sse_response(
      "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {oops\n\ndata: 42\n\ndata: [DONE]\n\n")}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.malformed_events, 2u);
  EXPECT_EQ(r.chunk_ns.size(), 1u);
}

TEST(Client, HttpErrorStatus) {
  ScriptedServer server(
      {{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\n\r\noverloaded!"}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kHttpStatus);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error, "HTTP 503: overloaded!");
}

TEST(Client, ErrorEventInTheStream) {
  ScriptedServer server({{sse_response(
      "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"error\":{\"message\":\"boom\"}}\n\n")}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kServerError);
  EXPECT_EQ(r.error, R"({"message":"boom"})");
}

TEST(Client, ConnectionClosedMidStreamIsAReset) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  ScriptedServer server(
      {{head + chunked("data: {\"choices\":[{\"text\":\"a\"}]}\n\n").substr(0, 30)}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kReset) << r.error;
  EXPECT_EQ(r.status, 200);
}

TEST(Client, NotHttpIsAProtocolError) {
  ScriptedServer server({{"SSH-2.0-OpenSSH\r\n\r\n"}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kProtocol) << r.error;
}

TEST(Client, StalledStreamTimesOut) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  ScriptedServer server({{head, true}});
  ClientOptions o;
  o.request_timeout = std::chrono::milliseconds(200);
  const auto r = send_all(server.port(), {request()}, o).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kTimeout) << r.error;
}

TEST(Client, RefusedConnection) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  const auto r = send_all(port, {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kConnect) << r.error;
  EXPECT_EQ(r.status, 0);
}

// Hostile peers: whatever the server does, the request ends, and it is ok only when a whole
// 200 response came.

TEST(Client, KeptAliveConnectionsClosedBetweenRequestsAreRetriedOnAFreshOne) {
  // Two requests at once leave two kept-alive connections in the pool, which the server then
  // closes (as a restarted server or an idle timeout does). The third request draws one of
  // them; its one retry must not draw the other, just as stale.
  const Answer ok{sse_response(kThreeChunks)};
  ScriptedServer server({ok, ok, ok});
  const auto records = testing::returns_within(std::chrono::seconds(60), "the client", [&] {
    return send_waves(server.port(), {2, 1});
  });
  for (const Record& r : records) {
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.chunk_ns.size(), 3u);
    EXPECT_TRUE(r.done);
  }
  EXPECT_TRUE(records[2].new_connection);  // the retry's
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(Client, OversizedEventFailsTheRequest) {
  // An event over the 16 MiB limit, then a well-formed one and the end of the stream.
  const std::string big =
      "data: {\"choices\":[{\"text\":\"" + std::string(17 << 20, 'x') + "\"}]}\n\n";
  ScriptedServer server(
      {{sse_response("data: {\"choices\":[{\"text\":\"a\"}]}\n\n" + big +
                     "data: {\"choices\":[{\"text\":\"b\"}]}\n\ndata: [DONE]\n\n")}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kProtocol) << r.error;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.error.find("16777216"), std::string::npos) << r.error;
}

TEST(Client, AResponseBeyondItsTextLimitFailsTheRequest) {
  // 65 events of 1 MiB of text: each within the event limit, the response not within its own.
  const std::string event =
      "data: {\"choices\":[{\"text\":\"" + std::string(1 << 20, 'x') + "\"}]}\n\n";
  std::string events;
  for (int i = 0; i < 65; ++i) events += event;
  ScriptedServer server({{sse_response(events + "data: [DONE]\n\n")}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kProtocol) << r.error;
  EXPECT_EQ(r.error, "a response text over 67108864 bytes");
  EXPECT_EQ(r.chunk_ns.size(), 64u);
}

TEST(Client, EndlessLineFailsTheRequest) {
  // A line that never ends (no line break at all before the stream's end).
  ScriptedServer server({{sse_response("data: " + std::string(17 << 20, 'x'))}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kProtocol) << r.error;
  EXPECT_EQ(r.chunk_ns.size(), 0u);
}

TEST(Client, ResetMidStreamIsAReset) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  ScriptedServer server(
      {{head + chunked("data: {\"choices\":[{\"text\":\"a\"}]}\n\n").substr(0, 40), false, true}});
  const auto r = send_all(server.port(), {request()}).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kReset) << r.error;
  EXPECT_FALSE(r.ok());
}

TEST(Client, ServerThatNeverAnswersTimesOut) {
  ScriptedServer server({{"", true}});
  ClientOptions o;
  o.request_timeout = std::chrono::milliseconds(200);
  const auto r = send_all(server.port(), {request()}, o).at(0);
  EXPECT_EQ(r.error_kind, ErrorKind::kTimeout) << r.error;
  EXPECT_EQ(r.status, 0);
}

using Headers = std::vector<std::pair<std::string, std::string>>;

TEST(ParseHeaders, NameColonValueWithoutTheLeadingSpaces) {
  const std::vector<std::string> in{"X-A: b", "X-C:d", "X-E:   f g  ", "X-H: i: j", "X-K:"};
  EXPECT_EQ(parse_headers(in),
            (Headers{{"X-A", "b"}, {"X-C", "d"}, {"X-E", "f g  "}, {"X-H", "i: j"}, {"X-K", ""}}));
  EXPECT_EQ(parse_headers({}), Headers{});
}

TEST(ParseHeaders, NoNameNoColonOrALineBreakIsAUsageErrorOfTheHeaderParameter) {
  for (const std::string bad : {"NoColon", ": v", "X-A: b\r\nX-B: c", "X-A: b\n"}) {
    const std::vector<std::string> in{"X-Ok: 1", bad};
    try {
      parse_headers(in);
      ADD_FAILURE() << "no error for " << bad;
    } catch (const UsageError& e) {
      EXPECT_EQ(e.parameter(), "header");
      EXPECT_EQ(e.problem(), "\"" + bad + "\": expected \"Name: value\"");
    }
  }
}

}  // namespace
}  // namespace kvtrace::replay
