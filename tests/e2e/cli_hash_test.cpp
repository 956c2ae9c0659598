// kvtrace hash end to end: token and text conversations into Mooncake traces whose sharing
// `kvtrace analyze` sees, multi-turn sessions, and file:line errors.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "json_util.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::kSample;
using kvtrace::testing::kSource;
using kvtrace::testing::parse_json;
using kvtrace::testing::parse_json_lines;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::TempFile;

// Two sessions of three turns; each turn re-sends its history (blocks of 4 tokens).
const std::string kTwoSessions =
    R"({"timestamp": 0, "session_id": "a", "tokens": [1,2,3,4,5,6], "output_length": 3})"
    "\n"
    R"({"timestamp": 5, "session_id": "b", "tokens": [1,2,3,4,9,9,9,9]})"
    "\n"
    R"({"timestamp": 9, "session_id": "a", "tokens": [1,2,3,4,5,6,7,8,10,11]})"
    "\n"
    R"({"timestamp": 12, "session_id": "b", "tokens": [1,2,3,4,9,9,9,9,8]})"
    "\n"
    R"({"timestamp": 20, "session_id": "a", "tokens": [1,2,3,4,5,6,7,8,10,11,12,13]})"
    "\n";

TEST(CliHash, TokenConversationsBecomeATraceWithSharedPrefixes) {
  TempFile in(kTwoSessions);
  const auto r = run_kvtrace("hash --tokens-in -b 4 " + in.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      R"({"timestamp": 0, "input_length": 6, "output_length": 3, "hash_ids": [0, 1], "session_id": "a"})"
      "\n"
      R"({"timestamp": 5, "input_length": 8, "hash_ids": [0, 2], "session_id": "b"})"
      "\n"
      R"({"timestamp": 9, "input_length": 10, "hash_ids": [0, 3, 4], "session_id": "a"})"
      "\n"
      R"({"timestamp": 12, "input_length": 9, "hash_ids": [0, 2, 5], "session_id": "b"})"
      "\n"
      R"({"timestamp": 20, "input_length": 12, "hash_ids": [0, 3, 6], "session_id": "a"})"
      "\n");
  EXPECT_NE(r.err.find("hashed 5 requests, 45 tokens into 13 blocks of 4 tokens (7 distinct)"),
            std::string::npos)
      << r.err;
}

TEST(CliHash, AnalyzeSeesTheSharing) {
  TempFile in(kTwoSessions);
  TempFile out("");
  ASSERT_EQ(run_kvtrace("hash -b 4 " + in.path() + " -o " + out.path()).exit_code, 0);
  const auto a = run_kvtrace("analyze -b 4 --format json " + out.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  // 13 blocks of which 7 distinct: 6 hits (0 x4, 2, 3), 6 of them in a cached prefix.
  const Json j = parse_json(a.out);
  EXPECT_EQ(j["unique_prefixes"].as_uint(), 7u);
  EXPECT_EQ(j["hit_blocks"].as_uint(), 6u);
}

TEST(CliHash, DeltaTurnsGiveTheSameTraceAsWholePrompts) {
  TempFile whole(kTwoSessions);
  TempFile delta(
      R"({"timestamp": 0, "session_id": "a", "tokens": [1,2,3,4,5,6], "output_length": 3})"
      "\n"
      R"({"timestamp": 5, "session_id": "b", "tokens": [1,2,3,4,9,9,9,9]})"
      "\n"
      R"({"timestamp": 9, "session_id": "a", "tokens": [7,8,10,11]})"
      "\n"
      R"({"timestamp": 12, "session_id": "b", "tokens": [8]})"
      "\n"
      R"({"timestamp": 20, "session_id": "a", "tokens": [12,13]})"
      "\n");
  const auto a = run_kvtrace("hash -b 4 --emit-raw-hashes " + whole.path());
  const auto b = run_kvtrace("hash -b 4 --emit-raw-hashes --turns delta " + delta.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  // Dynamo's sequence hash of the block [1, 2, 3, 4] (seed 1337).
  const std::vector<Json> lines = parse_json_lines(a.out);
  ASSERT_EQ(lines.size(), 5u) << a.out;
  const Json hashes = lines[0]["sequence_hashes"];
  EXPECT_EQ(hashes.size(), 2u);  // [1, 2, 3, 4] and [5, 6]
  EXPECT_EQ(hashes[0].as_uint(), 14643705804678351452u);
}

TEST(CliHash, MaterializedTokenPromptsHashBackToTheSameSharing) {
  const std::string tokenizer = kvtrace::testing::installed_qwen3_tokenizer();
  const std::string corpus = kvtrace::testing::installed_corpus();
  if (tokenizer.empty() || corpus.empty()) {
    GTEST_SKIP() << "Qwen3 tokenizer or corpus not installed (scripts/setup)";
  }
  TempFile requests("");
  TempFile rehashed("");
  const auto m = run_kvtrace("materialize --format tokens --tokenizer " + tokenizer + " --corpus " +
                             corpus + " " + kSample + " -o " + requests.path());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const auto h = run_kvtrace("hash " + requests.path() + " -o " + rehashed.path());
  ASSERT_EQ(h.exit_code, 0) << h.err;
  const auto a = run_kvtrace("analyze --format aiperf-json " + kSample);
  const auto b = run_kvtrace("analyze --format aiperf-json " + rehashed.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  // Same lengths, same block sharing: AIPerf's whole report is identical.
  EXPECT_EQ(a.out, b.out);
}

TEST(CliHash, ChatConversationSplitIntoTurnsExtendsIds) {
  const std::string tokenizer = kvtrace::testing::installed_qwen3_tokenizer();
  if (tokenizer.empty()) GTEST_SKIP() << "Qwen3 tokenizer not installed (scripts/setup)";
  TempFile in(
      R"({"timestamp": 7, "messages": [{"role": "system", "content": "You answer in one line."},)"
      R"( {"role": "user", "content": "Name a prime number larger than ten."},)"
      R"( {"role": "assistant", "content": "Eleven is a prime number larger than ten."},)"
      R"( {"role": "user", "content": "And one larger than a hundred?"}]})"
      "\n");
  const auto r = run_kvtrace("hash --text-in --tokenizer " + tokenizer +
                             " --split-turns -b 8 --emit-raw-hashes " + in.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> lines = parse_json_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const Json& first = lines[0];
  const Json& second = lines[1];
  // ChatML (the Qwen3 config's template family): system + user + "<|im_start|>assistant\n",
  // 27 tokens; the answer is 10 (both counted with transformers.js on the rendered text).
  EXPECT_EQ(first.keys(), (std::vector<std::string>{"timestamp", "input_length", "output_length",
                                                    "hash_ids", "session_id", "sequence_hashes"}))
      << first;
  EXPECT_EQ(first["timestamp"].as_uint(), 7u);
  EXPECT_EQ(first["input_length"].as_uint(), 27u);
  EXPECT_EQ(first["output_length"].as_uint(), 10u);
  EXPECT_EQ(first["hash_ids"].as_uints(), (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(first["session_id"].as_string(), "line-1");
  // The second turn (54 tokens) re-sends the first: its 3 complete blocks, not the partial one.
  // It has no timestamp.
  EXPECT_EQ(second.keys(),
            (std::vector<std::string>{"input_length", "hash_ids", "session_id", "sequence_hashes"}))
      << second;
  EXPECT_EQ(second["input_length"].as_uint(), 54u);
  EXPECT_EQ(second["hash_ids"].as_uints(), (std::vector<std::uint64_t>{0, 1, 2, 4, 5, 6, 7}));
}

TEST(CliHash, SplitTurnsSessionsAreNamedAfterTheirFileLine) {
  const std::string tokenizer = kvtrace::testing::installed_qwen3_tokenizer();
  if (tokenizer.empty()) GTEST_SKIP() << "Qwen3 tokenizer not installed (scripts/setup)";
  // Over 1 MiB, so that the lines are read in several ranges, each numbered from its start.
  const std::string words(3000, 'a');
  std::string text;
  int lines = 0;
  while (text.size() < (std::size_t{3} << 19)) {
    text += fmt::format(
        R"({{"messages": [{{"role": "user", "content": "{} {}"}}, )"
        R"({{"role": "assistant", "content": "b"}}, {{"role": "user", "content": "c"}}]}})"
        "\n",
        lines, words);
    ++lines;
  }
  TempFile in(text);
  const auto r = run_kvtrace("hash --threads 2 --text-in --tokenizer " + tokenizer +
                             " --split-turns " + in.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected;
  for (int line = 1; line <= lines; ++line) {
    expected += fmt::format("line-{}\nline-{}\n", line, line);  // two user turns each
  }
  std::string sessions;
  for (const Json& line : parse_json_lines(r.out))
    sessions += line["session_id"].as_string() + "\n";
  EXPECT_EQ(sessions, expected);
}

TEST(CliHash, BadLinesNameFileLineAndField) {
  TempFile in("{\"tokens\": [1, 2]}\n\n{\"tokens\": [3, 4294967296]}\n");
  const auto r = run_kvtrace("hash " + in.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kvtrace: error: " + in.path() +
                       ":3: tokens[1]: expected a token id (an integer in [0, 4294967295]), got "
                       "4294967296\n");
  for (const auto& [line, error] : std::initializer_list<std::pair<std::string, std::string>>{
           {"not json", ":1: expected a JSON object"},
           {"{\"tokens\": []}", ":1: tokens: empty"},
           {"{\"prompt\": \"hi\"}", ":1: prompt: text needs a tokenizer: run with --text-in"},
           {"{\"timestamp\": 1}", ":1: no prompt"}}) {
    TempFile bad(line + "\n");
    const auto b = run_kvtrace("hash " + bad.path());
    EXPECT_EQ(b.exit_code, 2) << line;
    EXPECT_NE(b.err.find(bad.path() + error), std::string::npos) << line << " -> " << b.err;
  }
}

// A text the tokenizer's regex backtracks on beyond PCRE2's limits: the line's input error
// (exit 2), not an internal error; stdout has the lines before it, nothing of it or after it.
TEST(CliHash, TextTheTokenizerRegexBacktracksOnIsAnInputError) {
  kvtrace::testing::TempDir dir;
  const std::string tokenizer =
      dir.write("tokenizer.json",
                kvtrace::testing::tiny_tokenizer_json(kvtrace::testing::kCatastrophicPattern));
  TempFile in("{\"prompt\": \"hello\"}\n{\"prompt\": \"" + kvtrace::testing::kCatastrophicText +
              "\"}\n{\"prompt\": \"world\"}\n");
  const auto r = run_kvtrace("hash -b 2 --text-in --tokenizer " + tokenizer + " " + in.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, "kvtrace: error: " + in.path() +
                       ":2: prompt: cannot tokenize: the pre-tokenizer regex backtracks too much "
                       "on this text (PCRE2: match limit exceeded)\n");
  EXPECT_EQ(r.out, "{\"input_length\": 1, \"hash_ids\": [0]}\n");
}

// A failed run leaves no output file: a prefix of the trace would look complete.
TEST(CliHash, ABadLineLeavesNoOutputFile) {
  kvtrace::testing::TempDir dir;
  TempFile in("{\"tokens\": [1, 2]}\n{\"tokens\": [3, -4]}\n");
  const std::string out = dir.path() + "/trace.jsonl";
  const auto r = run_kvtrace("hash " + in.path() + " -o " + out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// Ctrl-C in the middle of a run: the input is a pipe whose writer waits, the output's
// temporary file is there, then SIGINT. The output file is never created (the temporary one
// stays: SIGINT's default action ends the process).
TEST(CliHash, AnInterruptedRunLeavesNoOutputFile) {
  kvtrace::testing::TempDir dir;
  const std::string d = dir.path();
  // In a subshell, so that run_shell captures all of its output.
  const auto r = kvtrace::testing::run_shell(
      "(cd " + d +
      " || exit 1; mkfifo in; "
      "{ printf '{\"tokens\": [1, 2]}\\n'; exec sleep 60; } >in 2>/dev/null & writer=$!; " +
      // A shell starts a background command with SIGINT ignored; Ctrl-C's target has it not.
      "env --default-signal=INT " + std::string(KVTRACE_BINARY) +
      " hash in -o trace.jsonl 2>/dev/null & hash=$!; " + "i=0; while [ -z \"$(ls " + d +
      " | grep '^trace.jsonl.tmp.')\" ] && [ $i -lt 200 ]; do "
      "sleep 0.05; i=$((i+1)); done; "
      "kill -INT $hash; wait $hash; echo \"exit $?\"; kill $writer; ls " +
      d + ")");
  EXPECT_NE(r.out.find("exit 130\n"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.out.find("trace.jsonl\n"), std::string::npos) << r.out;
}

TEST(CliHash, BadLineFarIntoALargeFileHasItsFileLineNumber) {
  // 3 MB: the file is read in 1 MiB ranges by several threads, then numbered in order.
  std::string text;
  std::string tokens;
  for (int i = 0; i < 400; ++i) {
    if (i > 0) tokens += ',';
    tokens += std::to_string(100000 + i);
  }
  int line = 0;
  while (text.size() < (std::size_t{3} << 20)) {
    text += "{\"tokens\":[";
    text += tokens;
    text += "]}\n";
    if (++line % 100 == 0) text += '\n';
  }
  const int bad = line + line / 100 + 1;
  text += "{\"tokens\":[1,2,-3]}\n{\"tokens\":[1]}\n";
  TempFile in(text);
  for (const std::string& source : {in.path(), fmt::format("- < {}", in.path())}) {
    const auto r = run_kvtrace("hash --threads 2 -o /dev/null " + source);
    EXPECT_EQ(r.exit_code, 2) << source;
    EXPECT_NE(r.err.find(fmt::format(":{}: tokens[2]: expected a token id", bad)),
              std::string::npos)
        << source << ": " << r.err;
  }
  TempFile good(text.substr(0, text.size() - 36));
  TempFile out("");
  const auto ok = run_kvtrace("hash --threads 2 " + good.path() + " -o " + out.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const std::string trace = read_file(out.path());
  EXPECT_EQ(std::count(trace.begin(), trace.end(), '\n'), line);
}

TEST(CliHash, EmptyInputAndBadFlags) {
  TempFile empty("\n");
  const auto e = run_kvtrace("hash " + empty.path());
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_NE(e.err.find("no conversation in the input"), std::string::npos) << e.err;
  EXPECT_EQ(run_kvtrace("hash --tokens-in --text-in " + empty.path()).exit_code, 64);
  EXPECT_EQ(run_kvtrace("hash -b 0 " + empty.path()).exit_code, 64);
  EXPECT_EQ(run_kvtrace("hash /nonexistent.jsonl").exit_code, 3);
}

}  // namespace
