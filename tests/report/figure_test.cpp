#include "kvtrace/report/figure.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "json_util.hpp"

namespace kvtrace::report {
namespace {

using testing::parse_json;

Report one_figure() {
  Figure f;
  f.id = "f1";
  f.title = "A </script><!-- title & more";
  f.x = {"x", Scale::kCategory, {"a", "b"}};
  f.y = {"share", Scale::kLinear, {}, 0.0, 1.0, true};
  f.y2 = Axis{"right", Scale::kLog};
  f.series.push_back({"s", Style::kBar, {{0, 0.5}, {1, 1.0 / 3}}, true, "stack"});
  f.series.push_back({"h", Style::kHistogram, {{1, std::numeric_limits<double>::infinity()}}});
  f.marks.push_back({true, 2.5, "SLO"});
  f.x_also = SecondUnit{4, "blocks"};
  f.zoom = true;
  Report r;
  r.title = "t";
  r.generator = "g";
  r.sections.push_back({"trace", "Trace", "intro", {{"table", "┌─┐"}}, {f}});
  return r;
}

TEST(Figure, TheJsonCarriesEveryFieldWithSixDigits) {
  const auto j = parse_json(report_json(one_figure()));
  EXPECT_EQ(j["title"].as_string(), "t");
  const auto s = j["sections"][0];
  EXPECT_EQ(s["id"].as_string(), "trace");
  EXPECT_EQ(s["tables"][0]["text"].as_string(), "┌─┐");
  const auto f = s["figures"][0];
  EXPECT_EQ(f["title"].as_string(), "A </script><!-- title & more");
  EXPECT_EQ(f["x"]["scale"].as_string(), "category");
  EXPECT_EQ(f["x"]["categories"][1].as_string(), "b");
  EXPECT_EQ(f["y"]["max"].as_double(), 1.0);
  EXPECT_TRUE(f["y"]["percent"].as_bool());
  EXPECT_EQ(f["y2"]["scale"].as_string(), "log");
  EXPECT_TRUE(f["zoom"].as_bool());
  EXPECT_EQ(f["x_also"]["factor"].as_double(), 4.0);
  EXPECT_EQ(f["x_also"]["unit"].as_string(), "blocks");
  EXPECT_EQ(f["series"][0]["style"].as_string(), "bar");
  EXPECT_TRUE(f["series"][0]["right"].as_bool());
  EXPECT_EQ(f["series"][0]["stack"].as_string(), "stack");
  EXPECT_EQ(f["series"][0]["points"][1][1].as_double(), 0.333333);
  // A value JSON cannot hold is null, not "inf".
  EXPECT_TRUE(f["series"][1]["points"][0][1].is_null());
  EXPECT_TRUE(f["marks"][0]["vertical"].as_bool());
  EXPECT_EQ(f["marks"][0]["label"].as_string(), "SLO");
  EXPECT_EQ(figure_count(one_figure()), 1u);
}

TEST(Figure, NoStringCanCloseTheScriptElementItSitsIn) {
  const std::string json = report_json(one_figure());
  EXPECT_EQ(json.find('<'), std::string::npos);
  EXPECT_EQ(json.find('>'), std::string::npos);
  EXPECT_EQ(json.find('&'), std::string::npos);
  EXPECT_NE(json.find("\\u003c/script\\u003e"), std::string::npos);
}

}  // namespace
}  // namespace kvtrace::report
