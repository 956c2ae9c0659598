#include "kvtrace/core/output_file.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

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

// The files of a folder, by name.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(OutputFile, ARegularFileAppearsWholeAtCloseOrNotAtAll) {
  const kvtrace::testing::TempDir dir;
  const std::string path = dir.path() + "/out.jsonl";
  {
    OutputFile out(path);
    out.write("half");
    // Until close(), only the staged PATH.tmp.PID is there.
    EXPECT_EQ(names_in(dir.path()),
              std::vector<std::string>{"out.jsonl.tmp." + std::to_string(::getpid())});
    out.close();
  }
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.jsonl"});
  EXPECT_EQ(kvtrace::testing::read_file(path), "half");
  {
    OutputFile out(path);
    out.write("a failed run's head");
  }  // destroyed without close(): the old file stays as it was
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.jsonl"});
  EXPECT_EQ(kvtrace::testing::read_file(path), "half");
  OutputFile out(path);
  out.write("x");
  out.discard();
  EXPECT_EQ(kvtrace::testing::read_file(path), "half");
}

TEST(OutputFile, ALinkKeepsPointingAtTheFileItNames) {
  const kvtrace::testing::TempDir dir;
  const std::string target = dir.path() + "/target.jsonl";
  const std::string link = dir.path() + "/link.jsonl";
  write_text(target, "old");
  fs::create_symlink(target, link);
  write_text(link, "new");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(kvtrace::testing::read_file(target), "new");
}

TEST(OutputFile, AStreamedFileIsWrittenInPlace) {
  const kvtrace::testing::TempDir dir;
  const std::string path = dir.path() + "/records.jsonl";
  {
    OutputFile out(path, Staging::kStreamed);
    out.write("first record\n");
    EXPECT_EQ(kvtrace::testing::read_file(path), "first record\n");  // readable as it grows
  }
  EXPECT_EQ(kvtrace::testing::read_file(path), "first record\n");  // and kept
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
