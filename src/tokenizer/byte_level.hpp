#pragma once
// GPT-2's byte-level alphabet: every byte maps to a printable code point, so that byte-level
// BPE vocabularies (GPT-2, Llama-3, Qwen, DeepSeek) can be stored as JSON text. kvtrace works on
// raw bytes internally and converts vocabulary strings once, at load.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvtrace::tokenizer::byte_level {

// The code point standing for byte `b`: printable Latin-1 bytes stand for themselves, the
// others for U+0100 onwards in byte order (so ' ' is 'Ġ' U+0120, '\n' is 'Ċ' U+010A).
char32_t char_of(std::uint8_t b);
// The byte a code point stands for, or nullopt outside the alphabet.
std::optional<std::uint8_t> byte_of(char32_t c);

// The token text of raw bytes, e.g. " hi" -> "Ġhi".
std::string to_text(std::string_view bytes);
// The raw bytes of token text (valid UTF-8); a code point outside the alphabet stands for its
// own UTF-8 bytes, as in HF's ByteLevel decoder.
std::string to_bytes(std::string_view text);

}  // namespace kvtrace::tokenizer::byte_level
