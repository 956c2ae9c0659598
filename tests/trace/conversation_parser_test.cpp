// The conversations JSONL of `kvtrace hash`: every prompt form, the scheduling fields, and a
// file:line:field error for each kind of bad line.

#include "kvtrace/trace/conversation_parser.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::trace {
namespace {

struct Parsed {
  Conversation conversation;
  std::string error;  // the InputError's message, empty when the line parsed
};

Parsed parse(std::string text, std::uint64_t number = 7) {
  const std::size_t size = text.size();
  text.resize(size + kLinePadding, ' ');
  const Line line{std::string_view(text.data(), size), text.size(), number, false};
  ConversationParser parser("conv.jsonl");
  Parsed p;
  try {
    parser.parse(line, p.conversation);
  } catch (const InputError& e) {
    p.error = e.what();
  }
  return p;
}

TEST(ConversationParser, TokensWithSchedulingFields) {
  const Parsed p =
      parse(R"({"timestamp": 12.5, "session_id": "s1", "delay": 3, "tokens": [1, 2, 4294967295], )"
            R"("output_length": 40, "other": {"kept": false}})");
  ASSERT_EQ(p.error, "");
  const Conversation& c = p.conversation;
  EXPECT_EQ(c.line, 7u);
  EXPECT_EQ(c.source, PromptSource::kTokens);
  EXPECT_EQ(c.tokens, (std::vector<std::uint32_t>{1, 2, 4294967295u}));
  EXPECT_EQ(c.timestamp, Number::of_real(12.5));
  EXPECT_EQ(c.delay, Number::of_int(3));
  EXPECT_EQ(c.session_id, "s1");
  EXPECT_EQ(c.output_length, 40);
}

TEST(ConversationParser, PromptTextAndPromptTokenIds) {
  const Parsed text = parse(R"({"prompt": "Hello\nworld"})");
  ASSERT_EQ(text.error, "");
  EXPECT_EQ(text.conversation.source, PromptSource::kText);
  EXPECT_EQ(text.conversation.text, "Hello\nworld");
  const Parsed ids = parse(R"({"prompt": [5, 6]})");
  ASSERT_EQ(ids.error, "");
  EXPECT_EQ(ids.conversation.source, PromptSource::kTokens);
  EXPECT_EQ(ids.conversation.tokens, (std::vector<std::uint32_t>{5, 6}));
}

TEST(ConversationParser, MessagesWithStringAndPartContent) {
  const Parsed p = parse(
      R"({"messages": [{"role": "system", "content": "Be brief."}, )"
      R"({"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}, )"
      R"({"role": "assistant", "content": null}]})");
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.conversation.source, PromptSource::kMessages);
  EXPECT_EQ(p.conversation.messages,
            (std::vector<ChatMessage>{{"system", "Be brief."}, {"user", "ab"}, {"assistant", ""}}));
}

TEST(ConversationParser, MaterializedRequestBody) {
  const Parsed p = parse(
      R"({"index": 0, "timestamp": 0, "session_id": "session_000000", "body": {"model": "m", )"
      R"("messages": [{"role": "user", "content": "hi"}], "max_tokens": 500, "stream": true}})");
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.conversation.messages, (std::vector<ChatMessage>{{"user", "hi"}}));
  EXPECT_EQ(p.conversation.output_length, 500);
  EXPECT_EQ(p.conversation.session_id, "session_000000");
  EXPECT_EQ(p.conversation.timestamp, Number::of_int(0));
}

TEST(ConversationParser, ReusedRecordIsReset) {
  std::string text = R"({"tokens": [1], "session_id": "a", "output_length": 3})";
  const std::size_t size = text.size();
  text.resize(size + kLinePadding, ' ');
  std::string second = R"({"tokens": [2]})";
  const std::size_t size2 = second.size();
  second.resize(size2 + kLinePadding, ' ');
  ConversationParser parser("f");
  Conversation c;
  parser.parse({std::string_view(text.data(), size), text.size(), 1, false}, c);
  parser.parse({std::string_view(second.data(), size2), second.size(), 2, false}, c);
  EXPECT_EQ(c.tokens, (std::vector<std::uint32_t>{2}));
  EXPECT_FALSE(c.session_id);
  EXPECT_FALSE(c.output_length);
  EXPECT_EQ(c.line, 2u);
}

TEST(ConversationParser, CompactAndSpacedArraysGiveTheSameIds) {
  // Compact arrays take the comma-bitmask path, spaced ones the id-by-id path; lengths cross
  // the 64-byte chunks, ids have 1 to 10 digits.
  std::mt19937_64 rng(3);
  for (std::size_t count : {1u, 2u, 7u, 15u, 16u, 17u, 63u, 64u, 65u, 1000u}) {
    std::vector<std::uint32_t> ids(count);
    std::string compact = "{\"tokens\":[";
    std::string spaced = "{\"tokens\": [ ";
    for (std::size_t i = 0; i < count; ++i) {
      const int digits = static_cast<int>(rng() % 10);
      ids[i] = static_cast<std::uint32_t>(rng() % (digits == 9 ? 4294967296u : 1'000'000'000u));
      if (i % 5 == 0) ids[i] = i % 10 == 0 ? 0u : 4294967295u;
      if (i > 0) {
        compact += ',';
        spaced += " , ";
      }
      compact += std::to_string(ids[i]);
      spaced += std::to_string(ids[i]);
    }
    compact += "]}";
    spaced += " ]}";
    const Parsed a = parse(compact);
    const Parsed b = parse(spaced);
    ASSERT_EQ(a.error, "") << count;
    ASSERT_EQ(b.error, "") << count;
    EXPECT_EQ(a.conversation.tokens, ids) << count;
    EXPECT_EQ(b.conversation.tokens, ids) << count;
  }
}

TEST(ConversationParser, CompactArrayErrorsNameTheElement) {
  std::string many = "{\"tokens\":[";
  for (int i = 0; i < 70; ++i) many += "1,";
  EXPECT_EQ(parse(many + "01]}").error,
            "conv.jsonl:7: tokens[70]: expected a token id (an integer in [0, 4294967295]), "
            "got 01");
  EXPECT_EQ(parse(many + "4294967296]}").error,
            "conv.jsonl:7: tokens[70]: expected a token id (an integer in [0, 4294967295]), "
            "got 4294967296");
  EXPECT_EQ(parse(many + "12345678901]}").error,
            "conv.jsonl:7: tokens[70]: expected a token id (an integer in [0, 4294967295]), "
            "got 12345678901");
  EXPECT_EQ(parse("{\"tokens\":[1,,2]}").error,
            "conv.jsonl:7: tokens[1]: expected a token id (an integer in [0, 4294967295]), got "
            "an empty element");
  // More elements than ids fit in the bytes ("1,1,..."): once wrote past the ids' room (the
  // fuzzer's find, fuzz/regressions/conversation_parser/); ASan checks it.
  EXPECT_EQ(parse("{\"prompt\": [5,,]}").error,
            "conv.jsonl:7: prompt[1]: expected a token id (an integer in [0, 4294967295]), got "
            "an empty element");
  EXPECT_EQ(parse("{\"tokens\":[" + std::string(200, ',') + "]}").error,
            "conv.jsonl:7: tokens[0]: expected a token id (an integer in [0, 4294967295]), got "
            "an empty element");
}

struct BadLine {
  std::string text;
  std::string error;
};

// Shown in the test's name: the line.
void PrintTo(const BadLine& b, std::ostream* os) {
  *os << b.text;
}

class ConversationParserErrors : public ::testing::TestWithParam<BadLine> {};

TEST_P(ConversationParserErrors, NamesFileLineAndField) {
  EXPECT_EQ(parse(GetParam().text).error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    BadLines, ConversationParserErrors,
    ::testing::Values(
        BadLine{R"({"tokens": [1, 2)",
                "conv.jsonl:7: invalid JSON: JSON document ended early in the middle of an "
                "object or array."},
        BadLine{R"([1, 2])", "conv.jsonl:7: expected a JSON object"},
        BadLine{R"({"session_id": "a"})",
                "conv.jsonl:7: no prompt: give one of tokens, prompt (text or token ids), "
                "messages"},
        BadLine{R"({"tokens": []})",
                "conv.jsonl:7: tokens: empty: a prompt needs at least one token"},
        BadLine{R"({"tokens": [1, -2]})",
                "conv.jsonl:7: tokens[1]: expected a token id (an integer in [0, 4294967295]), "
                "got -2"},
        BadLine{R"({"tokens": [1, 4294967296]})",
                "conv.jsonl:7: tokens[1]: expected a token id (an integer in [0, 4294967295]), "
                "got 4294967296"},
        BadLine{R"({"tokens": [1.5]})",
                "conv.jsonl:7: tokens[0]: expected a token id (an integer in [0, 4294967295]), "
                "got 1.5"},
        BadLine{R"({"tokens": "1 2"})",
                "conv.jsonl:7: tokens: expected an array of token ids, got \"1 2\""},
        BadLine{R"({"prompt": ""})", "conv.jsonl:7: prompt: empty: a prompt needs some text"},
        BadLine{R"({"prompt": 3})",
                "conv.jsonl:7: prompt: expected a string or an array of token ids, got 3"},
        BadLine{R"({"messages": []})",
                "conv.jsonl:7: messages: empty: a conversation needs at least one message"},
        BadLine{R"({"messages": [{"content": "x"}]})", "conv.jsonl:7: messages[0].role: missing"},
        BadLine{R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})",
                "conv.jsonl:7: messages[0].content[0].type: only \"text\" content parts can be "
                "hashed, got \"image_url\""},
        BadLine{R"({"tokens": [1], "prompt": "x"})",
                "conv.jsonl:7: prompt: a second prompt: give exactly one of tokens, prompt, "
                "messages"},
        BadLine{R"({"tokens": [1], "body": {"prompt": "x"}})",
                "conv.jsonl:7: body.prompt: a second prompt: give exactly one of tokens, prompt, "
                "messages"},
        BadLine{R"({"tokens": [1], "timestamp": -1})",
                "conv.jsonl:7: timestamp: must be >= 0, got -1"},
        BadLine{R"({"tokens": [1], "session_id": 5})",
                "conv.jsonl:7: session_id: expected a string, got 5"},
        BadLine{R"({"tokens": [1], "output_length": 2.5})",
                "conv.jsonl:7: output_length: expected a non-negative integer, got 2.5"},
        BadLine{R"({"tokens": [1], "tokens": [2]})", "conv.jsonl:7: tokens: duplicate field"},
        BadLine{R"({"tokens": [1]} 5)",
                "conv.jsonl:7: invalid JSON: trailing characters after the JSON object"},
        BadLine{R"({"tokens": [1]} {"tokens": [2]})",
                "conv.jsonl:7: invalid JSON: trailing characters after the JSON object"}));

// The parser skips what it does not read without recursion: deep nesting is no crash.
TEST(ConversationParser, DeeplyNestedUnknownFieldIsSkipped) {
  const std::size_t deep = 200'000;
  const Parsed p =
      parse(R"({"x": )" + std::string(deep, '[') + std::string(deep, ']') + R"(, "tokens": [1]})");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.conversation.tokens, std::vector<std::uint32_t>{1});
}

// The line LineReader gives at the break of a compressed stream is a bad line of its own.
TEST(ConversationParser, TheBreakOfACompressedStreamIsAnInputErrorOfItsLine) {
  std::string padding(kLinePadding, ' ');
  Line line{std::string_view(padding.data(), 0), padding.size(), 12, false,
            "the gzip stream ends early (truncated file?) after 10 bytes of text"};
  ConversationParser parser("conv.jsonl.gz");
  Conversation c;
  try {
    parser.parse(line, c);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "conv.jsonl.gz:12: the gzip stream ends early (truncated file?) after 10 bytes of "
              "text");
  }
}

}  // namespace
}  // namespace kvtrace::trace
