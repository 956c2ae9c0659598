#include "kvtrace/formats/detect.hpp"

#include <gtest/gtest.h>

#include "formats/source_test_util.hpp"

namespace kvtrace::formats {
namespace {

Detection detect(std::string_view head) {
  return detect_input(head);
}

TEST(DetectInput, DynamoRequestEndLine) {
  const Detection d = detect(
      "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\","
      "\"event_time_unix_ms\":1,\"request\":{\"request_id\":\"r\"}}\n");
  EXPECT_EQ(d.kind, InputKind::kTrace);
  EXPECT_EQ(d.format, Format::kDynamo);
  EXPECT_EQ(d.looks_like, "a Dynamo request trace");
}

TEST(DetectInput, DynamoFileWhoseFirstEventIsAToolEvent) {
  const Detection d = detect(
      "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"tool_start\","
      "\"event_time_unix_ms\":1,\"agent_context\":{\"session_id\":\"s\"}}\n{}\n");
  EXPECT_EQ(d.kind, InputKind::kTrace);
  EXPECT_EQ(d.format, Format::kDynamo);
}

TEST(DetectInput, DynamoEventWrappedByTheJsonlSink) {
  // {"timestamp": …, "event": {…}}: the timestamp key alone would look like Mooncake.
  const Detection d = detect(
      "{\"timestamp\":5,\"event\":{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":"
      "\"request_end\"}}\n");
  EXPECT_EQ(d.kind, InputKind::kTrace);
  EXPECT_EQ(d.format, Format::kDynamo);
}

TEST(DetectInput, ABlankFirstLineAndTheSchemaAfterOtherKeys) {
  const Detection d = detect(
      "\n  \n{\"event_type\":\"request_end\",\"schema\":"
      "\"dynamo.request.trace.v1\"}\n");
  EXPECT_EQ(d.format, Format::kDynamo);
}

TEST(DetectInput, AnotherSchemaIsNotDynamo) {
  const Detection d = detect("{\"schema\":\"dynamo.agent.trace.v1\",\"timestamp\":1}\n");
  EXPECT_EQ(d.kind, InputKind::kTrace);
  EXPECT_EQ(d.format, Format::kMooncake);
  const Detection other = detect("{\"timestamp\":5,\"event\":{\"schema\":\"x\"}}\n");
  EXPECT_EQ(other.format, Format::kMooncake);
}

TEST(DetectInput, BailianFirstLine) {
  const Detection d = detect(
      "{\"chat_id\": 159, \"parent_chat_id\": -1, \"timestamp\": 61.114, \"input_length\": 521, "
      "\"output_length\": 132, \"type\": \"text\", \"turn\": 1, \"hash_ids\": [1089]}\n");
  EXPECT_EQ(d.kind, InputKind::kTrace);
  EXPECT_EQ(d.format, Format::kBailian);
  EXPECT_EQ(d.looks_like, "a Bailian (Qwen) trace");
}

TEST(DetectInput, BailianFirstTurnWithoutParent) {
  // parent_chat_id defaults to -1 in AIPerf: chat_id alone is enough.
  const Detection d = detect(
      "{\"chat_id\": 1, \"timestamp\": 0.5, \"input_length\": 3, "
      "\"output_length\": 1}\n");
  EXPECT_EQ(d.format, Format::kBailian);
}

TEST(DetectInput, ABailianTraceWrittenBackByKvtraceIsMooncake) {
  // Its requests have their session_id and keep chat_id as an extra field.
  const Detection d = detect(
      "{\"timestamp\": 500, \"input_length\": 40, \"session_id\": \"100\", "
      "\"chat_id\": 100, \"parent_chat_id\": -1}\n");
  EXPECT_EQ(d.kind, InputKind::kTrace);
  EXPECT_EQ(d.format, Format::kMooncake);
}

TEST(DetectInput, TheSamplesAreDetected) {
  for (const auto& [name, format] :
       {std::pair{"dynamo_sample.jsonl", Format::kDynamo},
        std::pair{"dynamo_bad.jsonl", Format::kDynamo},
        std::pair{"bailian_sample.jsonl", Format::kBailian},
        std::pair{"bailian_bad.jsonl", Format::kBailian},
        std::pair{"dynamo_sample.mooncake.jsonl", Format::kMooncake},
        std::pair{"bailian_sample.mooncake.jsonl", Format::kMooncake}}) {
    const std::string text = kvtrace::testing::read_file(testing::format_sample(name));
    const Detection d = detect(std::string_view(text).substr(0, kDetectBytes));
    EXPECT_EQ(d.kind, InputKind::kTrace) << name;
    EXPECT_EQ(d.format, format) << name;
  }
}

}  // namespace
}  // namespace kvtrace::formats
