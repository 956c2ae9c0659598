#pragma once
// A token sequence cut into hashed blocks (dynamo-tokens' TokenBlockSequence): complete
// TokenBlocks with their block, sequence and positional hashes, plus one PartialTokenBlock
// that collects tokens until it holds block_size of them and is committed. The salt seeds the
// block hashes; chain steps use kChainSeed, as on Dynamo's main branch.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kvtrace/hashing/block_hash.hpp"
#include "kvtrace/hashing/positional_lineage_hash.hpp"
#include "kvtrace/hashing/positional_sequence_hash.hpp"

namespace kvtrace::hashing {

// A complete, immutable block.
class TokenBlock {
 public:
  std::span<const Token> tokens() const { return tokens_; }
  std::size_t block_size() const { return tokens_.size(); }
  SaltHash salt_hash() const { return salt_; }
  BlockHash block_hash() const { return block_; }
  SequenceHash sequence_hash() const { return positional_.sequence_hash(); }
  std::optional<SequenceHash> parent_sequence_hash() const { return parent_; }
  std::uint64_t position() const { return positional_.position(); }
  PositionalSequenceHash positional_sequence_hash() const { return positional_; }
  // Either lineage codec (the seed layout, Dynamo's), built on demand; both throw UsageError past
  // position 2^24 - 1.
  PositionalLineageHashSeedLayout seed_layout_lineage_hash() const {
    return {sequence_hash(), parent_, position()};
  }
  PositionalLineageHash positional_lineage_hash() const {
    return {sequence_hash(), parent_, position()};
  }

  friend bool operator==(const TokenBlock&, const TokenBlock&) = default;

 private:
  friend class PartialTokenBlock;
  // Hashes the tokens; throws UsageError when position exceeds the PSH limit.
  TokenBlock(std::span<const Token> tokens, SaltHash salt, std::optional<SequenceHash> parent,
             std::uint64_t position);

  std::vector<Token> tokens_;
  SaltHash salt_;
  BlockHash block_;
  std::optional<SequenceHash> parent_;
  PositionalSequenceHash positional_;  // also holds the sequence hash and the position
};

// The block being filled: knows its parent's sequence hash and the position it will have.
class PartialTokenBlock {
 public:
  // The first block of a sequence. Throws UsageError when block_size is 0.
  PartialTokenBlock(std::size_t block_size, SaltHash salt);

  // Adds tokens until the block is full and returns those that did not fit.
  std::span<const Token> push_tokens(std::span<const Token> tokens);
  // Throws UsageError when the block is full.
  void push_token(Token token);
  // Removes the last `count` tokens; throws UsageError when the block holds fewer.
  void pop_tokens(std::size_t count);
  // Turns the full block into a TokenBlock, then becomes the empty next block (parent = that
  // block's sequence hash, position + 1). Throws UsageError unless the block is full.
  TokenBlock commit();

  std::span<const Token> tokens() const { return tokens_; }
  std::size_t size() const { return tokens_.size(); }
  bool empty() const { return tokens_.empty(); }
  std::size_t remaining() const { return block_size_ - tokens_.size(); }
  std::size_t block_size() const { return block_size_; }
  SaltHash salt_hash() const { return salt_; }
  std::optional<SequenceHash> parent_sequence_hash() const { return parent_; }
  std::uint64_t position() const { return position_; }

  friend bool operator==(const PartialTokenBlock&, const PartialTokenBlock&) = default;

 private:
  friend class TokenBlockSequence;  // truncate re-opens a committed block

  std::vector<Token> tokens_;
  std::size_t block_size_;
  SaltHash salt_;
  std::optional<SequenceHash> parent_;
  std::uint64_t position_ = 0;
};

// Indices [begin, end) into TokenBlockSequence::blocks().
struct BlockRange {
  std::size_t begin = 0;
  std::size_t end = 0;

  bool empty() const { return begin == end; }
  std::size_t size() const { return end - begin; }
  friend bool operator==(const BlockRange&, const BlockRange&) = default;
};

class TokenBlockSequence {
 public:
  // Cuts `tokens` into complete blocks and a partial rest. Throws UsageError when block_size
  // is 0.
  TokenBlockSequence(std::span<const Token> tokens, std::size_t block_size, SaltHash salt);

  // Appends tokens, committing every block that fills; returns the blocks completed.
  BlockRange extend(std::span<const Token> tokens);
  // Appends one token; returns the index of the block it completed, if any.
  std::optional<std::size_t> append(Token token);
  // Keeps the first `len` tokens; no effect when len >= total_tokens(). Cutting into a
  // complete block drops it and re-opens its first tokens as the partial block.
  void truncate(std::size_t len);
  // Removes the last `count` tokens; throws UsageError when count > total_tokens().
  void unwind(std::size_t count);
  // Removes and returns the last token; none when the sequence is empty.
  std::optional<Token> pop();
  // Back to no tokens, keeping block size and salt.
  void reset();

  // Tokens [begin, end); empty when begin > end or end > total_tokens().
  std::vector<Token> tokens_at(std::size_t begin, std::size_t end) const;

  std::span<const TokenBlock> blocks() const { return blocks_; }
  const PartialTokenBlock& current_block() const { return current_; }
  std::size_t block_size() const { return current_.block_size(); }
  SaltHash salt_hash() const { return current_.salt_hash(); }
  std::size_t total_tokens() const { return blocks_.size() * block_size() + current_.size(); }

 private:
  std::vector<TokenBlock> blocks_;
  PartialTokenBlock current_;
};

}  // namespace kvtrace::hashing
