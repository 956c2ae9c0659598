// Fuzz target: loading a tokenizer definition (a tokenizer.json, or a tiktoken rank file when
// the bytes are not JSON) and encoding and decoding a short text with it. Property: a
// definition loads or is an InputError / UsageError naming it; a loaded tokenizer encodes, and
// decodes what it encoded, without crashing. A short text: a fuzzed regex may backtrack
// catastrophically, and PCRE2's match limit is the answer to that, not a timeout here.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/hf_json.hpp"
#include "tokenizer/tiktoken.hpp"

namespace {

constexpr std::string_view kText = "Hello world, 123 h\xc3\xa9llo <|endoftext|> \t\n aaaa!";

std::unique_ptr<kvtrace::tokenizer::Tokenizer> load(std::string_view bytes) {
  const kvtrace::tokenizer::TokenizerFile file{"fuzz.json", bytes};
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && bytes[first] == '{') {
    return kvtrace::tokenizer::load_hf_json(file, nullptr, 0);
  }
  if (kvtrace::tokenizer::looks_like_tiktoken(bytes)) {
    return kvtrace::tokenizer::load_tiktoken(file, 0);
  }
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::unique_ptr<kvtrace::tokenizer::Tokenizer> tok;
  try {
    tok = load(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const kvtrace::InputError&) {
    return 0;
  } catch (const kvtrace::UsageError&) {
    return 0;  // a regex that does not compile
  }
  if (!tok) return 0;
  std::vector<kvtrace::tokenizer::TokenId> ids;
  try {
    tok->encode(kText, ids);
  } catch (const kvtrace::LimitError&) {
    return 0;  // the regex hit PCRE2's match limit
  } catch (const kvtrace::InputError&) {
    return 0;  // a text this definition cannot encode (no token for a byte)
  }
  for (const auto id : ids) {
    if (id >= tok->vocab_size()) std::abort();
  }
  try {
    (void)tok->decode(ids);
  } catch (const kvtrace::UsageError&) {
    std::abort();  // every id encode gave names a token
  }
  return 0;
}
