#include "kvtrace/report/compare_figures.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kvtrace/synthesis/fidelity.hpp"
#include "report/report_test_util.hpp"

namespace kvtrace::report {
namespace {

TraceData gather(const std::string& text, const std::string& name) {
  return testing::gather_text(text, name, false);
}

// ISLs {4, 8} against {4, 12}: KS 1/2 (at 8 the CDFs are 1 and 1/2), W1 (0 + 4) / 2 = 2.
const char* const kA =
    "{\"timestamp\": 0, \"input_length\": 4, \"output_length\": 1, \"hash_ids\": [1]}\n"
    "{\"timestamp\": 1000, \"input_length\": 8, \"output_length\": 1, \"hash_ids\": [1, 2]}\n";
const char* const kB =
    "{\"timestamp\": 0, \"input_length\": 4, \"output_length\": 1, \"hash_ids\": [1]}\n"
    "{\"timestamp\": 500, \"input_length\": 12, \"output_length\": 1, \"hash_ids\": [1, 2, 3]}\n";

TEST(CompareFigures, OverlaysBothTracesWithCompareDistances) {
  const Section s = compare_section(gather(kA, "a.jsonl"), gather(kB, "b.jsonl"));
  EXPECT_EQ(s.id, "compare");
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_NE(s.tables[0].text.find("Distribution distances"), std::string::npos);
  ASSERT_GE(s.figures.size(), 5u);
  const Figure& isl = s.figures[0];
  EXPECT_EQ(isl.id, "compare-isl");
  ASSERT_EQ(isl.series.size(), 2u);
  EXPECT_EQ(isl.series[0].name, "A: a.jsonl");
  EXPECT_EQ(isl.series[1].points, (std::vector<Point>{{4, 0.5}, {12, 1.0}}));
  EXPECT_NE(isl.note.find("KS statistic 0.5000"), std::string::npos) << isl.note;
  EXPECT_NE(isl.note.find("Wasserstein-1 2 tokens"), std::string::npos) << isl.note;
  EXPECT_EQ(s.figures[2].id, "compare-hit-rate");
  EXPECT_TRUE(s.figures[2].x.percent);
  EXPECT_EQ(s.figures[2].x.scale, Scale::kLinear);
  EXPECT_EQ(s.figures.back().id, "compare-arrivals");
}

TEST(CompareFigures, NoArrivalsFigureWithoutTimestamps) {
  const Section s = compare_section(
      gather(kA, "a.jsonl"),
      gather("{\"input_length\": 4, \"output_length\": 1, \"hash_ids\": [1]}\n", "b.jsonl"));
  for (const Figure& f : s.figures) EXPECT_NE(f.id, "compare-arrivals");
}

}  // namespace
}  // namespace kvtrace::report
