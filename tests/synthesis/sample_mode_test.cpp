// Sample mode: fidelity on the real FAST25 trace, determinism, epochs, sessions and knobs.

#include "kvtrace/synthesis/sample_mode.hpp"

#include <gtest/gtest.h>

#include <set>

#include "kvtrace/core/error.hpp"
#include "kvtrace/synthesis/fidelity.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

namespace kvtrace::synthesis {
namespace {

using trace::Number;
using trace::Request;
using Ids = std::vector<std::uint64_t>;

std::vector<Request> generate(std::span<const Request> in, const SynthesisParams& p,
                              std::uint64_t n, SampleStats* stats = nullptr) {
  std::vector<Request> out;
  const SampleStats st = sample_trace(in, p, n, [&](const Request& r) { out.push_back(r); });
  if (stats != nullptr) *stats = st;
  return out;
}

std::vector<Request> sample_input() {
  return trace::read_all(std::string(KVTRACE_SOURCE_DIR) +
                         "/examples/fast25-conversation-1k.jsonl");
}

TEST(SampleMode, MeetsTheFidelityBoundsOnTheFast25ConversationTrace) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  const auto in = trace::read_all(path);
  const auto out = generate(in, SynthesisParams{}, in.size());
  const FidelityReport r = compare_traces(profile_trace(in, 512), profile_trace(out, 512));
  EXPECT_NEAR(r.output.stats.cache_hit_rate, r.input.stats.cache_hit_rate, 0.02);
  EXPECT_NEAR(r.output.stats.block_hit_rate, r.input.stats.block_hit_rate, 0.02);
  EXPECT_LE(r.isl->ks, 0.05);
  EXPECT_LE(r.osl->ks, 0.05);
  EXPECT_EQ(r.output.stats.num_prefix_groups, r.input.stats.num_prefix_groups);
  EXPECT_NEAR(*r.output.rate_per_s, *r.input.rate_per_s, 0.1 * *r.input.rate_per_s);
}

TEST(SampleMode, GeneratesManyTimesTheInputKeepingItsStructure) {
  const auto in = sample_input();
  SampleStats st;
  const auto out = generate(in, SynthesisParams{}, 5500, &st);
  ASSERT_EQ(out.size(), 5500u);
  EXPECT_EQ(st.epochs, 6u);
  EXPECT_EQ(st.learned_requests, 1000u);
  const FidelityReport r = compare_traces(profile_trace(in, 512), profile_trace(out, 512));
  // Each pass uses its own ids: the hit rate does not creep up with N.
  EXPECT_NEAR(r.output.stats.block_hit_rate, r.input.stats.block_hit_rate, 0.02);
  EXPECT_LE(r.isl->ks, 0.05);
  // Timestamps never go back and the rate stays the input's.
  for (std::size_t i = 1; i < out.size(); ++i) {
    ASSERT_GE(out[i].timestamp->value(), out[i - 1].timestamp->value());
  }
  EXPECT_NEAR(*r.output.rate_per_s, *r.input.rate_per_s, 0.2 * *r.input.rate_per_s);
}

TEST(SampleMode, EveryRequestIsConsistent) {
  const auto in = sample_input();
  for (const SynthesisParams& p : {SynthesisParams{}, SynthesisParams{.prefix_len_multiplier = 2.5},
                                   SynthesisParams{.prefix_len_multiplier = 0.3},
                                   SynthesisParams{.prompt_len_multiplier = 0.01}}) {
    for (const Request& r : generate(in, p, 2000)) {
      ASSERT_EQ(r.hash_ids->size(), trace::expected_hash_id_count(*r.input_length, 512))
          << p.prefix_len_multiplier << " " << *r.input_length;
      ASSERT_GE(*r.input_length, 1);
    }
  }
}

TEST(SampleMode, SameSeedSameOutputOtherSeedOtherOrder) {
  const auto in = sample_input();
  EXPECT_EQ(generate(in, SynthesisParams{}, 1500), generate(in, SynthesisParams{}, 1500));
  EXPECT_NE(generate(in, SynthesisParams{}, 1500), generate(in, SynthesisParams{.seed = 7}, 1500));
}

TEST(SampleMode, KnobsApply) {
  const auto in = sample_input();
  const auto base = profile_trace(generate(in, SynthesisParams{}, 1000), 512);
  const auto fast = profile_trace(generate(in, SynthesisParams{.speedup_ratio = 4}, 1000), 512);
  EXPECT_NEAR(*fast.rate_per_s, 4 * *base.rate_per_s, 0.5 * *base.rate_per_s);
  // R roots: the sessions spread over R namespaces (id % R), the hit rate drops.
  const auto spread = generate(in, SynthesisParams{.prefix_root_multiplier = 3}, 1000);
  std::set<std::uint64_t> namespaces;
  for (const Request& r : spread) namespaces.insert(r.hash_ids->front() % 3);
  EXPECT_EQ(namespaces.size(), 3u);
  EXPECT_LT(profile_trace(spread, 512).stats.block_hit_rate, base.stats.block_hit_rate);
  // P = 2 doubles every shared prefix, so the context grows.
  const auto longer =
      profile_trace(generate(in, SynthesisParams{.prefix_len_multiplier = 2}, 1000), 512);
  EXPECT_GT(longer.stats.context_length_stats->mean, 1.5 * base.stats.context_length_stats->mean);
  // Output multiplier and caps.
  const auto capped = generate(
      in, SynthesisParams{.output_len_multiplier = 2, .max_isl = 4000, .max_osl = 300}, 1000);
  for (const Request& r : capped) {
    EXPECT_LE(*r.input_length, 4000);
    EXPECT_LE(*r.output_length, 300);
    EXPECT_EQ(r.hash_ids->size(), trace::expected_hash_id_count(*r.input_length, 512));
  }
}

TEST(SampleMode, SessionsKeepTheirTurnsDelaysAndGrowingPrompts) {
  auto turn = [](std::string s, std::int64_t isl, Ids ids, std::optional<std::int64_t> ts,
                 std::optional<std::int64_t> delay) {
    Request r;
    r.session_id = std::move(s);
    r.input_length = isl;
    r.hash_ids = std::move(ids);
    r.output_length = 10;
    if (ts) r.timestamp = Number::of_int(*ts);
    if (delay) r.delay = Number::of_int(*delay);
    return r;
  };
  const std::vector<Request> in = {turn("a", 1024, {1, 2}, 0, std::nullopt),
                                   turn("b", 600, {9, 10}, 100, std::nullopt),
                                   turn("a", 2048, {1, 2, 3, 4}, std::nullopt, 500),
                                   turn("a", 2100, {1, 2, 3, 4, 5}, std::nullopt, 700)};
  const auto out = generate(in, SynthesisParams{}, 7);
  ASSERT_EQ(out.size(), 7u);  // two passes over the two sessions, the last one cut short
  std::map<std::string, std::vector<const Request*>> by_session;
  for (const Request& r : out) by_session[*r.session_id].push_back(&r);
  for (const auto& [id, turns] : by_session) {
    if (turns.size() < 2) continue;
    // Session a: turns 2 and 3 extend turn 1's prompt, with the input's delays.
    const Ids& t1 = *turns[0]->hash_ids;
    const Ids& t2 = *turns[1]->hash_ids;
    ASSERT_GE(t2.size(), t1.size());
    EXPECT_TRUE(std::equal(t1.begin(), t1.end(), t2.begin()));
    EXPECT_EQ(turns[1]->delay, Number::of_int(500));
    EXPECT_FALSE(turns[1]->timestamp);
    if (turns.size() == 3) {
      EXPECT_EQ(turns[2]->delay, Number::of_int(700));
      const Ids& t3 = *turns[2]->hash_ids;
      EXPECT_TRUE(std::equal(t2.begin(), t2.end(), t3.begin()));
    }
  }
}

TEST(SampleMode, LiteralPromptsAndRequestsWithoutIdsAreKept) {
  Request text;
  text.text_input = "hello";
  text.output_length = 3;
  Request plain;
  plain.input_length = 70;
  const auto out = generate(std::vector<Request>{text, plain}, SynthesisParams{}, 4);
  std::multiset<std::string> kinds;
  for (const Request& r : out)
    kinds.insert(r.text_input ? *r.text_input : std::to_string(*r.input_length));
  EXPECT_EQ(kinds, (std::multiset<std::string>{"70", "70", "hello", "hello"}));
}

TEST(SampleMode, BadInputsAreUsageErrors) {
  EXPECT_THROW(generate({}, SynthesisParams{}, 10), UsageError);
  EXPECT_THROW(generate(sample_input(), SynthesisParams{.speedup_ratio = -1}, 10), UsageError);
}

}  // namespace
}  // namespace kvtrace::synthesis
