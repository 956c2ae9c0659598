#include "tokenizer/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace kvtrace::tokenizer::utf8 {
namespace {

bool in(unsigned char b, unsigned char lo, unsigned char hi) {
  return b >= lo && b <= hi;
}

}  // namespace

Step step(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {1, true};
  std::size_t need = 0;
  // The range allowed for the second byte excludes overlongs, surrogates and > U+10FFFF.
  unsigned char lo = 0x80, hi = 0xBF;
  if (in(b0, 0xC2, 0xDF)) {
    need = 1;
  } else if (in(b0, 0xE0, 0xEF)) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (in(b0, 0xF0, 0xF4)) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {1, false};
  }
  std::size_t length = 1;
  for (std::size_t k = 0; k < need; ++k) {
    if (pos + length >= s.size()) return {length, false};
    const auto b = static_cast<unsigned char>(s[pos + length]);
    if (!(k == 0 ? in(b, lo, hi) : in(b, 0x80, 0xBF))) return {length, false};
    ++length;
  }
  return {length, true};
}

char32_t decode(std::string_view s, std::size_t pos, std::size_t length) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (length == 1) return b0;
  static constexpr unsigned char kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
  char32_t c = b0 & kLeadMask[length];
  for (std::size_t k = 1; k < length; ++k) {
    c = (c << 6) | (static_cast<unsigned char>(s[pos + k]) & 0x3F);
  }
  return c;
}

std::size_t valid_prefix(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    // Eight ASCII bytes at a time: the common case in prose and code.
    if (pos + 8 <= s.size()) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + pos, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        pos += 8;
        continue;
      }
    }
    const Step st = step(s, pos);
    if (!st.valid) return pos;
    pos += st.length;
  }
  return s.size();
}

void append(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

void append_lossy(std::string_view s, std::string& out) {
  std::size_t done = 0;
  while (done < s.size()) {
    const std::size_t bad = done + valid_prefix(s.substr(done));
    out.append(s.substr(done, bad - done));
    if (bad == s.size()) break;
    out.append("\xEF\xBF\xBD");
    done = bad + step(s, bad).length;
  }
}

bool is_white_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  switch (c) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

}  // namespace kvtrace::tokenizer::utf8
