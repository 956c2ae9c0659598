#include "tokenizer/byte_level.hpp"

#include <array>

#include "tokenizer/utf8.hpp"

namespace kvtrace::tokenizer::byte_level {
namespace {

constexpr bool stands_for_itself(unsigned b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr std::array<char32_t, 256> make_table() {
  std::array<char32_t, 256> table{};
  char32_t next = 0x100;
  for (unsigned b = 0; b < 256; ++b) table[b] = stands_for_itself(b) ? b : next++;
  return table;
}

constexpr std::array<char32_t, 256> kCharOf = make_table();
// The bytes that do not stand for themselves, in order: U+0100 + i stands for kShifted[i].
constexpr unsigned kShiftedCount = 256 - 188;

constexpr std::array<std::uint8_t, kShiftedCount> make_shifted() {
  std::array<std::uint8_t, kShiftedCount> shifted{};
  unsigned i = 0;
  for (unsigned b = 0; b < 256; ++b) {
    if (!stands_for_itself(b)) shifted[i++] = static_cast<std::uint8_t>(b);
  }
  return shifted;
}

constexpr std::array<std::uint8_t, kShiftedCount> kShifted = make_shifted();

}  // namespace

char32_t char_of(std::uint8_t b) {
  return kCharOf[b];
}

std::optional<std::uint8_t> byte_of(char32_t c) {
  if (c < 0x100) {
    if (stands_for_itself(c)) return static_cast<std::uint8_t>(c);
    return std::nullopt;
  }
  if (c >= 0x100 + kShiftedCount) return std::nullopt;
  return kShifted[c - 0x100];
}

std::string to_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char ch : bytes) utf8::append(kCharOf[static_cast<std::uint8_t>(ch)], out);
  return out;
}

std::string to_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const utf8::Step st = utf8::step(text, pos);
    const char32_t c = st.valid ? utf8::decode(text, pos, st.length) : 0xFFFD;
    if (const auto b = byte_of(c); st.valid && b) {
      out.push_back(static_cast<char>(*b));
    } else {
      out.append(text.substr(pos, st.length));
    }
    pos += st.length;
  }
  return out;
}

}  // namespace kvtrace::tokenizer::byte_level
