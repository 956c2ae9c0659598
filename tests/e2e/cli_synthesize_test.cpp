// kvtrace synthesize end to end: output file, determinism, AIPerf-compat errors, bad params.

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace {

using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSample;
using kvtrace::testing::kSource;

TEST(CliSynthesize, RewritesToAFileAndTheResultIsAValidTrace) {
  TempFile out("");
  auto r = run_kvtrace(
      "synthesize --speedup-ratio 2 --prefix-len-multiplier 1.5 "
      "--prefix-root-multiplier 3 --prompt-len-multiplier 0.8 -o " +
      out.path() + " " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("synthesized 1000 requests from 1000 (rewrite, seed 42)"), std::string::npos)
      << r.err;
  // Every line is consistent: validate finds no problem (hash ids match the ISL).
  r = run_kvtrace("validate " + out.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(CliSynthesize, SameInputParamsAndSeedGiveByteIdenticalOutput) {
  const std::string args = "synthesize --prefix-root-multiplier 4 --prefix-len-multiplier 2.5 ";
  const auto a = run_kvtrace(args + kSample);
  const auto b = run_kvtrace(args + kSample);
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
  const auto c = run_kvtrace(args + "--seed 7 " + kSample);
  EXPECT_NE(a.out, c.out);  // the root multiplier's draws follow the seed
}

TEST(CliSynthesize, AiperfCompatRaisesWhereAiperfDoes) {
  TempFile f(
      "{\"input_length\": 1000, \"hash_ids\": [1, 2]}\n{\"input_length\": 1000, \"hash_ids\": [1, "
      "2]}\n");
  auto r = run_kvtrace("synthesize --aiperf-compat --speedup-ratio 2 " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(f.path() + ":1: hash_ids: input_len (1000) < prefix_len (1024)"),
            std::string::npos)
      << r.err;
  r = run_kvtrace("synthesize --speedup-ratio 2 " + f.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"input_length\": 1000, \"hash_ids\": [1, 2]}\n"
            "{\"input_length\": 1000, \"hash_ids\": [1, 2]}\n");
  EXPECT_NE(r.err.find("2 requests have a shared prefix ending in a partial block"),
            std::string::npos);
}

TEST(CliSynthesize, Fast25ConversationTraceWorksByDefaultAndFailsInCompatMode) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  TempFile out("");
  auto r = run_kvtrace("synthesize --prefix-len-multiplier 2 -o " + out.path() + " " + path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(run_kvtrace("validate -q " + out.path()).exit_code, 0);
  r = run_kvtrace("synthesize --aiperf-compat --prefix-len-multiplier 2 " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":41: hash_ids: input_len (1902) < prefix_len (2048)"), std::string::npos)
      << r.err;
}

TEST(CliSynthesize, BadParamsAreUsageErrors) {
  auto r = run_kvtrace("synthesize --speedup-ratio 0 " + kSample);
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err, "kvtrace: error: speedup ratio must be > 0, got 0\n");
  EXPECT_EQ(run_kvtrace("synthesize --prefix-root-multiplier 0 " + kSample).exit_code, 64);
  EXPECT_EQ(run_kvtrace("synthesize --max-isl 0 " + kSample).exit_code, 64);
  EXPECT_EQ(run_kvtrace("synthesize --speedup-ratio abc " + kSample).exit_code, 64);
}

TEST(CliSynthesize, MaxIslDropsAndReports) {
  TempFile f(
      "{\"input_length\": 5000, \"output_length\": 1}\n{\"input_length\": 100, \"output_length\": "
      "1}\n");
  const auto r = run_kvtrace("synthesize --max-isl 4096 --output-len-multiplier 2 " + f.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"input_length\": 100, \"output_length\": 2}\n");
  EXPECT_NE(r.err.find("dropped 1 requests whose input length exceeds max_isl 4096"),
            std::string::npos)
      << r.err;
}

}  // namespace
