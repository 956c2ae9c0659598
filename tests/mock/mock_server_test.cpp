#include "kvtrace/mock/mock_server.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <simdjson.h>

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

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace kvtrace::mock {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Reply {
  unsigned status = 0;
  std::string content_type;
  bool keep_alive = false;
  bool chunked = false;
  std::string body;
  double first_body_s = 0;  // from sending the request to the first body bytes
  double total_s = 0;
};

// A small synchronous HTTP/1.1 client on one keep-alive connection.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  void send(http::verb verb, std::string_view target, std::string_view body = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    sent_ = Clock::now();
    http::write(socket_, req);
  }

  // Reads one response, noting when its body starts; throws when the connection breaks or
  // nothing comes for 20 s (a hung server fails the test instead of hanging it).
  Reply receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    bounded([&](auto handler) { http::async_read_header(socket_, buffer_, parser, handler); });
    std::optional<Clock::time_point> first;
    while (!parser.is_done()) {
      if (!first && !parser.get().body().empty()) first = Clock::now();
      bounded([&](auto handler) { http::async_read_some(socket_, buffer_, parser, handler); });
    }
    const auto end = Clock::now();
    const auto& res = parser.get();
    Reply r;
    r.status = res.result_int();
    r.content_type = std::string(res[http::field::content_type]);
    r.keep_alive = res.keep_alive();
    r.chunked = res.chunked();
    r.body = res.body();
    r.first_body_s = std::chrono::duration<double>(first.value_or(end) - sent_).count();
    r.total_s = std::chrono::duration<double>(end - sent_).count();
    return r;
  }

  Reply request(http::verb verb, std::string_view target, std::string_view body = {}) {
    send(verb, target, body);
    return receive();
  }
  Reply post(std::string_view target, std::string_view body) {
    return request(http::verb::post, target, body);
  }

  std::uint16_t local_port() const { return socket_.local_endpoint().port(); }

 private:
  // Runs one asynchronous read started by `start(handler)` for at most 20 s.
  template <typename Start>
  void bounded(Start start) {
    std::optional<boost::system::error_code> result;
    start([&](boost::system::error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run_for(std::chrono::seconds(20));
    if (!result) {
      socket_.close();
      io_.restart();
      io_.run();
      throw std::runtime_error("no response within 20 s");
    }
    if (*result) throw boost::system::system_error(*result);
  }

  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  Clock::time_point sent_;
};

// The JSON of each `data:` event of an SSE body.
std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const std::size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string event = body.substr(pos, end - pos);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    out.push_back(event.substr(6));
    pos = end + 2;
  }
  EXPECT_EQ(pos, body.size()) << "a partial event at the end";
  return out;
}

// A server whose latencies are small enough for tests; the tiny byte-level tokenizer of the
// tokenizer tests reads text prompts.
MockServerConfig fast_config() {
  MockServerConfig c;
  c.threads = 2;
  c.latency = LatencyModel{.ttft_ms = 1, .prefill_tokens_per_s = 0, .itl_ms = 1};
  c.default_max_tokens = 3;
  static const testing::TempDir dir;
  static const std::string path = dir.write("tokenizer.json", testing::tiny_tokenizer_json());
  c.tokenizer = tokenizer::load_tokenizer(path);
  return c;
}

class MockServerTest : public ::testing::Test {
 protected:
  void start(MockServerConfig config) {
    server_.emplace(std::move(config));
    port_ = server_->start();
  }
  void SetUp() override { start(fast_config()); }

  std::optional<MockServer> server_;
  std::uint16_t port_ = 0;
  simdjson::dom::parser json_;
};

TEST_F(MockServerTest, ChatStreamHasOpenAiShapeAndMaxTokensTokens) {
  Client client(port_);
  const Reply r = client.post("/v1/chat/completions", R"({"model":"qwen","messages":[
      {"role":"user","content":"hello world"}],"max_tokens":5,"stream":true,
      "stream_options":{"include_usage":true}})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/event-stream");
  EXPECT_TRUE(r.chunked);
  const auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 1 + 5 + 1 + 1u);  // role, tokens, usage, [DONE]
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const simdjson::dom::element e = json_.parse(events[i]);
    EXPECT_EQ(std::string_view(e["object"]), "chat.completion.chunk");
    EXPECT_EQ(std::string_view(e["id"]), "chatcmpl-0");
    EXPECT_EQ(std::string_view(e["model"]), "qwen");
    EXPECT_TRUE(e["usage"].is_null() || i == 6);
    if (i == 0) {
      EXPECT_EQ(std::string_view(e["choices"].at(0)["delta"]["role"]), "assistant");
    } else if (i <= 5) {
      const auto choice = e["choices"].at(0);
      text += std::string_view(choice["delta"]["content"]);
      if (i < 5) {
        EXPECT_TRUE(choice["finish_reason"].is_null());
      } else {
        EXPECT_EQ(std::string_view(choice["finish_reason"]), "length");
      }
    } else {
      EXPECT_EQ(e["choices"].get_array().size(), 0u);
      const auto usage = e["usage"];
      EXPECT_EQ(std::uint64_t(usage["completion_tokens"]), 5u);
      // The tiny tokenizer: one token per byte except "<|im_start|>" and "hello" (merged).
      const std::string chat_ml =
          "<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\n";
      EXPECT_EQ(std::uint64_t(usage["prompt_tokens"]),
                fast_config().tokenizer->encode(chat_ml).size());
      EXPECT_EQ(std::uint64_t(usage["total_tokens"]), std::uint64_t(usage["prompt_tokens"]) + 5);
      EXPECT_EQ(std::uint64_t(usage["prompt_tokens_details"]["cached_tokens"]), 0u);
    }
  }
  EXPECT_EQ(text, " the of and to in");
  const MockServerStats st = server_->stats();
  EXPECT_EQ(st.requests, 1u);
  EXPECT_EQ(st.completed, 1u);
  EXPECT_EQ(st.output_tokens, 5u);
}

TEST_F(MockServerTest, CompletionStreamOfTokenIdsWithoutUsage) {
  Client client(port_);
  const Reply r =
      client.post("/v1/completions", R"({"prompt":[1,2,3,4],"max_tokens":4,"stream":true})");
  EXPECT_EQ(r.status, 200u);
  const auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 4 + 1u);  // tokens, [DONE]: no role, no usage
  for (std::size_t i = 0; i < 4; ++i) {
    const simdjson::dom::element e = json_.parse(events[i]);
    EXPECT_EQ(std::string_view(e["object"]), "text_completion");
    EXPECT_EQ(std::string_view(e["model"]), "kvtrace-mock");  // the body named none
    EXPECT_FALSE(e["usage"].error() == simdjson::SUCCESS) << "no usage field unless asked";
    EXPECT_FALSE(std::string_view(e["choices"].at(0)["text"]).empty());
  }
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_EQ(server_->stats().prompt_tokens, 4u);
}

TEST_F(MockServerTest, WholeResponsesAndTheDefaultMaxTokens) {
  Client client(port_);
  const Reply r = client.post("/v1/completions", R"({"prompt":"hello"})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_FALSE(r.chunked);
  const simdjson::dom::element e = json_.parse(r.body);
  EXPECT_EQ(std::string_view(e["choices"].at(0)["text"]), " the of and");  // default: 3
  EXPECT_EQ(std::uint64_t(e["usage"]["completion_tokens"]), 3u);
  EXPECT_EQ(std::uint64_t(e["usage"]["prompt_tokens"]), 1u);  // "hello" is one tiny token

  const Reply chat = client.post(
      "/v1/chat/completions",
      R"({"messages":[{"role":"user","content":"x"}],"max_completion_tokens":2,"stream":false})");
  const simdjson::dom::element c = json_.parse(chat.body);
  EXPECT_EQ(std::string_view(c["object"]), "chat.completion");
  EXPECT_EQ(std::string_view(c["choices"].at(0)["message"]["content"]), " the of");
}

TEST_F(MockServerTest, HealthModelsAndErrors) {
  Client client(port_);
  const Reply health = client.request(http::verb::get, "/health");
  EXPECT_EQ(health.status, 200u);
  const Reply models = client.request(http::verb::get, "/v1/models?x=1");
  EXPECT_EQ(models.status, 200u);
  EXPECT_EQ(std::string_view(json_.parse(models.body)["data"].at(0)["id"]), "kvtrace-mock");

  const Reply missing = client.request(http::verb::get, "/v2/nothing");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_NE(std::string_view(json_.parse(missing.body)["error"]["message"]).find("/v2/nothing"),
            std::string_view::npos);
  EXPECT_EQ(client.request(http::verb::get, "/v1/completions").status, 405u);
  EXPECT_EQ(client.request(http::verb::post, "/health", "{}").status, 405u);

  const Reply bad_json = client.post("/v1/completions", R"({"prompt":)");
  EXPECT_EQ(bad_json.status, 400u);
  const simdjson::dom::element err = json_.parse(bad_json.body)["error"];
  EXPECT_EQ(std::string_view(err["type"]), "invalid_request_error");
  EXPECT_NE(std::string_view(err["message"]).find("invalid JSON"), std::string_view::npos);

  const Reply bad_field = client.post("/v1/completions", R"({"prompt":"x","max_tokens":0})");
  EXPECT_EQ(bad_field.status, 400u);
  EXPECT_EQ(std::string_view(json_.parse(bad_field.body)["error"]["param"]), "max_tokens");

  // Errors do not close the connection: the next request is served on it.
  EXPECT_EQ(client.post("/v1/completions", R"({"prompt":[1]})").status, 200u);
  const MockServerStats st = server_->stats();
  EXPECT_EQ(st.bad_requests, 5u);  // 404, 405, 405, 400, 400
  EXPECT_EQ(st.requests, 3u);      // completion requests, bad or not
  EXPECT_EQ(st.completed, 1u);
  EXPECT_EQ(st.open_connections, 1u);
}

TEST_F(MockServerTest, TextPromptsNeedATokenizer) {
  MockServerConfig config = fast_config();
  config.tokenizer = nullptr;
  start(std::move(config));
  Client client(port_);
  const Reply text = client.post("/v1/completions", R"({"prompt":"hi"})");
  EXPECT_EQ(text.status, 400u);
  EXPECT_EQ(std::string_view(json_.parse(text.body)["error"]["param"]), "prompt");
  EXPECT_EQ(client.post("/v1/completions", R"({"prompt":[5,6]})").status, 200u);
}

// A tokenizer that fails on one word, to check a failing request leaves the server serving.
class FailingTokenizer : public tokenizer::Tokenizer {
 public:
  void encode(std::string_view text, std::vector<tokenizer::TokenId>& out) const override {
    if (text.find("boom") != std::string_view::npos) throw std::runtime_error("cannot encode");
    for (const char c : text) out.push_back(static_cast<unsigned char>(c));
  }
  std::string decode(std::span<const tokenizer::TokenId>, bool) const override { return ""; }
  std::optional<tokenizer::TokenId> bos_token_id() const override { return std::nullopt; }
  std::optional<tokenizer::TokenId> eos_token_id() const override { return std::nullopt; }
  std::size_t vocab_size() const override { return 256; }
  std::uint64_t fingerprint() const override { return 0; }
};

TEST_F(MockServerTest, AFailingRequestIsA500AndTheServerGoesOn) {
  MockServerConfig config = fast_config();
  config.tokenizer = std::make_shared<FailingTokenizer>();
  start(std::move(config));
  Client client(port_);
  const Reply failed = client.post("/v1/completions", R"({"prompt":"boom","stream":true})");
  EXPECT_EQ(failed.status, 500u);
  EXPECT_FALSE(failed.keep_alive);
  EXPECT_EQ(std::string_view(json_.parse(failed.body)["error"]["message"]), "cannot encode");
  Client again(port_);
  const Reply ok = again.post("/v1/completions", R"({"prompt":"fine","stream":true})");
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(sse_events(ok.body).size(), 3 + 1u);
}

TEST_F(MockServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Client client(port_);
  const std::uint16_t local = client.local_port();
  for (int i = 0; i < 20; ++i) {
    const bool stream = i % 2 == 0;
    const Reply r =
        client.post("/v1/completions",
                    fmt::format(R"({{"prompt":[{}],"max_tokens":2,"stream":{}}})", i, stream));
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(r.chunked, stream);
  }
  EXPECT_EQ(client.local_port(), local);
  const MockServerStats st = server_->stats();
  EXPECT_EQ(st.completed, 20u);
  EXPECT_EQ(st.open_connections, 1u);
  EXPECT_EQ(st.open_streams, 0u);
}

TEST_F(MockServerTest, ManyConcurrentStreams) {
  MockServerConfig config = fast_config();
  config.latency.itl_ms = 5;
  start(std::move(config));
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    clients.back()->send(http::verb::post, "/v1/chat/completions",
                         R"({"messages":[{"role":"user","content":"a"}],"max_tokens":20,)"
                         R"("stream":true})");
  }
  for (auto& c : clients) {
    const Reply r = c->receive();
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(sse_events(r.body).size(), 1 + 20 + 1u);
  }
  EXPECT_EQ(server_->stats().output_tokens, 40 * 20u);
}

TEST_F(MockServerTest, ASlowReaderGetsEveryToken) {
  MockServerConfig config = fast_config();
  config.latency = LatencyModel{.ttft_ms = 0, .prefill_tokens_per_s = 0, .itl_ms = 0};
  start(std::move(config));
  Client client(port_);
  // Every token is due at once: one write of about 3 MB, more than the socket buffers hold
  // while the client is not reading, so the server's write resumes several times.
  client.send(http::verb::post, "/v1/completions",
              R"({"prompt":[1],"max_tokens":20000,"stream":true})");
  // The server counts the tokens as it hands them to the socket: then its write has begun.
  EXPECT_TRUE(testing::wait_until([&] { return server_->stats().output_tokens == 20000; }))
      << server_->stats().output_tokens;
  const Reply r = client.receive();
  EXPECT_EQ(sse_events(r.body).size(), 20000 + 1u);
  EXPECT_EQ(r.body.find("finish_reason\":\"length"), r.body.rfind("finish_reason\":\"length"));
}

// The number of errors the seeded draws inject into requests 0..n-1.
int expected_errors(std::uint64_t seed, double rate, int n, std::uint32_t tokens) {
  int errors = 0;
  for (int i = 0; i < n; ++i) {
    SplitMix64 rng = request_rng(seed, i);
    errors += plan_faults(FaultRates{.error_rate = rate}, tokens, rng).error;
  }
  return errors;
}

TEST_F(MockServerTest, SeededErrorInjection) {
  MockServerConfig config = fast_config();
  config.faults.error_rate = 0.3;
  config.seed = 7;
  start(std::move(config));
  Client client(port_);
  int errors = 0;
  constexpr int kRequests = 100;
  for (int i = 0; i < kRequests; ++i) {
    const Reply r =
        client.post("/v1/completions", R"({"prompt":[1],"max_tokens":2,"stream":true})");
    if (r.status == 500) {
      ++errors;
      EXPECT_EQ(std::string_view(json_.parse(r.body)["error"]["type"]), "server_error");
    } else {
      EXPECT_EQ(r.status, 200u);
    }
  }
  EXPECT_EQ(errors, expected_errors(7, 0.3, kRequests, 2));
  EXPECT_GT(errors, 10);
  EXPECT_LT(errors, 50);
  EXPECT_EQ(server_->stats().errors_injected, static_cast<std::uint64_t>(errors));
  EXPECT_EQ(server_->stats().completed, static_cast<std::uint64_t>(kRequests - errors));
}

TEST_F(MockServerTest, DropClosesTheConnectionMidStream) {
  MockServerConfig config = fast_config();
  config.faults.drop_rate = 1;
  start(std::move(config));
  Client client(port_);
  EXPECT_THROW(client.post("/v1/completions", R"({"prompt":[1],"max_tokens":50,"stream":true})"),
               boost::system::system_error);
  EXPECT_EQ(server_->stats().drops_injected, 1u);
  EXPECT_EQ(server_->stats().completed, 0u);
  EXPECT_LT(server_->stats().output_tokens, 50u);
}

TEST_F(MockServerTest, StallDelaysTheStream) {
  MockServerConfig config = fast_config();
  config.latency = LatencyModel{.ttft_ms = 0, .prefill_tokens_per_s = 0, .itl_ms = 0};
  config.faults.stall_rate = 1;
  config.faults.stall_ms = 300;
  start(std::move(config));
  Client client(port_);
  const Reply r = client.post("/v1/completions", R"({"prompt":[1],"max_tokens":10,"stream":true})");
  EXPECT_EQ(sse_events(r.body).size(), 11u);
  EXPECT_GE(r.total_s, 0.3);  // a lower bound only: the timer never fires early
  EXPECT_EQ(server_->stats().stalls_injected, 1u);
}

TEST_F(MockServerTest, RepeatedPromptIsCachedAndStartsSooner) {
  MockServerConfig config = fast_config();
  config.block_size = 16;
  config.latency = LatencyModel{.ttft_ms = 0, .prefill_tokens_per_s = 1000, .itl_ms = 1};
  start(std::move(config));
  std::string ids;
  for (int i = 0; i < 800; ++i) ids += fmt::format("{}{}", i ? "," : "", 1000 + i);
  const std::string body =
      R"({"prompt":[)" + ids +
      R"(],"max_tokens":2,"stream":true,"stream_options":{"include_usage":true}})";
  Client client(port_);
  const auto cached = [&](const Reply& r) {
    const auto events = sse_events(r.body);
    return std::uint64_t(json_.parse(
        events.at(events.size() - 2))["usage"]["prompt_tokens_details"]["cached_tokens"]);
  };
  const Reply fresh = client.post("/v1/completions", body);
  const Reply repeated = client.post("/v1/completions", body);
  EXPECT_EQ(cached(fresh), 0u);
  EXPECT_EQ(cached(repeated), 784u);  // 49 blocks of 16: the last token is always computed
  // Fresh: 800 tokens at 1000/s = 0.8 s of prefill; repeated: 16 tokens = 16 ms.
  EXPECT_GE(fresh.first_body_s, 0.8);
  EXPECT_LT(repeated.first_body_s, fresh.first_body_s / 2);
  EXPECT_EQ(server_->stats().cached_tokens, 784u);
}

TEST_F(MockServerTest, ALaterChatTurnFindsTheEarlierTurnsInTheCache) {
  MockServerConfig config = fast_config();
  config.block_size = 4;
  start(std::move(config));
  Client client(port_);
  const auto cached = [&](const std::string& messages) {
    const Reply r = client.post(
        "/v1/chat/completions",
        R"({"messages":)" + messages +
            R"(,"max_tokens":1,"stream":true,"stream_options":{"include_usage":true}})");
    const auto events = sse_events(r.body);
    const simdjson::dom::element usage = json_.parse(events.at(events.size() - 2))["usage"];
    return std::pair{std::uint64_t(usage["prompt_tokens"]),
                     std::uint64_t(usage["prompt_tokens_details"]["cached_tokens"])};
  };
  const std::string first = R"({"role":"user","content":"tell me a story about the sea"})";
  const auto [p1, c1] = cached("[" + first + "]");
  EXPECT_EQ(c1, 0u);
  // The second turn repeats the first (ChatML ends it with "<|im_start|>assistant\n", which
  // the second turn has as the start of the assistant message): its blocks up to there hit.
  const auto [p2, c2] = cached("[" + first +
                               R"(,{"role":"assistant","content":"once upon a time"},)"
                               R"({"role":"user","content":"go on"}])");
  EXPECT_GT(p2, p1);
  EXPECT_EQ(c2, p1 / 4 * 4);  // every complete block of the first turn, nothing more
}

TEST_F(MockServerTest, StopCutsOpenStreams) {
  MockServerConfig config = fast_config();
  config.latency.itl_ms = 1000;
  start(std::move(config));
  Client client(port_);
  client.send(http::verb::post, "/v1/completions",
              R"({"prompt":[1],"max_tokens":100,"stream":true})");
  // The first token comes after 1 ms, the second after 1 s more.
  ASSERT_TRUE(testing::wait_until([&] { return server_->stats().output_tokens > 0; }));
  ASSERT_EQ(server_->stats().output_tokens, 1u);
  EXPECT_EQ(server_->stats().open_streams, 1u);
  server_->stop();
  EXPECT_THROW(client.receive(), boost::system::system_error);
  EXPECT_EQ(server_->stats().open_streams, 0u);
  EXPECT_EQ(server_->stats().open_connections, 0u);
  server_->stop();  // idempotent
}

// Without timeouts, four clients that stalled inside 50 MB bodies held 247 MB for good.
TEST_F(MockServerTest, AStalledRequestIsCutAfterTheReadTimeout) {
  MockServerConfig config = fast_config();
  config.read_timeout_ms = 100;
  start(std::move(config));
  asio::io_context io;
  tcp::socket stalled(io);
  stalled.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(stalled,
              asio::buffer(std::string_view(
                  "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n"
                  "\r\n{\"prompt\":[1,")));
  ASSERT_TRUE(testing::wait_until([&] { return server_->stats().open_connections == 0; },
                                  std::chrono::seconds(10)));
  char byte = 0;
  boost::system::error_code ec;
  stalled.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  // A stalled header too.
  tcp::socket half_header(io);
  half_header.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(half_header, asio::buffer(std::string_view("GET /health HTTP/1.1\r\nHo")));
  EXPECT_TRUE(testing::wait_until([&] { return server_->stats().open_connections == 0; },
                                  std::chrono::seconds(10)));
}

TEST_F(MockServerTest, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
  MockServerConfig config = fast_config();
  config.idle_timeout_ms = 100;
  start(std::move(config));
  {
    Client client(port_);
    EXPECT_EQ(client.post("/v1/completions", R"({"prompt":[1],"max_tokens":1})").status, 200u);
    // Kept alive after the response, then closed for idleness; so is a silent connection.
    Client silent(port_);
    EXPECT_TRUE(testing::wait_until([&] { return server_->stats().open_connections == 0; },
                                    std::chrono::seconds(10)));
    EXPECT_THROW(client.receive(), boost::system::system_error);
  }
}

TEST_F(MockServerTest, TimeoutsDoNotCutAResponseUnderWay) {
  MockServerConfig config = fast_config();
  config.read_timeout_ms = 20;
  config.idle_timeout_ms = 20;
  config.latency.itl_ms = 5;
  start(std::move(config));
  Client client(port_);
  // 40 tokens 5 ms apart: 200 ms, ten times the timeouts.
  const Reply r = client.post("/v1/completions", R"({"prompt":[1],"max_tokens":40,"stream":true})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(sse_events(r.body).size(), 41u);
  const Reply whole = client.post("/v1/completions", R"({"prompt":[1],"max_tokens":40})");
  EXPECT_EQ(whole.status, 200u);
}

TEST_F(MockServerTest, ABodyOverTheLimitIsA413) {
  MockServerConfig config = fast_config();
  config.max_body_bytes = 100;
  start(std::move(config));
  Client client(port_);
  const Reply r =
      client.post("/v1/completions", R"({"prompt":")" + std::string(200, 'a') + R"("})");
  EXPECT_EQ(r.status, 413u);
  EXPECT_NE(r.body.find("request body over 100 bytes"), std::string::npos) << r.body;
  Client again(port_);
  EXPECT_EQ(again.post("/v1/completions", R"({"prompt":[1],"max_tokens":1})").status, 200u);
}

TEST(MockServer, BadConfigurationAndBusyPort) {
  MockServerConfig bad;
  bad.faults.error_rate = 1.5;
  EXPECT_THROW(MockServer{bad}, UsageError);
  MockServerConfig zero_block;
  zero_block.block_size = 0;
  EXPECT_THROW(MockServer{zero_block}, UsageError);

  for (const double ms : {0.0, -1.0, 3'600'001.0}) {
    MockServerConfig read;
    read.read_timeout_ms = ms;
    EXPECT_THROW(MockServer{read}, UsageError);
    MockServerConfig idle;
    idle.idle_timeout_ms = ms;
    EXPECT_THROW(MockServer{idle}, UsageError);
  }
  MockServerConfig no_body;
  no_body.max_body_bytes = 0;
  EXPECT_THROW(MockServer{no_body}, UsageError);
  MockServerConfig huge_body;
  huge_body.max_body_bytes = kMaxBodyBytes + 1;
  EXPECT_THROW(MockServer{huge_body}, UsageError);

  MockServer first{MockServerConfig{}};
  MockServerConfig same;
  same.port = first.start();
  MockServer second{same};
  EXPECT_THROW(second.start(), IoError);
}

}  // namespace
}  // namespace kvtrace::mock
