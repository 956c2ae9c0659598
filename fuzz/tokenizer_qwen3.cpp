// Fuzz target: the Qwen3 tokenizer (KVTRACE_FUZZ_QWEN3, the tokenizer.json scripts/setup
// installs) on fuzzed text. Property: for valid UTF-8 x, decode(encode(x)) is x in the
// tokenizer's normal form (NFC), so x itself when x is NFC; ids are in the vocabulary.

#include <utf8proc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "kvtrace/tokenizer/tokenizer.hpp"

namespace {

std::unique_ptr<kvtrace::tokenizer::Tokenizer>& tokenizer() {
  static std::unique_ptr<kvtrace::tokenizer::Tokenizer> tok;
  return tok;
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t at = 0;
  const auto size = static_cast<utf8proc_ssize_t>(s.size());
  while (at < size) {
    utf8proc_int32_t c = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(p + at, size - at, &c);
    if (n <= 0) return false;
    at += n;
  }
  return true;
}

std::string nfc(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) std::abort();
  std::string result(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* path = std::getenv("KVTRACE_FUZZ_QWEN3");
  if (path == nullptr || *path == '\0') {
    std::fprintf(stderr, "tokenizer_qwen3: set KVTRACE_FUZZ_QWEN3 to the Qwen3 tokenizer.json\n");
    std::exit(2);
  }
  tokenizer() = kvtrace::tokenizer::load_tokenizer(path);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!valid_utf8(text)) return 0;
  const auto& tok = *tokenizer();
  const auto ids = tok.encode(text);
  for (const auto id : ids) {
    if (id >= tok.vocab_size()) std::abort();
  }
  if (tok.decode(ids) != nfc(text)) std::abort();
  return 0;
}
