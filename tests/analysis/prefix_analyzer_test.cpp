// PrefixAnalyzer: the goldens of reference section 3 and the upstream test cases of
// section 10 (test_prefix_analyzer.py), plus kvtrace's own fields.

#include "kvtrace/analysis/prefix_analyzer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace kvtrace::analysis {
namespace {

using trace::Request;

Request req(std::int64_t isl, std::int64_t osl, std::optional<std::vector<std::uint64_t>> ids) {
  Request r;
  r.input_length = isl;
  r.output_length = osl;
  r.hash_ids = std::move(ids);
  return r;
}

AnalysisStats analyze(const std::vector<Request>& requests, std::uint32_t block_size = 512) {
  PrefixAnalyzer analyzer(block_size);
  for (const Request& r : requests) analyzer.add(r);
  return analyzer.finish();
}

// conftest `sample_trace_data`.
std::vector<Request> sample_trace() {
  return {req(1024, 20, {{1, 2}}), req(1536, 30, {{1, 2, 3}}), req(1024, 25, {{1, 2}}),
          req(1536, 40, {{2, 3, 4}}), req(1024, 22, {{1, 3}})};
}

// The int64 sum of input lengths overflowed (UB): two lengths of 2^63-1 gave an avg_isl of
// -4.6e18.
TEST(PrefixAnalyzer, HugeLengthsSumWithoutOverflow) {
  constexpr std::int64_t kMax = INT64_MAX;
  const AnalysisStats s = analyze({req(kMax, kMax, std::nullopt), req(kMax, kMax, std::nullopt)});
  EXPECT_EQ(s.avg_isl, 9223372036854775807.0);
  EXPECT_EQ(s.avg_osl, 9223372036854775807.0);
  EXPECT_EQ(s.total_input_tokens, 18446744073709551614u);
  EXPECT_EQ(s.max_isl, kMax);
  // Past 2^64-1 tokens in all, the total no longer fits its field.
  PrefixAnalyzer three(512);
  for (int i = 0; i < 3; ++i) three.add(req(kMax, 1, std::nullopt));
  EXPECT_THROW(three.finish(), LimitError);
}

TEST(PrefixAnalyzer, SampleTraceGoldens) {
  const AnalysisStats s = analyze(sample_trace());
  EXPECT_EQ(s.total_requests, 5u);
  EXPECT_EQ(s.unique_prefixes, 7u);
  EXPECT_EQ(s.num_prefix_groups, 1u);
  EXPECT_EQ(s.cache_hit_rate, 0.6666666666666666);  // hit rates [0, 2/3, 1, 2/3, 1]
  EXPECT_EQ(s.prefix_reuse_ratio, 7.0 / 12.0);
  EXPECT_EQ(s.min_isl, 1024);
  EXPECT_EQ(s.max_isl, 1536);
  EXPECT_EQ(s.avg_isl, 1228.8);
  EXPECT_EQ(s.min_osl, 20);
  EXPECT_EQ(s.max_osl, 40);
  ASSERT_TRUE(s.isl_stats && s.osl_stats && s.hit_rate_stats);
  EXPECT_EQ(s.isl_stats->std_dev, 250.82774966099743);
  EXPECT_EQ(s.osl_stats->mean, 27.4);
  EXPECT_EQ(s.osl_stats->std_dev, 7.144228439796701);
  EXPECT_EQ(s.osl_stats->p25, 22.0);
  EXPECT_EQ(s.osl_stats->median, 25.0);
  EXPECT_EQ(s.osl_stats->p75, 30.0);
  EXPECT_EQ(s.hit_rate_stats->std_dev, 0.36514837167011077);
  // context [1024, 1024, 1024, 512, 1024], unique prompt [0, 512, 0, 1024, 0]
  ASSERT_TRUE(s.context_length_stats && s.unique_prompt_length_stats);
  EXPECT_EQ(s.context_length_stats->mean, 921.6);
  EXPECT_EQ(s.context_length_stats->min, 512.0);
  EXPECT_EQ(s.context_length_stats->max, 1024.0);
  EXPECT_EQ(s.unique_prompt_length_stats->mean, 307.2);
  EXPECT_EQ(s.unique_prompt_length_stats->median, 0.0);
  EXPECT_EQ(s.unique_prompt_length_stats->max, 1024.0);
}

TEST(PrefixAnalyzer, CliSampleGoldensIncludingNegativeUniquePrompt) {
  const AnalysisStats s =
      analyze({req(100, 20, {{1, 2}}), req(150, 30, {{1, 2, 3}}), req(120, 25, {{1, 2}})});
  EXPECT_EQ(s.cache_hit_rate, 0.5555555555555556);  // statistics.mean, not numpy's ...55
  EXPECT_EQ(s.hit_rate_stats->mean, 0.5555555555555555);
  EXPECT_EQ(s.unique_prefixes, 3u);
  EXPECT_EQ(s.prefix_reuse_ratio, 6.0 / 7.0);
  // context [100, 1024, 120], unique [0, -874, 0]
  EXPECT_EQ(s.context_length_stats->max, 1024.0);
  EXPECT_EQ(s.unique_prompt_length_stats->min, -874.0);
  EXPECT_EQ(s.isl_stats->p25, 110.0);
  EXPECT_EQ(s.isl_stats->p75, 135.0);
  // kvtrace's contiguous shared prefix is clamped to the ISL: [100, 150, 120], never a
  // negative suffix.
  EXPECT_EQ(s.shared_prefix_length_stats->max, 150.0);
  EXPECT_EQ(s.unique_suffix_length_stats->min, 0.0);
}

TEST(PrefixAnalyzer, Fast25FirstFiveLines) {
  // The real first five lines of the FAST25 conversation trace; values from
  // tests/e2e/aiperf_analyze_reference.py. All five start with id 0.
  const auto requests =
      trace::read_all(std::string(KVTRACE_SOURCE_DIR) + "/tests/analysis/data/fast25-first5.jsonl");
  ASSERT_EQ(requests.size(), 5u);
  const AnalysisStats s = analyze(requests);
  EXPECT_EQ(s.unique_prefixes, 59u);
  EXPECT_EQ(s.cache_hit_rate, 0.08095238095238096);  // [0, 1/15, 1/15, 1/5, 1/14]
  EXPECT_EQ(s.prefix_reuse_ratio, 5.0 / 63.0);
  EXPECT_EQ(s.context_length_stats->min, 512.0);  // context 512 each
  EXPECT_EQ(s.context_length_stats->max, 512.0);
}

TEST(PrefixAnalyzer, ReferenceGoldenOfTheIntegrationTestData) {
  // Reference section 3's "first 5 FAST25 lines" golden (64 prefixes, hit rate 1/15, reuse
  // 4/67, context [512, 512, 512, 512, 0]) describes the first four lines plus a fifth of 18
  // ids that share nothing, not the file's fifth line: this file is that data.
  const auto requests = trace::read_all(std::string(KVTRACE_SOURCE_DIR) +
                                        "/tests/analysis/data/fast25-first4-plus-unshared.jsonl");
  const AnalysisStats s = analyze(requests);
  EXPECT_EQ(s.unique_prefixes, 64u);
  EXPECT_EQ(s.cache_hit_rate, 0.06666666666666667);  // [0, 1/15, 1/15, 0.2, 0]
  EXPECT_EQ(s.prefix_reuse_ratio, 4.0 / 67.0);
  EXPECT_EQ(s.prefix_reuse_ratio, 0.05970149253731343);
  EXPECT_EQ(s.context_length_stats->mean, 409.6);  // [512, 512, 512, 512, 0]
  EXPECT_EQ(s.context_length_stats->min, 0.0);
  EXPECT_EQ(s.hit_rate_stats->max, 0.2);
}

// Upstream test_prefix_analyzer.py cases.
TEST(PrefixAnalyzer, UpstreamTotalsAndLengths) {
  EXPECT_EQ(analyze({sample_trace()[0]}).total_requests, 1u);
  EXPECT_EQ(analyze({sample_trace()[0]}).min_isl, 1024);
  EXPECT_EQ(analyze({sample_trace()[0]}).max_isl, 1024);
  EXPECT_EQ(analyze({req(100, 1, {}), req(100, 1, {}), req(100, 1, {})}).avg_isl, 100.0);
  EXPECT_EQ(analyze({req(100, 1, {}), req(200, 1, {}), req(300, 1, {})}).avg_isl, 200.0);
  EXPECT_EQ(analyze({req(50, 1, {}), req(100, 1, {}), req(150, 1, {})}).avg_isl, 100.0);
}

TEST(PrefixAnalyzer, UpstreamHitRates) {
  const AnalysisStats none = analyze({req(100, 20, {}), req(150, 30, {}), req(120, 25, {})});
  EXPECT_EQ(none.cache_hit_rate, 0.0);
  EXPECT_FALSE(none.hit_rate_stats);
  EXPECT_EQ(analyze({req(512, 1, {{1}}), req(512, 1, {{2}}), req(512, 1, {{3}})}).cache_hit_rate,
            0.0);
  EXPECT_GT(analyze({req(1024, 1, {{1, 2}}), req(1536, 1, {{1, 2, 3}}), req(512, 1, {{1}})})
                .cache_hit_rate,
            0.0);
  EXPECT_NEAR(analyze({req(1024, 1, {{1, 2}}), req(1024, 1, {{1, 2}}), req(1024, 1, {{1, 2}})})
                  .cache_hit_rate,
              4.0 / 6.0, 0.01);
}

TEST(PrefixAnalyzer, UpstreamPrefixCounts) {
  EXPECT_EQ(analyze({req(512, 1, {{1}}), req(512, 1, {{2}})}).prefix_reuse_ratio, 0.0);
  EXPECT_GT(analyze({req(1024, 1, {{1, 2}}), req(1024, 1, {{1, 2}})}).prefix_reuse_ratio, 0.0);
  const std::vector<Request> three = {req(1536, 1, {{1, 2, 3}}), req(1536, 1, {{1, 2, 4}}),
                                      req(1024, 1, {{1, 5}})};
  EXPECT_EQ(analyze(three).unique_prefixes, 5u);
  EXPECT_EQ(analyze(three).num_prefix_groups, 1u);
  EXPECT_EQ(
      analyze({req(1, 1, {{1, 2}}), req(1, 1, {{1, 3}}), req(1, 1, {{2, 4}}), req(1, 1, {{2, 5}})})
          .num_prefix_groups,
      2u);
  EXPECT_EQ(
      analyze({req(1, 1, {{1, 2}}), req(1, 1, {{3, 4}}), req(1, 1, {{5, 6}})}).num_prefix_groups,
      0u);
  EXPECT_EQ(analyze({req(1, 1, {{1, 2, 3}}), req(1, 1, {{1, 2, 3}}), req(1, 1, {{1, 2, 3}})})
                .num_prefix_groups,
            1u);
  const AnalysisStats no_hashes = analyze({req(100, 20, {}), req(150, 30, std::nullopt)});
  EXPECT_EQ(no_hashes.unique_prefixes, 0u);
  EXPECT_EQ(no_hashes.num_prefix_groups, 0u);
}

TEST(PrefixAnalyzer, UpstreamEmptyAndMissingFields) {
  const AnalysisStats empty = analyze({});
  EXPECT_EQ(empty.total_requests, 0u);
  EXPECT_FALSE(empty.isl_stats);
  EXPECT_EQ(empty.avg_isl, 0.0);
  Request text_only;  // no input_length / output_length: AIPerf reads them as 0
  text_only.text_input = "hello";
  const AnalysisStats s = analyze({text_only});
  EXPECT_EQ(s.total_requests, 1u);
  EXPECT_EQ(s.max_isl, 0);
  EXPECT_EQ(s.max_osl, 0);
}

TEST(PrefixAnalyzer, PrefixTrieDistinguishesTheSameIdUnderDifferentParents) {
  // Id 2 is reached through 1 and through 9, and at the root: three distinct prefixes.
  const AnalysisStats s = analyze({req(1024, 1, {{1, 2}}), req(1024, 1, {{9, 2}}),
                                   req(512, 1, {{2}}), req(1024, 1, {{9, 2}}), req(512, 1, {{2}})});
  // prefixes: (1) (1,2) (9) (9,2) (2) -> 5; counts 1,1,2,2,2 -> reused 6 of 8
  EXPECT_EQ(s.unique_prefixes, 5u);
  EXPECT_EQ(s.prefix_reuse_ratio, 6.0 / 8.0);
  EXPECT_EQ(s.num_prefix_groups, 2u);  // 9 and 2 start two requests each
}

TEST(PrefixAnalyzer, RepeatedIdWithinARequestCountsAsUnseen) {
  // AIPerf adds a request's ids to `seen` after the request: [5, 5] hits nothing.
  const AnalysisStats s = analyze({req(1024, 1, {{5, 5}}), req(1024, 1, {{5, 5}})});
  EXPECT_EQ(s.hit_rate_stats->min, 0.0);
  EXPECT_EQ(s.hit_rate_stats->max, 1.0);
  EXPECT_EQ(s.unique_prefixes, 2u);  // (5) and (5, 5)
}

TEST(PrefixAnalyzer, ContextCountsNonContiguousPairsSharedPrefixDoesNot) {
  // Position 0 and 2 repeat, position 1 does not: AIPerf's context 2 blocks, kvtrace's
  // contiguous shared prefix 1 block.
  const AnalysisStats s = analyze({req(1536, 1, {{1, 2, 3}}), req(1536, 1, {{1, 7, 3}})});
  EXPECT_EQ(s.context_length_stats->min, 1024.0);
  EXPECT_EQ(s.shared_prefix_length_stats->min, 512.0);
  EXPECT_EQ(s.unique_suffix_length_stats->min, 1024.0);
}

TEST(PrefixAnalyzer, BlockAndTokenHitRates) {
  // Second request hits 2 of 3 blocks (1024 tokens of 1300); the third hits all (1000 tokens).
  const AnalysisStats s = analyze({req(1000, 1, {{1, 2}}), req(1300, 1, {{1, 2, 3}}),
                                   req(1000, 1, {{1, 2}}), req(700, 1, std::nullopt)});
  EXPECT_EQ(s.total_blocks, 7u);
  EXPECT_EQ(s.hit_blocks, 4u);
  EXPECT_EQ(s.block_hit_rate, 4.0 / 7.0);
  EXPECT_EQ(s.total_input_tokens, 4000u);
  EXPECT_EQ(s.cached_input_tokens, 2024u);
  EXPECT_EQ(s.token_hit_rate, 2024.0 / 4000.0);
  EXPECT_EQ(s.requests_with_hash_ids, 3u);
  EXPECT_EQ(s.distinct_hash_ids, 3u);
}

TEST(PrefixAnalyzer, BlockSizeScalesContext) {
  const AnalysisStats s = analyze({req(300, 1, {{1, 2, 3}}), req(200, 1, {{1, 2}})}, 100);
  // (0,1) and (1,2) repeat: request 2 is all repeated -> its ISL; request 1 -> 2 x 100.
  EXPECT_EQ(s.context_length_stats->min, 200.0);
  EXPECT_EQ(s.context_length_stats->max, 200.0);
}

TEST(PrefixAnalyzer, ZeroBlockSizeIsUsageErrorMisuseLogicError) {
  EXPECT_THROW(PrefixAnalyzer(0), UsageError);
  PrefixAnalyzer a;
  a.finish();
  EXPECT_THROW(a.finish(), std::logic_error);
  EXPECT_THROW(a.add(req(1, 1, {})), std::logic_error);
}

void expect_same_metric(const std::optional<stats::MetricStats>& a,
                        const std::optional<stats::MetricStats>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (!a) return;
  EXPECT_EQ(a->mean, b->mean);
  EXPECT_EQ(a->std_dev, b->std_dev);
  EXPECT_EQ(a->min, b->min);
  EXPECT_EQ(a->median, b->median);
  EXPECT_EQ(a->max, b->max);
}

// The id-dependent fields of two AnalysisStats.
void expect_same_stats(const AnalysisStats& a, const AnalysisStats& b) {
  EXPECT_EQ(a.unique_prefixes, b.unique_prefixes);
  EXPECT_EQ(a.num_prefix_groups, b.num_prefix_groups);
  EXPECT_EQ(a.cache_hit_rate, b.cache_hit_rate);
  EXPECT_EQ(a.prefix_reuse_ratio, b.prefix_reuse_ratio);
  EXPECT_EQ(a.distinct_hash_ids, b.distinct_hash_ids);
  EXPECT_EQ(a.hit_blocks, b.hit_blocks);
  EXPECT_EQ(a.cached_input_tokens, b.cached_input_tokens);
  expect_same_metric(a.context_length_stats, b.context_length_stats);
  expect_same_metric(a.shared_prefix_length_stats, b.shared_prefix_length_stats);
  expect_same_metric(a.hit_rate_stats, b.hit_rate_stats);
}

// The bundled sample with its ids mapped one to one onto random 64-bit values (2^64-1 among
// them): the statistics are the dense trace's, whether added one by one or as a batch.
TEST(PrefixAnalyzer, RandomSixtyFourBitIdsGiveTheStatisticsOfDenseOnes) {
  const std::vector<Request> dense = trace::read_all(kvtrace::testing::kSample);
  std::vector<Request> raw = dense;
  std::uint64_t state = 5;
  std::vector<std::uint64_t> random_of;
  for (Request& r : raw) {
    if (!r.hash_ids) continue;
    for (std::uint64_t& id : *r.hash_ids) {
      while (random_of.size() <= id) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        random_of.push_back(random_of.empty() ? UINT64_MAX : state);
      }
      id = random_of[id];
    }
  }
  const AnalysisStats expected = analyze(dense);
  expect_same_stats(analyze(raw), expected);
  PrefixAnalyzer batched(512);
  batched.add(std::span<const Request>(raw).first(300));
  batched.add(std::span<const Request>(raw).subspan(300));
  expect_same_stats(batched.finish(), expected);
}

TEST(CachedPrefixTokens, AnalyzesDefinition) {
  EXPECT_EQ(cached_prefix_tokens(0, 3, 1100, 512), 0u);
  EXPECT_EQ(cached_prefix_tokens(2, 3, 1100, 512), 1024u);
  EXPECT_EQ(cached_prefix_tokens(3, 3, 1100, 512), 1100u);  // the partial last block
  EXPECT_EQ(cached_prefix_tokens(3, 3, 2000, 512),
            2000u);  // fewer ids than the length needs
  EXPECT_EQ(cached_prefix_tokens(2, 5, 700, 512),
            700u);  // more ids: clamped to the length
}

}  // namespace
}  // namespace kvtrace::analysis
