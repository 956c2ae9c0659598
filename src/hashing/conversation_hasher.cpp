#include "kvtrace/hashing/conversation_hasher.hpp"

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {

ConversationHasher::ConversationHasher(std::size_t block_size, SaltHash salt)
    : block_size_(block_size), salt_(salt) {
  if (block_size == 0) throw UsageError("block size must be positive");
}

std::uint64_t ConversationHasher::id_for(SequenceHash hash) {
  return ids_.try_emplace(hash, ids_.size()).first->second;
}

void ConversationHasher::append_hashes(std::span<const Token> tokens, bool has_parent,
                                       SequenceHash parent,
                                       std::vector<SequenceHash>& hashes) const {
  SequenceHash seq = parent;
  std::size_t at = 0;
  for (; at + block_size_ <= tokens.size(); at += block_size_) {
    const BlockHash block = block_hash(tokens.subspan(at, block_size_), salt_);
    seq = has_parent ? next_sequence_hash(seq, block) : block;
    has_parent = true;
    hashes.push_back(seq);
  }
  if (at < tokens.size()) {
    const BlockHash block = block_hash(tokens.subspan(at), salt_);
    hashes.push_back(has_parent ? next_sequence_hash(seq, block) : block);
  }
}

void ConversationHasher::hash_sequence(std::span<const Token> tokens, PromptBlocks& out) const {
  out.hashes.clear();
  out.input_length = tokens.size();
  append_hashes(tokens, false, 0, out.hashes);
}

void ConversationHasher::assign_ids(PromptBlocks& out) {
  out.ids.resize(out.hashes.size());
  for (std::size_t i = 0; i < out.hashes.size(); ++i) out.ids[i] = id_for(out.hashes[i]);
}

void ConversationHasher::hash_prompt(std::span<const Token> tokens, PromptBlocks& out) {
  hash_sequence(tokens, out);
  assign_ids(out);
}

void ConversationHasher::hash_turn(std::string_view session, std::span<const Token> new_tokens,
                                   PromptBlocks& out) {
  Session& s = sessions_[std::string(session)];
  out.ids.assign(s.ids.begin(), s.ids.end());
  out.hashes.assign(s.hashes.begin(), s.hashes.end());
  out.input_length = s.ids.size() * block_size_ + s.tail.size() + new_tokens.size();

  scratch_.assign(s.tail.begin(), s.tail.end());
  scratch_.insert(scratch_.end(), new_tokens.begin(), new_tokens.end());
  const std::size_t kept = out.ids.size();
  append_hashes(scratch_, kept > 0, kept > 0 ? s.hashes.back() : 0, out.hashes);
  out.ids.resize(out.hashes.size());
  for (std::size_t i = kept; i < out.hashes.size(); ++i) out.ids[i] = id_for(out.hashes[i]);

  const std::size_t complete = scratch_.size() / block_size_;
  s.ids.insert(s.ids.end(), out.ids.begin() + static_cast<std::ptrdiff_t>(kept),
               out.ids.begin() + static_cast<std::ptrdiff_t>(kept + complete));
  s.hashes.insert(s.hashes.end(), out.hashes.begin() + static_cast<std::ptrdiff_t>(kept),
                  out.hashes.begin() + static_cast<std::ptrdiff_t>(kept + complete));
  s.tail.assign(scratch_.begin() + static_cast<std::ptrdiff_t>(complete * block_size_),
                scratch_.end());
}

}  // namespace kvtrace::hashing
