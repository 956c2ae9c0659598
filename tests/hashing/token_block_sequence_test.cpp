// TokenBlockSequence, PartialTokenBlock and TokenBlock: the dynamo-tokens sequence tests
// (new, append, the 7 extend cases, the 11 truncate cases, unwind, pop, total_tokens,
// partial-block ops, block creation and hashes) with the upstream constants (salt 1337), and
// agreement with hash_blocks and both lineage codecs.

#include "kvtrace/hashing/token_block_sequence.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

using Tokens = std::vector<Token>;

constexpr SaltHash kSalt = 1337;
constexpr BlockHash kHash1to4 = 14643705804678351452u;
constexpr SequenceHash kSeq1to4 = kHash1to4;
constexpr BlockHash kHash5to8 = 16777012769546811212u;
constexpr SequenceHash kSeq5to8 = 4945711292740353085u;
constexpr SequenceHash kSeq9to12 = 12583592247330656132u;

const Tokens kTen{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

Tokens to_vector(std::span<const Token> tokens) {
  return {tokens.begin(), tokens.end()};
}

TokenBlockSequence make(const Tokens& tokens, std::size_t block_size = 4) {
  return TokenBlockSequence(tokens, block_size, kSalt);
}

// --- PartialTokenBlock and TokenBlock --------------------------------------------------

TEST(PartialTokenBlock, Ops) {
  PartialTokenBlock partial(3, kSalt);
  EXPECT_EQ(partial.size(), 0u);
  EXPECT_EQ(partial.remaining(), 3u);
  EXPECT_TRUE(partial.empty());

  partial.push_token(1);
  EXPECT_EQ(partial.remaining(), 2u);
  const Tokens more{2, 3, 4};
  EXPECT_EQ(to_vector(partial.push_tokens(more)), Tokens{4});
  EXPECT_EQ(to_vector(partial.tokens()), (Tokens{1, 2, 3}));
  EXPECT_EQ(partial.remaining(), 0u);

  EXPECT_THROW(partial.push_token(5), std::invalid_argument);
  const Tokens five{5};
  EXPECT_EQ(to_vector(partial.push_tokens(five)), Tokens{5});

  partial.pop_tokens(1);
  EXPECT_EQ(to_vector(partial.tokens()), (Tokens{1, 2}));
  partial.pop_tokens(2);
  EXPECT_TRUE(partial.empty());
  EXPECT_THROW(partial.pop_tokens(1), std::invalid_argument);

  partial.push_token(10);
  EXPECT_THROW(partial.commit(), std::invalid_argument);
  EXPECT_EQ(partial.size(), 1u);  // a failed commit leaves the block alone
  partial.push_token(11);
  partial.push_token(12);
  const TokenBlock block = partial.commit();
  EXPECT_EQ(to_vector(block.tokens()), (Tokens{10, 11, 12}));
  // The partial block is now the next one.
  EXPECT_TRUE(partial.empty());
  EXPECT_EQ(partial.parent_sequence_hash(), block.sequence_hash());
  EXPECT_EQ(partial.position(), 1u);
  EXPECT_EQ(partial.block_size(), 3u);
}

TEST(PartialTokenBlock, PushTokensStopsWhenFull) {
  PartialTokenBlock partial(4, kSalt);
  EXPECT_EQ(partial.push_tokens(kTen).size(), 6u);
  EXPECT_EQ(partial.size(), 4u);
}

TEST(PartialTokenBlock, ZeroBlockSizeIsUsageError) {
  EXPECT_THROW(PartialTokenBlock(0, kSalt), UsageError);
  EXPECT_THROW(TokenBlockSequence(Tokens{1}, 0, kSalt), UsageError);
}

TEST(TokenBlock, CreationAndHashes) {
  PartialTokenBlock partial(4, kSalt);
  partial.push_tokens(Tokens{1, 2, 3, 4});
  const TokenBlock b1 = partial.commit();
  EXPECT_EQ(to_vector(b1.tokens()), (Tokens{1, 2, 3, 4}));
  EXPECT_EQ(b1.salt_hash(), kSalt);
  EXPECT_EQ(b1.parent_sequence_hash(), std::nullopt);
  EXPECT_EQ(b1.block_hash(), kHash1to4);
  EXPECT_EQ(b1.sequence_hash(), kSeq1to4);
  EXPECT_EQ(b1.position(), 0u);
  EXPECT_EQ(b1.block_size(), 4u);
  const PositionalLineageHashSeedLayout plh1 = b1.seed_layout_lineage_hash();
  EXPECT_EQ(plh1.position(), 0u);
  EXPECT_EQ(plh1.parent_hash_fragment(), 0u);
  EXPECT_EQ(plh1.current_hash_fragment(), kSeq1to4 & low_mask(59));

  partial.push_tokens(Tokens{5, 6, 7, 8});
  const TokenBlock b2 = partial.commit();
  EXPECT_EQ(b2.parent_sequence_hash(), kSeq1to4);
  EXPECT_EQ(b2.block_hash(), kHash5to8);
  EXPECT_EQ(b2.sequence_hash(), kSeq5to8);
  EXPECT_EQ(b2.position(), 1u);
  const PositionalLineageHashSeedLayout plh2 = b2.seed_layout_lineage_hash();
  EXPECT_EQ(plh2.position(), 1u);
  EXPECT_EQ(plh2.parent_hash_fragment(), kSeq1to4 & low_mask(59));
  EXPECT_EQ(plh2.current_hash_fragment(), kSeq5to8 & low_mask(59));
  EXPECT_TRUE(parent_fragment_matches(plh2, plh1));

  const PositionalSequenceHash psh2 = b2.positional_sequence_hash();
  EXPECT_EQ(psh2, PositionalSequenceHash(kSeq5to8, 1, kHash5to8));

  // A block committed under the wrong parent gets another sequence hash.
  PartialTokenBlock orphan(4, kSalt);
  orphan.push_tokens(Tokens{5, 6, 7, 8});
  EXPECT_NE(orphan.commit().sequence_hash(), kSeq5to8);
}

// --- construction ----------------------------------------------------------------------

TEST(TokenBlockSequence, New) {
  const TokenBlockSequence empty = make({});
  EXPECT_TRUE(empty.blocks().empty());
  EXPECT_TRUE(empty.current_block().empty());
  EXPECT_EQ(empty.total_tokens(), 0u);
  EXPECT_EQ(empty.salt_hash(), kSalt);
  EXPECT_EQ(empty.current_block().parent_sequence_hash(), std::nullopt);

  const TokenBlockSequence partial = make({1, 2});
  EXPECT_TRUE(partial.blocks().empty());
  EXPECT_EQ(to_vector(partial.current_block().tokens()), (Tokens{1, 2}));
  EXPECT_EQ(partial.total_tokens(), 2u);
  EXPECT_EQ(partial.current_block().parent_sequence_hash(), std::nullopt);

  const TokenBlockSequence one = make({1, 2, 3, 4});
  ASSERT_EQ(one.blocks().size(), 1u);
  EXPECT_TRUE(one.current_block().empty());
  EXPECT_EQ(one.total_tokens(), 4u);
  EXPECT_EQ(to_vector(one.blocks()[0].tokens()), (Tokens{1, 2, 3, 4}));
  EXPECT_EQ(one.blocks()[0].sequence_hash(), kSeq1to4);
  EXPECT_EQ(one.current_block().parent_sequence_hash(), kSeq1to4);

  const TokenBlockSequence multi = make({1, 2, 3, 4, 5, 6, 7, 8, 9});
  ASSERT_EQ(multi.blocks().size(), 2u);
  EXPECT_EQ(to_vector(multi.current_block().tokens()), Tokens{9});
  EXPECT_EQ(multi.total_tokens(), 9u);
  EXPECT_EQ(multi.blocks()[0].sequence_hash(), kSeq1to4);
  EXPECT_EQ(multi.blocks()[1].sequence_hash(), kSeq5to8);
  EXPECT_EQ(multi.current_block().parent_sequence_hash(), kSeq5to8);
  EXPECT_EQ(multi.current_block().position(), 2u);

  EXPECT_EQ(multi.tokens_at(0, 4), (Tokens{1, 2, 3, 4}));
  EXPECT_EQ(multi.tokens_at(4, 8), (Tokens{5, 6, 7, 8}));
  EXPECT_EQ(multi.tokens_at(8, 9), Tokens{9});
  EXPECT_EQ(multi.tokens_at(2, 6), (Tokens{3, 4, 5, 6}));
  EXPECT_EQ(multi.tokens_at(6, 9), (Tokens{7, 8, 9}));
  EXPECT_TRUE(multi.tokens_at(5, 5).empty());
  EXPECT_TRUE(multi.tokens_at(10, 15).empty());
  EXPECT_TRUE(multi.tokens_at(6, 2).empty());

  // Another salt changes the block hashes.
  const TokenBlockSequence salt0(Tokens{1, 2, 3, 4, 5}, 4, 0);
  EXPECT_EQ(salt0.salt_hash(), 0u);
  ASSERT_EQ(salt0.blocks().size(), 1u);
  EXPECT_NE(salt0.blocks()[0].block_hash(), kHash1to4);
  EXPECT_EQ(to_vector(salt0.current_block().tokens()), Tokens{5});
}

TEST(TokenBlockSequence, BlockSizeThree) {
  const TokenBlockSequence seq = make({1, 2, 3, 4, 5}, 3);
  ASSERT_EQ(seq.blocks().size(), 1u);
  EXPECT_EQ(to_vector(seq.blocks()[0].tokens()), (Tokens{1, 2, 3}));
  EXPECT_EQ(to_vector(seq.current_block().tokens()), (Tokens{4, 5}));
  EXPECT_EQ(seq.salt_hash(), kSalt);
}

TEST(TokenBlockSequence, AgreesWithHashBlocksAndBothLineageCodecs) {
  Tokens tokens(1000);
  std::iota(tokens.begin(), tokens.end(), Token{100});
  const TokenBlockSequence seq(tokens, 16, salt_hash({.lora_name = "lora-a"}));
  const BlockHashes expected = hash_blocks(tokens, 16, salt_hash({.lora_name = "lora-a"}));
  ASSERT_EQ(seq.blocks().size(), expected.block.size());
  std::optional<PositionalLineageHash> v2;
  for (std::size_t i = 0; i < expected.block.size(); ++i) {
    const TokenBlock& block = seq.blocks()[i];
    EXPECT_EQ(block.block_hash(), expected.block[i]);
    EXPECT_EQ(block.sequence_hash(), expected.sequence[i]);
    EXPECT_EQ(block.position(), i);
    // The main-branch codec extends itself from block hashes alone.
    v2 = i == 0 ? PositionalLineageHash::root(block.block_hash()) : v2->extend(block.block_hash());
    EXPECT_EQ(block.positional_lineage_hash(), *v2);
    if (i > 0) {
      EXPECT_TRUE(parent_fragment_matches(block.seed_layout_lineage_hash(),
                                          seq.blocks()[i - 1].seed_layout_lineage_hash()));
    }
  }
}

// --- append and extend -----------------------------------------------------------------

TEST(TokenBlockSequence, AppendSingleToken) {
  TokenBlockSequence seq = make(kTen);
  ASSERT_EQ(seq.blocks().size(), 2u);
  EXPECT_EQ(to_vector(seq.current_block().tokens()), (Tokens{9, 10}));
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), kSeq5to8);

  EXPECT_EQ(seq.append(11), std::nullopt);
  EXPECT_EQ(seq.blocks().size(), 2u);
  EXPECT_EQ(to_vector(seq.current_block().tokens()), (Tokens{9, 10, 11}));

  EXPECT_EQ(seq.append(12), std::optional<std::size_t>(2));
  EXPECT_EQ(seq.blocks().size(), 3u);
  EXPECT_TRUE(seq.current_block().empty());
  EXPECT_EQ(seq.current_block().remaining(), 4u);
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), kSeq9to12);

  EXPECT_EQ(seq.append(13), std::nullopt);
  EXPECT_EQ(to_vector(seq.blocks()[2].tokens()), (Tokens{9, 10, 11, 12}));
  EXPECT_EQ(seq.blocks()[2].sequence_hash(), kSeq9to12);
  EXPECT_EQ(to_vector(seq.current_block().tokens()), Tokens{13});
  EXPECT_EQ(seq.current_block().remaining(), 3u);
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), kSeq9to12);
}

TEST(TokenBlockSequence, Extend) {
  // 1: less than a block.
  TokenBlockSequence s1 = make({});
  EXPECT_TRUE(s1.extend(Tokens{1, 2}).empty());
  EXPECT_TRUE(s1.blocks().empty());
  EXPECT_EQ(to_vector(s1.current_block().tokens()), (Tokens{1, 2}));
  EXPECT_EQ(s1.current_block().remaining(), 2u);
  EXPECT_EQ(s1.current_block().parent_sequence_hash(), std::nullopt);

  // 2: exactly one block; it is committed at once.
  TokenBlockSequence s2 = make({});
  EXPECT_EQ(s2.extend(Tokens{1, 2, 3, 4}), (BlockRange{0, 1}));
  EXPECT_EQ(s2.blocks().size(), 1u);
  EXPECT_TRUE(s2.current_block().empty());
  EXPECT_EQ(s2.current_block().remaining(), 4u);
  EXPECT_EQ(s2.current_block().parent_sequence_hash(), kSeq1to4);

  // 3: more than one block, less than two.
  TokenBlockSequence s3 = make({});
  EXPECT_EQ(s3.extend(Tokens{1, 2, 3, 4, 5, 6}), (BlockRange{0, 1}));
  EXPECT_EQ(to_vector(s3.current_block().tokens()), (Tokens{5, 6}));
  EXPECT_EQ(to_vector(s3.blocks()[0].tokens()), (Tokens{1, 2, 3, 4}));
  EXPECT_EQ(s3.current_block().parent_sequence_hash(), kSeq1to4);
  EXPECT_EQ(s3.current_block().remaining(), 2u);

  // 4: exactly two blocks.
  TokenBlockSequence s4 = make({});
  EXPECT_EQ(s4.extend(Tokens{1, 2, 3, 4, 5, 6, 7, 8}), (BlockRange{0, 2}));
  EXPECT_EQ(s4.blocks().size(), 2u);
  EXPECT_TRUE(s4.current_block().empty());
  EXPECT_EQ(s4.blocks()[0].sequence_hash(), kSeq1to4);
  EXPECT_EQ(s4.current_block().parent_sequence_hash(), kSeq5to8);

  // 5: blocks completed across several calls.
  TokenBlockSequence s5 = make({});
  EXPECT_TRUE(s5.extend(Tokens{1, 2}).empty());
  EXPECT_EQ(s5.extend(Tokens{3, 4, 5}), (BlockRange{0, 1}));
  EXPECT_EQ(to_vector(s5.current_block().tokens()), Tokens{5});
  EXPECT_EQ(s5.current_block().parent_sequence_hash(), kSeq1to4);
  EXPECT_EQ(s5.current_block().remaining(), 3u);
  EXPECT_EQ(s5.extend(Tokens{6, 7, 8, 9, 10}), (BlockRange{1, 2}));
  EXPECT_EQ(to_vector(s5.current_block().tokens()), (Tokens{9, 10}));
  EXPECT_EQ(to_vector(s5.blocks()[1].tokens()), (Tokens{5, 6, 7, 8}));
  EXPECT_EQ(s5.current_block().parent_sequence_hash(), kSeq5to8);

  // 6: nothing to add.
  TokenBlockSequence s6 = make({1});
  EXPECT_TRUE(s6.extend(Tokens{}).empty());
  EXPECT_EQ(to_vector(s6.current_block().tokens()), Tokens{1});
  EXPECT_EQ(s6.total_tokens(), 1u);

  // 7: fills the partial block exactly.
  TokenBlockSequence s7 = make({1, 2});
  EXPECT_EQ(s7.extend(Tokens{3, 4}), (BlockRange{0, 1}));
  EXPECT_TRUE(s7.current_block().empty());
  EXPECT_EQ(s7.total_tokens(), 4u);
  EXPECT_EQ(s7.current_block().parent_sequence_hash(), kSeq1to4);
  EXPECT_EQ(s7.tokens_at(0, 2), (Tokens{1, 2}));
  EXPECT_EQ(s7.tokens_at(1, 3), (Tokens{2, 3}));
  EXPECT_EQ(s7.tokens_at(0, 4), (Tokens{1, 2, 3, 4}));
  EXPECT_TRUE(s7.tokens_at(2, 2).empty());
}

// --- truncate, unwind, pop -------------------------------------------------------------

TEST(TokenBlockSequence, Truncate) {
  struct Case {
    const Tokens& initial;
    std::size_t len;
    std::size_t blocks;
    Tokens partial;
    std::optional<SequenceHash> parent;
  };
  const Tokens eight{1, 2, 3, 4, 5, 6, 7, 8};
  const Case cases[] = {
      {kTen, 9, 2, {9}, kSeq5to8},             // 1: inside the partial block
      {kTen, 8, 2, {}, kSeq5to8},              // 2: to a block boundary
      {kTen, 7, 1, {5, 6, 7}, kSeq1to4},       // 3: into the last block
      {kTen, 4, 1, {}, kSeq1to4},              // 4: drops a whole block
      {kTen, 3, 0, {1, 2, 3}, std::nullopt},   // 5: into the first block
      {kTen, 0, 0, {}, std::nullopt},          // 6: to nothing
      {eight, 4, 1, {}, kSeq1to4},             // 10: boundary, empty partial block
      {eight, 3, 0, {1, 2, 3}, std::nullopt},  // 11: first block, empty partial block
  };
  for (const Case& c : cases) {
    TokenBlockSequence seq = make(c.initial);
    seq.truncate(c.len);
    EXPECT_EQ(seq.total_tokens(), c.len);
    EXPECT_EQ(seq.blocks().size(), c.blocks) << c.len;
    EXPECT_EQ(to_vector(seq.current_block().tokens()), c.partial) << c.len;
    EXPECT_EQ(seq.current_block().parent_sequence_hash(), c.parent) << c.len;
    EXPECT_EQ(seq.current_block().position(), c.blocks);
  }
  TokenBlockSequence three = make(kTen);
  three.truncate(7);
  EXPECT_EQ(to_vector(three.blocks()[0].tokens()), (Tokens{1, 2, 3, 4}));

  // 7, 8: at or past the length, nothing changes.
  for (const std::size_t len : {11u, 10u}) {
    TokenBlockSequence seq = make(kTen);
    seq.truncate(len);
    const TokenBlockSequence untouched = make(kTen);
    EXPECT_EQ(seq.total_tokens(), 10u);
    EXPECT_TRUE(std::equal(seq.blocks().begin(), seq.blocks().end(), untouched.blocks().begin(),
                           untouched.blocks().end()));
    EXPECT_EQ(seq.current_block(), untouched.current_block());
  }

  // 9: an empty sequence.
  TokenBlockSequence empty = make({});
  empty.truncate(0);
  EXPECT_EQ(empty.total_tokens(), 0u);
  EXPECT_TRUE(empty.blocks().empty());
  EXPECT_TRUE(empty.current_block().empty());
}

TEST(TokenBlockSequence, TruncateThenExtendRebuildsTheSameHashes) {
  TokenBlockSequence seq = make(kTen);
  seq.truncate(3);
  seq.extend(Tokens{4, 5, 6, 7, 8, 9, 10});
  EXPECT_EQ(seq.blocks()[1].sequence_hash(), kSeq5to8);
  EXPECT_EQ(seq.current_block(), make(kTen).current_block());
}

TEST(TokenBlockSequence, Unwind) {
  TokenBlockSequence s0 = make(kTen);
  s0.unwind(0);
  EXPECT_EQ(s0.total_tokens(), 10u);

  TokenBlockSequence s1 = make(kTen);
  s1.unwind(1);
  EXPECT_EQ(s1.total_tokens(), 9u);
  EXPECT_EQ(to_vector(s1.current_block().tokens()), Tokens{9});

  TokenBlockSequence s3 = make(kTen);
  s3.unwind(3);
  EXPECT_EQ(s3.total_tokens(), 7u);
  EXPECT_EQ(s3.blocks().size(), 1u);
  EXPECT_EQ(to_vector(s3.current_block().tokens()), (Tokens{5, 6, 7}));

  TokenBlockSequence all = make(kTen);
  all.unwind(10);
  EXPECT_EQ(all.total_tokens(), 0u);
  EXPECT_TRUE(all.blocks().empty());
  EXPECT_TRUE(all.current_block().empty());

  TokenBlockSequence too_many = make(kTen);
  EXPECT_THROW(too_many.unwind(11), std::invalid_argument);
  EXPECT_EQ(too_many.total_tokens(), 10u);

  TokenBlockSequence empty = make({});
  EXPECT_THROW(empty.unwind(1), std::invalid_argument);
}

TEST(TokenBlockSequence, Pop) {
  TokenBlockSequence seq = make(kTen);
  EXPECT_EQ(seq.pop(), Token{10});
  EXPECT_EQ(seq.total_tokens(), 9u);
  EXPECT_EQ(to_vector(seq.current_block().tokens()), Tokens{9});
  EXPECT_EQ(seq.blocks().size(), 2u);

  EXPECT_EQ(seq.pop(), Token{9});
  EXPECT_TRUE(seq.current_block().empty());
  EXPECT_EQ(seq.blocks().size(), 2u);
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), kSeq5to8);

  EXPECT_EQ(seq.pop(), Token{8});  // crosses into block [5, 6, 7, 8]
  EXPECT_EQ(to_vector(seq.current_block().tokens()), (Tokens{5, 6, 7}));
  EXPECT_EQ(seq.blocks().size(), 1u);
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), kSeq1to4);

  EXPECT_EQ(seq.pop(), Token{7});
  EXPECT_EQ(seq.pop(), Token{6});
  EXPECT_EQ(seq.pop(), Token{5});
  EXPECT_EQ(seq.total_tokens(), 4u);
  EXPECT_TRUE(seq.current_block().empty());
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), kSeq1to4);

  EXPECT_EQ(seq.pop(), Token{4});  // crosses into block [1, 2, 3, 4]
  EXPECT_EQ(to_vector(seq.current_block().tokens()), (Tokens{1, 2, 3}));
  EXPECT_TRUE(seq.blocks().empty());
  EXPECT_EQ(seq.current_block().parent_sequence_hash(), std::nullopt);

  EXPECT_EQ(seq.pop(), Token{3});
  EXPECT_EQ(seq.pop(), Token{2});
  EXPECT_EQ(seq.pop(), Token{1});
  EXPECT_EQ(seq.total_tokens(), 0u);
  EXPECT_EQ(seq.pop(), std::nullopt);
  EXPECT_EQ(seq.total_tokens(), 0u);
}

TEST(TokenBlockSequence, TotalTokens) {
  TokenBlockSequence seq = make({}, 3);
  EXPECT_EQ(seq.total_tokens(), 0u);
  seq.extend(Tokens{1, 2});
  EXPECT_EQ(seq.total_tokens(), 2u);
  seq.append(3);
  EXPECT_EQ(seq.total_tokens(), 3u);
  seq.extend(Tokens{4, 5, 6, 7});
  EXPECT_EQ(seq.total_tokens(), 7u);
  seq.pop();
  EXPECT_EQ(seq.total_tokens(), 6u);
  seq.truncate(4);
  EXPECT_EQ(seq.total_tokens(), 4u);
  seq.unwind(2);
  EXPECT_EQ(seq.total_tokens(), 2u);
  EXPECT_EQ(seq.tokens_at(0, 2), (Tokens{1, 2}));
}

TEST(TokenBlockSequence, Reset) {
  TokenBlockSequence seq = make(kTen);
  seq.reset();
  EXPECT_EQ(seq.total_tokens(), 0u);
  EXPECT_TRUE(seq.blocks().empty());
  EXPECT_EQ(seq.current_block(), make({}).current_block());
  seq.extend(kTen);
  EXPECT_EQ(seq.blocks()[1].sequence_hash(), kSeq5to8);
}

}  // namespace
}  // namespace kvtrace::hashing
