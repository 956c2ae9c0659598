// The help's text wrapping, worked out by hand at small widths.

#include "cli/text_wrap.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvtrace::cli {
namespace {

using Lines = std::vector<std::string>;

TEST(Wrap, FillsLinesAtSpacesAndKeepsNewlines) {
  EXPECT_EQ(wrap("aa bb cc", 5), (Lines{"aa bb", "cc"}));
  EXPECT_EQ(wrap("a\nb c", 10), (Lines{"a", "b c"}));
  EXPECT_EQ(wrap("abcdefgh x", 4), (Lines{"abcdefgh", "x"}));  // a longer word: its own line
  EXPECT_EQ(wrap("a  b", 10), (Lines{"a b"}));
}

TEST(TwoColumns, AlignsTheRightColumnAndWrapsIt) {
  EXPECT_EQ(two_columns("-x", "", 10, 80), "  -x\n");
  EXPECT_EQ(two_columns("-x", "one two", 8, 80), "  -x    one two\n");
  // The right column is never narrower than kMinTextWidth (24): here 30 - 6 = 24.
  EXPECT_EQ(two_columns("-x", "aaaaaaaaaa bbbbbbbbbb cccccccccc", 6, 30),
            "  -x  aaaaaaaaaa bbbbbbbbbb\n      cccccccccc\n");
  EXPECT_EQ(two_columns("--a-long-flag", "desc", 8, 80), "  --a-long-flag\n        desc\n");
}

TEST(Indentation, CountsLeadingSpaces) {
  EXPECT_EQ(indentation("   x"), 3u);
  EXPECT_EQ(indentation("x"), 0u);
  EXPECT_EQ(indentation("    "), 4u);
}

TEST(WrapCommand, BreaksBeforeAFlagNeverBetweenAFlagAndItsValue) {
  // Units: "kvtrace analyze trace.jsonl", "--block-size 16", "--format json"; width 40 - 2 - 6.
  EXPECT_EQ(wrap_command("  kvtrace analyze trace.jsonl --block-size 16 --format json", 40),
            "  kvtrace analyze trace.jsonl \\\n      --block-size 16 --format json\n");
  EXPECT_EQ(wrap_command("  kvtrace validate t.jsonl", 80), "  kvtrace validate t.jsonl\n");
}

TEST(WrapProse, ContinuesUnderTheSecondColumnOrRepeatsTheComment) {
  EXPECT_EQ(wrap_prose("  64   bad arguments given to the command line", 30),
            "  64   bad arguments given to\n       the command line\n");
  EXPECT_EQ(wrap_prose("  # a comment that is long enough to wrap here", 30),
            "  # a comment that is long\n  # enough to wrap here\n");
  EXPECT_EQ(wrap_prose("plain words that wrap at the width given", 24),
            "plain words that wrap at\nthe width given\n");
}

}  // namespace
}  // namespace kvtrace::cli
