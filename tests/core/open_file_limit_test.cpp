#include "kvtrace/core/open_file_limit.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace kvtrace::core {
namespace {

TEST(OpenFiles, SoftLimitRisesToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  const std::uint64_t now = raise_open_file_limit();
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(now, after.rlim_cur);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
}

}  // namespace
}  // namespace kvtrace::core
