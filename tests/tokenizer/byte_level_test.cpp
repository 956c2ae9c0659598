#include "tokenizer/byte_level.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kvtrace::tokenizer::byte_level {
namespace {

TEST(ByteLevel, MapsBytesLikeGpt2) {
  EXPECT_EQ(char_of(' '), U'Ġ');
  EXPECT_EQ(char_of('\n'), U'Ċ');
  EXPECT_EQ(char_of('\t'), U'ĉ');
  EXPECT_EQ(char_of('a'), U'a');
  EXPECT_EQ(char_of(0xE9), U'é');  // printable Latin-1 stands for itself
  EXPECT_EQ(char_of(0xAD), U'Ń');  // soft hyphen is not printable
  EXPECT_EQ(char_of(0), U'Ā');
}

TEST(ByteLevel, IsABijectionOnBytes) {
  std::set<char32_t> seen;
  for (unsigned b = 0; b < 256; ++b) {
    const char32_t c = char_of(static_cast<std::uint8_t>(b));
    EXPECT_TRUE(seen.insert(c).second);
    ASSERT_TRUE(byte_of(c).has_value());
    EXPECT_EQ(*byte_of(c), b);
  }
  EXPECT_FALSE(byte_of(U'你').has_value());
  EXPECT_FALSE(byte_of(U' ').has_value());
}

TEST(ByteLevel, ConvertsTokenTextAndBytes) {
  EXPECT_EQ(to_text(" hi\n"), "ĠhiĊ");
  EXPECT_EQ(to_bytes("ĠhiĊ"), " hi\n");
  EXPECT_EQ(to_text("\xE4\xBD\xA0"), "ä½ł");  // 你 as GPT-2 writes it
  EXPECT_EQ(to_bytes("ä½ł"), "\xE4\xBD\xA0");
  std::string all;
  for (unsigned b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(to_bytes(to_text(all)), all);
}

TEST(ByteLevel, KeepsCharactersOutsideTheAlphabet) {
  // As HF's ByteLevel decoder: a character that stands for no byte is its own UTF-8.
  EXPECT_EQ(to_bytes("<|im_end|>"), "<|im_end|>");
  EXPECT_EQ(to_bytes("x你"), "x你");
}

}  // namespace
}  // namespace kvtrace::tokenizer::byte_level
