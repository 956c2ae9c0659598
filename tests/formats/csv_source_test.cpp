#include "formats/csv_source.hpp"

#include <gtest/gtest.h>

#include "formats/csv_test_util.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/azure_source.hpp"
#include "kvtrace/formats/burstgpt_source.hpp"
#include "test_util.hpp"

namespace kvtrace::formats {
namespace {

using kvtrace::testing::csv_request;
using kvtrace::testing::read_to_end;
using kvtrace::testing::TempFile;
using trace::FieldProblem;
using trace::Number;

std::unique_ptr<trace::RequestSource> burstgpt(const TempFile& f, std::size_t max_line = 1024) {
  return burstgpt_source(std::make_unique<trace::LineReader>(f.path(), max_line), 16);
}

std::unique_ptr<trace::RequestSource> azure(const TempFile& f) {
  return azure_source(std::make_unique<trace::LineReader>(f.path()), 16);
}

TEST(CsvTraceSource, AMissingColumnIsAnInputErrorNamingIt) {
  TempFile f("Timestamp,Model,Request tokens,Total tokens\n1,a,2,3\n", ".csv");
  auto source = burstgpt(f);
  EXPECT_EQ(kvtrace::testing::thrown_message<InputError>([&] { read_to_end(*source); }),
            f.path() + ":1: BurstGPT CSV header: no column \"Response tokens\"");
}

TEST(CsvTraceSource, ColumnsAreFoundInAnyCase) {
  TempFile f("\n timestamp ,CONTEXTTOKENS,generatedtokens\n2024-05-01 00:00:00,20,3\n", ".csv");
  auto source = azure(f);
  const auto read = read_to_end(*source);
  EXPECT_EQ(read.requests,
            (std::vector<trace::Request>{csv_request(Number::of_int(0), 20, 3, {0, 1})}));
}

TEST(CsvTraceSource, ExtraFieldKeysAreColumnNamesInSnakeCase) {
  EXPECT_EQ(extra_field_key("Log Type"), "log_type");
  EXPECT_EQ(extra_field_key("  Elapsed time (s) "), "elapsed_time_s");
  EXPECT_EQ(extra_field_key("Model"), "model");
  EXPECT_EQ(extra_field_key("--"), "");
}

// BurstGPT's newer files name each request's session; Elapsed time is kept, Total tokens
// (the sum of the two counts) is not.
TEST(CsvTraceSource, ASessionColumnGivesTheSessionAndUnknownColumnsAreKept) {
  TempFile f(
      "Timestamp,Session ID,Elapsed time,Model,Request tokens,Response tokens,Total tokens,"
      "Log Type,\n"
      "5,s1,3,ChatGPT,20,2,22,Conversation log,z\n"
      "9, ,2,GPT-4,17,1,18,API log,\n",
      ".csv");
  auto source = burstgpt(f);
  const auto read = read_to_end(*source);
  ASSERT_EQ(read.requests.size(), 2u);
  trace::Request first = csv_request(Number::of_int(0), 20, 2, {0, 1},
                                     {{"elapsed_time", "\"3\""},
                                      {"model", "\"ChatGPT\""},
                                      {"log_type", "\"Conversation log\""},
                                      {"column_9", "\"z\""}});
  first.session_id = "s1";
  EXPECT_EQ(read.requests[0], first);
  EXPECT_EQ(read.requests[1].session_id, std::nullopt);  // a blank cell: no session
}

TEST(CsvTraceSource, ABrokenHeaderIsAnInputError) {
  TempFile f("Timestamp,\"Request tokens,Response tokens\n", ".csv");
  auto source = burstgpt(f);
  EXPECT_EQ(kvtrace::testing::thrown_message<InputError>([&] { read_to_end(*source); }),
            f.path() +
                ":1: BurstGPT CSV header: a quoted cell not closed on its line (line "
                "breaks in cells are not read)");
}

TEST(CsvTraceSource, ByteOrderMarkBlankLinesAndExtraColumnsAreRead) {
  // Columns in another order, one the format does not know, quoted names; no Model column.
  TempFile f(
      "\xEF\xBB\xBF\"Response tokens\",Other,Timestamp,Request tokens\r\n\r\n  \n"
      "3,x,10,17\n\n4,y,10.0005,16\n",
      ".csv");
  auto source = burstgpt(f);
  const auto read = read_to_end(*source);
  EXPECT_EQ(read.requests, (std::vector<trace::Request>{
                               csv_request(Number::of_int(0), 17, 3, {0, 1}, {{"other", "\"x\""}}),
                               csv_request(Number::of_real(0.5), 16, 4, {2}, {{"other", "\"y\""}}),
                           }));
  EXPECT_EQ(read.request_lines, (std::vector<std::uint64_t>{4, 6}));
  EXPECT_EQ(source->lines(), 6u);
  EXPECT_EQ(source->blank_lines(), 3u);
}

TEST(CsvTraceSource, EmptyInputAndHeaderOnlyHaveNoRequests) {
  TempFile empty("", ".csv");
  auto a = burstgpt(empty);
  EXPECT_TRUE(read_to_end(*a).requests.empty());
  TempFile header("TIMESTAMP,ContextTokens,GeneratedTokens\r\n", ".csv");
  auto b = azure(header);
  EXPECT_TRUE(read_to_end(*b).requests.empty());
  EXPECT_EQ(b->lines(), 1u);
  EXPECT_TRUE(b->notes().empty());
}

TEST(CsvTraceSource, ZeroTokensBothWaysCountAsFailedAndTakeNoIds) {
  TempFile f(
      "TIMESTAMP,ContextTokens,GeneratedTokens\n"
      "2023-11-16 18:15:46,0,0\n"
      "2023-11-16 18:15:47,5,0\n"
      "2023-11-16 18:15:48,0,7\n"
      "2023-11-16 18:15:49,20,7\n",
      ".csv");
  auto source = azure(f);
  const auto read = read_to_end(*source);
  // The failed first row is still the origin of the times: requests arrive as logged.
  EXPECT_EQ(read.requests,
            (std::vector<trace::Request>{csv_request(Number::of_int(3000), 20, 7, {0, 1})}));
  EXPECT_EQ(source->notes(),
            (std::vector<std::string>{
                "2 rows with 0 GeneratedTokens (failed requests) not read as requests, the first "
                "at " +
                    f.path() + ":2",
                "1 row with 0 ContextTokens (no prompt) not read as requests, the first at " +
                    f.path() + ":4"}));
}

TEST(CsvTraceSource, ABadRowDoesNotSetTheOrigin) {
  TempFile f("Timestamp,Request tokens,Response tokens\n1,x,1\n2,1,1\n3,1,1\n", ".csv");
  auto source = burstgpt(f);
  const auto read = read_to_end(*source);
  ASSERT_EQ(read.requests.size(), 2u);
  EXPECT_EQ(read.requests[0].timestamp, Number::of_int(0));
  EXPECT_EQ(read.requests[1].timestamp, Number::of_int(1000));
  EXPECT_EQ(read.bad.size(), 1u);
}

TEST(CsvTraceSource, RowsOutOfTimeOrderAreReadAsTheyAre) {
  TempFile f("Timestamp,Request tokens,Response tokens\n10,1,1\n4,1,1\n", ".csv");
  auto source = burstgpt(f);
  const auto read = read_to_end(*source);
  ASSERT_EQ(read.requests.size(), 2u);
  EXPECT_EQ(read.requests[1].timestamp, Number::of_int(-6000));
}

TEST(CsvTraceSource, EveryProblemOfARowIsGivenAndTooLongRowsAreBad) {
  TempFile f(
      "Timestamp,Request tokens,Response tokens\nsoon,-1,\n1,1," + std::string(200, '1') + "\n",
      ".csv");
  auto source = burstgpt(f, 100);
  trace::Request r;
  std::uint64_t line = 0;
  std::vector<FieldProblem> problems;
  ASSERT_EQ(source->next(r, line, problems), trace::SourceResult::kBad);
  EXPECT_EQ(line, 2u);
  EXPECT_EQ(problems,
            (std::vector<FieldProblem>{
                {"Timestamp", "expected seconds (a non-negative decimal number), got \"soon\""},
                {"Request tokens", "expected a non-negative integer, got \"-1\""},
                {"Response tokens", "expected a non-negative integer, got \"\""}}));
  problems.clear();
  ASSERT_EQ(source->next(r, line, problems), trace::SourceResult::kBad);
  EXPECT_EQ(line, 3u);
  EXPECT_EQ(problems, (std::vector<FieldProblem>{{"", "line longer than the limit of 100 bytes"}}));
  EXPECT_EQ(source->next(r, line, problems), trace::SourceResult::kEnd);
}

TEST(CsvTraceSource, APromptOfMoreThanFourMillionBlocksIsABadRow) {
  // 2^22 blocks of 16 tokens: 67108864 tokens are read, one more is not.
  TempFile f("Timestamp,Request tokens,Response tokens\n0,67108865,1\n1,67108864,1\n", ".csv");
  auto source = burstgpt(f);
  const auto read = read_to_end(*source);
  using Bad = std::pair<std::uint64_t, FieldProblem>;
  EXPECT_EQ(
      read.bad,
      (std::vector<Bad>{
          {2, {"Request tokens", "67108865 tokens are more than 4194304 blocks of 16 tokens"}}}));
  ASSERT_EQ(read.requests.size(), 1u);
  EXPECT_EQ(read.requests[0].hash_ids->size(), 4194304u);
  EXPECT_EQ(read.requests[0].hash_ids->back(), 4194303u);
}

TEST(CsvTraceSource, ATimeTooFarFromTheFirstRowIsABadRow) {
  TempFile f(
      "TIMESTAMP,ContextTokens,GeneratedTokens\n1678-01-01 00:00:00,1,1\n"
      "2261-12-31 00:00:00,1,1\n1700-01-01 00:00:00,1,1\n",
      ".csv");
  auto source = azure(f);
  const auto read = read_to_end(*source);
  using Bad = std::pair<std::uint64_t, FieldProblem>;
  EXPECT_EQ(read.bad,
            (std::vector<Bad>{{3, {"TIMESTAMP", "more than 292 years from the first row"}}}));
  EXPECT_EQ(read.request_lines, (std::vector<std::uint64_t>{2, 4}));
}

TEST(CsvTraceSource, ZeroBlockSizeIsAUsageError) {
  TempFile f("Timestamp,Request tokens,Response tokens\n", ".csv");
  EXPECT_THROW(burstgpt_source(std::make_unique<trace::LineReader>(f.path()), 0), UsageError);
}

TEST(CsvTraceSource, TheRequestObjectIsReusedCleanly) {
  TempFile f("Timestamp,Model,Request tokens,Response tokens\n0,\"a\",40,1\n1,b,1,1\n", ".csv");
  auto source = burstgpt(f);
  trace::Request r;
  r.session_id = "left over";
  r.delay = Number::of_int(5);
  r.text_input = "left over";
  std::uint64_t line = 0;
  std::vector<FieldProblem> problems;
  ASSERT_EQ(source->next(r, line, problems), trace::SourceResult::kRequest);
  EXPECT_EQ(r, csv_request(Number::of_int(0), 40, 1, {0, 1, 2}, {{"model", "\"a\""}}));
  ASSERT_EQ(source->next(r, line, problems), trace::SourceResult::kRequest);
  EXPECT_EQ(r, csv_request(Number::of_int(1000), 1, 1, {3}, {{"model", "\"b\""}}));
}

}  // namespace
}  // namespace kvtrace::formats
