#pragma once
// The Tokenizer over a byte-level BPE model, as loaded from a tokenizer.json or a tiktoken
// rank file: added tokens, then normalization, pre-tokenization and BPE of each pre-token
// (through a cache); decoding concatenates the tokens' bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/added_tokens.hpp"
#include "tokenizer/bpe.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/pre_token_cache.hpp"
#include "tokenizer/pre_tokenizer.hpp"

namespace kvtrace::tokenizer {

// What a loader assembles.
struct BpeTokenizerParts {
  BpeModel model;
  AddedTokens added_tokens;
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  std::optional<TokenId> bos;
  std::optional<TokenId> eos;
  std::uint64_t fingerprint = 0;
};

class BpeTokenizer final : public Tokenizer {
 public:
  explicit BpeTokenizer(BpeTokenizerParts parts);

  using Tokenizer::encode;
  void encode(std::string_view text, std::vector<TokenId>& out) const override;
  // Throws UsageError for an id that names no token. Bytes that do not form valid UTF-8 (a
  // character cut between ids) become U+FFFD, as in HF and transformers.js.
  std::string decode(std::span<const TokenId> ids, bool skip_special_tokens) const override;

  std::optional<TokenId> bos_token_id() const override { return parts_.bos; }
  std::optional<TokenId> eos_token_id() const override { return parts_.eos; }
  // One past the largest id (vocabulary and added tokens).
  std::size_t vocab_size() const override { return decode_table_.size(); }
  std::uint64_t fingerprint() const override { return parts_.fingerprint; }

 private:
  struct Scratch;
  void encode_section(std::string_view text, std::vector<TokenId>& out, Scratch& scratch) const;
  void encode_word(std::string_view word, std::vector<TokenId>& out, Scratch& scratch) const;

  struct DecodeEntry {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool present = false;
    bool special = false;
  };

  BpeTokenizerParts parts_;
  std::string decode_bytes_;  // every token's bytes, back to back
  std::vector<DecodeEntry> decode_table_;
  mutable PreTokenCache cache_;
};

}  // namespace kvtrace::tokenizer
