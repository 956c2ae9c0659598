// cmake --install into a temporary prefix: the binary, the bash completion and the docs land
// where packagers and bash-completion expect them.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "e2e/cli_help_util.hpp"

namespace {

namespace fs = std::filesystem;
using kvtrace::testing::quote;
using kvtrace::testing::read_file;
using kvtrace::testing::run_shell;

TEST(CliInstall, BinaryCompletionAndDocsLandInThePrefix) {
  const fs::path prefix =
      fs::temp_directory_path() / ("kvtrace-install-" + std::to_string(::getpid()));
  fs::remove_all(prefix);
  const auto install = run_shell(quote(KVTRACE_CMAKE) + " --install " + quote(KVTRACE_BUILD_DIR) +
                                 " --prefix " + quote(prefix.string()));
  EXPECT_EQ(install.exit_code, 0) << install.out << install.err;

  const auto version = run_shell(quote((prefix / "bin/kvtrace").string()) + " --version");
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out, "kvtrace " KVTRACE_VERSION "\n");

  const fs::path completion = prefix / "share/bash-completion/completions/kvtrace";
  ASSERT_TRUE(fs::exists(completion));
  EXPECT_EQ(read_file(completion.string()), read_file(KVTRACE_COMPLETION));

  const fs::path doc = prefix / "share/doc/kvtrace";
  const std::string source = kvtrace::testing::kSource;
  EXPECT_EQ(read_file((doc / "README.md").string()), read_file(source + "/README.md"));
  int docs = 0;
  for (const auto& entry : fs::directory_iterator(source + "/docs")) {
    if (entry.path().extension() != ".md") continue;
    const fs::path installed = doc / "docs" / entry.path().filename();
    EXPECT_TRUE(fs::exists(installed)) << installed;
    EXPECT_EQ(read_file(installed.string()), read_file(entry.path().string())) << installed;
    ++docs;
  }
  EXPECT_GE(docs, 10);
  fs::remove_all(prefix);
}

}  // namespace
