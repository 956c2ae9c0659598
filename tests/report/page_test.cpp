#include "kvtrace/report/page.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"

namespace kvtrace::report {
namespace {

Report small() {
  Figure f;
  f.id = "f";
  f.title = "T";
  f.x.name = "x";
  f.y.name = "y";
  f.series.push_back({"s", Style::kLine, {{0, 1}, {1, 2}}});
  Report r;
  r.title = "report of <b>trace</b>.jsonl";
  r.generator = "kvtrace report test";
  r.sections.push_back({"trace", "Trace", "x </script> y", {}, {f}});
  return r;
}

TEST(Page, IsOneFileThatAsksForNothing) {
  if (!chart_library_available())
    GTEST_SKIP() << "the chart library was not installed at build time";
  const std::string page = render_page(small());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  // The chart library, the page's script and style are inline; nothing is loaded from anywhere.
  EXPECT_NE(page.find(std::string(chart_library_script().substr(0, 200))), std::string::npos);
  EXPECT_NE(page.find("function optionFor"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  // The title is escaped, and the only "</script>"s close the page's own 4 script elements.
  EXPECT_NE(page.find("<title>report of &lt;b&gt;trace&lt;/b&gt;.jsonl</title>"),
            std::string::npos);
  std::size_t closes = 0;
  for (auto at = page.find("</script"); at != std::string::npos;
       at = page.find("</script", at + 1)) {
    ++closes;
  }
  EXPECT_EQ(closes, 4u);
  EXPECT_NE(page.find("Apache ECharts"), std::string::npos);
}

TEST(Page, NamesTheChartLibrary) {
  if (!chart_library_available())
    GTEST_SKIP() << "the chart library was not installed at build time";
  EXPECT_EQ(std::string(chart_library()).rfind("Apache ECharts 6.", 0), 0u) << chart_library();
}

TEST(Page, WithoutTheChartLibraryTheErrorSaysHowToGetIt) {
  if (chart_library_available()) GTEST_SKIP() << "this build has the chart library";
  try {
    render_page(small());
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("scripts/setup"), std::string::npos);
  }
}

}  // namespace
}  // namespace kvtrace::report
