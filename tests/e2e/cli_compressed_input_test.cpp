// Compressed input end to end: analyze, validate and hash read a .gz or .zst (made with the
// gzip and zstd tools) as they read the plain file, from a file or stdin, and a truncated one
// stops at the file:line of the break.

#include <gtest/gtest.h>

#include <string>

#include "json_util.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::kSample;
using kvtrace::testing::parse_json;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempDir;

// A command line whose own redirections stay its own (run_shell adds >OUT 2>ERR after it).
kvtrace::testing::RunResult shell(const std::string& command) {
  return kvtrace::testing::run_shell("(" + command + ")");
}

// The commands that compress a file to stdout, as users make .gz and .zst files.
const char* const kCompressors[] = {"gzip -c", "zstd -q -c"};

// Runs `command` (with {} for the input) on the plain `text` and on it compressed, at the same
// path so that the outputs, which name the input, can be compared whole.
struct Runs {
  kvtrace::testing::RunResult plain;
  kvtrace::testing::RunResult packed;
};
Runs run_both(const std::string& text_file, const std::string& compressor,
              const std::string& args_before, const std::string& args_after = "") {
  TempDir dir;
  const std::string path = dir.path() + "/input.jsonl";
  Runs r;
  EXPECT_EQ(shell("cp " + text_file + " " + path).exit_code, 0);
  r.plain = run_kvtrace(args_before + " " + path + args_after);
  EXPECT_EQ(shell(compressor + " " + text_file + " > " + path).exit_code, 0);
  r.packed = run_kvtrace(args_before + " " + path + args_after);
  return r;
}

TEST(CliCompressedInput, AnalyzeGivesTheSameReport) {
  for (const char* compressor : kCompressors) {
    SCOPED_TRACE(compressor);
    const Runs r = run_both(kSample, compressor, "analyze --format json");
    ASSERT_EQ(r.plain.exit_code, 0) << r.plain.err;
    ASSERT_EQ(r.packed.exit_code, 0) << r.packed.err;
    EXPECT_EQ(r.packed.out, r.plain.out);
    EXPECT_EQ(parse_json(r.packed.out)["total_requests"].as_uint(), 1000u);
  }
}

TEST(CliCompressedInput, AnalyzeReadsCompressedStdin) {
  for (const std::string compressor : kCompressors) {
    const auto r =
        shell(compressor + " " + kSample + " | " + KVTRACE_BINARY + " analyze -f json -");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_json(r.out)["total_requests"].as_uint(), 1000u);
  }
}

TEST(CliCompressedInput, ConcatenatedGzipFilesReadAsOne) {
  TempDir dir;
  const std::string both = dir.path() + "/both.jsonl.gz";
  ASSERT_EQ(shell("gzip -c " + kSample + " > " + both + " && gzip -c " + kSample + " >> " + both)
                .exit_code,
            0);
  const auto r = run_kvtrace("validate " + both);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2000 valid requests, 0 problems on 0 lines (clean)"), std::string::npos)
      << r.err;
}

TEST(CliCompressedInput, ValidateGivesTheSameReport) {
  TempDir dir;
  // The sample with two bad lines, so that there is something to report.
  const std::string text = dir.path() + "/bad.jsonl";
  ASSERT_EQ(shell("(head -n 10 " + kSample + "; echo '[1]'; sed -n 11,500p " + kSample +
                  "; echo '{\"input_length\": -1}') > " + text)
                .exit_code,
            0);
  for (const char* compressor : kCompressors) {
    SCOPED_TRACE(compressor);
    const Runs r = run_both(text, compressor, "validate");
    EXPECT_EQ(r.plain.exit_code, 2);
    EXPECT_EQ(r.packed.exit_code, 2);
    EXPECT_EQ(r.packed.out, r.plain.out);
    EXPECT_EQ(r.packed.err, r.plain.err);
    EXPECT_NE(r.packed.out.find("input.jsonl:11: "), std::string::npos) << r.packed.out;
  }
}

TEST(CliCompressedInput, HashGivesTheSameTrace) {
  TempDir dir;
  std::string conversations;
  for (int i = 0; i < 3000; ++i) {
    conversations += "{\"timestamp\": " + std::to_string(i) + ", \"tokens\": [1, 2, 3, 4, " +
                     std::to_string(i % 50) + ", " + std::to_string(i) + "]}\n";
  }
  const std::string text = dir.write("conversations.jsonl", conversations);
  for (const char* compressor : kCompressors) {
    SCOPED_TRACE(compressor);
    const Runs r = run_both(text, compressor, "hash --tokens-in -b 4");
    ASSERT_EQ(r.plain.exit_code, 0) << r.plain.err;
    ASSERT_EQ(r.packed.exit_code, 0) << r.packed.err;
    EXPECT_EQ(r.packed.out, r.plain.out);
    // The summary, up to its timing.
    const auto summary = [](const std::string& err) { return err.substr(0, err.find(" in ")); };
    EXPECT_EQ(summary(r.packed.err), summary(r.plain.err));
    EXPECT_NE(summary(r.packed.err).find("hashed 3000 requests"), std::string::npos);
  }
}

// A cut .gz: every whole line before the cut is read, then the break is a bad line.
TEST(CliCompressedInput, TruncatedGzipIsABadLineOfItsFileLine) {
  TempDir dir;
  const std::string cut = dir.path() + "/cut.jsonl.gz";
  ASSERT_EQ(shell("gzip -c " + kSample + " | head -c 30000 > " + cut).exit_code, 0);
  // zcat's whole lines before the break: the break is the line after them.
  const auto whole = shell("zcat " + cut + " 2>/dev/null | wc -l");
  const std::uint64_t lines = std::stoull(whole.out);
  ASSERT_GT(lines, 10u);
  ASSERT_LT(lines, 1000u);
  const std::string where = cut + ":" + std::to_string(lines + 1) + ": ";

  const auto r = run_kvtrace("analyze -f json " + cut);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err.rfind(
          "kvtrace: error: " + where + "the gzip stream ends early (truncated file?) after ", 0),
      0u)
      << r.err;
  EXPECT_NE(r.err.find(" bytes of text, at compressed byte 30,000 of 30,000\n"), std::string::npos)
      << r.err;

  const auto skipped = run_kvtrace("analyze -f json --skip-invalid " + cut);
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  const Json j = parse_json(skipped.out);
  EXPECT_EQ(j["total_requests"].as_uint(), lines);
  EXPECT_EQ(j["input"]["skipped_invalid"].as_uint(), 1u);
  EXPECT_NE(skipped.err.find("skipped 1 invalid line (first: " + where + "the gzip stream"),
            std::string::npos)
      << skipped.err;

  const auto validated = run_kvtrace("validate " + cut);
  EXPECT_EQ(validated.exit_code, 2);
  EXPECT_EQ(validated.out.rfind(where + "the gzip stream ends early", 0), 0u) << validated.out;
}

TEST(CliCompressedInput, CorruptZstdIsABadLine) {
  TempDir dir;
  const std::string bad = dir.path() + "/bad.jsonl.zst";
  ASSERT_EQ(shell("(zstd -q -c " + kSample + "; echo 'not zstd') > " + bad).exit_code, 0);
  const auto r = run_kvtrace("analyze -f json " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err.rfind("kvtrace: error: " + bad + ":1001: corrupt zstd data at compressed byte ", 0), 0u)
      << r.err;
}

}  // namespace
