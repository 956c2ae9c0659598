#pragma once
// Hugging Face `tokenizer.json` files with a byte-level BPE model (GPT-2, Llama-3, Qwen2/3,
// DeepSeek): vocab and merges, added tokens, the NFC/NFD/NFKC/NFKD normalizers, and the
// ByteLevel, Split, Digits and Sequence pre-tokenizers.

#include <cstdint>
#include <memory>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/tokenizer_file.hpp"

namespace kvtrace::tokenizer {

// Builds the tokenizer of `json`; `config` (may be null) is its tokenizer_config.json, whose
// `bos_token` / `eos_token` (strings or {"content": ...}) give the BOS/EOS ids. Throws
// InputError naming the file and field for malformed or unsupported content.
std::unique_ptr<Tokenizer> load_hf_json(const TokenizerFile& json, const TokenizerFile* config,
                                        std::uint64_t fingerprint);

}  // namespace kvtrace::tokenizer
