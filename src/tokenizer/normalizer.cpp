#include "tokenizer/normalizer.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "kvtrace/core/error.hpp"

namespace kvtrace::tokenizer {
namespace {

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

// Code points below U+0300 are NFC-stable (the first combining mark is U+0300, lead byte 0xCC);
// the other forms change some Latin-1 letters already. A code point is stable when its lead
// byte is below the form's limit.
unsigned char stable_limit(NormalForm form) {
  return form == NormalForm::kNFC ? 0xCC : 0x80;
}

bool is_continuation(unsigned char c) {
  return c >= 0x80 && c < 0xC0;
}

// The first index from `i` on whose byte is at or above `limit` (text.size() when none).
// Eight bytes at a time while they are all ASCII, as most text is: below every form's limit.
std::size_t next_unstable(std::string_view text, std::size_t i, unsigned char limit) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
  const std::size_t n = text.size();
  for (;;) {
    for (std::uint64_t word = 0; i + 8 <= n; i += 8) {
      std::memcpy(&word, text.data() + i, 8);
      if ((word & kHighBits) != 0) break;
    }
    const std::size_t stop = std::min(n, i + 8);
    while (i < stop && static_cast<unsigned char>(text[i]) < limit) ++i;
    if (i < stop || i == n) return i;
  }
}

bool surely_normal(std::string_view text, unsigned char limit) {
  return next_unstable(text, 0, limit) == text.size();
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

// `text` in `form`, appended to `out`, through utf8proc.
void append_normalized(std::string_view text, NormalForm form, std::string& out) {
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &raw, options_of(form));
  const std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(raw);
  if (n < 0) throw Error(std::string("unicode normalization: ") + utf8proc_errmsg(n));
  out.append(reinterpret_cast<const char*>(raw), static_cast<std::size_t>(n));
}

// `text` in `form`, into `out`, normalizing only the spans that may change. Every stable code
// point has canonical combining class 0 and is never the second of a composition pair (those
// are all U+0300 or above), so text splits there: a span starts at the stable code point just
// before an unstable one (it may compose with what follows) and ends before the next stable
// code point. Equal to normalizing the whole text, at the cost of the spans only.
void normalize_spans(std::string_view text, NormalForm form, std::string& out) {
  const unsigned char limit = stable_limit(form);
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  out.clear();
  out.reserve(text.size() + text.size() / 8);
  std::size_t copied = 0;
  std::size_t i = 0;
  while ((i = next_unstable(text, i, limit)) < text.size()) {
    std::size_t begin = i;
    if (begin > copied) {
      --begin;
      while (begin > copied && is_continuation(byte(begin))) --begin;
    }
    std::size_t end = i + 1;
    while (end < text.size() && (byte(end) >= limit || is_continuation(byte(end)))) ++end;
    out.append(text.substr(copied, begin - copied));
    append_normalized(text.substr(begin, end - begin), form, out);
    copied = i = end;
  }
  out.append(text.substr(copied));
}

}  // namespace

std::string_view Normalizer::apply(std::string_view text, std::string& buffer) const {
  std::string_view current = text;
  for (const NormalForm form : forms_) {
    if (surely_normal(current, stable_limit(form))) continue;
    if (current.data() == buffer.data()) {  // a second form rewrites the first one's output
      std::string next;
      normalize_spans(current, form, next);
      buffer.swap(next);
    } else {
      normalize_spans(current, form, buffer);  // the caller's buffer, its capacity reused
    }
    current = buffer;
  }
  return current;
}

}  // namespace kvtrace::tokenizer
