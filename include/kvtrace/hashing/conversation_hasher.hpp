#pragma once
// Turns prompts (token ids) into Mooncake `hash_ids`: every block of `block_size` tokens gets
// its Dynamo sequence hash (block_hash.hpp), and each distinct sequence hash a dense id in
// order of first appearance, so identical prefixes share ids and ids are small integers.
// Unlike Dynamo, a trailing partial block is hashed too (chained like a complete one) and
// gets its own id: the Mooncake convention of ceil(input_length / block_size) ids.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/hashing/block_hash.hpp"

namespace kvtrace::hashing {

// One prompt's blocks: dense ids and the sequence hashes they stand for, one per block.
struct PromptBlocks {
  std::vector<std::uint64_t> ids;
  std::vector<SequenceHash> hashes;
  std::uint64_t input_length = 0;  // tokens
};

class ConversationHasher {
 public:
  // Throws UsageError when block_size is 0.
  ConversationHasher(std::size_t block_size, SaltHash salt = kBaseSeed);

  std::size_t block_size() const { return block_size_; }

  // The blocks of a whole prompt: hash_sequence() then assign_ids().
  void hash_prompt(std::span<const Token> tokens, PromptBlocks& out);

  // The sequence hashes and input length of a whole prompt, without ids. Does not change
  // the hasher: safe to call from several threads at once.
  void hash_sequence(std::span<const Token> tokens, PromptBlocks& out) const;
  // The ids of out.hashes, handing out new ones in order.
  void assign_ids(PromptBlocks& out);

  // The blocks of a session's next turn given only its new tokens: the prompt is every
  // earlier turn's tokens of `session` (as passed here) followed by `new_tokens`, so its ids
  // extend the previous turn's. Keeps per session only what continues the chain: the ids
  // and sequence hashes of its complete blocks and the partial tail (16 B per block).
  void hash_turn(std::string_view session, std::span<const Token> new_tokens, PromptBlocks& out);

  // Distinct sequence hashes seen so far (= the next id).
  std::uint64_t distinct_blocks() const { return ids_.size(); }

 private:
  struct Session {
    std::vector<std::uint64_t> ids;    // complete blocks only
    std::vector<SequenceHash> hashes;  // complete blocks only
    std::vector<Token> tail;           // tokens after the last complete block
  };

  std::uint64_t id_for(SequenceHash hash);
  // Appends the sequence hashes of the blocks of `tokens` chained after `parent`
  // (`has_parent` false: a first block) to `hashes`.
  void append_hashes(std::span<const Token> tokens, bool has_parent, SequenceHash parent,
                     std::vector<SequenceHash>& hashes) const;

  std::size_t block_size_;
  SaltHash salt_;
  boost::unordered_flat_map<SequenceHash, std::uint64_t> ids_;
  boost::unordered_flat_map<std::string, Session> sessions_;
  std::vector<Token> scratch_;
};

}  // namespace kvtrace::hashing
