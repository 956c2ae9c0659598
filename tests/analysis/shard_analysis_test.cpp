#include "kvtrace/analysis/shard_analysis.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "kvtrace/analysis/analyze_trace.hpp"
#include "kvtrace/analysis/report.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::analysis {
namespace {

using kvtrace::testing::TempFile;
using kvtrace::testing::thrown_message;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(fmt::format("{}\n", line));
  return lines;
}

// The lines [begin, end) of `lines`, joined.
std::string join(const std::vector<std::string>& lines, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) out += lines[i];
  return out;
}

AnalysisStats merged(const std::vector<const TempFile*>& files, trace::ReaderOptions options = {}) {
  std::vector<ShardColumns> parts;
  for (const TempFile* f : files) {
    trace::TraceReader reader(f->path(), options);
    parts.push_back(read_shard(reader));
  }
  std::vector<ShardView> views;
  for (const ShardColumns& p : parts) views.push_back(p.view());
  return merge_shards(views);
}

AnalysisStats whole(const TempFile& f, trace::ReaderOptions options = {}) {
  trace::TraceReader reader(f.path(), options);
  return analyze_trace(reader);
}

// The bundled sample cut at lines 1 and 377 and 377 (an empty shard) equals one pass in every
// field, kvtrace's included.
TEST(ShardAnalysis, TheSampleInShardsEqualsOnePass) {
  const std::vector<std::string> lines =
      lines_of(kvtrace::testing::read_file(kvtrace::testing::kSample));
  const TempFile all(join(lines, 0, lines.size()));
  const TempFile a(join(lines, 0, 1)), b(join(lines, 1, 377)), empty(""),
      c(join(lines, 377, lines.size()));
  EXPECT_EQ(render_json(merged({&a, &b, &empty, &c}), {}), render_json(whole(all), {}));
}

// Raw 64-bit ids (not in first-seen order) take the id table in both phases; the measured
// cached_tokens of some requests (one null, one unreadable) add up as in one pass.
TEST(ShardAnalysis, RawIdsAndMeasuredCacheEqualOnePass) {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    std::string ids;
    for (int b = 0; b <= i % 7; ++b) {
      const std::uint64_t id =
          (static_cast<std::uint64_t>(b < 3 ? i % 5 : i) * 1000003u + b) * 0x9E3779B97F4A7C15ull;
      ids += fmt::format("{}{}", b > 0 ? "," : "", id);
    }
    std::string cached;
    if (i % 3 == 0) cached = fmt::format(",\"cached_tokens\":{}", i % 11 * 100);
    if (i == 4) cached = ",\"cached_tokens\":null";
    if (i == 5) cached = ",\"cached_tokens\":\"many\"";
    text += fmt::format(
        "{{\"timestamp\":{},\"input_length\":{},\"output_length\":{},\"hash_ids\":[{}]{}}}\n", i,
        (i % 7 + 1) * 512 - i % 100, i % 13, ids, cached);
  }
  const std::vector<std::string> lines = lines_of(text);
  const TempFile all(text), a(join(lines, 0, 100)), b(join(lines, 100, 101)),
      c(join(lines, 101, 300));
  const AnalysisStats one = whole(all);
  const AnalysisStats sharded = merged({&a, &b, &c});
  EXPECT_EQ(sharded.server_measured.requests, 100u);
  EXPECT_EQ(sharded.server_measured.unreadable, 1u);
  EXPECT_EQ(render_json(sharded, {}), render_json(one, {}));
}

// Worked by hand: shard 0 holds [1 2], shard 1 holds [1 2 3]. The second request hits 2 of
// its 3 blocks only through shard 0's ids; the first request's whole prompt is context only
// because shard 1 repeats its (position, id) pairs.
TEST(ShardAnalysis, HitsAndContextCrossTheShardBoundary) {
  const TempFile a("{\"input_length\":1000,\"output_length\":1,\"hash_ids\":[1,2]}\n");
  const TempFile b("{\"input_length\":1500,\"output_length\":1,\"hash_ids\":[1,2,3]}\n");
  const AnalysisStats s = merged({&a, &b});
  EXPECT_EQ(s.total_requests, 2u);
  EXPECT_EQ(s.hit_blocks, 2u);
  EXPECT_DOUBLE_EQ(s.cache_hit_rate, (0.0 + 2.0 / 3) / 2);
  EXPECT_EQ(s.cached_input_tokens, 1024u);  // 2 blocks of 512
  EXPECT_EQ(s.distinct_hash_ids, 3u);
  EXPECT_EQ(s.unique_prefixes, 3u);  // [1], [1 2], [1 2 3]
  EXPECT_EQ(s.num_prefix_groups, 1u);
  // Context: the first request all of its 1000 tokens, the second 2 blocks of 512.
  EXPECT_EQ(s.context_length_stats->min, 1000);
  EXPECT_EQ(s.context_length_stats->max, 1024);
}

// Sessions across the boundary, delays, and a timestamp that goes backwards where the second
// shard starts (20 after 50) and again inside it (10 after 20).
TEST(ShardAnalysis, ArrivalsSessionsAndABackwardJumpAtTheBoundaryEqualOnePass) {
  const std::string first =
      "{\"timestamp\":0,\"session_id\":\"s1\",\"input_length\":10,\"hash_ids\":[1]}\n"
      "{\"timestamp\":50,\"session_id\":\"s2\",\"input_length\":10,\"hash_ids\":[2]}\n";
  const std::string second =
      "{\"timestamp\":20,\"session_id\":\"s1\",\"delay\":20,\"input_length\":10,"
      "\"hash_ids\":[1]}\n"
      "{\"timestamp\":10,\"input_length\":10,\"hash_ids\":[3]}\n"
      "{\"timestamp\":900,\"session_id\":\"s2\",\"delay\":5.5,\"input_length\":10,"
      "\"hash_ids\":[2]}\n";
  const TempFile a(first), b(second), all(first + second);
  trace::TraceReader ra(a.path()), rb(b.path()), rall(all.path());
  const ShardColumns pa = read_shard(ra), pb = read_shard(rb);
  const std::vector<ShardView> views = {pa.view(), pb.view()};
  const std::vector<trace::ReaderCounts> counts = {pa.counts, pb.counts};
  const trace::ReaderCounts sum = merge_counts(counts);
  const AnalysisStats sharded = merge_shards(views);
  const AnalysisStats one = analyze_trace(rall);
  EXPECT_EQ(sum.timestamps_backwards, 2u);
  EXPECT_EQ(rall.counts().timestamps_backwards, 2u);
  EXPECT_EQ(sum.first_backwards, b.path() + ":1: timestamp: 20 after 50");
  ASSERT_TRUE(sharded.workload);
  EXPECT_EQ(sharded.workload->sessions.sessions, 2u);
  EXPECT_EQ(sharded.workload->sessions.turns_per_session->max, 2);
  EXPECT_EQ(sharded.workload->arrivals.duration_s, 0.9);
  trace::ReaderCounts same = sum;  // the same counts, so that the JSON compares the rest
  EXPECT_EQ(render_json(sharded, {"t", same}), render_json(one, {"t", same}));
}

TEST(ShardAnalysis, ShardsOfDifferentBlockSizesAreAUsageError) {
  const TempFile a("{\"input_length\":16,\"hash_ids\":[1]}\n");
  trace::TraceReader r512(a.path());
  trace::TraceReader r16(a.path(), {.block_size = 16});
  const ShardColumns p512 = read_shard(r512), p16 = read_shard(r16);
  const std::vector<ShardView> views = {p512.view(), p16.view()};
  EXPECT_EQ(thrown_message<UsageError>([&] { merge_shards(views); }),
            "shard 1 has block size 16, shard 0 has 512");
}

TEST(ShardAnalysis, NoRequestInAnyShardIsAnInputError) {
  const TempFile empty("");
  EXPECT_EQ(thrown_message<InputError>([&] {
              merged({&empty, &empty});
            }),
            "2 shards: no requests to analyze");
  EXPECT_EQ(thrown_message<UsageError>([&] { merge_shards({}); }), "no shards to merge");
}

// Arrays handed in from another process are checked before they are read.
TEST(ShardAnalysis, ArraysThatDoNotFitTogetherAreAUsageError) {
  const TempFile a("{\"input_length\":1000,\"hash_ids\":[1,2]}\n");
  trace::TraceReader reader(a.path());
  const ShardColumns part = read_shard(reader);
  const auto error = [&](auto change) {
    ShardView v = part.view();
    change(v);
    const std::vector<ShardView> views = {part.view(), v};
    return thrown_message<UsageError>([&] { merge_shards(views); });
  };
  EXPECT_EQ(error([](ShardView& v) { v.output_lengths = {}; }),
            "shard 1: its per-request arrays differ in length");
  const std::vector<std::uint64_t> short_end = {1};
  EXPECT_EQ(error([&](ShardView& v) { v.id_end = short_end; }),
            "shard 1: id_end does not end at the number of ids");
  const std::vector<std::uint32_t> outside = {0, 2};
  EXPECT_EQ(error([&](ShardView& v) { v.local_ids = outside; }),
            "shard 1: a local id without a distinct id");
  const std::vector<std::uint8_t> state = {3};
  EXPECT_EQ(error([&](ShardView& v) { v.cached_state = state; }),
            "shard 1: cached_state holds a value other than 0, 1 or 2");
}

TEST(ShardAnalysis, CountsAddUpAndTheFirstNamedLineIsTheEarliestShards) {
  trace::ReaderCounts a, b;
  a.lines = 10;
  a.skipped_invalid = 0;
  b.lines = 5;
  b.blank_lines = 1;
  b.skipped_invalid = 2;
  b.first_skipped = "b.jsonl:3: input_length: expected an integer";
  const std::vector<trace::ReaderCounts> counts = {a, b};
  const trace::ReaderCounts sum = merge_counts(counts);
  EXPECT_EQ(sum.lines, 15u);
  EXPECT_EQ(sum.blank_lines, 1u);
  EXPECT_EQ(sum.skipped_invalid, 2u);
  EXPECT_EQ(sum.first_skipped, b.first_skipped);
}

}  // namespace
}  // namespace kvtrace::analysis
