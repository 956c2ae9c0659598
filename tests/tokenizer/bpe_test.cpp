#include "tokenizer/bpe.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvtrace::tokenizer {
namespace {

// Tokens a=0 b=1 c=2 plus whatever each test adds; merges given as (left, right) strings.
struct Builder {
  BytesMap<TokenId> vocab{{"a", 0}, {"b", 1}, {"c", 2}};
  std::vector<BpeMerge> merges;

  TokenId id(const std::string& s) { return vocab.at(s); }
  Builder& merge(const std::string& l, const std::string& r) {
    const auto next = static_cast<TokenId>(vocab.size());
    vocab.try_emplace(l + r, next);
    merges.push_back({id(l), id(r), id(l + r), static_cast<std::uint32_t>(merges.size())});
    return *this;
  }
  BpeModel build(BpeOptions options = {}) { return BpeModel(vocab, merges, options); }
};

std::vector<TokenId> encode(const BpeModel& model, std::string_view word) {
  BpeScratch scratch;
  std::vector<TokenId> out;
  model.encode_word(word, out, scratch);
  return out;
}

TEST(Bpe, MergesByRankNotByPosition) {
  Builder b;
  b.merge("b", "c").merge("a", "b");  // bc outranks ab
  const BpeModel model = b.build();
  EXPECT_EQ(encode(model, "abc"), (std::vector<TokenId>{b.id("a"), b.id("bc")}));
  EXPECT_EQ(encode(model, "ab"), (std::vector<TokenId>{b.id("ab")}));
}

TEST(Bpe, MergesRepeatedlyIntoLongerTokens) {
  Builder b;
  b.merge("a", "b").merge("ab", "c").merge("abc", "abc");
  const BpeModel model = b.build();
  EXPECT_EQ(encode(model, "abcabc"), (std::vector<TokenId>{b.id("abcabc")}));
  EXPECT_EQ(encode(model, "abcab"), (std::vector<TokenId>{b.id("abc"), b.id("ab")}));
}

TEST(Bpe, EqualRanksMergeLeftmostFirst) {
  Builder b;
  b.merge("a", "a");
  const BpeModel model = b.build();
  EXPECT_EQ(encode(model, "aaa"), (std::vector<TokenId>{b.id("aa"), b.id("a")}));
  EXPECT_EQ(encode(model, "aaaaa"), (std::vector<TokenId>{b.id("aa"), b.id("aa"), b.id("a")}));
}

TEST(Bpe, TheLastOfRepeatedMergesCounts) {
  Builder b;
  b.merge("a", "b").merge("b", "c");
  b.merges.push_back({b.id("a"), b.id("b"), b.id("ab"), 2});  // (a, b) again, now after (b, c)
  EXPECT_EQ(encode(b.build(), "abc"), (std::vector<TokenId>{b.id("a"), b.id("bc")}));
}

TEST(Bpe, IgnoreMergesTakesWholeVocabularyWords) {
  Builder b;
  b.merge("b", "c").merge("a", "b");
  b.vocab.emplace("abc", 99);  // reachable only as a whole word
  EXPECT_EQ(encode(b.build(), "abc"), (std::vector<TokenId>{b.id("a"), b.id("bc")}));
  EXPECT_EQ(encode(b.build({.ignore_merges = true}), "abc"), (std::vector<TokenId>{99}));
}

TEST(Bpe, BytesMissingFromTheVocabularyFallBack) {
  Builder b;
  b.vocab.emplace("<0x7A>", 50);  // 'z'
  b.vocab.emplace("<unk>", 60);
  // Dropped without fallback or unknown token (HF), byte tokens with byte_fallback.
  EXPECT_EQ(encode(b.build(), "azyb"), (std::vector<TokenId>{0, 1}));
  EXPECT_EQ(encode(b.build({.byte_fallback = true}), "azb"), (std::vector<TokenId>{0, 50, 1}));
  EXPECT_EQ(encode(b.build({.byte_fallback = true}), "z"), (std::vector<TokenId>{50}));
  // Bytes without a <0xXX> token become the unknown token, fused when asked.
  EXPECT_EQ(encode(b.build({.unk = 60}), "ayyb"), (std::vector<TokenId>{0, 60, 60, 1}));
  EXPECT_EQ(encode(b.build({.unk = 60, .fuse_unk = true}), "ayyb"),
            (std::vector<TokenId>{0, 60, 1}));
  EXPECT_EQ(encode(b.build({.byte_fallback = true, .unk = 60}), "zy"),
            (std::vector<TokenId>{50, 60}));
}

TEST(Bpe, MissingBytesDoNotMerge) {
  Builder b;
  b.merge("a", "b");
  EXPECT_EQ(encode(b.build(), "axb"), (std::vector<TokenId>{0, 1}));
}

TEST(Bpe, MegabyteRunOfOneCharacterFinishes) {
  Builder b;
  b.merge("a", "a").merge("aa", "aa").merge("aaaa", "aaaa");
  const BpeModel model = b.build();
  const auto ids = encode(model, std::string(1 << 20, 'a'));
  ASSERT_EQ(ids.size(), (1u << 20) / 8);
  EXPECT_EQ(ids.front(), b.id("aaaaaaaa"));
}

}  // namespace
}  // namespace kvtrace::tokenizer
