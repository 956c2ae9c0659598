// kvtrace report end to end: the page of the bundled sample, the message on stderr, the
// figures as SVG files, and errors with their exit codes.

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"

namespace {

using kvtrace::testing::kSample;
using kvtrace::testing::read_file;
using kvtrace::testing::run_kvtrace;
using kvtrace::testing::run_shell;
using kvtrace::testing::TempDir;

bool have_chart_library() {
  const TempDir dir;
  const auto r = run_kvtrace("report " + kSample + " -o " + dir.path() + "/p.html");
  return r.exit_code == 0;
}

TEST(CliReport, WritesOnePageAndSaysWhere) {
  if (!have_chart_library()) GTEST_SKIP() << "the chart library was not installed at build time";
  const TempDir dir;
  const std::string page = dir.path() + "/sub/report.html";
  const auto r =
      run_kvtrace("report " + kSample + " --simulate-curve --compare " + kSample + " -o " + page);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("Report saved to " + page + " ("), std::string::npos) << r.err;
  const std::string html = read_file(page);
  EXPECT_NE(html.find("<title>kvtrace report: " + kSample + "</title>"), std::string::npos);
  EXPECT_NE(html.find("\"id\":\"cache-hit-curve\""), std::string::npos);
  EXPECT_NE(html.find("\"id\":\"compare-isl\""), std::string::npos);
  EXPECT_NE(html.find("kvtrace report " KVTRACE_VERSION), std::string::npos);
}

TEST(CliReport, StdoutAndSvgFiles) {
  if (!have_chart_library()) GTEST_SKIP() << "the chart library was not installed at build time";
  if (run_shell("command -v node").exit_code != 0) GTEST_SKIP() << "node is not on the PATH";
  const TempDir dir;
  const auto r = run_kvtrace("report " + kSample + " -o - --svg " + dir.path() + "/svg");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(r.err.find("figures saved to " + dir.path() + "/svg/"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/svg/trace-isl.svg"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/svg/trace-prefix-groups.svg"));
}

TEST(CliReport, ErrorsHaveTheirExitCodes) {
  const TempDir dir;
  const std::string out = " -o " + dir.path() + "/p.html";
  auto r = run_kvtrace("report " + kSample + " --kv-bytes-per-token 1024" + out);
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("--kv-bytes-per-token"), std::string::npos) << r.err;
  r = run_kvtrace("report " + kSample + " --simulate-curve --kv-bytes-per-token -5" + out);
  EXPECT_EQ(r.exit_code, 64) << r.err;
  if (!have_chart_library()) return;
  r = run_kvtrace("report /nonexistent.jsonl" + out);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  r = run_kvtrace("report " + kSample + " --replay " + dir.path() + "/none" + out);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("not a directory"), std::string::npos) << r.err;
  const std::string bad = dir.write("bad.jsonl", "{\"input_length\": \"x\"}\n");
  r = run_kvtrace("report " + bad + out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad + ":1: input_length"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/p.html"));
}

}  // namespace
