#include "tokenizer/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kvtrace::tokenizer::utf8 {
namespace {

std::string lossy(std::string_view s) {
  std::string out;
  append_lossy(s, out);
  return out;
}

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8, StepsOverValidSequencesOfEachLength) {
  const std::string s = "a\xC3\xA9\xE4\xBD\xA0\xF0\x9F\x8D\x95";  // a é 你 🍕
  EXPECT_EQ(step(s, 0).length, 1u);
  EXPECT_EQ(step(s, 1).length, 2u);
  EXPECT_EQ(step(s, 3).length, 3u);
  EXPECT_EQ(step(s, 6).length, 4u);
  EXPECT_TRUE(step(s, 6).valid);
  EXPECT_EQ(decode(s, 1, 2), U'é');
  EXPECT_EQ(decode(s, 3, 3), U'你');
  EXPECT_EQ(decode(s, 6, 4), U'🍕');
  EXPECT_EQ(valid_prefix(s), s.size());
}

TEST(Utf8, RejectsOverlongsSurrogatesAndOutOfRange) {
  for (const std::string bad : {"\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                "\xF8\x88\x80\x80\x80", "\x80"}) {
    EXPECT_FALSE(step(bad, 0).valid) << bad;
    EXPECT_EQ(valid_prefix("ok" + bad), 2u);
  }
}

TEST(Utf8, FindsTheFirstBadByteAfterLongAsciiRuns) {
  const std::string s = std::string(37, 'x') + "\xE4\xBD" + "tail";
  EXPECT_EQ(valid_prefix(s), 37u);
}

TEST(Utf8, LossyReplacesEachMaximalSubpartWithOneReplacementCharacter) {
  EXPECT_EQ(lossy("abc"), "abc");
  EXPECT_EQ(lossy("a\xE4\xBD"), "a" + kFffd);  // a cut 3-byte sequence: one U+FFFD
  EXPECT_EQ(lossy("\xE4\xBDx"), kFffd + "x");
  EXPECT_EQ(lossy("\xF0\x80\x80"), kFffd + kFffd + kFffd);  // F0 80 cannot start anything
  EXPECT_EQ(lossy("\xFF\xC3\xA9"), kFffd + "\xC3\xA9");
}

TEST(Utf8, AppendsEveryLength) {
  std::string out;
  for (const char32_t c : {U'a', U'é', U'你', U'🍕'}) append(c, out);
  EXPECT_EQ(out, "a\xC3\xA9\xE4\xBD\xA0\xF0\x9F\x8D\x95");
}

TEST(Utf8, WhiteSpaceIsUnicodeWhiteSpace) {
  for (const char32_t c : {U' ', U'\t', U'\n', U'\r', U'\v', U'\f', U'\u0085', U'\u00A0', U'\u2003',
                           U'\u3000', U'\u2028'}) {
    EXPECT_TRUE(is_white_space(c)) << static_cast<unsigned>(c);
  }
  for (const char32_t c : {U'a', U'\u200B', U'\uFEFF', U'_'}) {
    EXPECT_FALSE(is_white_space(c)) << static_cast<unsigned>(c);
  }
}

}  // namespace
}  // namespace kvtrace::tokenizer::utf8
