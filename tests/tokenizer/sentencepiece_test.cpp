#include "tokenizer/sentencepiece.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"
#include "tokenizer_test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

using Ids = std::vector<TokenId>;

// No SentencePiece model ships with Debian: the test trains a small one with spm_train (Debian
// package `sentencepiece`, installed by scripts/setup) and skips without it.
class SentencePieceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kvtrace::testing::run_shell("command -v spm_train").exit_code != 0) {
      GTEST_SKIP() << "spm_train not found (Debian package sentencepiece; scripts/setup)";
    }
    std::string corpus;
    for (int i = 0; i < 20; ++i) {
      corpus +=
          "The quick brown fox jumps over the lazy dog. Hello world, hello tokenizer.\n"
          "Pack my box with five dozen liquor jugs; sphinx of black quartz, judge my vow.\n";
    }
    const std::string input = dir_.write("corpus.txt", corpus);
    const auto run = kvtrace::testing::run_shell(
        "spm_train --input=" + input + " --model_prefix=" + dir_.path() +
        "/m --vocab_size=80 --model_type=bpe --minloglevel=2");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    model_ = kvtrace::testing::read_file(dir_.path() + "/m.model");
    tokenizer_ = load_sentencepiece({"m.model", model_}, 11);
  }

  kvtrace::testing::TempDir dir_;
  std::string model_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(SentencePieceTest, EncodesAndDecodes) {
  const Ids ids = tokenizer_->encode("hello world");
  EXPECT_FALSE(ids.empty());
  EXPECT_EQ(tokenizer_->decode(ids), "hello world");
  EXPECT_EQ(tokenizer_->vocab_size(), 80u);
  EXPECT_EQ(tokenizer_->fingerprint(), 11u);
}

TEST_F(SentencePieceTest, ControlPiecesInTheTextAreTokens) {
  // spm_train's defaults: <unk> 0, <s> 1, </s> 2.
  EXPECT_EQ(tokenizer_->bos_token_id(), 1u);
  EXPECT_EQ(tokenizer_->eos_token_id(), 2u);
  const Ids ids = tokenizer_->encode("<s>hello</s>");
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 1u);
  EXPECT_EQ(ids.back(), 2u);
  EXPECT_EQ(tokenizer_->decode(ids), "<s>hello</s>");
  EXPECT_EQ(tokenizer_->decode(ids, true), "hello");
}

TEST_F(SentencePieceTest, UnknownIdsAreUsageErrors) {
  EXPECT_THROW(tokenizer_->decode(Ids{80}), UsageError);
}

TEST(SentencePiece, OtherBytesAreInputErrorsNamingTheFile) {
  try {
    load_sentencepiece({"dir/not-a.model", "\x01\x02garbage"}, 0);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("dir/not-a.model"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kvtrace::tokenizer
