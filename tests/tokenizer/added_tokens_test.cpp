#include "tokenizer/added_tokens.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvtrace::tokenizer {
namespace {

// Pieces as "text" or "[id]".
std::vector<std::string> split(const AddedTokens& tokens, std::string_view text) {
  std::vector<AddedTokens::Piece> pieces;
  tokens.split(text, pieces);
  std::vector<std::string> out;
  for (const auto& p : pieces) {
    out.push_back(p.token ? fmt::format("[{}]", p.token->id) : std::string(p.text));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(AddedTokens, SplitsAroundTokensLongestFirst) {
  const AddedTokens t({{"<a>", 1}, {"<a><b>", 2}, {"<|end|>", 3, true}});
  EXPECT_EQ(split(t, "x<a>y<a><b>z<|end|>"), (V{"x", "[1]", "y", "[2]", "z", "[3]"}));
  EXPECT_EQ(split(t, "<a><a>"), (V{"[1]", "[1]"}));
  EXPECT_EQ(split(t, "<a"), (V{"<a"}));
  EXPECT_EQ(split(t, "<|end|"), (V{"<|end|"}));
  EXPECT_EQ(split(t, ""), V{});
  EXPECT_EQ(split(AddedTokens(), "plain"), (V{"plain"}));
}

TEST(AddedTokens, LeftmostMatchWins) {
  const AddedTokens t({{"bc", 1}, {"abc", 2}, {"ab", 3}});
  EXPECT_EQ(split(t, "xabcd"), (V{"x", "[2]", "d"}));
}

TEST(AddedTokens, StripsWhiteSpaceWhenAsked) {
  AddedToken l{"<L>", 1};
  l.lstrip = true;
  AddedToken r{"<R>", 2};
  r.rstrip = true;
  const AddedTokens t({l, r});
  EXPECT_EQ(split(t, "a \t<L> b"), (V{"a", "[1]", " b"}));
  EXPECT_EQ(split(t, "a <R> \u3000b"), (V{"a ", "[2]", "b"}));
  EXPECT_EQ(split(t, "  <L>"), (V{"[1]"}));
}

TEST(AddedTokens, IgnoresEmptyAndRepeatedContent) {
  const AddedTokens t({{"", 1}, {"<x>", 2}, {"<x>", 3}});
  ASSERT_EQ(t.tokens().size(), 1u);
  EXPECT_EQ(t.find("<x>")->id, 2u);
  EXPECT_EQ(t.find("<y>"), nullptr);
}

}  // namespace
}  // namespace kvtrace::tokenizer
