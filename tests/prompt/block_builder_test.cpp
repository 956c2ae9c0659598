// BlockBuilder and block_layout: the HashIdRandomGenerator goldens of reference 8.1/8.2,
// separators, wrap-around, partial blocks, tails, scopes and order independence.

#include "kvtrace/prompt/block_builder.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "kvtrace/core/error.hpp"
#include "prompt/mock_tokenizers.hpp"

namespace {

using kvtrace::prompt::block_layout;
using kvtrace::prompt::BlockBuilder;
using kvtrace::prompt::hash_id_seed;
using kvtrace::prompt::TokenId;
using kvtrace::random::PyRandom;
using kvtrace::testing::range_corpus;

std::vector<TokenId> run(TokenId first, TokenId last) {
  std::vector<TokenId> out;
  for (TokenId t = first; t <= last; ++t) out.push_back(t);
  return out;
}

std::vector<TokenId> cat(std::vector<TokenId> a, const std::vector<TokenId>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::uint64_t> draws(std::uint64_t seed, int n) {
  PyRandom rng(seed);
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.randbelow(1000));
  return out;
}

TEST(HashIdSeed, UpstreamGoldens) {
  EXPECT_EQ(draws(hash_id_seed(42, "t", 7), 5),
            (std::vector<std::uint64_t>{366, 486, 241, 501, 226}));
  EXPECT_EQ(draws(hash_id_seed(1234567890, "trace_0012", 99999), 5),
            (std::vector<std::uint64_t>{303, 268, 444, 404, 995}));
  EXPECT_EQ(draws(hash_id_seed(0, "", 0), 5),
            (std::vector<std::uint64_t>{672, 999, 375, 166, 753}));
}

TEST(BlockBuilder, SeedFortyTwoCorpusBaseAndPerHashIdSeeds) {
  const auto corpus = range_corpus();
  const BlockBuilder b(corpus, 1, 42, "");
  EXPECT_EQ(b.base_seed(), 10558974911300946294u);
  EXPECT_EQ(b.hash_id_seed(0), 11442583857767186279u);
  EXPECT_EQ(b.hash_id_seed(1), 7064896877866404733u);
  EXPECT_EQ(b.hash_id_seed(123), 11914342729454359292u);
  EXPECT_EQ(draws(b.hash_id_seed(0), 5), (std::vector<std::uint64_t>{661, 886, 921, 801, 491}));
  EXPECT_EQ(draws(b.hash_id_seed(1), 5), (std::vector<std::uint64_t>{992, 94, 361, 72, 444}));
  EXPECT_EQ(draws(b.hash_id_seed(123), 5), (std::vector<std::uint64_t>{224, 495, 989, 402, 929}));
}

TEST(BlockBuilder, BlockGoldensOfReference8_2) {
  const auto corpus = range_corpus();
  const BlockBuilder b(corpus, 1, 42, "");
  EXPECT_EQ(b.block(1, 8), cat({1}, run(10992, 10998)));
  EXPECT_EQ(b.block(2, 8), cat({1}, run(10885, 10891)));
  EXPECT_EQ(b.block(3, 8), cat({1}, run(10936, 10942)));
  EXPECT_EQ(b.block_start(1), 992u);
}

TEST(BlockBuilder, SequentialStreamIsTheCorpusStream) {
  const auto corpus = range_corpus();
  const BlockBuilder b(corpus, 1, 42, "");
  PyRandom s = b.sequential_stream();
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(s.randbelow(1000));
  EXPECT_EQ(got, (std::vector<std::uint64_t>{246, 57, 309, 487, 258}));
}

TEST(BlockBuilder, BlocksWrapAroundTheCorpusEnd) {
  const auto corpus = range_corpus();
  const BlockBuilder b(corpus, 1, 42, "");
  // Hash 1 starts at 992: 8 tokens to the end, then from the corpus start.
  EXPECT_EQ(b.block(1, 20), cat(cat({1}, run(10992, 10999)), run(10000, 10010)));
  std::vector<TokenId> out;
  b.append_run(998, 5, out);
  EXPECT_EQ(out, cat(run(10998, 10999), run(10000, 10002)));
  // Longer than the corpus: wraps as often as needed, exactly n tokens.
  out.clear();
  b.append_run(0, 2500, out);
  ASSERT_EQ(out.size(), 2500u);
  EXPECT_EQ(out[1000], 10000u);
  EXPECT_EQ(out[2499], 10499u);
}

TEST(BlockBuilder, PartialBlocksAndTheSeparator) {
  const auto corpus = range_corpus();
  const BlockBuilder with_sep(corpus, 1, 42, "");
  EXPECT_EQ(with_sep.block(1, 3), (std::vector<TokenId>{1, 10992, 10993}));
  EXPECT_EQ(with_sep.block(1, 1), (std::vector<TokenId>{1}));  // separator only
  const BlockBuilder no_sep(corpus, std::nullopt, 42, "");
  EXPECT_EQ(no_sep.block(1, 8), run(10992, 10999));
}

TEST(BlockBuilder, SeparatorIsBosElseEosElseNone) {
  kvtrace::testing::MockTokenizer tok;
  EXPECT_EQ(BlockBuilder::separator_of(tok), 1u);
  tok.bos.reset();
  EXPECT_EQ(BlockBuilder::separator_of(tok), 2u);
  tok.eos.reset();
  EXPECT_EQ(BlockBuilder::separator_of(tok), std::nullopt);
}

TEST(BlockBuilder, ContentDependsOnlyOnSeedScopeAndIdNotOnOrder) {
  const auto corpus = range_corpus(0, 1000000);
  const BlockBuilder a(corpus, 1, 42, "scope-a");
  const BlockBuilder again(corpus, 1, 42, "scope-a");
  const BlockBuilder other_scope(corpus, 1, 42, "scope-b");
  const BlockBuilder other_seed(corpus, 1, 43, "scope-a");
  std::vector<std::vector<TokenId>> forward;
  for (std::uint64_t id = 0; id < 50; ++id) forward.push_back(a.block(id, 16));
  int same_scope_b = 0;
  int same_seed_43 = 0;
  for (std::uint64_t id = 50; id-- > 0;) {
    EXPECT_EQ(again.block(id, 16), forward[id]);
    same_scope_b += other_scope.block(id, 16) == forward[id] ? 1 : 0;
    same_seed_43 += other_seed.block(id, 16) == forward[id] ? 1 : 0;
  }
  EXPECT_EQ(same_scope_b, 0);
  EXPECT_EQ(same_seed_43, 0);
  // AIPerf's scope string: hash 1 under scope "abc" starts at 848 of 1000.
  const auto small = range_corpus();
  EXPECT_EQ(BlockBuilder(small, 1, 42, "abc").block_start(1), 848u);
}

TEST(BlockBuilder, EmptyCorpusIsAUsageError) {
  const std::vector<TokenId> empty;
  EXPECT_THROW(BlockBuilder(empty, 1, 42, ""), kvtrace::UsageError);
}

TEST(BlockLayout, ExactTilePartialLastBlockAndPrefixOnlyTail) {
  auto l = block_layout(24, 3, 8);  // exact tile
  EXPECT_TRUE(l.ok());
  EXPECT_EQ(l.last_block_size, 8u);
  EXPECT_EQ(l.tail, 0u);
  l = block_layout(20, 3, 8);  // last block partial
  EXPECT_EQ(l.last_block_size, 4u);
  EXPECT_EQ(l.tail, 0u);
  l = block_layout(20, 2, 8);  // prefix only: full blocks and a 4-token tail
  EXPECT_EQ(l.last_block_size, 8u);
  EXPECT_EQ(l.tail, 4u);
  l = block_layout(17, 3, 8);  // a 1-token last block
  EXPECT_EQ(l.last_block_size, 1u);
}

TEST(BlockLayout, NoHashIdsIsAllTailOfAtLeastOneToken) {
  EXPECT_EQ(block_layout(5, 0, 8).tail, 5u);
  EXPECT_EQ(block_layout(0, 0, 8).tail, 1u);  // AIPerf's generate(mean=0, stddev=0)
}

TEST(BlockLayout, TooManyHashIdsIsAProblem) {
  const auto l = block_layout(16, 3, 8);
  EXPECT_FALSE(l.ok());
  EXPECT_EQ(l.problem,
            "input_length 16 holds at most 2 blocks of 8 tokens (the last one "
            "partial), got 3 hash ids");
  EXPECT_FALSE(block_layout(0, 1, 8).ok());
}

}  // namespace
