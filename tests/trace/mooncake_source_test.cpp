#include "kvtrace/trace/mooncake_source.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::TempFile;

TEST(MooncakeSource, RequestsBadLinesAndBlankLinesWithTheirLineNumbers) {
  TempFile f(
      "{\"input_length\": 3}\n"
      "\n"
      "   \n"
      "{\"input_length\": -1}\n"
      "{\"input_length\": 7, \"hash_ids\": [5]}");
  MooncakeSource source(f.path(), kDefaultMaxLineBytes);
  EXPECT_EQ(source.format_name(), "Mooncake JSONL");
  EXPECT_EQ(source.block_size(), std::nullopt);
  Request r;
  std::uint64_t line = 0;
  std::vector<FieldProblem> problems;
  ASSERT_EQ(source.next(r, line, problems), SourceResult::kRequest);
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(r.input_length, 3);
  ASSERT_EQ(source.next(r, line, problems), SourceResult::kBad);
  EXPECT_EQ(line, 4u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "input_length");
  EXPECT_EQ(source.blank_lines(), 2u);
  problems.clear();
  ASSERT_EQ(source.next(r, line, problems), SourceResult::kRequest);
  EXPECT_EQ(line, 5u);
  EXPECT_EQ(r.hash_ids, (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(source.next(r, line, problems), SourceResult::kEnd);
  EXPECT_EQ(source.lines(), 5u);
  EXPECT_TRUE(source.notes().empty());
}

TEST(MooncakeSource, ALineOverTheLimitIsABadLine) {
  TempFile f("{\"input_length\": 3}\n{\"input_length\": 12345678}\n");
  MooncakeSource source(f.path(), 24);
  Request r;
  std::uint64_t line = 0;
  std::vector<FieldProblem> problems;
  ASSERT_EQ(source.next(r, line, problems), SourceResult::kRequest);
  ASSERT_EQ(source.next(r, line, problems), SourceResult::kBad);
  EXPECT_EQ(line, 2u);
  EXPECT_EQ(problems.at(0).problem, "line longer than the limit of 24 bytes");
}

}  // namespace
}  // namespace kvtrace::trace
