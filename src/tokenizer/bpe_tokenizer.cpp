#include "tokenizer/bpe_tokenizer.hpp"

#include <algorithm>

#include "kvtrace/core/error.hpp"
#include "tokenizer/utf8.hpp"

namespace kvtrace::tokenizer {

// Working memory of one encode call: no state shared between threads but the cache.
struct BpeTokenizer::Scratch {
  std::vector<AddedTokens::Piece> pieces;
  std::string normalized;
  BpeScratch bpe;
};

namespace {

// The byte a `<0xXX>` byte-fallback token stands for.
std::optional<char> fallback_byte(std::string_view token) {
  if (token.size() != 6 || !token.starts_with("<0x") || token.back() != '>') return std::nullopt;
  unsigned value = 0;
  for (const char c : token.substr(3, 2)) {
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<unsigned>(c - '0');
    } else if (c >= 'A' && c <= 'F') {
      value |= static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return static_cast<char>(value);
}

}  // namespace

BpeTokenizer::BpeTokenizer(BpeTokenizerParts parts) : parts_(std::move(parts)) {
  TokenId max_id = 0;
  bool any = false;
  for (const auto& entry : parts_.model.vocab()) {
    max_id = std::max(max_id, entry.second);
    any = true;
  }
  for (const AddedToken& t : parts_.added_tokens.tokens()) {
    max_id = std::max(max_id, t.id);
    any = true;
  }
  decode_table_.resize(any ? std::size_t{max_id} + 1 : 0);

  const auto set = [&](TokenId id, std::string_view bytes, bool special) {
    DecodeEntry& e = decode_table_[id];
    e = {static_cast<std::uint32_t>(decode_bytes_.size()), static_cast<std::uint32_t>(bytes.size()),
         true, special};
    decode_bytes_.append(bytes);
  };
  const bool byte_fallback = parts_.model.options().byte_fallback;
  for (const auto& [bytes, id] : parts_.model.vocab()) {
    const auto byte = byte_fallback ? fallback_byte(bytes) : std::nullopt;
    set(id, byte ? std::string_view(&*byte, 1) : std::string_view(bytes), false);
  }
  // An added token that is also in the vocabulary decodes as written and may be special.
  for (const AddedToken& t : parts_.added_tokens.tokens()) set(t.id, t.content, t.special);
}

void BpeTokenizer::encode(std::string_view text, std::vector<TokenId>& out) const {
  Scratch scratch;
  parts_.added_tokens.split(text, scratch.pieces);
  for (const AddedTokens::Piece& piece : scratch.pieces) {
    if (piece.token) {
      out.push_back(piece.token->id);
    } else {
      encode_section(piece.text, out, scratch);
    }
  }
}

void BpeTokenizer::encode_section(std::string_view text, std::vector<TokenId>& out,
                                  Scratch& scratch) const {
  const PreTokenizer::Emit emit = [&](std::string_view word) { encode_word(word, out, scratch); };
  while (!text.empty()) {
    const std::size_t valid = utf8::valid_prefix(text);
    if (valid > 0) {
      parts_.pre_tokenizer.split(parts_.normalizer.apply(text.substr(0, valid), scratch.normalized),
                                 emit);
    }
    if (valid == text.size()) break;
    // Ill-formed UTF-8 cannot be normalized or matched by the regexes; byte-level BPE still
    // encodes it exactly, as a pre-token of its own, so decode gives the bytes back.
    std::size_t bad_end = valid;
    while (bad_end < text.size()) {
      const utf8::Step st = utf8::step(text, bad_end);
      if (st.valid) break;
      bad_end += st.length;
    }
    encode_word(text.substr(valid, bad_end - valid), out, scratch);
    text.remove_prefix(bad_end);
  }
}

void BpeTokenizer::encode_word(std::string_view word, std::vector<TokenId>& out,
                               Scratch& scratch) const {
  if (word.size() == 1 || word.size() > PreTokenCache::kMaxWordBytes) {
    parts_.model.encode_word(word, out, scratch.bpe);
    return;
  }
  if (cache_.find(word, out)) return;
  const std::size_t before = out.size();
  parts_.model.encode_word(word, out, scratch.bpe);
  cache_.insert(word, std::span<const TokenId>(out).subspan(before));
}

std::string BpeTokenizer::decode(std::span<const TokenId> ids, bool skip_special_tokens) const {
  std::size_t total = 0;
  for (const TokenId id : ids) {
    if (id >= decode_table_.size() || !decode_table_[id].present) {
      throw UsageError("decode: token id " + std::to_string(id) + " is not in the vocabulary");
    }
    total += decode_table_[id].length;
  }
  std::string out;
  out.reserve(total);
  for (const TokenId id : ids) {
    const DecodeEntry& e = decode_table_[id];
    if (skip_special_tokens && e.special) continue;
    out.append(decode_bytes_, e.offset, e.length);
  }
  if (utf8::valid_prefix(out) == out.size()) return out;
  std::string repaired;
  repaired.reserve(out.size() + 16);
  utf8::append_lossy(out, repaired);
  return repaired;
}

}  // namespace kvtrace::tokenizer
