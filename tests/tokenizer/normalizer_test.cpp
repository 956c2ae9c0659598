#include "tokenizer/normalizer.hpp"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace kvtrace::tokenizer
