#pragma once
// Added tokens (special or not, e.g. <|im_start|>, <think>): found in the raw text before
// normalization and pre-tokenization, never split. At each position the longest token wins,
// the leftmost position first, as HF's and transformers.js's matchers do.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/bytes_map.hpp"

namespace kvtrace::tokenizer {

struct AddedToken {
  std::string content;
  TokenId id = 0;
  bool special = false;  // left out by decode(skip_special_tokens = true)
  bool lstrip = false;   // swallows the whitespace before it
  bool rstrip = false;   // swallows the whitespace after it
};

class AddedTokens {
 public:
  AddedTokens() = default;
  // Tokens with empty content are ignored; of two with the same content the first is kept.
  explicit AddedTokens(std::vector<AddedToken> tokens);

  // A stretch of ordinary text (token == nullptr) or one added token.
  struct Piece {
    std::string_view text;
    const AddedToken* token = nullptr;
  };
  // Replaces `out` with the pieces of `text` in order; text pieces are never empty.
  void split(std::string_view text, std::vector<Piece>& out) const;

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  const AddedToken* find(std::string_view content) const;

 private:
  std::vector<AddedToken> tokens_;
  BytesMap<std::size_t> by_content_;
  std::array<bool, 256> first_byte_{};
  std::vector<std::size_t> lengths_;  // distinct content lengths, longest first
};

}  // namespace kvtrace::tokenizer
