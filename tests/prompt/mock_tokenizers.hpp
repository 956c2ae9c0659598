#pragma once
// Tokenizer doubles for the prompt tests: AIPerf's MockTokenizer (reference 6.5), a byte
// tokenizer whose tokens are the single bytes of a UTF-8 text, and AIPerf's test corpus.

#include <atomic>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kvtrace/tokenizer/tokenizer.hpp"

namespace kvtrace::testing {

using tokenizer::TokenId;

// AIPerf's test MockTokenizer: one id per whitespace-separated word, numbered 10, 11, ...
// from each text's start; decode writes "token_<id>" joined by spaces; BOS 1, EOS 2. Counts
// encode calls.
class MockTokenizer : public tokenizer::Tokenizer {
 public:
  using Tokenizer::encode;
  void encode(std::string_view text, std::vector<TokenId>& out) const override {
    encode_calls.fetch_add(1, std::memory_order_relaxed);
    std::istringstream words{std::string(text)};
    TokenId id = 10;
    for (std::string w; words >> w;) out.push_back(id++);
  }
  std::string decode(std::span<const TokenId> ids, bool = false) const override {
    std::string out;
    for (const TokenId id : ids) {
      if (!out.empty()) out.push_back(' ');
      out += "token_" + std::to_string(id);
    }
    return out;
  }
  std::optional<TokenId> bos_token_id() const override { return bos; }
  std::optional<TokenId> eos_token_id() const override { return eos; }
  std::size_t vocab_size() const override { return 1000000; }
  std::uint64_t fingerprint() const override { return fingerprint_value; }

  std::optional<TokenId> bos = 1;
  std::optional<TokenId> eos = 2;
  std::uint64_t fingerprint_value = 0x6d6f636b;
  mutable std::atomic<int> encode_calls{0};
};

// Every byte of the UTF-8 text is one token (its value); no BOS/EOS unless set (then id 256,
// written "<s>"). Decoding replaces invalid UTF-8 with U+FFFD per bad byte, as Hugging Face's
// byte-level decoders do.
class ByteTokenizer : public tokenizer::Tokenizer {
 public:
  using Tokenizer::encode;
  void encode(std::string_view text, std::vector<TokenId>& out) const override {
    for (const char c : text) out.push_back(static_cast<unsigned char>(c));
  }
  std::string decode(std::span<const TokenId> ids, bool = false) const override {
    std::string bytes;
    std::string out;
    const auto flush = [&] {
      for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t len = valid_length(bytes, i);
        if (len == 0) {
          out += "\xEF\xBF\xBD";
          ++i;
        } else {
          out.append(bytes, i, len);
          i += len;
        }
      }
      bytes.clear();
    };
    for (const TokenId id : ids) {
      if (id == 256) {
        flush();
        out += "<s>";
      } else {
        bytes.push_back(static_cast<char>(id));
      }
    }
    flush();
    return out;
  }
  std::optional<TokenId> bos_token_id() const override { return bos; }
  std::optional<TokenId> eos_token_id() const override { return std::nullopt; }
  std::size_t vocab_size() const override { return 257; }
  std::uint64_t fingerprint() const override { return 0x62797465; }

  std::optional<TokenId> bos;

 private:
  // Length of the well-formed UTF-8 sequence at s[i], or 0.
  static std::size_t valid_length(const std::string& s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80             ? 1
                            : (b & 0xE0) == 0xC0 ? 2
                            : (b & 0xF0) == 0xE0 ? 3
                            : (b & 0xF8) == 0xF0 ? 4
                                                 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    }
    return len;
  }
};

// The upstream test corpus list(range(10000, 11000)).
inline std::vector<TokenId> range_corpus(TokenId begin = 10000, TokenId end = 11000) {
  std::vector<TokenId> c(end - begin);
  std::iota(c.begin(), c.end(), begin);
  return c;
}

}  // namespace kvtrace::testing
