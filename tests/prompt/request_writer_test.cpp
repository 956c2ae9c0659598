// The Requests line format: field order, optional fields, both APIs, token ids, verbatim
// messages and payloads, escaping.

#include "kvtrace/prompt/request_writer.hpp"

#include <gtest/gtest.h>

namespace {

using kvtrace::prompt::Api;
using kvtrace::prompt::append_request_line;
using kvtrace::prompt::BodyOptions;
using kvtrace::prompt::PromptBody;
using kvtrace::prompt::TokenId;
using kvtrace::trace::Number;
using kvtrace::trace::Request;

std::string line(std::uint64_t index, const Request& r, std::string_view session,
                 const PromptBody& body, const BodyOptions& options) {
  std::string out;
  append_request_line(out, index, r, session, body, options);
  return out;
}

Request request() {
  Request r;
  r.timestamp = Number::of_int(1500);
  r.input_length = 3;
  r.output_length = 64;
  return r;
}

TEST(RequestWriter, ChatLineWithEverything) {
  Request r = request();
  r.delay = Number::of_real(2.5);
  PromptBody body;
  body.text = "Hello \"world\"\n\u00e9";
  EXPECT_EQ(line(7, r, "s1", body, {Api::kChat, "Qwen/Qwen3-0.6B"}),
            "{\"index\":7,\"timestamp\":1500,\"session_id\":\"s1\",\"delay\":2.5,\"body\":{"
            "\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":\"user\",\"content\":"
            "\"Hello \\\"world\\\"\\n\u00e9\"}],\"max_tokens\":64,\"stream\":true}}\n");
}

TEST(RequestWriter, OptionalFieldsAreLeftOut) {
  Request r;
  r.input_length = 3;
  PromptBody body;
  body.text = "hi";
  EXPECT_EQ(line(0, r, "session_000000", body, {Api::kCompletions, ""}),
            "{\"index\":0,\"session_id\":\"session_000000\",\"body\":{\"prompt\":\"hi\","
            "\"stream\":true}}\n");
}

TEST(RequestWriter, FloatTimestampsKeepTheirKind) {
  Request r = request();
  r.timestamp = Number::of_real(1000.0);
  PromptBody body;
  EXPECT_EQ(line(1, r, "s", body, {Api::kCompletions, ""}),
            "{\"index\":1,\"timestamp\":1000.0,\"session_id\":\"s\",\"body\":{\"prompt\":\"\","
            "\"max_tokens\":64,\"stream\":true}}\n");
}

TEST(RequestWriter, TokenIdsAsACompletionsPrompt) {
  const std::vector<TokenId> ids{1, 10992, 7};
  PromptBody body;
  body.kind = PromptBody::Kind::kTokens;
  body.tokens = ids;
  EXPECT_EQ(line(2, request(), "s", body, {Api::kCompletions, "m"}),
            "{\"index\":2,\"timestamp\":1500,\"session_id\":\"s\",\"body\":{\"model\":\"m\","
            "\"prompt\":[1,10992,7],\"max_tokens\":64,\"stream\":true}}\n");
}

TEST(RequestWriter, MessagesAndPayloadsAreVerbatim) {
  PromptBody messages;
  messages.kind = PromptBody::Kind::kMessages;
  messages.raw = "[{\"role\": \"system\", \"content\": \"x\"}]";
  messages.tools = "[{\"type\": \"function\"}]";
  EXPECT_EQ(line(3, request(), "s", messages, {Api::kChat, ""}),
            "{\"index\":3,\"timestamp\":1500,\"session_id\":\"s\",\"body\":{\"messages\":[{"
            "\"role\": \"system\", \"content\": \"x\"}],\"tools\":[{\"type\": \"function\"}],"
            "\"max_tokens\":64,\"stream\":true}}\n");
  PromptBody payload;
  payload.kind = PromptBody::Kind::kPayload;
  payload.raw = "{\"model\": \"x\", \"prompt\": \"y\"}";
  EXPECT_EQ(line(4, request(), "s", payload, {Api::kChat, "ignored"}),
            "{\"index\":4,\"timestamp\":1500,\"session_id\":\"s\",\"body\":{\"model\": \"x\", "
            "\"prompt\": \"y\"}}\n");
}

}  // namespace
