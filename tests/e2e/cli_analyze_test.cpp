// kvtrace analyze end to end: parity with an independent numpy/statistics reference of
// AIPerf's definitions, output formats, and errors with their exit codes.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "json_util.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::parse_json;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::run_shell;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSample;
using kvtrace::testing::kSource;

std::string python_with_numpy() {
  for (const char* p : {"/usr/bin/python3", "python3"}) {
    if (run_shell(std::string(p) + " -c 'import numpy'").exit_code == 0) return p;
  }
  return "";
}

// Compares kvtrace's aiperf-json with the reference script's JSON, every number to 1e-12
// relative, in a small Python comparer (JSON parsing is simplest there).
void expect_parity(const std::string& trace, int block_size = 512) {
  const std::string python = python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "python3 with numpy is not installed (scripts/setup adds it)";
  const auto a =
      run_kvtrace("analyze --format aiperf-json -b " + std::to_string(block_size) + " " + trace);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = run_shell(python + " " + kSource + "/tests/e2e/aiperf_analyze_reference.py " +
                           trace + " " + std::to_string(block_size));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  TempFile ours(a.out, ".json");
  TempFile ref(b.out, ".json");
  const auto cmp = run_shell(python + " " + kSource + "/tests/e2e/compare_json.py " + ours.path() +
                             " " + ref.path());
  EXPECT_EQ(cmp.exit_code, 0) << cmp.out << cmp.err;
}

TEST(CliAnalyze, MatchesTheAiperfReferenceOnTheBundledSample) {
  expect_parity(kSample);
}

TEST(CliAnalyze, MatchesTheAiperfReferenceOnTheFullFast25Trace) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  expect_parity(path);
}

TEST(CliAnalyze, MatchesTheAiperfReferenceOnEdgeCases) {
  // Repeated ids inside a request, the same id under different parents and positions,
  // requests without hash ids, a negative unique prompt length, mismatched counts.
  TempFile f(
      "{\"input_length\": 100, \"output_length\": 20, \"hash_ids\": [1, 2]}\n"
      "{\"input_length\": 150, \"output_length\": 30, \"hash_ids\": [1, 2, 3]}\n"
      "{\"input_length\": 1200, \"output_length\": 0, \"hash_ids\": [5, 5, 5]}\n"
      "{\"input_length\": 900, \"output_length\": 7, \"hash_ids\": [9, 1, 2]}\n"
      "{\"input_length\": 700, \"output_length\": 7}\n"
      "{\"input_length\": 1536, \"output_length\": 9, \"hash_ids\": [5, 5, 5]}\n"
      "{\"input_length\": 2000, \"output_length\": 1, \"hash_ids\": [2, 1, 3, 4]}\n"
      "{\"input_length\": 3, \"output_length\": 3, \"hash_ids\": []}\n"
      "{\"input_length\": 1536, \"output_length\": 9, \"hash_ids\": [18446744073709551615, 1]}\n");
  expect_parity(f.path());
  expect_parity(f.path(), 64);
}

TEST(CliAnalyze, Fast25First5AiperfJson) {
  const auto r =
      run_kvtrace("analyze -f aiperf-json " + kSource + "/tests/analysis/data/fast25-first5.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = parse_json(r.out);
  EXPECT_EQ(j["unique_prefixes"].as_uint(), 59u);
  // kvtrace writes the shortest digits that read back as the double: equal doubles are equal
  // texts.
  EXPECT_EQ(j["cache_hit_rate"].as_double(), 0.08095238095238096);
  EXPECT_EQ(j["prefix_reuse_ratio"].as_double(), 0.07936507936507936);
}

TEST(CliAnalyze, TableIsTheDefaultOnATerminalJsonOtherwise) {
  // Not a terminal here: JSON.
  auto r = run_kvtrace("analyze " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\n", 0), 0u);
  EXPECT_EQ(parse_json(r.out)["total_requests"].as_uint(), 1000u);
  r = run_kvtrace("analyze --format table " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Theoretical Hit Rates"), std::string::npos);
  EXPECT_NE(r.out.find("Total requests:   1,000"), std::string::npos);
}

TEST(CliAnalyze, ReadsStdin) {
  const auto r = run_shell("cat " + kSample + " | " + KVTRACE_BINARY + " analyze -f json -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = parse_json(r.out);
  EXPECT_EQ(j["total_requests"].as_uint(), 1000u);
  EXPECT_EQ(j["input"]["file"].as_string(), "-");
}

TEST(CliAnalyze, ReportJsonGetsTheJsonAndItsDirectoriesAreCreated) {
  const auto dir = std::filesystem::temp_directory_path() / "kvtrace-e2e-out";
  std::filesystem::remove_all(dir);
  const std::string out = (dir / "nested" / "report.json").string();
  const auto r = run_kvtrace("analyze -f table --report-json " + out + " " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Trace Statistics"), std::string::npos);
  EXPECT_EQ(parse_json(read_file(out))["total_requests"].as_uint(), 1000u);
  EXPECT_NE(r.err.find("Analysis report saved to " + out), std::string::npos);
  std::filesystem::remove_all(dir);
}

// -o is where the report goes, as in every subcommand: JSON by default (a file is no
// terminal), the table with -f table; stdout stays empty.
TEST(CliAnalyze, OutputFileGetsTheReportInItsFormat) {
  TempFile json("", ".json");
  const auto r = run_kvtrace("analyze -o " + json.path() + " " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(parse_json(read_file(json.path()))["total_requests"].as_uint(), 1000u);
  EXPECT_EQ(read_file(json.path()), run_kvtrace("analyze -f json " + kSample).out);
  TempFile table("", ".txt");
  ASSERT_EQ(run_kvtrace("analyze -f table -o " + table.path() + " " + kSample).exit_code, 0);
  EXPECT_EQ(read_file(table.path()), run_kvtrace("analyze -f table " + kSample).out);
}

// The CSV carries the JSON's numbers, one statistic,value row each, named by their path.
TEST(CliAnalyze, CsvHasTheJsonsNumbersOneRowEach) {
  const auto csv = run_kvtrace("analyze -f csv " + kSample);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const Json json = parse_json(run_kvtrace("analyze -f json " + kSample).out);
  EXPECT_EQ(csv.out.rfind("statistic,value\ntotal_requests,1000\n", 0), 0u);
  for (const char* path : {"isl_stats.p99", "arrivals.peak_1s", "arrivals.inter_arrival_cv"}) {
    EXPECT_NE(csv.out.find(std::string("\n") + path + ","), std::string::npos) << path;
  }
  EXPECT_NE(
      csv.out.find(fmt::format("\narrivals.peak_1s,{}\n", json["arrivals"]["peak_1s"].as_uint())),
      std::string::npos);
  EXPECT_NE(csv.out.find(fmt::format("\ninput.lines,{}\n", json["input"]["lines"].as_uint())),
            std::string::npos);
}

// The sample's basics, as a user asks for them: how long, how fast, how bursty, in order.
TEST(CliAnalyze, TheTableSaysHowLongHowFastAndHowBursty) {
  const auto r = run_kvtrace("analyze -f table " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"Arrivals: 1,000 requests over ", "requests/s on average; peak ",
                        "inter-arrival coefficient of variation",
                        "Sessions: no request has a "
                        "session_id",
                        "Inter-arrival (ms)", "P90", "P99", "Hit rates, infinite cache"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("Timestamps go backwards"), std::string::npos);
}

TEST(CliAnalyze, TimestampsThatGoBackwardsAreCountedAndTheFirstIsNamed) {
  const TempFile trace(
      "{\"timestamp\": 0, \"input_length\": 10, \"hash_ids\": [1]}\n"
      "{\"timestamp\": 10, \"input_length\": 10, \"hash_ids\": [2]}\n"
      "{\"timestamp\": 5, \"input_length\": 10, \"hash_ids\": [3]}\n",
      ".jsonl");
  const auto r = run_kvtrace("analyze -f table " + trace.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Timestamps go backwards 1 times; the first: " + trace.path() +
                       ":3: timestamp: 5 after 10"),
            std::string::npos)
      << r.out;
  const Json json = parse_json(run_kvtrace("analyze -f json " + trace.path()).out);
  EXPECT_EQ(json["input"]["timestamps_backwards"].as_uint(), 1u);
  EXPECT_EQ(json["arrivals"]["duration_s"].as_double(), 0.01);
}

TEST(CliAnalyze, MissingFileIsOneLineAndExitCode3) {
  const auto r = run_kvtrace("analyze /nonexistent/trace.jsonl");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err,
            "kvtrace: error: cannot open /nonexistent/trace.jsonl: No such file or directory\n");
  EXPECT_TRUE(r.out.empty());
}

TEST(CliAnalyze, BadLineStopsWithFileLineFieldAndExitCode2) {
  TempFile f("{\"input_length\": 5}\n\n{\"input_length\": 5, \"session_id\": 12}\n");
  const auto r = run_kvtrace("analyze " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kvtrace: error: " + f.path() +
                       ":3: session_id: expected a string, got number 12 (AIPerf rejects "
                       "non-string session ids; quote it)\n");
}

TEST(CliAnalyze, SkipInvalidSkipsCountsAndReports) {
  TempFile f("{\"input_length\": 5}\nnot json\n{\"input_length\": 7}\n");
  const auto r = run_kvtrace("analyze -f json --skip-invalid " + f.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const Json j = parse_json(r.out);
  EXPECT_EQ(j["total_requests"].as_uint(), 2u);
  EXPECT_EQ(j["input"]["skipped_invalid"].as_uint(), 1u);
  EXPECT_EQ(j["input"]["lines"].as_uint(), 3u);
  EXPECT_NE(r.err.find("skipped 1 invalid line (first: " + f.path() + ":2: invalid JSON: "),
            std::string::npos)
      << r.err;
}

TEST(CliAnalyze, HashIdMismatchWarnsByDefaultAndCanBeAnError) {
  TempFile f(
      "{\"input_length\": 20, \"hash_ids\": [0, 1]}\n{\"input_length\": 600, \"hash_ids\": [0, "
      "1]}\n");
  auto r = run_kvtrace("analyze -f json " + f.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("warning: 1 request with a hash_ids count other than"), std::string::npos)
      << r.err;
  EXPECT_EQ(parse_json(r.out)["input"]["hash_id_mismatches"].as_uint(), 1u);
  r = run_kvtrace("analyze --hash-id-check error " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find(":1: hash_ids: expected ceil(input_length 20 / block size 512) = 1 ids, got 2"),
      std::string::npos)
      << r.err;
}

TEST(CliAnalyze, TimeWindowIsCounted) {
  const auto r = run_kvtrace("analyze -f json --start-ms 3000 --end-ms 60000 " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("outside the time window"), std::string::npos);
  const Json j = parse_json(r.out);
  EXPECT_GT(j["input"]["outside_window"].as_uint(), 0u);
  // Every line of the sample is a request: analyzed or outside the window.
  EXPECT_EQ(j["total_requests"].as_uint() + j["input"]["outside_window"].as_uint(), 1000u);
}

TEST(CliAnalyze, EmptyFileIsAnError) {
  TempFile f("");
  auto r = run_kvtrace("analyze " + f.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the file is empty"), std::string::npos) << r.err;
  TempFile blank("\n\n");
  r = run_kvtrace("analyze " + blank.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no requests"), std::string::npos) << r.err;
}

TEST(CliAnalyze, BadArgumentsExit64AndHelpExplains) {
  EXPECT_EQ(run_kvtrace("analyze --block-size 0 " + kSample).exit_code, 64);
  EXPECT_EQ(run_kvtrace("analyze --format yaml " + kSample).exit_code, 64);
  EXPECT_EQ(run_kvtrace("analyze").exit_code, 64);
  EXPECT_EQ(run_kvtrace("frobnicate").exit_code, 64);
  const auto help = run_kvtrace("analyze --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* s : {"--block-size", "--format", "--output", "--skip-invalid", "--start-ms",
                        "--end-ms", "--hash-id-check"}) {
    EXPECT_NE(help.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
