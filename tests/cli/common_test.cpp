// The files scripts/setup installs next to the binary: found beside the running executable
// (here the test binary), or the error telling which flag to give instead.

#include "cli/common.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cli {
namespace {

std::string exe_dir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

TEST(Installed, APathBesideTheBinaryAndWhetherItIsThere) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").filename().string();
  const Installed there = installed(self);
  EXPECT_EQ(there.path, exe_dir() + "/" + self);
  EXPECT_TRUE(there.present);
  const Installed missing = installed("no/such/file.json");
  EXPECT_EQ(missing.path, exe_dir() + "/no/such/file.json");
  EXPECT_FALSE(missing.present);
}

TEST(Installed, DefaultOrAUsageErrorNamingTheFlag) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").filename().string();
  EXPECT_EQ(installed_default(self, "--tokenizer"), exe_dir() + "/" + self);
  try {
    installed_default("no/such/file.json", "--corpus");
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "give --corpus: its default, " + exe_dir() +
                                         "/no/such/file.json, is not installed (scripts/setup "
                                         "installs it)");
  }
}

}  // namespace
}  // namespace kvtrace::cli
