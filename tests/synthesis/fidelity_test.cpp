// The fidelity report: profiles, distances and expected values of two tiny traces worked out
// by hand (blocks of 4 tokens), and their exact table and JSON renderings.

#include "kvtrace/synthesis/fidelity.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace kvtrace::synthesis {
namespace {

using trace::Number;
using trace::Request;
using Ids = std::vector<std::uint64_t>;

constexpr std::uint32_t kBlock = 4;

Request req(std::optional<std::int64_t> ts, std::int64_t isl, std::int64_t osl,
            std::optional<Ids> ids) {
  Request r;
  if (ts) r.timestamp = Number::of_int(*ts);
  r.input_length = isl;
  r.output_length = osl;
  r.hash_ids = std::move(ids);
  return r;
}

// Input A: two prefix groups (roots 1 and 3), each first sent alone, then extended.
//   a1  t=0     isl  8  osl  4  [1, 2]        nothing seen yet: 0 of 2 blocks hit
//   a2  t=1000  isl  8  osl 12  [3, 4]        0 of 2
//   a3  t=2000  isl 16  osl  4  [1, 2, 5, 6]  1, 2 seen: 2 of 4 hit
//   a4  t=4000  isl 16  osl 12  [3, 4, 7, 8]  3, 4 seen: 2 of 4 hit
std::vector<Request> trace_a() {
  return {req(0, 8, 4, Ids{1, 2}), req(1000, 8, 12, Ids{3, 4}), req(2000, 16, 4, Ids{1, 2, 5, 6}),
          req(4000, 16, 12, Ids{3, 4, 7, 8})};
}

// Output B: one group, its second request much longer.
//   b1  t=0    isl  8  osl 16  [1, 2]                    0 of 2
//   b2  t=500  isl 32  osl 20  [1, 2, 3, 4, 5, 6, 7, 8]  1, 2 seen: 2 of 8 hit
std::vector<Request> trace_b() {
  return {req(0, 8, 16, Ids{1, 2}), req(500, 32, 20, Ids{1, 2, 3, 4, 5, 6, 7, 8})};
}

TraceProfile profile(const std::vector<Request>& requests) {
  return profile_trace(requests, kBlock);
}

void expect_stats(const std::optional<stats::MetricStats>& m, stats::MetricStats want,
                  const char* what) {
  ASSERT_TRUE(m.has_value()) << what;
  EXPECT_EQ(m->mean, want.mean) << what;
  EXPECT_EQ(m->std_dev, want.std_dev) << what;
  EXPECT_EQ(m->min, want.min) << what;
  EXPECT_EQ(m->p25, want.p25) << what;
  EXPECT_EQ(m->median, want.median) << what;
  EXPECT_EQ(m->p75, want.p75) << what;
  EXPECT_EQ(m->max, want.max) << what;
}

TEST(Fidelity, ProfileOfTraceA) {
  const TraceProfile p = profile(trace_a());
  EXPECT_EQ(p.stats.total_requests, 4u);
  // 4 requests over 4000 - 0 ms: 1 per second.
  EXPECT_EQ(p.duration_ms, 4000.0);
  EXPECT_EQ(p.rate_per_s, 1.0);
  EXPECT_EQ(p.isl, (std::vector<std::int64_t>{8, 8, 16, 16}));
  EXPECT_EQ(p.osl, (std::vector<std::int64_t>{4, 12, 4, 12}));
  EXPECT_EQ(p.hit_rates, (std::vector<double>{0, 0, 0.5, 0.5}));
  // Mean per-request hit rate (0 + 0 + 0.5 + 0.5) / 4; 4 of 12 blocks; 8 + 8 of 48 tokens.
  EXPECT_EQ(p.stats.cache_hit_rate, 0.25);
  EXPECT_EQ(p.stats.block_hit_rate, 4.0 / 12.0);
  EXPECT_EQ(p.stats.token_hit_rate, 16.0 / 48.0);
  // Roots 1 and 3 are each the first id of two requests.
  EXPECT_EQ(p.stats.num_prefix_groups, 2u);
  // Trie nodes: 1, 1-2, 3, 3-4, 1-2-5, 1-2-5-6, 3-4-7, 3-4-7-8.
  EXPECT_EQ(p.stats.unique_prefixes, 8u);
  // numpy on 4 values: p25 at rank 0.75 and p75 at rank 2.25 (between equal neighbours
  // here), the median halfway between ranks 1 and 2, std about the mean with ddof 0.
  //   ISL [8, 8, 16, 16]: mean 12, deviations +-4 -> std 4
  expect_stats(p.stats.isl_stats, {12, 4, 8, 8, 12, 16, 16}, "isl");
  //   OSL [4, 12, 4, 12]: mean 8, std 4
  expect_stats(p.stats.osl_stats, {8, 4, 4, 4, 8, 12, 12}, "osl");
  // Context length: the pairs (0,1) (1,2) (0,3) (1,4) occur twice. a1 and a2 consist of
  // repeated pairs only: their whole ISL, 8; a3 and a4 have 2 repeated pairs: 2 * 4 = 8.
  expect_stats(p.stats.context_length_stats, {8, 0, 8, 8, 8, 8, 8}, "context");
  // Unique prompt = ISL - context: [0, 0, 8, 8].
  expect_stats(p.stats.unique_prompt_length_stats, {4, 4, 0, 0, 4, 8, 8}, "unique prompt");
  //   hit rates [0, 0, 0.5, 0.5]: mean 0.25, std 0.25
  expect_stats(p.stats.hit_rate_stats, {0.25, 0.25, 0, 0, 0.25, 0.5, 0.5}, "hit rate");
}

TEST(Fidelity, ProfileOfTraceB) {
  const TraceProfile p = profile(trace_b());
  EXPECT_EQ(p.stats.total_requests, 2u);
  // 2 requests over 500 ms: 4 per second.
  EXPECT_EQ(p.duration_ms, 500.0);
  EXPECT_EQ(p.rate_per_s, 4.0);
  EXPECT_EQ(p.isl, (std::vector<std::int64_t>{8, 32}));
  EXPECT_EQ(p.osl, (std::vector<std::int64_t>{16, 20}));
  EXPECT_EQ(p.hit_rates, (std::vector<double>{0, 0.25}));
  // (0 + 2/8) / 2; 2 of 10 blocks; 8 of 40 tokens.
  EXPECT_EQ(p.stats.cache_hit_rate, 0.125);
  EXPECT_EQ(p.stats.block_hit_rate, 0.2);
  EXPECT_EQ(p.stats.token_hit_rate, 0.2);
  EXPECT_EQ(p.stats.num_prefix_groups, 1u);
  EXPECT_EQ(p.stats.unique_prefixes, 8u);  // the chain 1, 1-2, ..., 1-2-...-8
  // numpy on 2 values a < b: p25 = a + (b - a) / 4, p75 = b - (b - a) / 4, std (b - a) / 2.
  expect_stats(p.stats.isl_stats, {20, 12, 8, 14, 20, 26, 32}, "isl");
  expect_stats(p.stats.osl_stats, {18, 2, 16, 17, 18, 19, 20}, "osl");
  // Pairs (0,1) and (1,2) occur twice: b1 is all repeated (its ISL, 8), b2 has 2 (2 * 4).
  expect_stats(p.stats.context_length_stats, {8, 0, 8, 8, 8, 8, 8}, "context");
  expect_stats(p.stats.unique_prompt_length_stats, {12, 12, 0, 6, 12, 18, 24}, "unique prompt");
  expect_stats(p.stats.hit_rate_stats, {0.125, 0.125, 0, 0.0625, 0.125, 0.1875, 0.25}, "hit rate");
}

// The ECDFs of A (4 values, steps of 1/4) and B (2 values, steps of 1/2), at every pooled
// value; KS is the largest |F_A - F_B|, W1 the sum of |F_A - F_B| times the gap to the next
// pooled value.
//   ISL  A [8, 8, 16, 16]  B [8, 32]
//        x=8: 1/2 vs 1/2 -> 0; x=16: 1 vs 1/2 -> 1/2; x=32: 1 vs 1 -> 0
//        KS 0.5; W1 = 0 * (16 - 8) + 0.5 * (32 - 16) = 8
//   OSL  A [4, 4, 12, 12]  B [16, 20]
//        x=4: 1/2 vs 0; x=12: 1 vs 0; x=16: 1 vs 1/2; x=20: 1 vs 1
//        KS 1; W1 = 0.5 * 8 + 1 * 4 + 0.5 * 4 = 10 (= mean 18 - mean 8: B lies above A)
//   Hit rate  A [0, 0, 0.5, 0.5]  B [0, 0.25]
//        x=0: 1/2 vs 1/2; x=0.25: 1/2 vs 1 -> 1/2; x=0.5: 1 vs 1
//        KS 0.5; W1 = 0 * 0.25 + 0.5 * 0.25 = 0.125
TEST(Fidelity, DistancesOfTheIslOslAndHitRateDistributions) {
  const FidelityReport r = compare_traces(profile(trace_a()), profile(trace_b()));
  ASSERT_TRUE(r.isl && r.osl && r.hit_rate);
  EXPECT_EQ(r.isl->ks, 0.5);
  EXPECT_EQ(r.isl->wasserstein_1, 8.0);
  EXPECT_EQ(r.osl->ks, 1.0);
  EXPECT_EQ(r.osl->wasserstein_1, 10.0);
  EXPECT_EQ(r.hit_rate->ks, 0.5);
  EXPECT_EQ(r.hit_rate->wasserstein_1, 0.125);
  EXPECT_FALSE(r.expected.has_value());  // no knobs
  // The profiles are kept as given.
  EXPECT_EQ(r.input.stats.total_requests, 4u);
  EXPECT_EQ(r.output.stats.total_requests, 2u);
  EXPECT_EQ(r.output.rate_per_s, 4.0);
}

TEST(Fidelity, ATraceAgainstItselfIsAtDistanceZero) {
  const FidelityReport r = compare_traces(profile(trace_a()), profile(trace_a()));
  ASSERT_TRUE(r.isl && r.osl && r.hit_rate);
  for (const Distance& d : {*r.isl, *r.osl, *r.hit_rate}) {
    EXPECT_EQ(d.ks, 0.0);
    EXPECT_EQ(d.wasserstein_1, 0.0);
  }
}

// Rewrite mode (no request count asked): max_isl 12 keeps the two requests of ISL 8; the
// duration is A's 4000 ms divided by the speedup 2; the mean OSL is A's 8 times 1.5.
TEST(Fidelity, ExpectedValuesOfRewriteMode) {
  SynthesisParams knobs;
  knobs.speedup_ratio = 2;
  knobs.output_len_multiplier = 1.5;
  knobs.max_isl = 12;
  const FidelityReport r = compare_traces(profile(trace_a()), profile(trace_b()), &knobs);
  ASSERT_TRUE(r.expected.has_value());
  EXPECT_EQ(r.expected->requests, 2u);
  EXPECT_EQ(r.expected->duration_ms, 2000.0);
  EXPECT_EQ(r.expected->rate_per_s, 1.0);  // 2 requests in 2 s
  EXPECT_EQ(r.expected->mean_osl, 12.0);

  // max_isl is inclusive: 8 keeps the requests of ISL 8; 7 keeps none.
  knobs.max_isl = 8;
  EXPECT_EQ(compare_traces(profile(trace_a()), profile(trace_b()), &knobs).expected->requests, 2u);
  knobs.max_isl = 7;
  const FidelityReport none = compare_traces(profile(trace_a()), profile(trace_b()), &knobs);
  EXPECT_EQ(none.expected->requests, 0u);
  EXPECT_EQ(none.expected->rate_per_s, 0.0);
  // Without max_isl every input request is expected.
  knobs.max_isl.reset();
  const FidelityReport all = compare_traces(profile(trace_a()), profile(trace_b()), &knobs);
  EXPECT_EQ(all.expected->requests, 4u);
  EXPECT_EQ(all.expected->rate_per_s, 2.0);  // 4 in 2 s
}

// Sample mode asked for 6 requests: A's pattern repeated 6/4 times, so 4000 * 1.5 / 2 =
// 3000 ms, 6 requests in 3 s; the asked count wins over max_isl.
TEST(Fidelity, ExpectedValuesOfSampleMode) {
  SynthesisParams knobs;
  knobs.speedup_ratio = 2;
  knobs.output_len_multiplier = 1.5;
  knobs.max_isl = 12;
  const FidelityReport r = compare_traces(profile(trace_a()), profile(trace_b()), &knobs, 6);
  ASSERT_TRUE(r.expected.has_value());
  EXPECT_EQ(r.expected->requests, 6u);
  EXPECT_EQ(r.expected->duration_ms, 3000.0);
  EXPECT_EQ(r.expected->rate_per_s, 2.0);
  EXPECT_EQ(r.expected->mean_osl, 12.0);
}

TEST(Fidelity, TimestampsGiveTheSpanWhateverTheirOrder) {
  // Out of order, and one request without a timestamp: 9000 - 1000 ms for 3 requests.
  const TraceProfile p = profile({req(5000, 1, 1, std::nullopt), req(1000, 1, 1, std::nullopt),
                                  req(std::nullopt, 1, 1, Ids{}), req(9000, 1, 1, std::nullopt)});
  EXPECT_EQ(p.duration_ms, 8000.0);
  EXPECT_EQ(p.rate_per_s, 4 / 8.0);
  // Requests without hash ids have lengths but no hit rate.
  EXPECT_EQ(p.isl.size(), 4u);
  EXPECT_TRUE(p.hit_rates.empty());
  EXPECT_FALSE(p.stats.hit_rate_stats.has_value());
}

TEST(Fidelity, NoRateWithoutTimestampsOrWithASingleInstant) {
  const TraceProfile none = profile({req(std::nullopt, 8, 1, Ids{1, 2})});
  EXPECT_FALSE(none.duration_ms.has_value());
  EXPECT_FALSE(none.rate_per_s.has_value());
  // One timestamp: a duration of 0, over which no rate is defined.
  const TraceProfile one = profile({req(7, 8, 1, Ids{1, 2}), req(7, 8, 1, Ids{1, 2})});
  EXPECT_EQ(one.duration_ms, 0.0);
  EXPECT_FALSE(one.rate_per_s.has_value());
  // Knobs on an input without timestamps: no expected duration or rate.
  SynthesisParams knobs;
  const FidelityReport r = compare_traces(none, none, &knobs);
  EXPECT_EQ(r.expected->requests, 1u);
  EXPECT_FALSE(r.expected->duration_ms.has_value());
  EXPECT_FALSE(r.expected->rate_per_s.has_value());
}

TEST(Fidelity, AnEmptySideHasNoDistances) {
  const TraceProfile empty = profile({});
  EXPECT_EQ(empty.stats.total_requests, 0u);
  EXPECT_FALSE(empty.duration_ms.has_value());
  EXPECT_FALSE(empty.stats.isl_stats.has_value());
  const FidelityReport r = compare_traces(profile(trace_a()), empty);
  EXPECT_FALSE(r.isl.has_value());
  EXPECT_FALSE(r.osl.has_value());
  EXPECT_FALSE(r.hit_rate.has_value());
  const std::string table = render_fidelity_table(r);
  EXPECT_NE(table.find("│ Requests                  │      4 │      0 │        - │\n"
                       "│ Duration (s)              │   4.00 │      - │        - │\n"
                       "│ Rate (req/s)              │   1.00 │      - │        - │\n"
                       "│ Mean ISL                  │  12.00 │      - │        - │\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("│ ISL (tokens)         │            - │             - │\n"
                       "│ OSL (tokens)         │            - │             - │\n"
                       "│ Per-request hit rate │            - │             - │\n"),
            std::string::npos)
      << table;
  const std::string json = render_fidelity_json(r);
  EXPECT_NE(json.find("  \"output\": {\n"
                      "    \"requests\": 0,\n"
                      "    \"duration_ms\": null,\n"
                      "    \"rate_per_s\": null,\n"
                      "    \"cache_hit_rate\": 0.0,\n"
                      "    \"block_hit_rate\": 0.0,\n"
                      "    \"token_hit_rate\": 0.0,\n"
                      "    \"num_prefix_groups\": 0,\n"
                      "    \"unique_prefixes\": 0,\n"
                      "    \"isl_stats\": null,\n"
                      "    \"osl_stats\": null,\n"
                      "    \"context_length_stats\": null,\n"
                      "    \"unique_prompt_length_stats\": null,\n"
                      "    \"hit_rate_stats\": null\n"
                      "  },\n"
                      "  \"distance\": {\n"
                      "    \"isl\": null,\n"
                      "    \"osl\": null,\n"
                      "    \"hit_rate\": null\n"
                      "  },\n"
                      "  \"expected\": null\n"
                      "}\n"),
            std::string::npos)
      << json;
}

TEST(Fidelity, TableRendering) {
  const FidelityReport r = compare_traces(profile(trace_a()), profile(trace_b()));
  EXPECT_EQ(render_fidelity_table(r),
            "                     Input vs output\n"
            "┌───────────────────────────┬────────┬────────┬──────────┐\n"
            "│ Metric                    │  Input │ Output │ Expected │\n"
            "├───────────────────────────┼────────┼────────┼──────────┤\n"
            "│ Requests                  │      4 │      2 │        - │\n"
            "│ Duration (s)              │   4.00 │   0.50 │        - │\n"
            "│ Rate (req/s)              │   1.00 │   4.00 │        - │\n"
            "│ Mean ISL                  │  12.00 │  20.00 │        - │\n"
            "│ Mean OSL                  │   8.00 │  18.00 │        - │\n"
            "│ Mean context length       │   8.00 │   8.00 │        - │\n"
            "│ Mean unique prompt length │   4.00 │  12.00 │        - │\n"
            "│ Cache hit rate            │ 0.2500 │ 0.1250 │        - │\n"
            "│ Block hit rate            │ 0.3333 │ 0.2000 │        - │\n"
            "│ Prefix groups             │      2 │      1 │        - │\n"
            "└───────────────────────────┴────────┴────────┴──────────┘\n"
            "\n"
            "       Distribution distances (input vs output)\n"
            "┌──────────────────────┬──────────────┬───────────────┐\n"
            "│ Distribution         │ KS statistic │ Wasserstein-1 │\n"
            "├──────────────────────┼──────────────┼───────────────┤\n"
            "│ ISL (tokens)         │       0.5000 │        8.0000 │\n"
            "│ OSL (tokens)         │       1.0000 │       10.0000 │\n"
            "│ Per-request hit rate │       0.5000 │        0.1250 │\n"
            "└──────────────────────┴──────────────┴───────────────┘\n");
}

TEST(Fidelity, TableRenderingWithTheExpectedColumn) {
  SynthesisParams knobs;
  knobs.speedup_ratio = 2;
  knobs.output_len_multiplier = 1.5;
  knobs.max_isl = 12;
  const TraceProfile a = profile(trace_a());
  const TraceProfile b = profile(trace_b());
  const std::string rewrite = render_fidelity_table(compare_traces(a, b, &knobs));
  EXPECT_EQ(rewrite.substr(0, rewrite.find("\n\n") + 1),
            "                     Input vs output\n"
            "┌───────────────────────────┬────────┬────────┬──────────┐\n"
            "│ Metric                    │  Input │ Output │ Expected │\n"
            "├───────────────────────────┼────────┼────────┼──────────┤\n"
            "│ Requests                  │      4 │      2 │        2 │\n"
            "│ Duration (s)              │   4.00 │   0.50 │     2.00 │\n"
            "│ Rate (req/s)              │   1.00 │   4.00 │     1.00 │\n"
            "│ Mean ISL                  │  12.00 │  20.00 │        - │\n"
            "│ Mean OSL                  │   8.00 │  18.00 │    12.00 │\n"
            "│ Mean context length       │   8.00 │   8.00 │        - │\n"
            "│ Mean unique prompt length │   4.00 │  12.00 │        - │\n"
            "│ Cache hit rate            │ 0.2500 │ 0.1250 │        - │\n"
            "│ Block hit rate            │ 0.3333 │ 0.2000 │        - │\n"
            "│ Prefix groups             │      2 │      1 │        - │\n"
            "└───────────────────────────┴────────┴────────┴──────────┘\n");
  const std::string sample = render_fidelity_table(compare_traces(a, b, &knobs, 6));
  EXPECT_NE(sample.find("│ Requests                  │      4 │      2 │        6 │\n"
                        "│ Duration (s)              │   4.00 │   0.50 │     3.00 │\n"
                        "│ Rate (req/s)              │   1.00 │   4.00 │     2.00 │\n"
                        "│ Mean ISL                  │  12.00 │  20.00 │        - │\n"
                        "│ Mean OSL                  │   8.00 │  18.00 │    12.00 │\n"),
            std::string::npos)
      << sample;
  // Knobs on an input without timestamps: the expected duration and rate are "-".
  const TraceProfile untimed = profile({req(std::nullopt, 8, 1, Ids{1, 2})});
  const std::string table = render_fidelity_table(compare_traces(untimed, untimed, &knobs));
  EXPECT_NE(table.find("│ Duration (s)              │      - │      - │        - │\n"
                       "│ Rate (req/s)              │      - │      - │        - │\n"),
            std::string::npos)
      << table;
}

TEST(Fidelity, JsonRendering) {
  SynthesisParams knobs;
  knobs.speedup_ratio = 2;
  knobs.output_len_multiplier = 1.5;
  knobs.max_isl = 12;
  const FidelityReport r = compare_traces(profile(trace_a()), profile(trace_b()), &knobs);
  EXPECT_EQ(render_fidelity_json(r),
            R"({
  "input": {
    "requests": 4,
    "duration_ms": 4000.0,
    "rate_per_s": 1.0,
    "cache_hit_rate": 0.25,
    "block_hit_rate": 0.3333333333333333,
    "token_hit_rate": 0.3333333333333333,
    "num_prefix_groups": 2,
    "unique_prefixes": 8,
    "isl_stats": {
      "mean": 12.0,
      "std_dev": 4.0,
      "min": 8.0,
      "p25": 8.0,
      "median": 12.0,
      "p75": 16.0,
      "max": 16.0
    },
    "osl_stats": {
      "mean": 8.0,
      "std_dev": 4.0,
      "min": 4.0,
      "p25": 4.0,
      "median": 8.0,
      "p75": 12.0,
      "max": 12.0
    },
    "context_length_stats": {
      "mean": 8.0,
      "std_dev": 0.0,
      "min": 8.0,
      "p25": 8.0,
      "median": 8.0,
      "p75": 8.0,
      "max": 8.0
    },
    "unique_prompt_length_stats": {
      "mean": 4.0,
      "std_dev": 4.0,
      "min": 0.0,
      "p25": 0.0,
      "median": 4.0,
      "p75": 8.0,
      "max": 8.0
    },
    "hit_rate_stats": {
      "mean": 0.25,
      "std_dev": 0.25,
      "min": 0.0,
      "p25": 0.0,
      "median": 0.25,
      "p75": 0.5,
      "max": 0.5
    }
  },
  "output": {
    "requests": 2,
    "duration_ms": 500.0,
    "rate_per_s": 4.0,
    "cache_hit_rate": 0.125,
    "block_hit_rate": 0.2,
    "token_hit_rate": 0.2,
    "num_prefix_groups": 1,
    "unique_prefixes": 8,
    "isl_stats": {
      "mean": 20.0,
      "std_dev": 12.0,
      "min": 8.0,
      "p25": 14.0,
      "median": 20.0,
      "p75": 26.0,
      "max": 32.0
    },
    "osl_stats": {
      "mean": 18.0,
      "std_dev": 2.0,
      "min": 16.0,
      "p25": 17.0,
      "median": 18.0,
      "p75": 19.0,
      "max": 20.0
    },
    "context_length_stats": {
      "mean": 8.0,
      "std_dev": 0.0,
      "min": 8.0,
      "p25": 8.0,
      "median": 8.0,
      "p75": 8.0,
      "max": 8.0
    },
    "unique_prompt_length_stats": {
      "mean": 12.0,
      "std_dev": 12.0,
      "min": 0.0,
      "p25": 6.0,
      "median": 12.0,
      "p75": 18.0,
      "max": 24.0
    },
    "hit_rate_stats": {
      "mean": 0.125,
      "std_dev": 0.125,
      "min": 0.0,
      "p25": 0.0625,
      "median": 0.125,
      "p75": 0.1875,
      "max": 0.25
    }
  },
  "distance": {
    "isl": {
      "ks": 0.5,
      "wasserstein_1": 8.0
    },
    "osl": {
      "ks": 1.0,
      "wasserstein_1": 10.0
    },
    "hit_rate": {
      "ks": 0.5,
      "wasserstein_1": 0.125
    }
  },
  "expected": {
    "requests": 2,
    "duration_ms": 2000.0,
    "rate_per_s": 1.0,
    "mean_osl": 12.0
  }
}
)");
}

}  // namespace
}  // namespace kvtrace::synthesis
