#pragma once
// tiktoken rank files: one `<base64 token bytes> <rank>` line per token (cl100k_base,
// o200k_base, r50k/p50k_base, Llama-3's original tokenizer.model). BPE merges the adjacent pair
// whose concatenation has the lowest rank. The file carries neither the split pattern nor the
// special tokens: they are those of the known encoding with the same number of ranks, and
// cl100k_base's pattern without special tokens for any other count.

#include <cstdint>
#include <memory>
#include <string_view>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/tokenizer_file.hpp"

namespace kvtrace::tokenizer {

// Whether the first line reads as `<base64> <rank>`.
bool looks_like_tiktoken(std::string_view bytes);

// Throws InputError naming the file and line of a malformed line.
std::unique_ptr<Tokenizer> load_tiktoken(const TokenizerFile& file, std::uint64_t fingerprint);

}  // namespace kvtrace::tokenizer
