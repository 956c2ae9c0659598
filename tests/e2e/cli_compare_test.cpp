// kvtrace compare end to end: a trace against itself and against its synthesize
// --speedup-ratio 2 output, the table and JSON formats, and errors with their exit codes.

#include <gtest/gtest.h>

#include "json_util.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::parse_json;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSample;

void expect_zero_distances(const Json& report) {
  for (const char* d : {"isl", "osl", "hit_rate"}) {
    EXPECT_EQ(report["distance"][d]["ks"].as_double(), 0.0) << d;
    EXPECT_EQ(report["distance"][d]["wasserstein_1"].as_double(), 0.0) << d;
  }
}

TEST(CliCompare, ATraceAgainstItselfIsAtDistanceZero) {
  const auto r = run_kvtrace("compare -f json " + kSample + " " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const Json j = parse_json(r.out);
  expect_zero_distances(j);
  // Both sides are the same profile, and compare knows no knobs: nothing is expected.
  EXPECT_EQ(j["input"].dump(), j["output"].dump());
  EXPECT_EQ(j["input"]["requests"].as_uint(), 1000u);
  EXPECT_EQ(j["input"]["duration_ms"].as_double(), 330000.0);
  EXPECT_TRUE(j["expected"].is_null());
}

TEST(CliCompare, SpeedupTwoDoublesTheRateAndKeepsTheDistributions) {
  TempFile fast("");
  const auto s = run_kvtrace("synthesize --speedup-ratio 2 -o " + fast.path() + " " + kSample);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto r = run_kvtrace("compare -f json " + kSample + " " + fast.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = parse_json(r.out);
  const Json in = j["input"];
  const Json out = j["output"];
  EXPECT_EQ(out["requests"].as_uint(), in["requests"].as_uint());
  EXPECT_EQ(in["duration_ms"].as_double(), 330000.0);
  EXPECT_EQ(out["duration_ms"].as_double(), 165000.0);
  // 1000 / 165 s is twice 1000 / 330 s exactly: doubling a double only changes its exponent.
  EXPECT_EQ(out["rate_per_s"].as_double(), 2 * in["rate_per_s"].as_double());
  // Only the timestamps change: lengths and the prefix structure are those of the input.
  expect_zero_distances(j);
  for (const char* stats : {"isl_stats", "osl_stats", "hit_rate_stats"}) {
    EXPECT_EQ(out[stats].dump(), in[stats].dump()) << stats;
  }
  EXPECT_EQ(out["block_hit_rate"].as_double(), in["block_hit_rate"].as_double());
}

TEST(CliCompare, ComparesAsSynthesizeReportsWithoutTheExpectedValues) {
  TempFile fast("");
  TempFile report("", ".json");
  const auto s = run_kvtrace("synthesize --speedup-ratio 2 --report-json " + report.path() +
                             " -o " + fast.path() + " " + kSample);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto r = run_kvtrace("compare -f json " + kSample + " " + fast.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json compared = parse_json(r.out);
  const Json reported = parse_json(read_file(report.path()));
  for (const char* part : {"input", "output", "distance"}) {
    EXPECT_EQ(compared[part].dump(), reported[part].dump()) << part;
  }
  // synthesize knows its knobs: 1000 requests in 330 s / 2.
  EXPECT_TRUE(compared["expected"].is_null());
  EXPECT_EQ(reported["expected"]["requests"].as_uint(), 1000u);
  EXPECT_EQ(reported["expected"]["duration_ms"].as_double(), 165000.0);
  EXPECT_EQ(reported["expected"]["rate_per_s"].as_double(),
            reported["output"]["rate_per_s"].as_double());
}

TEST(CliCompare, TableOrJsonAndJsonByDefaultOffATerminal) {
  const auto table = run_kvtrace("compare -f table " + kSample + " " + kSample);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Input vs output"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("│ Requests                  │     1,000 │     1,000 │        - │\n"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("│ Duration (s)              │    330.00 │    330.00 │        - │\n"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("Distribution distances (input vs output)"), std::string::npos);
  EXPECT_NE(table.out.find("│ ISL (tokens)         │       0.0000 │        0.0000 │\n"
                           "│ OSL (tokens)         │       0.0000 │        0.0000 │\n"
                           "│ Per-request hit rate │       0.0000 │        0.0000 │\n"),
            std::string::npos)
      << table.out;
  // Not a terminal here: JSON, the same as asked for.
  const auto plain = run_kvtrace("compare " + kSample + " " + kSample);
  const auto json = run_kvtrace("compare --format json " + kSample + " " + kSample);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(plain.out, json.out);
  EXPECT_TRUE(parse_json(json.out).has("distance"));
}

TEST(CliCompare, BlockSizeChangesTheHitRates) {
  const auto r512 = run_kvtrace("compare -f json " + kSample + " " + kSample);
  // A block size the trace does not fit is refused unless the check is off.
  const auto refused = run_kvtrace("compare -f json -b 64 " + kSample + " " + kSample);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("the hash_ids of no request fit block size 64"), std::string::npos)
      << refused.err;
  const auto r64 =
      run_kvtrace("compare -f json -b 64 --hash-id-check ignore " + kSample + " " + kSample);
  ASSERT_EQ(r64.exit_code, 0) << r64.err;
  // The sample's hash ids are blocks of 512 tokens: at 64, a cached block covers fewer
  // tokens, so the token hit rate falls; block counts do not depend on the size.
  const Json a = parse_json(r512.out)["input"];
  const Json b = parse_json(r64.out)["input"];
  EXPECT_EQ(b["block_hit_rate"].as_double(), a["block_hit_rate"].as_double());
  EXPECT_LT(b["token_hit_rate"].as_double(), a["token_hit_rate"].as_double());
}

TEST(CliCompare, AMissingFileIsAnIoErrorNamingIt) {
  for (const std::string& args :
       {kSample + " /nonexistent/b.jsonl", "/nonexistent/b.jsonl " + kSample}) {
    const auto r = run_kvtrace("compare " + args);
    EXPECT_EQ(r.exit_code, 3) << args << ": " << r.err;
    EXPECT_EQ(r.err,
              "kvtrace: error: cannot open /nonexistent/b.jsonl: No such file or directory\n");
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliCompare, AnEmptyFileIsAnInputError) {
  TempFile empty("");
  for (const std::string& args : {kSample + " " + empty.path(), empty.path() + " " + kSample}) {
    const auto r = run_kvtrace("compare " + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find(empty.path()), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliCompare, BadArgumentsExit64) {
  for (const std::string& args :
       {std::string(""), kSample, "-f xml " + kSample + " " + kSample,
        "-b 0 " + kSample + " " + kSample, "--frobnicate " + kSample + " " + kSample,
        kSample + " " + kSample + " " + kSample}) {
    const auto r = run_kvtrace("compare " + args);
    EXPECT_EQ(r.exit_code, 64) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}

}  // namespace
