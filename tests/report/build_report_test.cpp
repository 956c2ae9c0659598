#include "kvtrace/report/build_report.hpp"

#include <gtest/gtest.h>

#include <set>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::report {
namespace {

using testing::kSample;
using testing::thrown_message;

std::vector<std::string> section_ids(const Report& r) {
  std::vector<std::string> out;
  for (const Section& s : r.sections) out.push_back(s.id);
  return out;
}

TEST(BuildReport, TheSectionsFollowTheOptions) {
  ReportOptions o;
  o.trace = kSample;
  Report r = build_report(o);
  EXPECT_EQ(section_ids(r), (std::vector<std::string>{"trace"}));
  EXPECT_EQ(r.title, "kvtrace report: " + kSample);
  o.simulate_curve = true;
  o.compare = kSample;
  o.title = "mine";
  r = build_report(o);
  EXPECT_EQ(section_ids(r), (std::vector<std::string>{"trace", "cache", "compare"}));
  EXPECT_EQ(r.title, "mine");
}

TEST(BuildReport, FigureIdsAreUnique) {
  ReportOptions o;
  o.trace = kSample;
  o.simulate_curve = true;
  o.compare = kSample;
  const Report r = build_report(o);
  std::set<std::string> ids;
  for (const Section& s : r.sections) {
    for (const Figure& f : s.figures) EXPECT_TRUE(ids.insert(f.id).second) << f.id;
  }
  EXPECT_EQ(ids.size(), figure_count(r));
}

TEST(BuildReport, BadOptionsAreUsageErrors) {
  ReportOptions o;
  o.trace = kSample;
  o.kv_bytes_per_token = 1024;
  EXPECT_NE(thrown_message<UsageError>([&] { build_report(o); }).find("simulate_curve"),
            std::string::npos);
  o.simulate_curve = true;
  o.kv_bytes_per_token = 0;
  EXPECT_NE(thrown_message<UsageError>([&] { build_report(o); }).find("positive"),
            std::string::npos);
  o.kv_bytes_per_token.reset();
  o.trace = "-";
  o.compare = "-";
  EXPECT_NE(thrown_message<UsageError>([&] { build_report(o); }).find("stdin"), std::string::npos);
}

TEST(BuildReport, AMissingReplayDirectoryIsAnIoError) {
  ReportOptions o;
  o.trace = kSample;
  o.replay = "/nonexistent/results";
  EXPECT_NE(thrown_message<IoError>([&] { build_report(o); }).find("/nonexistent/results"),
            std::string::npos);
}

}  // namespace
}  // namespace kvtrace::report
