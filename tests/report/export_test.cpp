#include "kvtrace/report/export.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "kvtrace/report/page.hpp"
#include "test_util.hpp"

namespace kvtrace::report {
namespace {

using testing::read_file;
using testing::TempDir;

bool on_path(const char* program) {
  return std::system(("command -v " + std::string(program) + " >/dev/null 2>&1").c_str()) == 0;
}

Report two_figures() {
  Figure a;
  a.id = "trace-isl";
  a.title = "Input length";
  a.x = {"tokens", Scale::kLog};
  a.y.name = "requests";
  a.series.push_back({"requests", Style::kHistogram, {{10, 3}, {100, 5}, {1000, 5}}});
  Figure b;
  b.id = "replay-ttft";
  b.title = "Time to first token";
  b.x.name = "ms";
  b.y = {"share", Scale::kLinear, {}, 0.0, 1.0, true};
  b.series.push_back({"TTFT", Style::kStep, {{5, 0.5}, {9, 1}}});
  b.marks.push_back({true, 7, "SLO ttft 7 ms"});
  Report r;
  r.sections.push_back({"trace", "Trace", "", {}, {a}});
  r.sections.push_back({"replay", "Replay", "", {}, {b}});
  return r;
}

TEST(Export, SvgFilesAreTheFiguresDrawn) {
  if (!chart_library_available())
    GTEST_SKIP() << "the chart library was not installed at build time";
  if (!on_path("node")) GTEST_SKIP() << "node (Debian package nodejs) is not on the PATH";
  const TempDir dir;
  const std::string out = dir.path() + "/figures";
  const auto files = export_images(two_figures(), out, ImageFormat::kSvg);
  ASSERT_EQ(files, (std::vector<std::string>{out + "/trace-isl.svg", out + "/replay-ttft.svg"}));
  const std::string svg = read_file(files[1]);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("Time to first token"), std::string::npos);  // the title
  EXPECT_NE(svg.find("SLO ttft 7 ms"), std::string::npos);        // the mark's label
  EXPECT_NE(svg.find("<path"), std::string::npos);                // the curve
}

TEST(Export, PngFilesAreImages) {
  if (!chart_library_available())
    GTEST_SKIP() << "the chart library was not installed at build time";
  if (!on_path("node") || !on_path("rsvg-convert")) {
    GTEST_SKIP() << "node and rsvg-convert (Debian packages nodejs, librsvg2-bin) are needed";
  }
  const TempDir dir;
  const auto files = export_images(two_figures(), dir.path(), ImageFormat::kPng);
  ASSERT_EQ(files.size(), 2u);
  for (const std::string& f : files) {
    const std::string png = read_file(f);
    ASSERT_GT(png.size(), 1000u) << f;
    EXPECT_EQ(png.substr(1, 3), "PNG") << f;
  }
}

TEST(Export, AMissingProgramIsAnIoErrorThatNamesIt) {
  if (!chart_library_available())
    GTEST_SKIP() << "the chart library was not installed at build time";
  const char* path = std::getenv("PATH");
  const std::string saved = path != nullptr ? path : "";
  ::setenv("PATH", "/nonexistent", 1);
  const TempDir dir;
  const std::string message = testing::thrown_message<IoError>(
      [&] { export_images(two_figures(), dir.path(), ImageFormat::kSvg); });
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_NE(message.find("cannot run node"), std::string::npos) << message;
  EXPECT_NE(message.find("nodejs"), std::string::npos) << message;
}

}  // namespace
}  // namespace kvtrace::report
