#include "kvtrace/mock/mock_response.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include <set>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace kvtrace::mock {
namespace {

// Each SSE event's JSON, checking the framing `data: ...\n\n`.
std::vector<std::string> events(const std::string& sse) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < sse.size()) {
    const std::size_t end = sse.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << sse.substr(pos);
    if (end == std::string::npos) break;
    const std::string event = sse.substr(pos, end - pos);
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    out.push_back(event.substr(6));
    pos = end + 2;
  }
  return out;
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
  return e;
}

TEST(MockResponse, ChatStreamEvents) {
  const StreamFormatter f(MockApi::kChat, "chatcmpl-7", 1700000000, "q\"m", true);
  std::string sse;
  f.append_role(sse);
  f.append_token(sse, 0, false);
  f.append_token(sse, 1, true);
  f.append_usage(sse, Usage{.prompt_tokens = 10, .completion_tokens = 2, .cached_tokens = 4});
  StreamFormatter::append_done(sse);
  const auto ev = events(sse);
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0],
            R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1700000000,)"
            R"("model":"q\"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},)"
            R"("logprobs":null,"finish_reason":null}],"usage":null})");
  EXPECT_EQ(ev[1], R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1700000000,)"
                   R"("model":"q\"m","choices":[{"index":0,"delta":{"content":" the"},)"
                   R"("logprobs":null,"finish_reason":null}],"usage":null})");
  EXPECT_EQ(ev[2], R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1700000000,)"
                   R"("model":"q\"m","choices":[{"index":0,"delta":{"content":" of"},)"
                   R"("logprobs":null,"finish_reason":"length"}],"usage":null})");
  EXPECT_EQ(ev[3],
            R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1700000000,)"
            R"("model":"q\"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,)"
            R"("total_tokens":12,"prompt_tokens_details":{"cached_tokens":4}}})");
  EXPECT_EQ(ev[4], "[DONE]");
}

TEST(MockResponse, CompletionStreamEventsWithoutUsage) {
  const StreamFormatter f(MockApi::kCompletions, "cmpl-1", 5, "m", false);
  std::string sse;
  f.append_role(sse);  // nothing: completions have no role
  EXPECT_TRUE(sse.empty());
  f.append_token(sse, 2, true);
  const auto ev = events(sse);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0], R"({"id":"cmpl-1","object":"text_completion","created":5,"model":"m",)"
                   R"("choices":[{"index":0,"text":" and","logprobs":null,)"
                   R"("finish_reason":"length"}]})");
}

TEST(MockResponse, EveryEventIsValidJson) {
  simdjson::dom::parser parser;
  for (const MockApi api : {MockApi::kChat, MockApi::kCompletions}) {
    for (const bool usage : {false, true}) {
      const StreamFormatter f(api, "id", 1, "model\n\\", usage);
      std::string sse;
      f.append_role(sse);
      for (std::uint32_t i = 0; i < 40; ++i) f.append_token(sse, i, i == 39);
      f.append_usage(sse, Usage{3, 40, 0});
      for (const std::string& e : events(sse)) {
        auto doc = parse(parser, e);
        EXPECT_EQ(std::string_view(doc["model"]), "model\n\\");
      }
    }
  }
}

TEST(MockResponse, WholeResponses) {
  simdjson::dom::parser parser;
  const Usage u{.prompt_tokens = 5, .completion_tokens = 3, .cached_tokens = 0};
  const std::string chat = full_response(MockApi::kChat, "c", 9, "m", u);
  auto c = parse(parser, chat);
  EXPECT_EQ(std::string_view(c["object"]), "chat.completion");
  EXPECT_EQ(std::string_view(c["choices"].at(0)["message"]["content"]), " the of and");
  EXPECT_EQ(std::string_view(c["choices"].at(0)["message"]["role"]), "assistant");
  EXPECT_EQ(std::string_view(c["choices"].at(0)["finish_reason"]), "length");
  EXPECT_EQ(std::uint64_t(c["usage"]["total_tokens"]), 8u);

  const std::string text = full_response(MockApi::kCompletions, "t", 9, "m", u);
  auto t = parse(parser, text);
  EXPECT_EQ(std::string_view(t["object"]), "text_completion");
  EXPECT_EQ(std::string_view(t["choices"].at(0)["text"]), " the of and");
  EXPECT_EQ(std::uint64_t(t["usage"]["completion_tokens"]), 3u);
}

TEST(MockResponse, ModelsAndErrors) {
  EXPECT_EQ(models_response("m", 3),
            R"({"object":"list","data":[{"id":"m","object":"model","created":3,)"
            R"("owned_by":"kvtrace"}]})");
  EXPECT_EQ(error_response("bad \"x\"", "invalid_request_error", "prompt"),
            R"({"error":{"message":"bad \"x\"","type":"invalid_request_error",)"
            R"("param":"prompt","code":null}})");
  EXPECT_EQ(error_response("boom", "server_error"),
            R"({"error":{"message":"boom","type":"server_error","param":null,"code":null}})");
}

TEST(MockResponse, EachTokenTextIsOneQwen3Token) {
  const std::string path = testing::qwen3_tokenizer_path();
  if (path.empty()) GTEST_SKIP() << "the Qwen3 tokenizer is not installed (scripts/setup)";
  const auto tok = tokenizer::load_tokenizer(path);
  std::string text;
  std::set<std::string_view> distinct;
  for (std::uint32_t i = 0; i < 100; ++i) {
    EXPECT_EQ(tok->encode(token_text(i)).size(), 1u) << token_text(i);
    text += token_text(i);
    distinct.insert(token_text(i));
  }
  // Re-tokenizing a whole streamed text counts the tokens that were streamed.
  EXPECT_EQ(tok->encode(text).size(), 100u);
  EXPECT_GT(distinct.size(), 10u);
}

}  // namespace
}  // namespace kvtrace::mock
