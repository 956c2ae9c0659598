#include "tokenizer/pre_tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "tokenizer_test_util.hpp"

namespace kvtrace::tokenizer {
namespace {

std::vector<std::string> pieces(const PreTokenizer& p, std::string_view text) {
  std::vector<std::string> out;
  p.split(text, [&](std::string_view piece) { out.emplace_back(piece); });
  return out;
}

std::vector<std::string> split_on(std::string_view pattern, SplitBehavior behavior,
                                  std::string_view text, bool invert = false) {
  PreTokenizer p;
  p.add_split(Regex(pattern), behavior, invert);
  return pieces(p, text);
}

using V = std::vector<std::string>;

// The examples of HF's SplitDelimiterBehavior documentation.
TEST(PreTokenizer, SplitBehaviorsFollowHf) {
  const std::string text = "the-final--countdown";
  EXPECT_EQ(split_on("-", SplitBehavior::kRemoved, text), (V{"the", "final", "countdown"}));
  EXPECT_EQ(split_on("-", SplitBehavior::kIsolated, text),
            (V{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(split_on("-", SplitBehavior::kMergedWithPrevious, text),
            (V{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(split_on("-", SplitBehavior::kMergedWithNext, text),
            (V{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(split_on("-", SplitBehavior::kContiguous, text),
            (V{"the", "-", "final", "--", "countdown"}));
}

TEST(PreTokenizer, InvertKeepsTheMatchesAsPieces) {
  EXPECT_EQ(split_on("[a-z]+", SplitBehavior::kRemoved, "ab, cd!", true), (V{"ab", "cd"}));
}

TEST(PreTokenizer, QwenPatternSplitsWordsDigitsSpacesAndContractions) {
  const auto p = [](std::string_view t) {
    return split_on(kvtrace::testing::kQwenPattern, SplitBehavior::kIsolated, t);
  };
  EXPECT_EQ(p("Hello world, it's 2024!"),
            (V{"Hello", " world", ",", " it", "'s", " ", "2", "0", "2", "4", "!"}));
  EXPECT_EQ(p("I'M DON'T"), (V{"I", "'M", " DON", "'T"}));  // (?i:...) contractions
  EXPECT_EQ(p("a   b\n\n  c"), (V{"a", "  ", " b", "\n\n", " ", " c"}));
  EXPECT_EQ(p("你好，世界"), (V{"你好", "，世界"}));
  EXPECT_EQ(p("x\t\tif"), (V{"x", "\t", "\tif"}));
}

TEST(PreTokenizer, WhiteSpaceIsOniguruma) {
  // As in HF (Oniguruma): U+0085 is \s; U+180E (PCRE2's \s) and U+FEFF (JS's) are not.
  EXPECT_EQ(split_on(R"(\s+)", SplitBehavior::kIsolated, "a\u0085 \u180e\ufeffb"),
            (V{"a", "\u0085 ", "\u180e\ufeffb"}));
  EXPECT_EQ(split_on(R"([^\s]+)", SplitBehavior::kIsolated, "a\u180e\u2003b"),
            (V{"a\u180e", "\u2003", "b"}));
  EXPECT_EQ(split_on(R"(\S+)", SplitBehavior::kIsolated, "a\u3000b"), (V{"a", "\u3000", "b"}));
  // \Q...\E and POSIX classes are left alone.
  EXPECT_EQ(split_on(R"(\Q\s\E|[[:digit:]\s]+)", SplitBehavior::kRemoved, "a\\s1 2b"),
            (V{"a", "b"}));
}

TEST(PreTokenizer, DollarMatchesOnlyAtTheEnd) {
  // By default PCRE2's `$` also matches before a final newline; Rust's does not.
  EXPECT_EQ(split_on(" +$", SplitBehavior::kIsolated, "a  \n"), (V{"a  \n"}));
  EXPECT_EQ(split_on(" +$", SplitBehavior::kIsolated, "a  "), (V{"a", "  "}));
}

TEST(PreTokenizer, LiteralPatternsMatchTheirText) {
  PreTokenizer p;
  p.add_split(Regex(".+", true), SplitBehavior::kIsolated);
  EXPECT_EQ(pieces(p, "a.+b"), (V{"a", ".+", "b"}));
}

TEST(PreTokenizer, StepsApplyToEachPieceInTurn) {
  PreTokenizer p;
  p.add_split(Regex(R"(\s+)"), SplitBehavior::kRemoved);
  p.add_split(Regex(R"(\p{N})"), SplitBehavior::kIsolated);
  EXPECT_EQ(pieces(p, "ab12 c3d"), (V{"ab", "1", "2", "c", "3", "d"}));
}

TEST(PreTokenizer, PrefixSpaceGoesBeforeEachPieceWithoutOne) {
  PreTokenizer p;
  p.add_split(Regex(","), SplitBehavior::kRemoved);
  p.add_prefix_space();
  EXPECT_EQ(pieces(p, "a, b"), (V{" a", " b"}));
}

TEST(PreTokenizer, EmptyMatchesCutNothing) {
  EXPECT_EQ(split_on("x*", SplitBehavior::kIsolated, "abxxé"), (V{"ab", "xx", "é"}));
}

TEST(PreTokenizer, NoStepsGiveTheWholeText) {
  EXPECT_EQ(pieces(PreTokenizer(), "a b"), (V{"a b"}));
  EXPECT_EQ(pieces(PreTokenizer(), ""), V{});
}

TEST(PreTokenizer, BadPatternsAreUsageErrors) {
  try {
    Regex("(unclosed");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("(unclosed"), std::string::npos);
  }
}

// A text on which the regex backtracks exponentially ends at PCRE2's match limit: a
// LimitError saying so (not an internal error), and the matcher serves other texts after it.
TEST(PreTokenizer, CatastrophicBacktrackingIsALimitError) {
  PreTokenizer p;
  p.add_split(Regex(kvtrace::testing::kCatastrophicPattern), SplitBehavior::kIsolated);
  try {
    pieces(p, kvtrace::testing::kCatastrophicText);
    FAIL() << "no exception";
  } catch (const LimitError& e) {
    EXPECT_NE(std::string(e.what()).find("backtracks too much"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("match limit"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pieces(p, "baa"), (V{"b", "aa"}));
}

TEST(PreTokenizer, MegabyteRunsFinish) {
  const auto p = [](const std::string& t) {
    return split_on(kvtrace::testing::kQwenPattern, SplitBehavior::kIsolated, t);
  };
  EXPECT_EQ(p(std::string(1 << 20, 'a')).size(), 1u);
  EXPECT_EQ(p(std::string(1 << 20, ' ')).size(), 1u);
  EXPECT_EQ(p(std::string(1 << 20, ' ') + "a").size(), 2u);
  EXPECT_EQ(p(std::string(1 << 20, '!')).size(), 1u);
}

}  // namespace
}  // namespace kvtrace::tokenizer
