#pragma once
// One interface over the model tokenizers kvtrace reads: Hugging Face `tokenizer.json`
// (byte-level BPE: GPT-2, Llama-3, Qwen2/3, DeepSeek), tiktoken rank files and SentencePiece
// `.model` files. load_tokenizer() detects the kind from the file's bytes. Byte-level
// tokenizers give the ids of HF `tokenizers` (checked against transformers.js on Qwen3) and
// decode(encode(x)) == x for any text already in the tokenizer's normal form (Qwen: NFC).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::tokenizer {

using TokenId = std::uint32_t;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Token ids of `text` appended to `out`, without adding BOS/EOS (AIPerf's
  // add_special_tokens=False); special tokens written in the text are recognised. Thread-safe.
  // Throws LimitError when a pre-tokenizer regex backtracks beyond PCRE2's limits on `text`
  // (`out` may then hold some of the text's ids).
  virtual void encode(std::string_view text, std::vector<TokenId>& out) const = 0;
  std::vector<TokenId> encode(std::string_view text) const {
    std::vector<TokenId> out;
    encode(text, out);
    return out;
  }
  // The text of `ids` (special tokens written out unless skipped); bytes that do not form
  // UTF-8 (a character cut between ids) become U+FFFD, as in HF. Throws UsageError for an id
  // that names no token. Thread-safe.
  virtual std::string decode(std::span<const TokenId> ids,
                             bool skip_special_tokens = false) const = 0;

  virtual std::optional<TokenId> bos_token_id() const = 0;
  virtual std::optional<TokenId> eos_token_id() const = 0;
  // The number of ids: one past the largest (vocabulary and added tokens).
  virtual std::size_t vocab_size() const = 0;
  // A stable 64-bit identity of the tokenizer's definition (its files' bytes), for caches.
  virtual std::uint64_t fingerprint() const = 0;
};

// Loads a tokenizer file: a `tokenizer.json` (its `tokenizer_config.json` beside it, when
// present, gives the BOS/EOS tokens), a tiktoken rank file, or a SentencePiece `.model`; a
// directory holding one of them also works. Throws IoError / InputError with the file name.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace kvtrace::tokenizer
