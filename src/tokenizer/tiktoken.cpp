#include "tokenizer/tiktoken.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "tokenizer/bpe_tokenizer.hpp"

namespace kvtrace::tokenizer {
namespace {

// tiktoken_ext/openai_public.py and Meta's Llama-3 tokenizer.py.
constexpr std::string_view kR50kPattern =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kCl100kPattern =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)";
constexpr std::string_view kO200kPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct Encoding {
  std::string_view pattern;
  std::vector<AddedToken> specials;
  std::optional<TokenId> bos;
  std::optional<TokenId> eos;
};

AddedToken special(std::string_view content, TokenId id) {
  return {std::string(content), id, true, false, false};
}

// Told apart by their number of ranks. Llama-3's reserved special tokens, whose names changed
// between releases, are left out.
Encoding known_encoding(std::size_t ranks) {
  switch (ranks) {
    case 50256:  // r50k_base
    case 50280:  // p50k_base
      return {kR50kPattern, {special("<|endoftext|>", 50256)}, std::nullopt, 50256};
    case 100256:  // cl100k_base
      return {kCl100kPattern,
              {special("<|endoftext|>", 100257), special("<|fim_prefix|>", 100258),
               special("<|fim_middle|>", 100259), special("<|fim_suffix|>", 100260),
               special("<|endofprompt|>", 100276)},
              std::nullopt,
              100257};
    case 199998:  // o200k_base
      return {kO200kPattern,
              {special("<|endoftext|>", 199999), special("<|endofprompt|>", 200018)},
              std::nullopt,
              199999};
    case 128000:  // Llama-3
      return {kLlama3Pattern,
              {special("<|begin_of_text|>", 128000), special("<|end_of_text|>", 128001),
               special("<|start_header_id|>", 128006), special("<|end_header_id|>", 128007),
               special("<|eot_id|>", 128009)},
              128000,
              128001};
    default:
      return {kCl100kPattern, {}, std::nullopt, std::nullopt};
  }
}

bool is_base64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  const std::size_t padding = in.ends_with("==") ? 2 : in.ends_with('=') ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

struct Line {
  std::string_view token;
  std::string_view rank;
};

std::optional<Line> split_line(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == line.size()) {
    return std::nullopt;
  }
  return Line{line.substr(0, space), line.substr(space + 1)};
}

}  // namespace

bool looks_like_tiktoken(std::string_view bytes) {
  std::string_view first = bytes.substr(0, bytes.find('\n'));
  if (first.ends_with('\r')) first.remove_suffix(1);
  const auto line = split_line(first);
  if (!line) return false;
  for (const char c : line->token) {
    if (!is_base64(c)) return false;
  }
  for (const char c : line->rank) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::unique_ptr<Tokenizer> load_tiktoken(const TokenizerFile& file, std::uint64_t fingerprint) {
  BytesMap<TokenId> vocab;
  std::uint64_t line_number = 0;
  std::size_t pos = 0;
  while (pos < file.bytes.size()) {
    std::size_t end = file.bytes.find('\n', pos);
    if (end == std::string_view::npos) end = file.bytes.size();
    std::string_view text = file.bytes.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (text.empty()) continue;
    const auto fail = [&](const std::string& problem) {
      throw InputError(file.name, line_number, "", problem);
    };
    const auto line = split_line(text);
    if (!line) fail("expected '<base64 token> <rank>'");
    auto token = base64_decode(line->token);
    if (!token) fail("the token is not valid base64");
    TokenId rank = 0;
    const auto [rank_end, error] =
        std::from_chars(line->rank.data(), line->rank.data() + line->rank.size(), rank);
    if (error != std::errc() || rank_end != line->rank.data() + line->rank.size() ||
        rank > kMaxTokenId) {
      fail("the rank is not an integer from 0 to " + std::to_string(kMaxTokenId));
    }
    if (!vocab.emplace(std::move(*token), rank).second) fail("the token appears twice");
  }
  if (vocab.empty()) throw InputError(file.name, 0, "", "no tokens");

  // tiktoken's rule as merges: every split of a token into two tokens merges back into it, at
  // the token's rank.
  std::vector<BpeMerge> merges;
  for (const auto& [bytes, id] : vocab) {
    const std::string_view whole = bytes;
    for (std::size_t k = 1; k < whole.size(); ++k) {
      const auto left = vocab.find(whole.substr(0, k));
      if (left == vocab.end()) continue;
      const auto right = vocab.find(whole.substr(k));
      if (right == vocab.end()) continue;
      merges.push_back({left->second, right->second, id, id});
    }
  }
  Encoding encoding = known_encoding(vocab.size());
  PreTokenizer pre_tokenizer;
  pre_tokenizer.add_split(Regex(encoding.pattern), SplitBehavior::kIsolated);
  // tiktoken takes a piece that is a token as it is, before merging.
  const BpeOptions options{.ignore_merges = true};
  BpeTokenizerParts parts{BpeModel(std::move(vocab), merges, options),
                          AddedTokens(std::move(encoding.specials)),
                          Normalizer(),
                          std::move(pre_tokenizer),
                          encoding.bos,
                          encoding.eos,
                          fingerprint};
  return std::make_unique<BpeTokenizer>(std::move(parts));
}

}  // namespace kvtrace::tokenizer
