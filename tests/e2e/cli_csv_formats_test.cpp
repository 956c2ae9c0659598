// The CSV trace formats end to end: every trace command reads a BurstGPT or Azure CSV, found
// from its header or named with --format-in, exactly as it reads the same trace written as
// Mooncake JSONL by hand; failed rows are noted, bad rows stop or are skipped.

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"

namespace {

using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::RunResult;
using kvtrace::testing::TempDir;

using kvtrace::testing::kSource;
const std::string kData = kSource + "/tests/formats/data/";
const std::string kBurstGpt = kData + "burstgpt.csv";
const std::string kBurstGptJsonl = kData + "burstgpt.jsonl";
const std::string kBurstGptBad = kData + "burstgpt_crlf_bad.csv";
const std::string kAzure2023 = kData + "azure_2023.csv";
const std::string kAzure2024 = kData + "azure_2024_bad.csv";

// `text` with every `path` in it replaced by "<input>": outputs that name their input.
std::string without(std::string text, const std::string& path) {
  for (std::size_t at = text.find(path); at != std::string::npos; at = text.find(path, at)) {
    text.replace(at, path.size(), "<input>");
  }
  return text;
}

// Runs `args` + `input` (+ `after`) and checks that it succeeds.
RunResult ok(const std::string& args, const std::string& input, const std::string& after = "") {
  RunResult r = run_kvtrace(args + " " + input + (after.empty() ? "" : " " + after));
  EXPECT_EQ(r.exit_code, 0) << args << " " << input << "\n" << r.err;
  return r;
}

const std::string kFailedNote =
    "kvtrace: note: 1 row with 0 Response tokens (failed requests) not read as requests, the "
    "first at " +
    kBurstGpt + ":3";

// The text before `marker`: a report without its last section, which describes the file.
std::string before(const std::string& text, const std::string& marker) {
  const std::size_t at = text.find(marker);
  EXPECT_NE(at, std::string::npos) << marker << " not in\n" << text;
  return text.substr(0, at);
}

TEST(CliCsvFormats, AnalyzeOfTheBurstGptSampleIsThatOfItsMooncakeTwin) {
  const RunResult aiperf_csv = ok("analyze -f aiperf-json", kBurstGpt);
  const RunResult aiperf_jsonl = ok("analyze -f aiperf-json", kBurstGptJsonl);
  EXPECT_EQ(aiperf_csv.out, aiperf_jsonl.out);
  EXPECT_NE(aiperf_csv.err.find(kFailedNote), std::string::npos) << aiperf_csv.err;
  EXPECT_EQ(aiperf_jsonl.err.find("kvtrace: note:"), std::string::npos) << aiperf_jsonl.err;

  // The file's own section differs: its name and its lines (9 with the header, the failed
  // rows and a blank one, against 5).
  const RunResult json_csv = ok("analyze -f json", kBurstGpt);
  const RunResult json_named = ok("analyze --format-in burstgpt -f json", kBurstGpt);
  const RunResult json_jsonl = ok("analyze -f json", kBurstGptJsonl);
  const std::string input = "\n  \"input\": {";
  EXPECT_EQ(before(json_csv.out, input), before(json_jsonl.out, input));
  EXPECT_NE(json_csv.out.find("\"lines\": 9,\n    \"blank_lines\": 1,\n    \"skipped_invalid\": 0"),
            std::string::npos)
      << json_csv.out;
  EXPECT_EQ(json_csv.out, json_named.out);

  const RunResult table_csv = ok("analyze -f table", kBurstGpt);
  const RunResult table_jsonl = ok("analyze -f table", kBurstGptJsonl);
  EXPECT_EQ(before(table_csv.out, "Input: "), before(table_jsonl.out, "Input: "));
  EXPECT_NE(table_csv.out.find("Input: " + kBurstGpt + " (9 lines, 1 blank)"), std::string::npos)
      << table_csv.out;
}

TEST(CliCsvFormats, SimulateAndCompareReadTheCsvAsItsTwin) {
  const RunResult sim_csv = ok("simulate -f json -c 8", kBurstGpt);
  const RunResult sim_jsonl = ok("simulate -f json -c 8", kBurstGptJsonl);
  EXPECT_EQ(without(sim_csv.out, kBurstGpt), without(sim_jsonl.out, kBurstGptJsonl));
  const RunResult sim_named = ok("simulate --format-in burstgpt -f json -c 8", kBurstGpt);
  EXPECT_EQ(sim_csv.out, sim_named.out);

  const RunResult cmp_csv = ok("compare -f json", kBurstGpt, kBurstGptJsonl);
  const RunResult cmp_jsonl = ok("compare -f json", kBurstGptJsonl, kBurstGptJsonl);
  EXPECT_EQ(without(cmp_csv.out, kBurstGpt), without(cmp_jsonl.out, kBurstGptJsonl));
}

TEST(CliCsvFormats, SynthesizeWritesTheCsvTraceAsMooncake) {
  TempDir dir;
  const std::string a = dir.path() + "/a.jsonl";
  const std::string b = dir.path() + "/b.jsonl";
  ok("synthesize --seed 3 -o " + a, kBurstGpt);
  ok("synthesize --format-in burstgpt --seed 3 -o " + b, kBurstGpt);
  const std::string twin = dir.path() + "/twin.jsonl";
  ok("synthesize --seed 3 -o " + twin, kBurstGptJsonl);
  EXPECT_EQ(read_file(a), read_file(twin));
  EXPECT_EQ(read_file(b), read_file(twin));
  // Unchanged by the default knobs: the trace itself, as the twin writes it.
  EXPECT_EQ(read_file(a), read_file(kBurstGptJsonl));
}

TEST(CliCsvFormats, MaterializeReadsTheCsvAsItsTwin) {
  const std::string tokenizer = kvtrace::testing::installed_qwen3_tokenizer();
  const std::string corpus = kvtrace::testing::installed_corpus();
  if (tokenizer.empty() || corpus.empty()) {
    GTEST_SKIP() << "the Qwen3 tokenizer or the corpus is not installed (scripts/setup)";
  }
  TempDir dir;
  // The default scope is the file's SHA-256, which differs between the twins.
  const std::string args = "materialize --scope csv --tokenizer " + tokenizer + " --corpus " +
                           corpus + " --cache-dir " + dir.path() + "/cache -o ";
  ok(args + dir.path() + "/csv.jsonl", kBurstGpt);
  ok(args + dir.path() + "/named.jsonl --format-in burstgpt", kBurstGpt);
  ok(args + dir.path() + "/twin.jsonl", kBurstGptJsonl);
  const std::string twin = read_file(dir.path() + "/twin.jsonl");
  EXPECT_FALSE(twin.empty());
  EXPECT_EQ(read_file(dir.path() + "/csv.jsonl"), twin);
  EXPECT_EQ(read_file(dir.path() + "/named.jsonl"), twin);
}

TEST(CliCsvFormats, AzureSamplesAreReadFromTheirHeaderOrByName) {
  for (const std::string flag : {"", "--format-in azure "}) {
    const RunResult r = ok("analyze -f json " + flag, kAzure2023);
    EXPECT_NE(r.out.find("\"total_requests\": 4"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("kvtrace: note: 1 row with 0 GeneratedTokens (failed requests) not "
                         "read as requests, the first at " +
                         kAzure2023 + ":5"),
              std::string::npos)
        << r.err;
  }
  const RunResult sim = ok("simulate -f json -c 8", kAzure2023);
  EXPECT_FALSE(sim.out.empty());
}

TEST(CliCsvFormats, BadRowsStopTheCommandOrAreSkippedAndCounted) {
  const RunResult strict = run_kvtrace("analyze " + kAzure2024);
  EXPECT_EQ(strict.exit_code, 2) << strict.err;
  EXPECT_NE(strict.err.find(kAzure2024 +
                            ":7: TIMESTAMP: no such date or time: \"2024-02-30 00:00:04+00:00\""),
            std::string::npos)
      << strict.err;
  const RunResult skipped = ok("analyze -f json --skip-invalid", kAzure2024);
  EXPECT_NE(skipped.out.find("\"total_requests\": 3"), std::string::npos) << skipped.out;

  const RunResult bad = run_kvtrace("analyze --format-in burstgpt " + kBurstGptBad);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(kBurstGptBad +
                         ":3: Response tokens: expected a non-negative integer, got \"x\""),
            std::string::npos)
      << bad.err;
}

TEST(CliCsvFormats, TheWrongFormatNamedSaysWhatIsMissing) {
  const RunResult r = run_kvtrace("analyze --format-in azure " + kBurstGpt);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find(kBurstGpt + ":1: Azure LLM inference CSV header: no column \"ContextTokens\"; no "
                             "column \"GeneratedTokens\""),
      std::string::npos)
      << r.err;
  const RunResult m = run_kvtrace("analyze --format-in mooncake " + kBurstGpt);
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find(kBurstGpt + ":1:"), std::string::npos) << m.err;
}

}  // namespace
