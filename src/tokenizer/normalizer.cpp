#include "tokenizer/normalizer.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "kvtrace/core/error.hpp"

namespace kvtrace::tokenizer {
namespace {

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

// Code points below U+0300 are NFC-stable (the first combining mark is U+0300, lead byte 0xCC);
// the other forms change some Latin-1 letters already.
bool surely_normal(std::string_view text, NormalForm form) {
  const unsigned char limit = form == NormalForm::kNFC ? 0xCC : 0x80;
  return std::all_of(text.begin(), text.end(),
                     [limit](char c) { return static_cast<unsigned char>(c) < limit; });
}

utf8proc_option_t options_of(NormalForm form) {
  const int base = UTF8PROC_STABLE;
  switch (form) {
    case NormalForm::kNFC:
      return static_cast<utf8proc_option_t>(base | UTF8PROC_COMPOSE);
    case NormalForm::kNFD:
      return static_cast<utf8proc_option_t>(base | UTF8PROC_DECOMPOSE);
    case NormalForm::kNFKC:
      return static_cast<utf8proc_option_t>(base | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    case NormalForm::kNFKD:
      return static_cast<utf8proc_option_t>(base | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
  }
  return static_cast<utf8proc_option_t>(base);
}

}  // namespace

std::string_view Normalizer::apply(std::string_view text, std::string& buffer) const {
  std::string_view current = text;
  for (const NormalForm form : forms_) {
    if (surely_normal(current, form)) continue;
    utf8proc_uint8_t* raw = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(current.data()),
                     static_cast<utf8proc_ssize_t>(current.size()), &raw, options_of(form));
    const std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(raw);
    if (n < 0) throw Error(std::string("unicode normalization: ") + utf8proc_errmsg(n));
    buffer.assign(reinterpret_cast<const char*>(raw), static_cast<std::size_t>(n));
    current = buffer;
  }
  return current;
}

}  // namespace kvtrace::tokenizer
