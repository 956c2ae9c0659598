// Whole runs against the in-process mock server, and the history of sessions' turns.

#include "kvtrace/replay/runner.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "kvtrace/core/error.hpp"
#include "kvtrace/mock/mock_server.hpp"
#include "read_http_request.hpp"
#include "replay/mock_run_util.hpp"
#include "watchdog.hpp"

namespace kvtrace::replay {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using mock::MockServer;
using mock::MockServerConfig;
using mock_run::fast_server;
using mock_run::options;

// Completions requests with token-id prompts (the mock server needs no tokenizer for them).
std::vector<ReplayRequest> requests(std::size_t n, std::uint64_t max_tokens) {
  std::vector<ReplayRequest> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i].index = i;
    out[i].session_id = fmt::format("s{}", i);
    out[i].timestamp_ms = static_cast<double>(i * 10);
    out[i].chat = false;
    out[i].max_tokens = max_tokens;
    out[i].body = fmt::format(
        R"({{"prompt":[1,2,3,{}],"max_tokens":{},"stream":true,"stream_options":{{"include_usage":true}}}})",
        i, max_tokens);
  }
  return out;
}

TEST(Runner, TraceRunAccountsForEveryRequest) {
  MockServer server(fast_server());
  const std::uint16_t port = server.start();
  const auto rs = requests(30, 8);
  std::size_t seen = 0;
  const RunResult result = run_replay(rs, options(port, {.mode = Mode::kTrace, .speedup = 10}),
                                      [&](const Record&) { ++seen; });
  EXPECT_FALSE(result.interrupted);
  ASSERT_EQ(result.records.size(), 30u);
  EXPECT_EQ(seen, 30u);
  std::vector<bool> indices(30);
  for (const Record& r : result.records) {
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.output_tokens, 8u);
    EXPECT_EQ(r.token_source, TokenSource::kUsage);
    EXPECT_EQ(r.intended_ns, static_cast<std::int64_t>(r.index) * 1000000);  // 10 ms / 10
    EXPECT_GE(r.start_ns, r.intended_ns);
    EXPECT_LE(r.first_token_ns, r.end_ns);
    indices[r.index] = true;
  }
  EXPECT_EQ(std::count(indices.begin(), indices.end(), true), 30);
}

TEST(Runner, ConcurrencyWithFewerConnections) {
  MockServer server(fast_server());
  const std::uint16_t port = server.start();
  RunOptions o = options(port, {.mode = Mode::kConcurrency, .concurrency = 4});
  o.client.max_connections = 2;
  const RunResult result = run_replay(requests(20, 4), o, [](const Record&) {});
  ASSERT_EQ(result.records.size(), 20u);
  std::size_t new_connections = 0;
  for (const Record& r : result.records) {
    EXPECT_TRUE(r.ok()) << r.error;
    new_connections += r.new_connection;
  }
  EXPECT_LE(new_connections, 2u);
}

TEST(Runner, UnreachableServerGivesConnectErrors) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  const RunResult result = run_replay(
      requests(5, 4), options(port, {.mode = Mode::kRate, .rate = 1000}), [](const Record&) {});
  ASSERT_EQ(result.records.size(), 5u);
  for (const Record& r : result.records) EXPECT_EQ(r.error_kind, ErrorKind::kConnect);
}

// Answers two requests on two connections with a fixed reply and keeps what was sent.
TEST(Runner, HistoryAppendSendsEarlierTurnsAndReplies) {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::vector<std::string> bodies;
  std::thread server([&] {
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"R\\\"1\"}}]}\n\ndata: [DONE]\n\n";
    for (int i = 0; i < 2; ++i) {
      tcp::socket s(io);
      acceptor.accept(s);
      std::size_t head = 0;
      std::string in = testing::read_http_request(s, head);
      boost::system::error_code ec;
      bodies.push_back(in.substr(head));
      asio::write(s, asio::buffer(answer), ec);
    }
  });
  std::vector<ReplayRequest> rs(2);
  const std::string turn1 = R"({"messages":[{"role":"user","content":"A"}],"stream":true})";
  const std::string turn2 = R"({"messages":[{"role":"user","content":"B"}],"stream":true})";
  rs[0].body = turn1;
  rs[1].body = turn2;
  rs[0].messages = std::make_pair(std::size_t{13}, std::size_t{42});
  rs[1].messages = std::make_pair(std::size_t{13}, std::size_t{42});
  rs[0].timestamp_ms = 0;
  rs[1].delay_ms = 1;
  rs[0].next_turn = 1;
  rs[1].previous_turn = 0;
  RunOptions o = options(acceptor.local_endpoint().port(), {.mode = Mode::kTrace});
  o.history = History::kAppend;
  const RunResult result = run_replay(rs, o, [](const Record&) {});
  server.join();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], turn1);
  EXPECT_EQ(bodies[1],
            R"({"messages":[{"role":"user","content":"A"},{"role":"assistant","content":"R\"1"},)"
            R"({"role":"user","content":"B"}],"stream":true})");
  for (const Record& r : result.records) EXPECT_TRUE(r.ok()) << r.error;
}

// A server answering each of `n` connections with one short stream, then closing it.
// With `keep_alive`, it says it keeps the connection and closes it all the same, as a server
// that restarts between requests does.
class OneChunkServer {
 public:
  explicit OneChunkServer(int n, bool keep_alive = false)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, n, keep_alive] {
      const std::string events = "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: [DONE]\n\n";
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" +
          (keep_alive ? fmt::format("Content-Length: {}\r\n\r\n", events.size())
                      : std::string("Connection: close\r\n\r\n")) +
          events;
      for (int i = 0; i < n; ++i) {
        tcp::socket s(io_);
        acceptor_.accept(s);
        std::size_t head = 0;
        testing::read_http_request(s, head);
        boost::system::error_code ec;
        asio::write(s, asio::buffer(answer), ec);
      }
    });
  }
  ~OneChunkServer() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(Runner, HugeMaxTokensIsSentAndRecorded) {
  // What materialize writes for an absurd output length: the record's chunk times must not be
  // reserved for it (32 GB), the request is sent and its record comes back.
  OneChunkServer server(1);
  auto rs = requests(1, 4000000000);
  const RunResult result = testing::returns_within(std::chrono::seconds(60), "the run", [&] {
    return run_replay(rs, options(server.port(), {.mode = Mode::kTrace}), [](const Record&) {});
  });
  ASSERT_EQ(result.records.size(), 1u);
  const Record& r = result.records[0];
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.max_tokens, 4000000000u);
  EXPECT_EQ(r.chunk_ns.size(), 1u);
  EXPECT_LE(r.chunk_ns.capacity(), 1u << 20);
}

TEST(Runner, AServerClosingEveryKeptAliveConnectionLosesNoRequest) {
  // Two at the start, then one every 50 ms: each later request finds two pooled connections
  // the server has closed, and its retry must go on a new one, never on the other stale one.
  OneChunkServer server(8, true);
  auto rs = requests(8, 4);
  for (std::size_t i = 0; i < rs.size(); ++i) rs[i].timestamp_ms = i < 2 ? 0.0 : i * 50.0;
  const RunResult result = testing::returns_within(std::chrono::seconds(60), "the run", [&] {
    return run_replay(rs, options(server.port(), {.mode = Mode::kTrace}), [](const Record&) {});
  });
  ASSERT_EQ(result.records.size(), 8u);
  for (const Record& r : result.records) {
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.chunk_ns.size(), 1u);
  }
}

TEST(Runner, AFailingRecordConsumerStopsTheRunAtOnce) {
  // The second request is due in an hour: the run must not wait for it once the consumer of
  // the records failed.
  OneChunkServer server(1);
  auto rs = requests(2, 4);
  rs[1].timestamp_ms = 3600e3;
  std::size_t calls = 0;
  const RunResult result = testing::returns_within(std::chrono::seconds(60), "the run", [&] {
    return run_replay(rs, options(server.port(), {.mode = Mode::kTrace}), [&](const Record&) {
      ++calls;
      throw IoError("cannot write records.jsonl: No space left on device");
    });
  });
  EXPECT_EQ(calls, 1u);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_TRUE(result.records[0].ok());
  ASSERT_TRUE(result.error);
  EXPECT_THROW(std::rethrow_exception(result.error), IoError);
}

TEST(Runner, AStopBeforeTheRunSendsNothing) {
  RunStop stop;
  stop.fail(std::make_exception_ptr(IoError("cannot write x: No space left on device")));
  RunOptions o = options(1, {.mode = Mode::kRate, .rate = 1000});
  o.stop = &stop;
  const RunResult result = testing::returns_within(std::chrono::seconds(60), "the run", [&] {
    return run_replay(requests(3, 4), o, [](const Record&) {});
  });
  EXPECT_TRUE(result.records.empty());
  ASSERT_TRUE(result.error);
  EXPECT_THROW(std::rethrow_exception(result.error), IoError);
  stop.fail(std::make_exception_ptr(IoError("later")));  // after the run: nothing happens
}

TEST(ProgressText, CountsAndEndedRequestsPerSecond) {
  const Counters c{.requests = 20,
                   .sent = 9,
                   .completed = 7,
                   .errors = 1,
                   .in_flight = 2,
                   .connections = 2,
                   .elapsed_s = 1.5};
  // 7 / 1.5 = 4.67 req/s, shown rounded.
  EXPECT_EQ(progress_text(c),
            "\rreplay: 1.5 s, sent 9 of 20, ended 7 (1 errors), in flight 2, 2 connections, 5 "
            "req/s   ");
  EXPECT_EQ(progress_text({.requests = 3}),
            "\rreplay: 0.0 s, sent 0 of 3, ended 0 (0 errors), in flight 0, 0 connections, 0 "
            "req/s   ");
  EXPECT_EQ(progress_text({.requests = 1000,
                           .sent = 1000,
                           .completed = 990,
                           .in_flight = 10,
                           .connections = 64,
                           .elapsed_s = 12.34}),
            "\rreplay: 12.3 s, sent 1000 of 1000, ended 990 (0 errors), in flight 10, 64 "
            "connections, 80 req/s   ");
}

}  // namespace
}  // namespace kvtrace::replay
