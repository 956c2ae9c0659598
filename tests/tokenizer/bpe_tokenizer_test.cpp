#include "tokenizer/bpe_tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "tokenizer_test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

// Byte b is token b; merges make "he" 256, "ll" 259, "hell" 260, "hello" 257 and "  " 258;
// added tokens <|end|> 300 (special) and <x> 301; NFC; Qwen's split.
std::unique_ptr<Tokenizer> make_tokenizer() {
  BytesMap<TokenId> vocab;
  for (unsigned b = 0; b < 256; ++b) vocab.emplace(std::string(1, static_cast<char>(b)), b);
  vocab.emplace("he", 256);
  vocab.emplace("ll", 259);
  vocab.emplace("hell", 260);
  vocab.emplace("hello", 257);
  vocab.emplace("  ", 258);
  const std::vector<BpeMerge> merges{{'h', 'e', 256, 0},
                                     {'l', 'l', 259, 1},
                                     {256, 259, 260, 2},
                                     {260, 'o', 257, 3},
                                     {' ', ' ', 258, 4}};
  Normalizer normalizer;
  normalizer.add(NormalForm::kNFC);
  PreTokenizer pre;
  pre.add_split(Regex(kvtrace::testing::kQwenPattern), SplitBehavior::kIsolated);
  BpeTokenizerParts parts{BpeModel(std::move(vocab), merges, {}),
                          AddedTokens({{"<|end|>", 300, true}, {"<x>", 301}}),
                          std::move(normalizer),
                          std::move(pre),
                          std::nullopt,
                          300,
                          42};
  return std::make_unique<BpeTokenizer>(std::move(parts));
}

using Ids = std::vector<TokenId>;

TEST(BpeTokenizer, EncodesAddedTokensNormalizationAndWords) {
  const auto t = make_tokenizer();
  EXPECT_EQ(t->encode("hello"), (Ids{257}));
  EXPECT_EQ(t->encode("hello<|end|>hello"), (Ids{257, 300, 257}));
  EXPECT_EQ(t->encode(" hello"), (Ids{' ', 257}));  // " hello" is one pre-token: no " h" merge
  EXPECT_EQ(t->encode("<x>"), (Ids{301}));
  // NFC: e + combining acute becomes é (C3 A9).
  EXPECT_EQ(t->encode("e\u0301"), (Ids{0xC3, 0xA9}));
  EXPECT_EQ(t->encode(""), Ids{});
  Ids out{7};
  t->encode("he", out);
  EXPECT_EQ(out, (Ids{7, 256}));
}

TEST(BpeTokenizer, DecodesWithAndWithoutSpecialTokens) {
  const auto t = make_tokenizer();
  const Ids ids = t->encode("hello<|end|> <x>");
  EXPECT_EQ(t->decode(ids), "hello<|end|> <x>");
  EXPECT_EQ(t->decode(ids, true), "hello <x>");  // <x> is added but not special
  EXPECT_EQ(t->decode(Ids{}), "");
}

TEST(BpeTokenizer, DecodeRepairsCutCharactersAndRejectsUnknownIds) {
  const auto t = make_tokenizer();
  EXPECT_EQ(t->decode(Ids{0xE4, 0xBD}), "\xEF\xBF\xBD");
  EXPECT_EQ(t->decode(Ids{0xE4, 0xBD, 0xA0}), "你");
  EXPECT_THROW(t->decode(Ids{299}), UsageError);  // a hole between vocab and added tokens
  EXPECT_THROW(t->decode(Ids{100000}), UsageError);
}

TEST(BpeTokenizer, IllFormedInputRoundTrips) {
  const auto t = make_tokenizer();
  const std::string text = "ok\xFF\xE4\xBD hello \xC0";
  EXPECT_EQ(t->decode(t->encode(text)), "ok\xEF\xBF\xBD\xEF\xBF\xBD hello \xEF\xBF\xBD");
  EXPECT_EQ(t->encode(text), (Ids{'o', 'k', 0xFF, 0xE4, 0xBD, ' ', 257, ' ', 0xC0}));
}

TEST(BpeTokenizer, ReportsItsDefinition) {
  const auto t = make_tokenizer();
  EXPECT_EQ(t->vocab_size(), 302u);
  EXPECT_EQ(t->eos_token_id(), 300u);
  EXPECT_FALSE(t->bos_token_id().has_value());
  EXPECT_EQ(t->fingerprint(), 42u);
}

TEST(BpeTokenizer, MegabyteWordAndWhiteSpaceRunsFinish) {
  const auto t = make_tokenizer();
  const std::string word(1 << 20, 'l');
  EXPECT_EQ(t->encode(word).size(), (1u << 20) / 2);
  const std::string spaces(1 << 20, ' ');
  const Ids ids = t->encode(spaces);
  EXPECT_EQ(ids.size(), (1u << 20) / 2);
  EXPECT_EQ(t->decode(ids), spaces);
}

TEST(BpeTokenizer, ThreadsEncodeAtOnce) {
  const auto t = make_tokenizer();
  const std::string text = "hello he said, hello<|end|> again e\u0301 \xFF and 12345   ";
  const Ids expected = t->encode(text);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 300; ++k) {
        ASSERT_EQ(t->encode(text + std::to_string(k % 7)).size(), expected.size() + 1);
        ASSERT_EQ(t->decode(expected), t->decode(t->encode(text)));
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace kvtrace::tokenizer
