// Dense ids of prompt blocks: Dynamo's sequence hashes for complete blocks, a chained hash
// for the partial tail, ids in first-seen order; a session's turns extend each other's ids.

#include "kvtrace/hashing/conversation_hasher.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

using Ids = std::vector<std::uint64_t>;

std::vector<Token> range(Token first, Token last) {  // [first, last)
  std::vector<Token> tokens(last - first);
  std::iota(tokens.begin(), tokens.end(), first);
  return tokens;
}

std::vector<Token> concat(std::vector<Token> a, const std::vector<Token>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(ConversationHasher, CompleteBlocksCarryDynamoSequenceHashes) {
  ConversationHasher hasher(4);
  PromptBlocks out;
  hasher.hash_prompt(range(1, 13), out);
  EXPECT_EQ(out.ids, (Ids{0, 1, 2}));
  // dynamo-tokens test_validate_hash_constants: sequence hashes of [1..4], [5..8], [9..12].
  EXPECT_EQ(out.hashes, (std::vector<SequenceHash>{14643705804678351452u, 4945711292740353085u,
                                                   12583592247330656132u}));
  EXPECT_EQ(out.input_length, 12u);
}

TEST(ConversationHasher, PartialLastBlockGetsItsOwnChainedId) {
  ConversationHasher hasher(4);
  PromptBlocks out;
  hasher.hash_prompt(range(1, 11), out);  // 10 tokens: 2 complete blocks + 2 tokens
  ASSERT_EQ(out.ids, (Ids{0, 1, 2}));
  const std::vector<Token> tail{9, 10};
  EXPECT_EQ(out.hashes[2], next_sequence_hash(4945711292740353085u, block_hash(tail)));
  EXPECT_EQ(out.input_length, 10u);
}

TEST(ConversationHasher, SharedPrefixesShareIdsAndNewBlocksGetNextIds) {
  ConversationHasher hasher(4);
  PromptBlocks a;
  PromptBlocks b;
  PromptBlocks c;
  hasher.hash_prompt(range(1, 13), a);
  hasher.hash_prompt(concat(range(1, 9), range(100, 106)), b);
  // Same tokens as a's second block, after a different first block: a different chain.
  hasher.hash_prompt(concat(range(50, 54), range(5, 9)), c);
  EXPECT_EQ(a.ids, (Ids{0, 1, 2}));
  EXPECT_EQ(b.ids, (Ids{0, 1, 3, 4}));
  EXPECT_EQ(c.ids, (Ids{5, 6}));
  EXPECT_EQ(hasher.distinct_blocks(), 7u);
}

TEST(ConversationHasher, PartialBlockIsNotTheCompleteBlockItStarts) {
  ConversationHasher hasher(4);
  PromptBlocks shorter;
  PromptBlocks longer;
  PromptBlocks again;
  hasher.hash_prompt(range(1, 7), shorter);  // [1..4] + partial [5,6]
  hasher.hash_prompt(range(1, 9), longer);   // [1..4] + complete [5..8]
  hasher.hash_prompt(range(1, 7), again);
  EXPECT_EQ(shorter.ids, (Ids{0, 1}));
  EXPECT_EQ(longer.ids, (Ids{0, 2}));
  EXPECT_EQ(again.ids, shorter.ids);
}

TEST(ConversationHasher, EmptyPromptHasNoBlocks) {
  ConversationHasher hasher(4);
  PromptBlocks out;
  out.ids = {9};
  hasher.hash_prompt({}, out);
  EXPECT_TRUE(out.ids.empty());
  EXPECT_TRUE(out.hashes.empty());
  EXPECT_EQ(out.input_length, 0u);
}

TEST(ConversationHasher, SaltChangesEveryHash) {
  ConversationHasher base(4);
  ConversationHasher lora(4, salt_hash({.lora_name = "adapter"}));
  PromptBlocks a;
  PromptBlocks b;
  base.hash_prompt(range(1, 9), a);
  lora.hash_prompt(range(1, 9), b);
  EXPECT_EQ(a.ids, b.ids);  // ids are per hasher: both start at 0
  EXPECT_NE(a.hashes[0], b.hashes[0]);
  EXPECT_NE(a.hashes[1], b.hashes[1]);
}

TEST(ConversationHasher, TurnsOfASessionExtendTheWholePrompt) {
  ConversationHasher by_turn(4);
  ConversationHasher whole(4);
  const std::vector<std::vector<Token>> turns{range(1, 7), range(7, 8), range(8, 18), {}};
  std::vector<Token> history;
  PromptBlocks previous;
  for (const auto& turn : turns) {
    history = concat(history, turn);
    PromptBlocks incremental;
    PromptBlocks full;
    by_turn.hash_turn("s", turn, incremental);
    whole.hash_prompt(history, full);
    EXPECT_EQ(incremental.hashes, full.hashes);
    EXPECT_EQ(incremental.input_length, history.size());
    // The earlier turn's complete blocks keep their ids.
    const std::size_t complete = (history.size() - turn.size()) / 4;
    ASSERT_GE(incremental.ids.size(), complete);
    EXPECT_TRUE(std::equal(previous.ids.begin(),
                           previous.ids.begin() + static_cast<std::ptrdiff_t>(complete),
                           incremental.ids.begin()));
    previous = incremental;
  }
  EXPECT_EQ(previous.input_length, 17u);
}

TEST(ConversationHasher, SessionsAreIndependent) {
  ConversationHasher hasher(4);
  PromptBlocks a;
  PromptBlocks b;
  hasher.hash_turn("a", range(1, 5), a);
  hasher.hash_turn("b", range(20, 24), b);
  hasher.hash_turn("a", range(5, 9), a);
  EXPECT_EQ(a.ids, (Ids{0, 2}));
  EXPECT_EQ(a.input_length, 8u);
  hasher.hash_turn("b", range(5, 9), b);
  EXPECT_EQ(b.ids, (Ids{1, 3}));  // same tokens as a's second block, other parent
}

TEST(ConversationHasher, ZeroBlockSizeIsAUsageError) {
  EXPECT_THROW(ConversationHasher(0), UsageError);
}

}  // namespace
}  // namespace kvtrace::hashing
