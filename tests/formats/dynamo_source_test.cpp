// DynamoSource on hand-made samples of Dynamo's request trace (tests/data/formats/dynamo_*),
// written from the schema in ai-dynamo/dynamo lib/llm/src/request_trace/types.rs @ bfc4785f
// and the replay loader lib/data-gen/src/request_trace/load.rs @ 89179d38 (docs/formats.md).

#include "kvtrace/formats/dynamo_source.hpp"

#include <gtest/gtest.h>

#include "formats/source_test_util.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/open_trace.hpp"

namespace kvtrace::formats {
namespace {

using testing::format_sample;
using testing::read_source;
using trace::ExtraField;
using trace::FieldProblem;
using trace::Number;
using trace::Request;
using trace::SourceResult;

DynamoSource open_dynamo(const std::string& path) {
  return DynamoSource(std::make_unique<trace::LineReader>(path));
}

TEST(DynamoSource, SampleGivesTheRequestEndsByArrivalWithDenseIds) {
  DynamoSource source = open_dynamo(format_sample("dynamo_sample.jsonl"));
  EXPECT_EQ(source.block_size(), 4u);  // known before the first next()
  EXPECT_EQ(source.lines(), 10u);
  EXPECT_EQ(source.blank_lines(), 1u);
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 4u);
  for (const auto& r : records) ASSERT_EQ(r.result, SourceResult::kRequest);

  // req-1 arrived first (1000000): timestamp 0; its hash 2^64-1 is the first seen: id 0.
  Request req1;
  req1.timestamp = Number::of_int(0);
  req1.input_length = 4;
  req1.output_length = 7;
  req1.hash_ids = std::vector<std::uint64_t>{0};
  req1.session_id = "sess-a";
  req1.extra = {{"event_time_unix_ms", "1001000"},
                {"event_source", "\"dynamo\""},
                {"request_id", "\"req-1\""},
                {"model", "\"qwen3\""},
                {"input_tokens", "4"},
                {"cached_tokens", "0"},
                {"ttft_ms", "80.0"},
                {"kv_hit_rate", "0.0"},
                {"worker", "{\"prefill_worker_id\":3,\"decode_worker_id\":7}"}};
  EXPECT_EQ(records[0].line, 3u);
  EXPECT_EQ(records[0].request, req1);

  // req-2 and req-4 both arrived at 1000200: file order (line 2, then the wrapped line 9).
  Request req2;
  req2.timestamp = Number::of_int(200);
  req2.input_length = 8;
  req2.output_length = 5;
  req2.hash_ids = std::vector<std::uint64_t>{0, 1};  // 2^64-1, then 2^63
  req2.session_id = "sess-a";
  req2.extra = {{"event_time_unix_ms", "1000900"},
                {"event_source", "\"dynamo\""},
                {"request_id", "\"req-2\""},
                {"model", "\"qwen3\""},
                {"input_tokens", "8"},
                {"cached_tokens", "4"},
                {"ttft_ms", "35.5"},
                {"total_time_ms", "700.0"},
                {"avg_itl_ms", "12.25"},
                {"kv_hit_rate", "0.5"},
                {"worker", "{\"decode_worker_id\":7,\"decode_dp_rank\":0}"}};
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_EQ(records[1].request, req2);

  Request req4;
  req4.timestamp = Number::of_int(200);
  req4.input_length = 4;
  req4.output_length = 1;
  req4.hash_ids = std::vector<std::uint64_t>{2};  // 42: the third hash seen
  req4.extra = {{"event_time_unix_ms", "1001400"}, {"request_id", "\"req-4\""}};
  EXPECT_EQ(records[2].line, 9u);
  EXPECT_EQ(records[2].request, req4);

  Request req3;
  req3.timestamp = Number::of_int(500);
  req3.input_length = 10;
  req3.output_length = 2;
  req3.hash_ids = std::vector<std::uint64_t>{0, 1, 3};  // 12345 is new: id 3
  req3.session_id = "sess-b";
  req3.extra = {{"event_time_unix_ms", "1001200"},
                {"event_source", "\"dynamo\""},
                {"parent_session_id", "\"sess-a\""},
                {"request_id", "\"req-3\""}};
  EXPECT_EQ(records[3].line, 6u);
  EXPECT_EQ(records[3].request, req3);

  EXPECT_EQ(source.notes(),
            (std::vector<std::string>{
                "timestamps are milliseconds since the first arrival, at "
                "request.request_received_ms 1000000 (Unix time, ms)",
                "2 request_end events came after a later arrival in the file; requests are "
                "read in arrival order",
                "5 events other than request_end counted, not read (1 request_payload, "
                "1 session_end, 1 tool_end, 1 tool_error, 1 tool_start)"}));
}

TEST(DynamoSource, AReusedRequestIsOverwrittenWhole) {
  DynamoSource fresh = open_dynamo(format_sample("dynamo_sample.jsonl"));
  const auto expected = read_source(fresh);
  DynamoSource source = open_dynamo(format_sample("dynamo_sample.jsonl"));
  // What a request of another reading leaves behind: every field set, more extra fields
  // than a Dynamo record has.
  Request out;
  out.timestamp = Number::of_real(1.5);
  out.hash_ids = std::vector<std::uint64_t>{9, 9, 9};
  out.session_id = "left over";
  out.delay = Number::of_int(3);
  out.text_input = "left over";
  out.extra.assign(20, ExtraField{"left", "\"over\""});
  for (const auto& want : expected) {
    std::uint64_t line = 0;
    std::vector<FieldProblem> problems;
    ASSERT_EQ(source.next(out, line, problems), SourceResult::kRequest);
    EXPECT_EQ(line, want.line);
    EXPECT_EQ(out, want.request);
  }
}

TEST(DynamoSource, SequenceHashesAreReadAsExactUnsigned64BitIntegers) {
  // Through a double, 2^64-1 and 2^64-2 would be the same number, and so one block.
  kvtrace::testing::TempFile f(
      "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\","
      "\"event_time_unix_ms\":5,\"request\":{\"request_id\":\"a\",\"output_tokens\":1,"
      "\"request_received_ms\":1,\"replay\":{\"trace_block_size\":1,\"input_length\":3,"
      "\"input_sequence_hashes\":[18446744073709551615,18446744073709551614,"
      "18446744073709551615]}}}\n");
  DynamoSource source = open_dynamo(f.path());
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(*records[0].request.hash_ids, (std::vector<std::uint64_t>{0, 1, 0}));
}

TEST(DynamoSource, BadRecordsComeFirstWithTheirLinesAndProblems) {
  DynamoSource source = open_dynamo(format_sample("dynamo_bad.jsonl"));
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 7u);
  const std::vector<std::uint64_t> bad_lines{2, 3, 4, 5, 6};
  for (std::size_t i = 0; i < bad_lines.size(); ++i) {
    EXPECT_EQ(records[i].result, SourceResult::kBad) << i;
    EXPECT_EQ(records[i].line, bad_lines[i]) << i;
  }
  EXPECT_EQ(records[0].problems,
            (std::vector<FieldProblem>{{"request.replay.trace_block_size",
                                        "8 differs from 4, the block size of line 1 (a trace "
                                        "has one block size)"}}));
  EXPECT_EQ(records[1].problems,
            (std::vector<FieldProblem>{{"request.request_id", "\"r1\" is also the id of line 1"}}));
  EXPECT_EQ(records[2].problems,
            (std::vector<FieldProblem>{
                {"request.request_received_ms", "missing"},
                {"request.replay.input_sequence_hashes[0]", "must be >= 0, got number -1"}}));
  ASSERT_EQ(records[3].problems.size(), 1u);
  EXPECT_EQ(records[3].problems[0].field, "");
  EXPECT_TRUE(records[3].problems[0].problem.starts_with("invalid JSON: "));
  EXPECT_EQ(records[4].problems,
            (std::vector<FieldProblem>{
                {"schema",
                 "expected \"dynamo.request.trace.v1\", got string \"dynamo.request.trace.v2\""}}));

  EXPECT_EQ(records[5].result, SourceResult::kRequest);
  EXPECT_EQ(records[5].line, 1u);
  EXPECT_EQ(records[5].request.timestamp, Number::of_int(0));
  EXPECT_EQ(*records[5].request.hash_ids, (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(records[6].result, SourceResult::kRequest);
  EXPECT_EQ(records[6].line, 7u);
  EXPECT_EQ(records[6].request.timestamp, Number::of_int(5));
  EXPECT_EQ(*records[6].request.hash_ids, (std::vector<std::uint64_t>{1, 0}));
  EXPECT_EQ(source.notes().size(), 1u);  // the first arrival only
}

TEST(DynamoSource, TheReaderStopsAtTheFirstBadRecordOrSkipsAndCountsThem) {
  const std::string path = format_sample("dynamo_bad.jsonl");
  trace::ReaderOptions options;
  try {
    auto reader = open_trace(path, options);
    Request r;
    reader->next(r);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.field(), "request.replay.trace_block_size");
  }
  options.skip_invalid = true;
  auto reader = open_trace(path, options);
  EXPECT_EQ(reader->options().block_size, 4u);  // the trace's own
  Request r;
  std::vector<std::uint64_t> lines;
  while (reader->next(r)) lines.push_back(reader->line());
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{1, 7}));
  EXPECT_EQ(reader->counts().skipped_invalid, 5u);
  EXPECT_EQ(reader->counts().first_skipped,
            path +
                ":2: request.replay.trace_block_size: 8 differs from 4, the block size of line 1 "
                "(a trace has one block size)");
}

TEST(DynamoSource, ATraceWithoutRequestsHasNoBlockSizeAndCountsItsEvents) {
  kvtrace::testing::TempFile f(
      "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"tool_end\","
      "\"event_time_unix_ms\":5,\"agent_context\":{\"session_id\":\"s\"},"
      "\"tool\":{\"tool_call_id\":\"t\",\"tool_class\":\"c\"}}\n");
  DynamoSource source = open_dynamo(f.path());
  EXPECT_EQ(source.block_size(), std::nullopt);
  EXPECT_TRUE(read_source(source).empty());
  EXPECT_EQ(
      source.notes(),
      (std::vector<std::string>{"1 event other than request_end counted, not read (1 tool_end)"}));
}

TEST(DynamoSource, RequiredFieldsOfARequestEndAreNamed) {
  kvtrace::testing::TempFile f(
      "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\","
      "\"agent_context\":{\"parent_session_id\":\"p\"},\"request\":{\"output_tokens\":\"3\"}}\n"
      "[1]\n");
  DynamoSource source = open_dynamo(f.path());
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].problems,
            (std::vector<FieldProblem>{
                {"event_time_unix_ms", "missing"},
                {"agent_context.session_id", "missing"},
                {"request.request_id", "missing"},
                {"request.request_received_ms", "missing"},
                {"request.output_tokens", "expected an unsigned 64-bit integer, got string \"3\""},
                {"request.replay", "missing (kvtrace needs the replay block of each request)"}}));
  EXPECT_EQ(records[1].problems,
            (std::vector<FieldProblem>{{"", "expected a JSON object, got array"}}));
}

TEST(DynamoSource, CachedTokensIsAnUnsignedIntegerOrNull) {
  const std::string head =
      "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\","
      "\"event_time_unix_ms\":5,\"agent_context\":{\"session_id\":\"s\"},\"request\":{"
      "\"request_id\":\"";
  const std::string tail =
      ",\"output_tokens\":1,\"request_received_ms\":1,\"replay\":{\"trace_block_size\":4,"
      "\"input_length\":4,\"input_sequence_hashes\":[7]}}}\n";
  kvtrace::testing::TempFile f(head + "a\",\"cached_tokens\":null" + tail + head +
                               "b\",\"cached_tokens\":-4" + tail);
  DynamoSource source = open_dynamo(f.path());
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].line, 2u);
  EXPECT_EQ(records[0].problems,
            (std::vector<FieldProblem>{{"request.cached_tokens", "must be >= 0, got number -4"}}));
  EXPECT_EQ(records[1].result, SourceResult::kRequest);
}

}  // namespace
}  // namespace kvtrace::formats
