#include "formats/csv_row.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kvtrace::formats {
namespace {

std::vector<std::string> cells(const CsvRow& row) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < row.size(); ++i) out.emplace_back(row[i]);
  return out;
}

using Cells = std::vector<std::string>;

TEST(CsvRow, SplitsAtCommas) {
  CsvRow row;
  ASSERT_TRUE(row.split("5,ChatGPT,472,18,490,Conversation log"));
  EXPECT_EQ(cells(row), (Cells{"5", "ChatGPT", "472", "18", "490", "Conversation log"}));
}

TEST(CsvRow, EmptyCellsCount) {
  CsvRow row;
  ASSERT_TRUE(row.split(",a,,"));
  EXPECT_EQ(cells(row), (Cells{"", "a", "", ""}));
  ASSERT_TRUE(row.split(""));
  EXPECT_EQ(cells(row), (Cells{""}));
}

TEST(CsvRow, QuotedCellsHoldCommasAndDoubledQuotes) {
  CsvRow row;
  ASSERT_TRUE(row.split(R"("GPT-4","API log, batch ""b""",""," x ")"));
  EXPECT_EQ(cells(row), (Cells{"GPT-4", R"(API log, batch "b")", "", " x "}));
}

TEST(CsvRow, BlanksAreKept) {
  CsvRow row;
  ASSERT_TRUE(row.split(" 5 ,\t6"));
  EXPECT_EQ(cells(row), (Cells{" 5 ", "\t6"}));
  EXPECT_EQ(trim_blanks(row[0]), "5");
  EXPECT_EQ(trim_blanks(row[1]), "6");
  EXPECT_EQ(trim_blanks(" \t "), "");
}

TEST(CsvRow, ShorterRowAfterALongerOneHasOnlyItsCells) {
  CsvRow row;
  ASSERT_TRUE(row.split("a,b,c,d"));
  ASSERT_TRUE(row.split("x,y"));
  EXPECT_EQ(cells(row), (Cells{"x", "y"}));
}

TEST(CsvRow, UnclosedQuoteIsAProblemOfItsCell) {
  CsvRow row;
  EXPECT_FALSE(row.split(R"(a,"b,c)"));
  EXPECT_EQ(row.problem(),
            "a quoted cell not closed on its line (line breaks in cells are not read)");
  EXPECT_EQ(row.problem_cell(), 1u);
}

TEST(CsvRow, TextAfterTheClosingQuoteIsAProblem) {
  CsvRow row;
  EXPECT_FALSE(row.split(R"("a"b,c)"));
  EXPECT_EQ(row.problem(), "text after the closing quote");
  EXPECT_EQ(row.problem_cell(), 0u);
}

TEST(CsvRow, QuoteInsideAnUnquotedCellIsAProblem) {
  CsvRow row;
  EXPECT_FALSE(row.split(R"(a,b,c"d")"));
  EXPECT_EQ(row.problem(), "a quote inside a cell that does not start with one");
  EXPECT_EQ(row.problem_cell(), 2u);
}

}  // namespace
}  // namespace kvtrace::formats
