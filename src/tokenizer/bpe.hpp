#pragma once
// Byte-pair encoding of one pre-token over raw bytes: the model of byte-level tokenizer.json
// files (GPT-2, Llama-3, Qwen, DeepSeek) and of tiktoken rank files. Each byte starts as its
// own symbol; the adjacent pair with the best (lowest) merge rank is merged, leftmost first on
// ties, until no pair has a merge. A binary heap of candidate pairs over a linked list of
// symbols makes that O(n log n) in the pre-token's length (HF's and transformers.js's scheme),
// so long runs of one character stay fast.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/bytes_map.hpp"

namespace kvtrace::tokenizer {

// Loaders reject larger ids: decoding keeps a table indexed by id (the largest vocabularies
// in use have about 260k tokens).
inline constexpr TokenId kMaxTokenId = (TokenId{1} << 24) - 1;

// Merging `left` and `right` gives `result`; lower ranks merge first. tokenizer.json ranks
// are positions in the merges list; tiktoken's are the result's rank, shared by every pair
// that makes the same token (then the leftmost pair merges first).
struct BpeMerge {
  TokenId left = 0;
  TokenId right = 0;
  TokenId result = 0;
  std::uint32_t rank = 0;
};

struct BpeOptions {
  // What stands for a byte the vocabulary lacks: its `<0xXX>` token (byte_fallback), else the
  // unknown token (consecutive ones fused into one with fuse_unk), else nothing (HF drops it).
  bool byte_fallback = false;
  std::optional<TokenId> unk;
  bool fuse_unk = false;
  // A pre-token found whole in the vocabulary is that token, without merging (Llama-3).
  bool ignore_merges = false;
};

// Working memory of encode_word(), reused across the pre-tokens of one encode call.
struct BpeScratch {
  struct Symbol {
    TokenId id;
    std::uint32_t prev;
    std::uint32_t next;
    std::uint32_t start;  // offset of the symbol's first byte in the word
  };
  struct Candidate {
    std::uint32_t rank;
    std::uint32_t pos;  // the left symbol
    TokenId left;
    TokenId right;
    TokenId result;
  };
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

class BpeModel {
 public:
  // `vocab` maps token bytes to ids; the tokens of `merges` are in it. Of merges of the same
  // pair the last one counts, as in HF and transformers.js.
  BpeModel(BytesMap<TokenId> vocab, const std::vector<BpeMerge>& merges, BpeOptions options);

  // Appends the ids of `word` (non-empty) to `out`. Thread-safe (const, no shared state).
  void encode_word(std::string_view word, std::vector<TokenId>& out, BpeScratch& scratch) const;

  std::optional<TokenId> find(std::string_view bytes) const;
  const BytesMap<TokenId>& vocab() const { return vocab_; }
  const BpeOptions& options() const { return options_; }

 private:
  struct MergeValue {
    std::uint32_t rank;
    TokenId result;
  };
  static std::uint64_t pair_key(TokenId left, TokenId right) {
    return (std::uint64_t{left} << 32) | right;
  }
  void push_candidate(BpeScratch& scratch, std::uint32_t pos) const;
  void append_missing_byte(std::uint8_t byte, std::vector<TokenId>& out, bool& last_was_unk) const;

  BytesMap<TokenId> vocab_;
  boost::unordered_flat_map<std::uint64_t, MergeValue> merges_;
  BpeOptions options_;
  std::array<std::optional<TokenId>, 256> byte_token_;      // the single-byte tokens
  std::array<std::optional<TokenId>, 256> fallback_token_;  // the <0xXX> tokens, if used
};

}  // namespace kvtrace::tokenizer
