#include "kvtrace/replay/stream_chunk.hpp"

#include <gtest/gtest.h>

#include "kvtrace/replay/sse_parser.hpp"

namespace kvtrace::replay {
namespace {

StreamChunk read(std::string text) {
  ChunkReader reader;
  StreamChunk chunk;
  const std::size_t size = text.size();
  text.resize(size + SseParser::kPadding, ' ');
  reader.read(std::string_view(text.data(), size), chunk);
  return chunk;
}

TEST(ChunkReader, ChatDeltaContent) {
  const StreamChunk c =
      read(R"({"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel\"lo"},)"
           R"("finish_reason":null}]})");
  EXPECT_FALSE(c.malformed);
  EXPECT_EQ(c.text, "Hel\"lo");
  EXPECT_FALSE(c.completion_tokens);
}

TEST(ChunkReader, CompletionsTextAndReasoning) {
  EXPECT_EQ(read(R"({"choices":[{"text":"abc"}]})").text, "abc");
  EXPECT_EQ(read(R"({"choices":[{"delta":{"reasoning_content":"hm","content":null}}]})").text,
            "hm");
}

TEST(ChunkReader, OnlyTheFirstChoiceCounts) {
  EXPECT_EQ(read(R"({"choices":[{"text":"a"},{"text":"b"}]})").text, "a");
}

TEST(ChunkReader, UsageChunk) {
  const StreamChunk c = read(
      R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":64,"total_tokens":76}})");
  EXPECT_TRUE(c.text.empty());
  EXPECT_EQ(c.prompt_tokens, 12u);
  EXPECT_EQ(c.completion_tokens, 64u);
  EXPECT_FALSE(read(R"({"choices":[{"text":"a"}],"usage":null})").completion_tokens);
}

TEST(ChunkReader, Done) {
  EXPECT_TRUE(read("[DONE]").done);
  EXPECT_TRUE(read(" [DONE] ").done);
}

TEST(ChunkReader, ErrorObject) {
  const StreamChunk c = read(R"({"error":{"message":"overloaded","code":503}})");
  EXPECT_EQ(c.error, R"({"message":"overloaded","code":503})");
  EXPECT_FALSE(c.malformed);
}

TEST(ChunkReader, MalformedEvents) {
  EXPECT_TRUE(read("not json").malformed);
  EXPECT_TRUE(read("[1,2]").malformed);
  EXPECT_TRUE(read(R"({"choices":[{"text":"a")").malformed);
  EXPECT_TRUE(read(R"({"choices":{"text":"a"}})").malformed);
  EXPECT_TRUE(read(R"({"choices":[{"delta":{"content":5}}]})").malformed);
  EXPECT_TRUE(read(R"({"usage":{"completion_tokens":-1}})").malformed);
  // A malformed chunk gives no text even when part of it was read.
  EXPECT_TRUE(read(R"({"choices":[{"text":"a"}],"usage":{"completion_tokens":"x"}})").text.empty());
}

TEST(ChunkReader, ReusesTheChunk) {
  ChunkReader reader;
  StreamChunk chunk;
  std::string a = R"({"choices":[{"text":"a"}],"usage":{"completion_tokens":1}})";
  std::string b = R"({"choices":[{"text":"b"}]})";
  a.resize(a.size() + SseParser::kPadding, ' ');
  b.resize(b.size() + SseParser::kPadding, ' ');
  reader.read(std::string_view(a.data(), a.size() - SseParser::kPadding), chunk);
  reader.read(std::string_view(b.data(), b.size() - SseParser::kPadding), chunk);
  EXPECT_EQ(chunk.text, "b");
  EXPECT_FALSE(chunk.completion_tokens);
}

}  // namespace
}  // namespace kvtrace::replay
