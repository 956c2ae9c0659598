#include "kvtrace/prompt/materialize_trace.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"
#include "tokenizer/tokenizer_test_util.hpp"

namespace kvtrace::prompt {
namespace {

using kvtrace::testing::TempFile;

// Two requests of block size 4 sharing their first block.
const char* const kTrace =
    "{\"timestamp\": 0, \"input_length\": 8, \"output_length\": 3, \"hash_ids\": [0, 1]}\n"
    "{\"timestamp\": 5, \"input_length\": 6, \"output_length\": 3, \"hash_ids\": [0, 2]}\n";

struct Fixture {
  TempFile trace{kTrace};
  TempFile tokenizer{kvtrace::testing::tiny_tokenizer_json(), ".json"};
  TempFile corpus{std::string(400, 'a') + " hello world hello world " + std::string(400, 'b'),
                  ".txt"};

  MaterializeTraceOptions options() const {
    MaterializeTraceOptions o;
    o.options.scope = "test";
    o.tokenizer_path = tokenizer.path();
    o.corpus_path = corpus.path();
    o.threads = 1;
    return o;
  }
};

TEST(MaterializeTrace, ChecksLoadsBuildsAndSummarizes) {
  const Fixture f;
  MaterializeTraceOptions o = f.options();
  bool checked = false;
  o.on_checked = [&] { checked = true; };
  trace::TraceReader reader(f.trace.path(), {.block_size = 4});
  std::string out;
  const MaterializeTraceResult m = materialize_trace(reader, o, [&](std::string_view lines) {
    EXPECT_TRUE(checked);
    out += lines;
  });
  EXPECT_EQ(m.requests_in, 2u);
  EXPECT_EQ(m.result.stats.requests, 2u);
  EXPECT_EQ(m.result.stats.blocks, 3u);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_NE(out.find("\"messages\""), std::string::npos);  // chat: the default for text
  EXPECT_TRUE(m.summary.starts_with(
      "kvtrace: materialized 2 of 2 requests (2 prompts built from 3 blocks, 14 tokens; 0 "
      "passed through) with seed 42, scope \"test\", corpus " +
      f.corpus.path()))
      << m.summary;
  EXPECT_TRUE(m.summary.ends_with(" on 1 thread\n")) << m.summary;
}

TEST(MaterializeTrace, TokensGoToCompletionsUnlessAskedAndVerifyReports) {
  EXPECT_EQ(default_api(PromptFormat::kTokens), Api::kCompletions);
  EXPECT_EQ(default_api(PromptFormat::kText), Api::kChat);
  const Fixture f;
  MaterializeTraceOptions o = f.options();
  o.options.format = PromptFormat::kTokens;
  o.options.verify = true;
  trace::TraceReader reader(f.trace.path(), {.block_size = 4});
  std::string out;
  const MaterializeTraceResult m =
      materialize_trace(reader, o, [&](std::string_view lines) { out += lines; });
  EXPECT_NE(out.find("\"prompt\""), std::string::npos) << out;
  EXPECT_NE(m.summary.find("kvtrace: verify: "), std::string::npos);
}

TEST(MaterializeTrace, ABadTraceFailsBeforeTheTokenizerIsLoaded) {
  const TempFile bad(
      "{\"timestamp\": 0, \"input_length\": 8, \"output_length\": 3, "
      "\"hash_ids\": [0, 1]}\nnot json\n");
  MaterializeTraceOptions o;
  o.options.scope = "test";
  o.tokenizer_path = "/nonexistent/tokenizer.json";
  o.on_checked = [] { FAIL() << "checked"; };
  trace::TraceReader reader(bad.path(), {.block_size = 4});
  EXPECT_THROW(materialize_trace(reader, o, [](std::string_view) {}), InputError);
}

}  // namespace
}  // namespace kvtrace::prompt
