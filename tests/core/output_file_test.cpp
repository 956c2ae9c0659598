#include "kvtrace/core/output_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::core {
namespace {

namespace fs = std::filesystem;

TEST(OutputFile, CreatesParentFoldersAndTruncates) {
  const fs::path dir = fs::temp_directory_path() / ("kvtrace-out-" + std::to_string(::getpid()));
  const std::string path = (dir / "a" / "b" / "out.txt").string();
  write_text(path, "first, longer text\n");
  write_text(path, "second\n");
  EXPECT_EQ(kvtrace::testing::read_file(path), "second\n");
  fs::remove_all(dir);
}

TEST(OutputFile, WritesPiecesInOrder) {
  const kvtrace::testing::TempFile f("");
  OutputFile out(f.path());
  EXPECT_EQ(out.name(), f.path());
  out.write("ab");
  out.write("");
  out.write("c");
  out.close();
  out.close();  // a second close does nothing
  EXPECT_EQ(kvtrace::testing::read_file(f.path()), "abc");
}

TEST(OutputFile, StdoutIsNamedLikeStdin) {
  OutputFile out("-");
  EXPECT_EQ(out.name(), "<stdout>");
}

TEST(OutputFile, FailuresNameTheFile) {
  try {
    OutputFile out("/proc/kvtrace-no-such-dir/x.txt");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/kvtrace-no-such-dir"), std::string::npos)
        << e.what();
  }
  if (fs::exists("/dev/full")) {
    OutputFile full("/dev/full");
    try {
      full.write("x");
      FAIL() << "expected IoError";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find("cannot write /dev/full"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace kvtrace::core
