#include "tokenizer/tiktoken.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::tokenizer {
namespace {

using Ids = std::vector<TokenId>;

std::string base64(std::string_view bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0);
    }
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kDigits[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

std::string rank_file(const std::vector<std::string>& tokens) {
  std::string out;
  for (std::size_t rank = 0; rank < tokens.size(); ++rank) {
    out += base64(tokens[rank]) + " " + std::to_string(rank) + "\n";
  }
  return out;
}

std::unique_ptr<Tokenizer> load(const std::string& bytes) {
  return load_tiktoken({"enc.tiktoken", bytes}, 7);
}

// a b c ' ' x y z, then ab=7 bc=8 " a"=9 xyz=10 (xyz has no split into two tokens).
const std::vector<std::string> kTokens = {"a", "b",  "c",  " ",  "x",  "y",
                                          "z", "ab", "bc", " a", "xyz"};

TEST(Tiktoken, MergesTheLowestRankedPairFirst) {
  const auto t = load(rank_file(kTokens));
  EXPECT_EQ(t->encode("abc"), (Ids{7, 2}));  // ab (7) before bc (8)
  EXPECT_EQ(t->encode("bca"), (Ids{8, 0}));
  // " abc" is one piece: ab (7) merges before " a" (9).
  EXPECT_EQ(t->encode("abc abc"), (Ids{7, 2, 3, 7, 2}));
  EXPECT_EQ(t->decode(t->encode("abc abc")), "abc abc");
}

TEST(Tiktoken, APieceThatIsATokenIsTakenWhole) {
  const auto t = load(rank_file(kTokens));
  EXPECT_EQ(t->encode("xyz"), (Ids{10}));
  EXPECT_EQ(t->encode("xyzx"), (Ids{4, 5, 6, 4}));
}

TEST(Tiktoken, UnknownEncodingsHaveNoSpecialTokens) {
  const auto t = load(rank_file(kTokens));
  EXPECT_FALSE(t->eos_token_id().has_value());
  EXPECT_EQ(t->vocab_size(), kTokens.size());
  EXPECT_EQ(t->fingerprint(), 7u);
}

TEST(Tiktoken, Cl100kSizedFilesGetCl100kSpecialTokens) {
  std::vector<std::string> tokens;
  for (unsigned b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
  for (unsigned i = 0; tokens.size() < 100256; ++i) {
    tokens.push_back(std::string{static_cast<char>('a' + i % 26), static_cast<char>(i / 26 % 256),
                                 static_cast<char>(i / 26 / 256)});
  }
  const auto t = load(rank_file(tokens));
  EXPECT_EQ(t->eos_token_id(), 100257u);
  EXPECT_EQ(t->encode("<|endoftext|><|fim_prefix|>"), (Ids{100257, 100258}));
  EXPECT_EQ(t->decode(Ids{100276}), "<|endofprompt|>");
  EXPECT_EQ(t->decode(Ids{100276}, true), "");
}

TEST(Tiktoken, RecognisesRankFiles) {
  EXPECT_TRUE(looks_like_tiktoken("IQ== 0\r\nIg== 1\n"));
  EXPECT_TRUE(looks_like_tiktoken(rank_file(kTokens)));
  EXPECT_FALSE(looks_like_tiktoken("{\"model\": {}}"));
  EXPECT_FALSE(looks_like_tiktoken("IQ== zero\n"));
  EXPECT_FALSE(looks_like_tiktoken(""));
}

void expect_error(const std::string& bytes, const std::string& expected) {
  try {
    load(bytes);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(Tiktoken, MalformedLinesAreInputErrorsWithTheirLine) {
  expect_error("YQ== 0\nYg== one\n", "enc.tiktoken:2: the rank is not an integer");
  expect_error("YQ== 0\n\nYg== 1\nYQ== 2\n", "enc.tiktoken:4: the token appears twice");
  expect_error("YQ== 0\n!!!! 1\n", "enc.tiktoken:2: the token is not valid base64");
  expect_error("YQ==0\n", "enc.tiktoken:1: expected '<base64 token> <rank>'");
  expect_error("\n\n", "enc.tiktoken: no tokens");
}

}  // namespace
}  // namespace kvtrace::tokenizer
