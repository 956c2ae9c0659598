// RollingHasher parity with AIPerf: the derived SHA-256 goldens (aiperf-synthesis.md §2) and
// every case of upstream test_rolling_hasher.py except hashes_to_texts (needs a prompt
// generator, which kvtrace does not have yet).

#include "kvtrace/hashing/rolling_hasher.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

using Ids = std::vector<std::uint64_t>;
using Blocks = std::vector<std::vector<std::int64_t>>;
using Texts = std::vector<std::string_view>;

// Upstream's mock tokenizer: list(range(len(text))), so every text's tokens start 0,1,2,...
std::vector<std::int64_t> mock_tokenize(std::string_view text) {
  std::vector<std::int64_t> tokens(text.size());
  std::iota(tokens.begin(), tokens.end(), std::int64_t{0});
  return tokens;
}

std::vector<std::vector<std::uint64_t>> mock_texts_to_hashes(const Texts& texts,
                                                             std::uint32_t block_size = 10) {
  return texts_to_hashes(texts, block_size, mock_tokenize);
}

// --- stable hash goldens ---------------------------------------------------------------

TEST(StableHash, StringGolden) {
  EXPECT_EQ(stable_hash("hello"), 3238736544897475342u);
}

TEST(StableHash, HashesUtf8Bytes) {
  // Python: _stable_hash('héllo 🚀\n\t"x"').
  EXPECT_EQ(stable_hash("h\xC3\xA9llo \xF0\x9F\x9A\x80\n\t\"x\""), 10168858606848626060u);
}

TEST(StableHash, TupleGoldens) {
  const std::vector<std::int64_t> pair{1, 2};
  const std::vector<std::int64_t> single{5};
  EXPECT_EQ(stable_hash_tuple(pair), 14937784574206342396u);
  EXPECT_EQ(stable_hash_tuple(single), 7379888476817013010u);
  EXPECT_EQ(stable_hash_tuple(single), stable_hash("(5,)"));
}

TEST(StableHash, TupleReprEdgeCases) {
  // Python: _stable_hash(()) and _stable_hash((INT64_MIN, INT64_MAX)).
  EXPECT_EQ(stable_hash_tuple({}), 3330666440490685604u);
  EXPECT_EQ(stable_hash_tuple({}), stable_hash("()"));
  const std::vector<std::int64_t> extremes{INT64_MIN, INT64_MAX};
  EXPECT_EQ(stable_hash_tuple(extremes), 3013146528977553202u);
  EXPECT_EQ(stable_hash_tuple(extremes),
            stable_hash("(-9223372036854775808, 9223372036854775807)"));
}

TEST(StableHash, ChainGoldenForFirstBlock) {
  EXPECT_EQ(stable_hash("(0, 14937784574206342396)"), 7172561555467209616u);
}

// --- construction and stats ------------------------------------------------------------

TEST(RollingHasher, DefaultBlockSizeAndEmptyStats) {
  const RollingHasher hasher;
  EXPECT_EQ(hasher.block_size(), 512u);
  EXPECT_EQ(hasher.stats().total_hashes, 0u);
  EXPECT_EQ(hasher.stats().max_id, -1);
}

TEST(RollingHasher, CustomBlockSize) {
  EXPECT_EQ(RollingHasher(256).block_size(), 256u);
}

TEST(RollingHasher, ZeroBlockSizeIsUsageError) {
  EXPECT_THROW(RollingHasher(0), UsageError);
}

// --- hash_blocks -----------------------------------------------------------------------

TEST(RollingHasher, HashBlocksSingle) {
  RollingHasher hasher;
  const Texts blocks{"hello"};
  EXPECT_EQ(hasher.hash_blocks(blocks), (Ids{0}));
}

TEST(RollingHasher, HashBlocksApiDocExample) {
  RollingHasher hasher;
  const Texts blocks{"hello", "world", "test"};
  EXPECT_EQ(hasher.hash_blocks(blocks), (Ids{0, 1, 2}));
  EXPECT_EQ(hasher.stats().total_hashes, 3u);
  EXPECT_EQ(hasher.stats().max_id, 2);
}

TEST(RollingHasher, HashBlocksOutputLengthMatchesInput) {
  for (const std::size_t n : {1u, 2u, 5u}) {
    RollingHasher hasher;
    const Texts blocks(n, "block");
    EXPECT_EQ(hasher.hash_blocks(blocks).size(), n);
  }
}

TEST(RollingHasher, HashBlocksEmpty) {
  RollingHasher hasher;
  EXPECT_TRUE(hasher.hash_blocks({}).empty());
  EXPECT_EQ(hasher.stats().total_hashes, 0u);
}

TEST(RollingHasher, IdenticalBlocksGetDistinctIdsAlongTheChain) {
  RollingHasher hasher;
  const Texts blocks(10, "same");
  EXPECT_EQ(hasher.hash_blocks(blocks), (Ids{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(RollingHasher, SpecialCharacters) {
  RollingHasher hasher;
  const Texts blocks{"hello\nworld", "tab\there", "\xF0\x9F\x9A\x80 \xC3\xA9", "", "\"'\\"};
  const Ids ids = hasher.hash_blocks(blocks);
  EXPECT_EQ(ids, (Ids{0, 1, 2, 3, 4}));
}

TEST(RollingHasher, EachHashBlocksCallRestartsTheChain) {
  RollingHasher hasher;
  const Texts first{"a", "b"};
  const Texts second{"a", "c"};
  EXPECT_EQ(hasher.hash_blocks(first), (Ids{0, 1}));
  EXPECT_EQ(hasher.hash_blocks(second), (Ids{0, 2}));
}

// --- reset and stats across sequences ---------------------------------------------------

TEST(RollingHasher, ResetKeepsIdsAndLengths) {
  RollingHasher hasher;
  const Texts first{"a", "b", "c"};
  const Texts other{"x", "y"};
  EXPECT_EQ(hasher.hash_blocks(first), (Ids{0, 1, 2}));
  hasher.reset();
  EXPECT_EQ(hasher.hash_blocks(first), (Ids{0, 1, 2}));
  EXPECT_EQ(hasher.hash_blocks(other), (Ids{3, 4}));
  EXPECT_EQ(hasher.stats().total_hashes, 5u);
  EXPECT_EQ(hasher.stats().max_id, 4);
}

TEST(RollingHasher, StatsGrowAcrossSequences) {
  RollingHasher hasher;
  const Texts one{"a"};
  const Texts two{"b", "c"};
  hasher.hash_blocks(one);
  const RollingHasherStats after_one = hasher.stats();
  hasher.reset();
  hasher.hash_blocks(two);
  const RollingHasherStats after_two = hasher.stats();
  EXPECT_EQ(after_one.total_hashes, 1u);
  EXPECT_EQ(after_one.max_id, 0);
  EXPECT_EQ(after_two.total_hashes, 3u);
  EXPECT_EQ(after_two.max_id, 2);
}

// --- hash_token_blocks -----------------------------------------------------------------

TEST(RollingHasher, TokenBlocksSingle) {
  RollingHasher hasher;
  EXPECT_EQ(hasher.hash_token_blocks(Blocks{{1, 2}}), (Ids{0}));
}

TEST(RollingHasher, TokenBlocksMultiple) {
  RollingHasher hasher;
  EXPECT_EQ(hasher.hash_token_blocks(Blocks{{1, 2}, {3, 4}, {5}}), (Ids{0, 1, 2}));
}

TEST(RollingHasher, TokenBlocksEmpty) {
  RollingHasher hasher;
  EXPECT_TRUE(hasher.hash_token_blocks(Blocks{}).empty());
}

TEST(RollingHasher, TokenBlocksSharedPrefixSharesIds) {
  RollingHasher hasher;
  const Ids a = hasher.hash_token_blocks(Blocks{{1, 2}, {3, 4}, {5, 6}});
  const Ids b = hasher.hash_token_blocks(Blocks{{1, 2}, {3, 4}, {7, 8}});
  EXPECT_EQ(a, (Ids{0, 1, 2}));
  EXPECT_EQ(b, (Ids{0, 1, 3}));
}

TEST(RollingHasher, TokenBlockIdDependsOnWholeChain) {
  RollingHasher hasher;
  const Ids a = hasher.hash_token_blocks(Blocks{{1, 2}, {3, 4}});
  const Ids b = hasher.hash_token_blocks(Blocks{{9}, {3, 4}});
  EXPECT_EQ(a, (Ids{0, 1}));
  EXPECT_EQ(b, (Ids{2, 3}));
}

TEST(RollingHasher, TokenBlocksMatchTextChainOverTupleRepr) {
  // Hashing the tuple repr as a text block must land on the same chain hash, hence the same id.
  RollingHasher hasher;
  EXPECT_EQ(hasher.hash_token_blocks(Blocks{{1, 2}, {-3}}), (Ids{0, 1}));
  const Texts reprs{"(1, 2)", "(-3,)"};
  EXPECT_EQ(hasher.hash_blocks(reprs), (Ids{0, 1}));
  EXPECT_EQ(hasher.stats().total_hashes, 2u);
}

// --- texts_to_hashes -------------------------------------------------------------------

TEST(TextsToHashes, TwentyCharsGiveTwoIds) {
  const std::string text(20, 'x');
  const auto ids = mock_texts_to_hashes({text});
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].size(), 2u);
}

TEST(TextsToHashes, OneSequencePerText) {
  const std::string twenty(20, 'a');
  const std::string thirty(30, 'b');
  const auto ids = mock_texts_to_hashes({twenty, thirty});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].size(), 2u);
  EXPECT_EQ(ids[1].size(), 3u);
}

TEST(TextsToHashes, LastPartialChunkIncludedAndIdsSharedAcrossTexts) {
  const std::string twenty(20, 'a');
  const std::string thirty(30, 'b');
  const std::string twenty_five(25, 'c');
  const auto ids = mock_texts_to_hashes({twenty, thirty, "", twenty_five});
  ASSERT_EQ(ids.size(), 4u);
  // One hasher for all texts, and the mock tokens of every text start 0,1,2,...
  EXPECT_EQ(ids[0], (Ids{0, 1}));
  EXPECT_EQ(ids[1], (Ids{0, 1, 2}));
  EXPECT_EQ(ids[2], Ids{});
  EXPECT_EQ(ids[3], (Ids{0, 1, 3}));
}

TEST(TextsToHashes, EmptyTextGivesNoIds) {
  const auto ids = mock_texts_to_hashes({""});
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(ids[0].empty());
}

TEST(TextsToHashes, EqualFirstBlockSharesFirstId) {
  const auto ids = mock_texts_to_hashes({"0123456789abcdef", "0123456789ghijklmnop"});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_FALSE(ids[0].empty());
  ASSERT_FALSE(ids[1].empty());
  EXPECT_EQ(ids[0][0], ids[1][0]);
}

TEST(TextsToHashes, NoTextsGivesNoSequences) {
  EXPECT_TRUE(mock_texts_to_hashes({}).empty());
}

TEST(TextsToHashes, ZeroBlockSizeIsUsageError) {
  EXPECT_THROW(mock_texts_to_hashes({"abc"}, 0), UsageError);
}

}  // namespace
}  // namespace kvtrace::hashing
