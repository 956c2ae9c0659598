#pragma once
// UTF-8 helpers for the tokenizers: validation, one code point at a time, and the lossy repair
// that decoders apply to byte sequences that are not valid UTF-8.

#include <cstddef>
#include <string>
#include <string_view>

namespace kvtrace::tokenizer::utf8 {

// One scan step at `pos` (< s.size()): a valid sequence of `length` bytes, or an ill-formed
// one whose maximal subpart (the bytes that could still begin a valid sequence) has `length`.
struct Step {
  std::size_t length = 0;
  bool valid = false;
};
Step step(std::string_view s, std::size_t pos);

// The code point of the valid sequence at `pos` (as found by step()).
char32_t decode(std::string_view s, std::size_t pos, std::size_t length);

// Index of the first byte of the first ill-formed sequence, or s.size() when `s` is valid.
std::size_t valid_prefix(std::string_view s);

void append(char32_t code_point, std::string& out);

// `s` appended to `out` with every maximal ill-formed subpart replaced by U+FFFD: the policy of
// Rust's String::from_utf8_lossy and WHATWG's TextDecoder, used by HF and transformers.js.
void append_lossy(std::string_view s, std::string& out);

// Unicode White_Space (as Rust's char::is_whitespace, which HF's added-token stripping uses).
bool is_white_space(char32_t c);

}  // namespace kvtrace::tokenizer::utf8
