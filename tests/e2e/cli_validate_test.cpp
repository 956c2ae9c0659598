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

// Every format kvtrace reads is checked record by record, at the block size it records.
TEST(CliValidate, ReadsEveryFormat) {
  const std::string data = kSource + "/tests/data/formats/";
  const std::string csv = kSource + "/tests/formats/data/";
  const std::vector<std::pair<std::string, std::string>> clean{
      {data + "dynamo_sample.jsonl", " (Dynamo request trace): 4 valid requests"},
      {data + "bailian_sample.jsonl", " (Bailian trace): 7 valid requests"},
      {csv + "burstgpt.csv", " (BurstGPT CSV): 5 valid requests"},
      {csv + "azure_2023.csv", " (Azure LLM inference CSV): 4 valid requests"}};
  for (const auto& [path, summary] : clean) {
    const auto r = run_kvtrace("validate " + path);
    EXPECT_EQ(r.exit_code, 0) << path << r.out << r.err;
    EXPECT_NE(r.err.find(path + summary + ", 0 problems on 0 lines (clean)"), std::string::npos)
        << r.err;
  }
  // The format's notes are shown too: rows that are not requests are counted.
  EXPECT_NE(run_kvtrace("validate " + csv + "burstgpt.csv")
                .err.find("kvtrace: note: 1 row with 0 Response tokens (failed requests) not "
                          "read as requests, the first at " +
                          csv + "burstgpt.csv:3"),
            std::string::npos);
}

TEST(CliValidate, BadRecordsOfAnotherFormatAreNamedByLine) {
  const std::string path = kSource + "/tests/data/formats/dynamo_bad.jsonl";
  const auto r = run_kvtrace("validate " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(path + ":3: request.request_id: \"r1\" is also the id of line 1\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(path + ":4: request.request_received_ms: missing\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("(Dynamo request trace): 2 valid requests, 6 problems on 5 lines"),
            std::string::npos)
      << r.err;
}

// 2 ids for 20 tokens fit 10 to 19 tokens a block; auto takes the power of two among them.
TEST(CliValidate, BlockSizeAutoTakesTheSizeTheRequestsFit) {
  TempFile f("{\"input_length\": 20, \"hash_ids\": [0, 1]}\n");
  const auto r = run_kvtrace("validate -b auto " + f.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("kvtrace: note: block size 16 (--block-size auto"), std::string::npos)
      << r.err;
}

TEST(CliValidate, ARequestsFileIsNotATrace) {
  TempFile f("{\"body\": {\"model\": \"m\", \"messages\": []}}\n");
  const auto r = run_kvtrace("validate " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(f.path() + ":1: this looks like a requests file"), std::string::npos)
      << r.err;
}

TEST(CliValidate, MissingFileExits3) {
  EXPECT_EQ(run_kvtrace("validate /nonexistent.jsonl").exit_code, 3);
}

}  // namespace
