// kvtrace validate end to end: every problem reported as file:line: field: problem.

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace {

using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSource;

TEST(CliValidate, CleanFileExitsZero) {
  const auto r = run_kvtrace("validate " + kSource + "/examples/fast25-conversation-1k.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("1000 valid requests, 0 problems on 0 lines (clean)"), std::string::npos)
      << r.err;
}

TEST(CliValidate, ReportsEveryProblemNotJustTheFirst) {
  TempFile f(
      "{\"input_length\": 600, \"hash_ids\": [1, 2]}\n"
      "{\"input_length\": -1, \"output_length\": \"x\"}\n"
      "\n"
      "[1]\n"
      "{\"input_length\": 20, \"hash_ids\": [0, 1]}\n"
      "{\"input_length\": 5, \"session_id\": 3\n"
      "{\"input_length\": 5, \"hash_ids\": [18446744073709551616]}\n"
      "{\"output_length\": 5}\n");
  const auto r = run_kvtrace("validate " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  const std::string p = f.path();
  const std::string expected =
      p + ":2: input_length: must be >= 0, got number -1\n" + p +
      ":2: output_length: expected a non-negative integer, got string \"x\"\n" + p +
      ":4: expected a JSON object, got array\n" + p +
      ":5: hash_ids: expected ceil(input_length 20 / block size 512) = 1 ids, got 2\n";
  EXPECT_EQ(r.out.substr(0, expected.size()), expected) << r.out;
  EXPECT_NE(r.out.find(p + ":6: invalid JSON"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(p + ":7: hash_ids[0]: out of range: expected an unsigned 64-bit integer"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(p + ":8: input_length: missing"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("1 valid request, 7 problems on 6 lines"), std::string::npos) << r.err;
}

TEST(CliValidate, BlockSizeChangesTheExpectedCount) {
  TempFile f("{\"input_length\": 20, \"hash_ids\": [0, 1]}\n");
  EXPECT_EQ(run_kvtrace("validate " + f.path()).exit_code, 2);
  EXPECT_EQ(run_kvtrace("validate --block-size 16 " + f.path()).exit_code, 0);
}

TEST(CliValidate, EmptyFileIsAProblem) {
  TempFile f("");
  const auto r = run_kvtrace("validate " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(f.path() + ": the file is empty: no requests"), std::string::npos) << r.out;
}

TEST(CliValidate, QuietPrintsOnlyTheSummary) {
  TempFile f("{\"input_length\": -1}\n");
  const auto r = run_kvtrace("validate -q " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("1 problem on 1 line"), std::string::npos);
}

TEST(CliValidate, MissingFileExits3) {
  EXPECT_EQ(run_kvtrace("validate /nonexistent.jsonl").exit_code, 3);
}

}  // namespace
