#include "kvtrace/core/text_table.hpp"

#include <gtest/gtest.h>

namespace kvtrace::core {
namespace {

TEST(TextTable, FormatGroupedIsPythonsCommaFormat) {
  EXPECT_EQ(format_grouped(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(format_grouped(-874, 2), "-874.00");
  EXPECT_EQ(format_grouped(0.005, 2), "0.01");  // 0.005 is 0.005000000000000000104
  EXPECT_EQ(format_grouped(999.999, 2), "1,000.00");
  EXPECT_EQ(format_grouped(12031, 0), "12,031");
  EXPECT_EQ(format_grouped(-0.001, 2), "-0.00");
  EXPECT_EQ(format_grouped(100, 0), "100");
}

TEST(TextTable, GroupedIntSeparatesThousands) {
  EXPECT_EQ(grouped_int(0), "0");
  EXPECT_EQ(grouped_int(999), "999");
  EXPECT_EQ(grouped_int(1000), "1,000");
  EXPECT_EQ(grouped_int(18446744073709551615ull).substr(0, 6), "18,446");
}

// Worked by hand: widths 4 ("name", "ab") and 3 ("val", "7"); a row is "│ " cell " │" per
// column, so the box is 1 + (4 + 3) + (3 + 3) = 14 wide and the title is centred in it.
TEST(TextTable, BoxTableAlignsFirstColumnLeftOthersRight) {
  const std::string t = box_table("T", {{"name", "val"}, {"ab", "7"}});
  EXPECT_EQ(t,
            "      T\n"
            "┌──────┬─────┐\n"
            "│ name │ val │\n"
            "├──────┼─────┤\n"
            "│ ab   │   7 │\n"
            "└──────┴─────┘\n");
}

}  // namespace
}  // namespace kvtrace::core
