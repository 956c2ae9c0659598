#include "kvtrace/mock/mock_request.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"

namespace kvtrace::mock {
namespace {

MockRequest parse(MockApi api, std::string_view body) {
  MockRequestParser parser;
  return parser.parse(api, body);
}

// The InputError's field and problem for a body that must be refused.
std::pair<std::string, std::string> refusal(MockApi api, std::string_view body) {
  try {
    parse(api, body);
  } catch (const InputError& e) {
    return {e.field(), e.problem()};
  }
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

TEST(MockRequest, ChatMessagesBecomeChatMl) {
  const MockRequest r = parse(MockApi::kChat, R"({"model":"m","messages":[
      {"role":"system","content":"be brief"},
      {"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]},
      {"role":"assistant","content":null}],
      "max_tokens":7,"stream":true,"stream_options":{"include_usage":true},"temperature":0.5})");
  EXPECT_EQ(r.api, MockApi::kChat);
  EXPECT_EQ(r.model, "m");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.max_tokens, 7u);
  EXPECT_FALSE(r.prompt_is_ids);
  EXPECT_EQ(r.prompt_text,
            "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi there<|im_end|>\n"
            "<|im_start|>assistant\n<|im_end|>\n<|im_start|>assistant\n");
}

TEST(MockRequest, CompletionsPromptAsTextOrTokenIds) {
  const MockRequest text = parse(MockApi::kCompletions, R"({"prompt":"abc"})");
  EXPECT_EQ(text.prompt_text, "abc");
  EXPECT_FALSE(text.prompt_is_ids);
  EXPECT_FALSE(text.stream);
  EXPECT_FALSE(text.max_tokens.has_value());
  EXPECT_TRUE(text.model.empty());

  const MockRequest ids =
      parse(MockApi::kCompletions, R"({"prompt":[151645,0,4294967295],"stream":false})");
  EXPECT_TRUE(ids.prompt_is_ids);
  EXPECT_EQ(ids.prompt_ids, (std::vector<std::uint32_t>{151645, 0, 4294967295u}));
  EXPECT_TRUE(ids.prompt_text.empty());
}

TEST(MockRequest, MaxCompletionTokensWinsAndNullIsAbsent) {
  EXPECT_EQ(
      parse(MockApi::kCompletions, R"({"max_completion_tokens":5,"max_tokens":9,"prompt":"x"})")
          .max_tokens,
      5u);
  const MockRequest r =
      parse(MockApi::kCompletions,
            R"({"prompt":"x","max_tokens":null,"stream":null,"stream_options":null,"model":null})");
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.include_usage);
}

TEST(MockRequest, TheOtherApisPromptFieldIsIgnored) {
  // A chat body with a `prompt` has no messages: that is what the server reports.
  EXPECT_EQ(refusal(MockApi::kChat, R"({"prompt":"x"})").first, "messages");
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"messages":[{"role":"user","content":"x"}]})").first,
            "prompt");
}

TEST(MockRequest, BadBodiesNameTheField) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":"x","max_tokens":0})"),
            (P{"max_tokens", "must be at least 1, got 0"}));
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":"x","max_tokens":-3})").first,
            "max_tokens");
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":"x","max_tokens":1000001})").first,
            "max_tokens");
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":"x","max_tokens":"9"})"),
            (P{"max_tokens", "expected an integer"}));
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":"x","stream":1})"),
            (P{"stream", "expected true or false"}));
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":[1,-2]})").first, "prompt[1]");
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":[1,4294967296]})").first, "prompt[1]");
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":["a","b"]})"),
            (P{"prompt[0]", "batched prompts are not supported: expected a token id"}));
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":7})").first, "prompt");
  EXPECT_EQ(refusal(MockApi::kChat, R"({"messages":[]})"),
            (P{"messages", "must hold at least one message"}));
  EXPECT_EQ(refusal(MockApi::kChat, R"({"messages":[{"content":"x"}]})"),
            (P{"messages[0].role", "missing"}));
  EXPECT_EQ(
      refusal(MockApi::kChat, R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})")
          .first,
      "messages[0].content[0].type");
  EXPECT_EQ(refusal(MockApi::kChat, R"({"messages":"hi"})").first, "messages");
}

TEST(MockRequest, MalformedJsonIsRefused) {
  for (const std::string_view body :
       {"", "[]", "{", R"({"prompt":"x")", R"({"prompt":"x"} {})", R"({"prompt" "x"})",
        R"({"prompt":"x","stream":tru})", "nope"}) {
    const auto [field, problem] = refusal(MockApi::kCompletions, body);
    EXPECT_FALSE(problem.empty()) << body;
  }
}

// {"prompt":[1,2,3],"prompt":"hello world"} mixed the two: token ids flagged, no ids kept,
// prompt_tokens 0. A key given twice is refused, at every level.
TEST(MockRequest, DuplicateKeysAreRefused) {
  using Refusal = std::pair<std::string, std::string>;
  EXPECT_EQ(refusal(MockApi::kCompletions, R"({"prompt":[1,2,3],"prompt":"hello world"})"),
            (Refusal{"prompt", "duplicate key: give each key once"}));
  EXPECT_EQ(
      refusal(MockApi::kCompletions, R"({"prompt":"x","temperature":1,"temperature":0})").first,
      "temperature");
  EXPECT_EQ(
      refusal(MockApi::kCompletions, R"({"prompt":"x","max_tokens":1,"max_tokens":null})").first,
      "max_tokens");
  EXPECT_EQ(
      refusal(MockApi::kCompletions,
              R"({"prompt":"x","stream_options":{"include_usage":true,"include_usage":false}})")
          .first,
      "stream_options.include_usage");
  EXPECT_EQ(
      refusal(MockApi::kChat, R"({"messages":[{"role":"user","content":"a","role":"system"}]})")
          .first,
      "messages[0].role");
  EXPECT_EQ(
      refusal(MockApi::kChat,
              R"({"messages":[{"role":"user","content":[{"type":"text","text":"a","text":"b"}]}]})")
          .first,
      "messages[0].content[0].text");
  // The same key in two objects is no duplicate.
  EXPECT_EQ(parse(MockApi::kChat,
                  R"({"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]})")
                .prompt_text.empty(),
            false);
}

TEST(MockRequest, TextAfterTheObjectIsSaidPlainly) {
  for (const std::string_view body : {R"({"prompt":"x"} {})", R"({"prompt":"x"} y)"}) {
    EXPECT_EQ(refusal(MockApi::kCompletions, body).second,
              "invalid JSON: trailing characters after the JSON object")
        << body;
  }
}

TEST(MockRequest, OneParserServesManyBodies) {
  MockRequestParser parser;
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(parser.parse(MockApi::kCompletions, "{"), InputError);
    EXPECT_EQ(parser.parse(MockApi::kCompletions, R"({"prompt":[1,2],"max_tokens":3})").max_tokens,
              3u);
  }
}

}  // namespace
}  // namespace kvtrace::mock
