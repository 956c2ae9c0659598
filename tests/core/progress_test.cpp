#include "kvtrace/core/progress.hpp"

#include <gtest/gtest.h>

namespace kvtrace::core {
namespace {

TEST(Progress, WantedOnATerminalForLargeFilesOfKnownSize) {
  EXPECT_TRUE(Progress::wanted(true, Progress::kMinBytes));
  EXPECT_TRUE(Progress::wanted(true, std::uint64_t{1} << 40));
  EXPECT_FALSE(Progress::wanted(true, Progress::kMinBytes - 1));
  EXPECT_FALSE(Progress::wanted(true, std::nullopt));  // stdin
  EXPECT_FALSE(Progress::wanted(false, std::uint64_t{1} << 40));
}

TEST(Progress, Text) {
  EXPECT_EQ(Progress::text("analyze", 25'000'000, 100'000'000, 1234, 5.0),
            "\ranalyze:  25.0% (25 of 100 MB, 1234 requests, 5 MB/s)   ");
  EXPECT_EQ(Progress::text("simulate 2/4", 0, 3'000'000'000, 0, 0.0),
            "\rsimulate 2/4:   0.0% (0 of 3000 MB, 0 requests, 0 MB/s)   ");
  EXPECT_EQ(Progress::text("read", 60'000'000, 60'000'000, 7, 0.5),
            "\rread: 100.0% (60 of 60 MB, 7 requests, 120 MB/s)   ");
}

TEST(Progress, DrawsNothingWhenStderrIsNoTerminal) {
  // CaptureStderr points stderr at a file.
  ::testing::internal::CaptureStderr();
  {
    Progress p("big", std::uint64_t{1} << 40);
    for (std::uint64_t i = 0; i < 200'000; ++i) p.tick(i, i);
    p.update(1, 1);
    p.done();
    p.update(2, 2);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace kvtrace::core
