// BailianSource on hand-made samples of the Bailian (Qwen) usage traces
// (tests/data/formats/bailian_*), written from AIPerf's loader (sqjian/aiperf @ 03140740,
// src/aiperf/dataset/loader/bailian_trace.py and BailianTrace in loader/models.py) and the
// dataset's description in docs/tutorials/bailian-trace.md there (docs/formats.md).

#include "kvtrace/formats/bailian_source.hpp"

#include <gtest/gtest.h>

#include "formats/source_test_util.hpp"
#include "kvtrace/formats/open_trace.hpp"

namespace kvtrace::formats {
namespace {

using testing::format_sample;
using testing::read_source;
using trace::FieldProblem;
using trace::Number;
using trace::Request;
using trace::SourceResult;

BailianSource open_bailian(const std::string& path) {
  return BailianSource(std::make_unique<trace::LineReader>(path));
}

Request turn(std::int64_t ms, std::int64_t in, std::int64_t out, std::vector<std::uint64_t> ids,
             std::string session, std::vector<trace::ExtraField> extra) {
  Request r;
  r.timestamp = Number::of_int(ms);
  r.input_length = in;
  r.output_length = out;
  r.hash_ids = std::move(ids);
  r.session_id = std::move(session);
  r.extra = std::move(extra);
  return r;
}

TEST(BailianSource, SessionsFollowTheParentChainAndTimestampsBecomeMilliseconds) {
  BailianSource source = open_bailian(format_sample("bailian_sample.jsonl"));
  EXPECT_EQ(source.block_size(), 16u);
  const auto records = read_source(source);
  EXPECT_EQ(source.lines(), 8u);
  EXPECT_EQ(source.blank_lines(), 1u);
  ASSERT_EQ(records.size(), 7u);
  for (const auto& r : records) ASSERT_EQ(r.result, SourceResult::kRequest);

  // Line 3 (chat 102) names chat 101, read on line 4: it waits for it. Chat 300 names 999,
  // which never comes: at the end it starts session "300", and chat 301 (its child) joins it.
  const std::vector<std::uint64_t> lines{1, 2, 4, 3, 8, 6, 7};
  const std::vector<Request> want{
      turn(500, 48, 10, {1, 2, 3}, "100",
           {{"chat_id", "100"}, {"parent_chat_id", "-1"}, {"type", "\"text\""}, {"turn", "1"}}),
      turn(1000, 20, 5, {7, 8}, "200",
           {{"chat_id", "200"}, {"parent_chat_id", "-1"}, {"type", "\"search\""}, {"turn", "1"}}),
      turn(2000, 64, 25, {1, 2, 3, 4}, "100",
           {{"chat_id", "101"}, {"parent_chat_id", "100"}, {"type", "\"text\""}, {"turn", "2"}}),
      turn(3000, 70, 30, {1, 2, 3, 4, 5}, "100",
           {{"chat_id", "102"}, {"parent_chat_id", "101"}, {"type", "\"text\""}, {"turn", "3"}}),
      turn(61114, 17, 4, {7, 11}, "200",
           {{"chat_id", "201"}, {"parent_chat_id", "200"}, {"type", "\"search\""}, {"turn", "2"}}),
      turn(4000, 16, 1, {9}, "300",
           {{"chat_id", "300"}, {"parent_chat_id", "999"}, {"type", "\"image\""}, {"turn", "2"}}),
      turn(5001, 32, 2, {9, 10}, "300",
           {{"chat_id", "301"}, {"parent_chat_id", "300"}, {"type", "\"image\""}, {"turn", "3"}}),
  };
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(records[i].line, lines[i]) << i;
    EXPECT_EQ(records[i].request, want[i]) << i;
  }
  EXPECT_EQ(source.notes(),
            (std::vector<std::string>{
                "1 turn came before the turn its parent_chat_id names and was read after it",
                "1 turn names a parent_chat_id that is not in the trace: it starts a session of "
                "its own, as in AIPerf"}));
}

TEST(BailianSource, BadRecordsAreNamedWithTheirLines) {
  BailianSource source = open_bailian(format_sample("bailian_bad.jsonl"));
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 7u);
  EXPECT_EQ(records[0].result, SourceResult::kRequest);
  EXPECT_EQ(records[0].line, 1u);
  EXPECT_EQ(records[0].request.timestamp, Number::of_int(250));
  for (std::size_t i = 1; i <= 5; ++i) {
    EXPECT_EQ(records[i].result, SourceResult::kBad) << i;
    EXPECT_EQ(records[i].line, i + 1) << i;
  }
  EXPECT_EQ(records[1].problems, (std::vector<FieldProblem>{{"chat_id", "missing"}}));
  EXPECT_EQ(records[2].problems,
            (std::vector<FieldProblem>{{"chat_id", "expected an integer, got \"abc\""}}));
  EXPECT_EQ(
      records[3].problems,
      (std::vector<FieldProblem>{{"timestamp", "expected a number (seconds), got string \"x\""}}));
  ASSERT_EQ(records[4].problems.size(), 1u);
  EXPECT_TRUE(records[4].problems[0].problem.starts_with("invalid JSON"))
      << records[4].problems[0].problem;
  EXPECT_EQ(records[5].problems, (std::vector<FieldProblem>{{"output_length", "missing"}}));
  EXPECT_EQ(records[6].result, SourceResult::kRequest);
  EXPECT_EQ(records[6].line, 7u);
  EXPECT_EQ(records[6].request.session_id, "1");
  EXPECT_EQ(records[6].request.timestamp, Number::of_int(3000));
}

TEST(BailianSource, ACycleOfParentsStartsAtItsFirstTurnInTheFile) {
  // AIPerf's find_root walks a -> b -> a and stops where it began.
  kvtrace::testing::TempFile f(
      "{\"chat_id\": 5, \"parent_chat_id\": 6, \"timestamp\": 1, \"input_length\": 1, "
      "\"output_length\": 1}\n"
      "{\"chat_id\": 6, \"parent_chat_id\": 5, \"timestamp\": 2, \"input_length\": 1, "
      "\"output_length\": 1}\n"
      "{\"chat_id\": 7, \"parent_chat_id\": 7, \"timestamp\": 3, \"input_length\": 1, "
      "\"output_length\": 1}\n");
  BailianSource source = open_bailian(f.path());
  const auto records = read_source(source);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].line, 3u);  // its own parent: a first turn
  EXPECT_EQ(records[0].request.session_id, "7");
  EXPECT_EQ(records[1].line, 1u);
  EXPECT_EQ(records[1].request.session_id, "5");
  EXPECT_EQ(records[2].line, 2u);
  EXPECT_EQ(records[2].request.session_id, "5");
}

TEST(BailianSource, SecondsBecomeMillisecondsOnTheDecimalDigits) {
  EXPECT_EQ(seconds_to_ms(Number::of_real(61.114)), Number::of_int(61114));
  EXPECT_EQ(seconds_to_ms(Number::of_real(0.001)), Number::of_int(1));
  EXPECT_EQ(seconds_to_ms(Number::of_real(-2.5)), Number::of_int(-2500));
  EXPECT_EQ(seconds_to_ms(Number::of_real(1e-5)), Number::of_real(0.01));
  EXPECT_EQ(seconds_to_ms(Number::of_real(1.0005)), Number::of_real(1000.5));
  EXPECT_EQ(seconds_to_ms(Number::of_real(1e20)), Number::of_real(1e23));
  EXPECT_EQ(seconds_to_ms(Number::of_int(7)), Number::of_int(7000));
  EXPECT_EQ(seconds_to_ms(Number::of_int(INT64_MAX)),
            Number::of_real(static_cast<double>(INT64_MAX) * 1000.0));
}

TEST(BailianSource, OpenTraceUsesBlocksOf16Tokens) {
  trace::ReaderOptions options;
  auto reader = open_trace(format_sample("bailian_sample.jsonl"), options);
  EXPECT_EQ(reader->options().block_size, 16u);
  options.block_size = 64;
  options.block_size_given = true;
  EXPECT_EQ(open_trace(format_sample("bailian_sample.jsonl"), options)->options().block_size, 64u);
}

}  // namespace
}  // namespace kvtrace::formats
