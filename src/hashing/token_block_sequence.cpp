#include "kvtrace/hashing/token_block_sequence.hpp"

#include <algorithm>
#include <string>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {

TokenBlock::TokenBlock(std::span<const Token> tokens, SaltHash salt,
                       std::optional<SequenceHash> parent, std::uint64_t position)
    : tokens_(tokens.begin(), tokens.end()),
      salt_(salt),
      block_(hashing::block_hash(tokens, salt)),
      parent_(parent),
      positional_(parent ? next_sequence_hash(*parent, block_) : block_, position, block_) {}

PartialTokenBlock::PartialTokenBlock(std::size_t block_size, SaltHash salt)
    : block_size_(block_size), salt_(salt) {
  if (block_size == 0) throw UsageError("block size must be positive");
  tokens_.reserve(block_size);
}

std::span<const Token> PartialTokenBlock::push_tokens(std::span<const Token> tokens) {
  const std::size_t n = std::min(tokens.size(), remaining());
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.begin() + n);
  return tokens.subspan(n);
}

void PartialTokenBlock::push_token(Token token) {
  if (remaining() == 0) throw std::invalid_argument("push_token: the block is full");
  tokens_.push_back(token);
}

void PartialTokenBlock::pop_tokens(std::size_t count) {
  if (count > tokens_.size()) {
    throw std::invalid_argument("pop_tokens: " + std::to_string(count) +
                                " tokens requested, the block holds " +
                                std::to_string(tokens_.size()));
  }
  tokens_.resize(tokens_.size() - count);
}

TokenBlock PartialTokenBlock::commit() {
  if (remaining() != 0) {
    throw std::invalid_argument("commit: the block holds " + std::to_string(tokens_.size()) +
                                " of " + std::to_string(block_size_) + " tokens");
  }
  // Copying keeps tokens_'s capacity for the next block and leaves this block unchanged if
  // the position is past the limit.
  TokenBlock block(tokens_, salt_, parent_, position_);
  tokens_.clear();
  parent_ = block.sequence_hash();
  ++position_;
  return block;
}

TokenBlockSequence::TokenBlockSequence(std::span<const Token> tokens, std::size_t block_size,
                                       SaltHash salt)
    : current_(block_size, salt) {
  blocks_.reserve(tokens.size() / block_size);
  extend(tokens);
}

BlockRange TokenBlockSequence::extend(std::span<const Token> tokens) {
  const std::size_t begin = blocks_.size();
  // The partial block is never left full: a block is committed as soon as it fills.
  while (!tokens.empty()) {
    tokens = current_.push_tokens(tokens);
    if (current_.remaining() == 0) blocks_.push_back(current_.commit());
  }
  return {begin, blocks_.size()};
}

std::optional<std::size_t> TokenBlockSequence::append(Token token) {
  const BlockRange done = extend(std::span<const Token>(&token, 1));
  if (done.empty()) return std::nullopt;
  return done.begin;
}

void TokenBlockSequence::truncate(std::size_t len) {
  const std::size_t bs = block_size();
  const std::size_t in_blocks = blocks_.size() * bs;
  if (len >= in_blocks) {
    if (len < total_tokens()) current_.tokens_.resize(len - in_blocks);
    return;
  }
  // Keep len / bs blocks; the first len % bs tokens of the next one become the partial block.
  const std::size_t keep = len / bs;
  const std::span<const Token> head = blocks_[keep].tokens().first(len % bs);
  current_.tokens_.assign(head.begin(), head.end());
  blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(keep), blocks_.end());
  current_.parent_ =
      blocks_.empty() ? std::nullopt : std::optional<SequenceHash>(blocks_.back().sequence_hash());
  current_.position_ = keep;
}

void TokenBlockSequence::unwind(std::size_t count) {
  const std::size_t total = total_tokens();
  if (count > total) {
    throw std::invalid_argument("unwind: " + std::to_string(count) +
                                " tokens requested, the sequence has " + std::to_string(total));
  }
  truncate(total - count);
}

std::optional<Token> TokenBlockSequence::pop() {
  const std::size_t total = total_tokens();
  if (total == 0) return std::nullopt;
  const Token last = current_.empty() ? blocks_.back().tokens().back() : current_.tokens().back();
  truncate(total - 1);
  return last;
}

void TokenBlockSequence::reset() {
  blocks_.clear();
  current_ = PartialTokenBlock(block_size(), salt_hash());
}

std::vector<Token> TokenBlockSequence::tokens_at(std::size_t begin, std::size_t end) const {
  std::vector<Token> out;
  if (begin > end || end > total_tokens()) return out;
  out.reserve(end - begin);
  const std::size_t bs = block_size();
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t block = i / bs;
    out.push_back(block < blocks_.size() ? blocks_[block].tokens()[i % bs]
                                         : current_.tokens()[i - blocks_.size() * bs]);
  }
  return out;
}

}  // namespace kvtrace::hashing
