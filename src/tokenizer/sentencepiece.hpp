#pragma once
// SentencePiece `.model` files (Llama-2, Mistral, Gemma ...) through libsentencepiece. Control
// pieces written in the text (<s>, </s>) are recognised as tokens, as HF's Llama tokenizers do.

#include <cstdint>
#include <memory>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/tokenizer_file.hpp"

namespace kvtrace::tokenizer {

// Throws InputError naming the file when it is not a SentencePiece model.
std::unique_ptr<Tokenizer> load_sentencepiece(const TokenizerFile& file, std::uint64_t fingerprint);

}  // namespace kvtrace::tokenizer
