#include "tokenizer/normalizer.hpp"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace kvtrace::tokenizer {
namespace {

std::string normalize(std::initializer_list<NormalForm> forms, std::string_view text) {
  Normalizer n;
  for (const NormalForm f : forms) n.add(f);
  std::string buffer;
  return std::string(n.apply(text, buffer));
}

TEST(Normalizer, NfcComposes) {
  EXPECT_EQ(normalize({NormalForm::kNFC}, "Cafe\u0301 e\u0301le\u0300ve"), "Café élève");
  EXPECT_EQ(normalize({NormalForm::kNFC}, "\u212B"), "\u00C5");  // Ångström sign -> Å
  EXPECT_EQ(normalize({NormalForm::kNFC}, "\uFB01"), "\uFB01");  // ﬁ is canonical
  EXPECT_EQ(normalize({NormalForm::kNFC}, "한국어"), "한국어");
}

TEST(Normalizer, OtherForms) {
  EXPECT_EQ(normalize({NormalForm::kNFD}, "é"), "e\u0301");
  EXPECT_EQ(normalize({NormalForm::kNFKC}, "\uFB01 \u00B2"), "fi 2");
  EXPECT_EQ(normalize({NormalForm::kNFKD}, "\uFB01é"), "fie\u0301");
  EXPECT_EQ(normalize({NormalForm::kNFD, NormalForm::kNFC}, "e\u0301"), "é");
}

TEST(Normalizer, NormalTextComesBackUncopied) {
  Normalizer n;
  n.add(NormalForm::kNFC);
  std::string buffer;
  const std::string latin = "plain ASCII and Latin-1: café";
  EXPECT_EQ(n.apply(latin, buffer).data(), latin.data());
  EXPECT_TRUE(Normalizer().empty());
  EXPECT_EQ(Normalizer().apply(latin, buffer).data(), latin.data());
}

// utf8proc over the whole text at once: what normalizing span by span must equal.
std::string whole(NormalForm form, const std::string& text) {
  int options = UTF8PROC_STABLE;
  if (form == NormalForm::kNFC || form == NormalForm::kNFKC) options |= UTF8PROC_COMPOSE;
  if (form == NormalForm::kNFD || form == NormalForm::kNFKD) options |= UTF8PROC_DECOMPOSE;
  if (form == NormalForm::kNFKC || form == NormalForm::kNFKD) options |= UTF8PROC_COMPAT;
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                          static_cast<utf8proc_ssize_t>(text.size()), &raw,
                                          static_cast<utf8proc_option_t>(options));
  std::string out(reinterpret_cast<const char*>(raw), static_cast<std::size_t>(n));
  std::free(raw);
  return out;
}

// Code points that compose, decompose, reorder or stay: ASCII and Latin-1 letters (starters a
// mark may follow), combining marks of different classes (U+0327 cedilla 202, U+0323 dot below
// 220, U+0301 acute 230: canonical order sorts them), Hangul jamo L, V, T and a precomposed
// syllable, compatibility characters, CJK, Devanagari with nukta, Greek; ASCII runs of 7, 8
// and 17 bytes, so that marks fall at every offset of the eight-byte words scanned at once.
const std::vector<std::string> kPieces{"a",
                                       "e",
                                       "A",
                                       " ",
                                       "\n",
                                       "\u00E9",
                                       "\u00C5",
                                       "\u00B2",
                                       "\u0300",
                                       "\u0301",
                                       "\u0327",
                                       "\u0323",
                                       "\u1100",
                                       "\u1161",
                                       "\u11A8",
                                       "\uAC00",
                                       "\u212B",
                                       "\uFB01",
                                       "\u4E2D",
                                       "\u0915",
                                       "\u093C",
                                       "\u0958",
                                       "\u03B9",
                                       "\u0308",
                                       "\u1E9B",
                                       "\u00D7",
                                       "\u2265",
                                       "\U0001D400",
                                       "if (x) ",
                                       "return x",
                                       "for (auto& p : v) "};

TEST(Normalizer, SpanBySpanEqualsTheWholeText) {
  std::mt19937 rng(7);
  for (const NormalForm form :
       {NormalForm::kNFC, NormalForm::kNFD, NormalForm::kNFKC, NormalForm::kNFKD}) {
    Normalizer n;
    n.add(form);
    for (int round = 0; round < 3000; ++round) {
      std::string text;
      const int pieces = 1 + static_cast<int>(rng() % 24);
      for (int k = 0; k < pieces; ++k) text += kPieces[rng() % kPieces.size()];
      std::string buffer;
      ASSERT_EQ(std::string(n.apply(text, buffer)), whole(form, text))
          << "form " << static_cast<int>(form) << ", text \"" << text << "\"";
    }
  }
}

TEST(Normalizer, OnlyTheSpansThatNeedItChange) {
  // A mark after ASCII composes with it; the text around is copied as it is.
  EXPECT_EQ(normalize({NormalForm::kNFC}, "x = a\u0301; y \u2265 2; // \u00D7"),
            "x = \u00E1; y \u2265 2; // \u00D7");
  // Marks reordered by class across a span, Hangul jamo composed, then plain text.
  EXPECT_EQ(normalize({NormalForm::kNFC}, "q\u0301\u0323 \u1100\u1161\u11A8 end"),
            "q\u0323\u0301 \uAC01 end");
  EXPECT_EQ(normalize({NormalForm::kNFC}, "\u0301start"), "\u0301start");
}

}  // namespace
}  // namespace kvtrace::tokenizer
