// Reading a file by byte ranges: consecutive ranges give every line once, in order, whatever
// the range size and wherever the cuts fall (mid-line, on a '\n', past the end).

#include "kvtrace/trace/file_slices.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"
#include "watchdog.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::TempFile;

std::string read_by_ranges(const FileSlices& f, std::uint64_t step) {
  std::string all;
  for (std::uint64_t at = 0; at < f.size(); at += step) {
    std::string part;
    f.read_lines_starting_in(at, at + step, part);
    if (!part.empty()) {
      EXPECT_TRUE(all.empty() || all.back() == '\n') << "a range began mid-line";
    }
    all += part;
  }
  return all;
}

TEST(FileSlices, ConsecutiveRangesGiveEveryLineOnce) {
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += "line " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 41), '.') + "\n";
    if (i % 500 == 0) text += std::string(200'000, 'L') + "\n";  // lines longer than a step
    if (i % 700 == 0) text += "\n";                              // blank lines
  }
  for (const std::string& content : {text, text + "no newline at the end"}) {
    TempFile file(content);
    const auto f = FileSlices::open(file.path());
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size(), content.size());
    for (std::uint64_t step : {997u, 4096u, 65536u, 65537u, 1u << 20, 1u << 24}) {
      EXPECT_EQ(read_by_ranges(*f, step), content) << "step " << step;
    }
  }
}

TEST(FileSlices, TinyRangesOnASmallFile) {
  const std::string content = "a\n\nbcd\nef\n" + std::string(5000, 'g') + "\nh";
  TempFile file(content);
  const auto f = FileSlices::open(file.path());
  ASSERT_TRUE(f);
  for (std::uint64_t step : {1u, 2u, 3u, 7u, 4095u, 4096u, 4097u}) {
    EXPECT_EQ(read_by_ranges(*f, step), content) << "step " << step;
  }
}

TEST(FileSlices, RangeStartingOnALineStartTakesThatLine) {
  TempFile file("ab\ncd\nef");
  const auto f = FileSlices::open(file.path());
  ASSERT_TRUE(f);
  std::string out;
  f->read_lines_starting_in(3, 4, out);
  EXPECT_EQ(out, "cd\n");
  out.clear();
  f->read_lines_starting_in(4, 6, out);  // inside "cd": no line starts there
  EXPECT_EQ(out, "");
  out.clear();
  f->read_lines_starting_in(5, 100, out);
  EXPECT_EQ(out, "ef");
}

TEST(FileSlices, ByteOrderMarkAtTheStartIsDropped) {
  TempFile f("\xEF\xBB\xBF{\"a\": 1}\n\xEF\xBB\xBF{}\n");
  const auto slices = FileSlices::open(f.path());
  ASSERT_TRUE(slices);
  EXPECT_EQ(read_by_ranges(*slices, 3), "{\"a\": 1}\n\xEF\xBB\xBF{}\n");
  EXPECT_EQ(read_by_ranges(*slices, 100), "{\"a\": 1}\n\xEF\xBB\xBF{}\n");
}

TEST(FileSlices, StdinPipesAndMissingFiles) {
  EXPECT_FALSE(FileSlices::open("-"));
  EXPECT_FALSE(FileSlices::open("/dev/null"));  // not a regular file
  EXPECT_THROW(FileSlices::open("/nonexistent/kvtrace.jsonl"), IoError);
}

// A named pipe is not opened (that would wait for a writer, which may never come or have
// gone already: `kvtrace hash` hung on it).
TEST(FileSlices, ANamedPipeIsNotOpened) {
  const kvtrace::testing::TempDir dir;
  const std::string fifo = dir.path() + "/in";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(kvtrace::testing::returns_within(std::chrono::seconds(20), "FileSlices::open",
                                                [&] { return FileSlices::open(fifo); }));
}

// Compressed data cannot be cut by byte range: the caller falls back to LineReader.
TEST(FileSlices, CompressedFilesAreNotSliced) {
  TempFile gz(kvtrace::testing::gzip_compress("{}\n{}\n"), ".gz");
  TempFile zst(kvtrace::testing::zstd_compress("{}\n{}\n"), ".zst");
  EXPECT_FALSE(FileSlices::open(gz.path()).has_value());
  EXPECT_FALSE(FileSlices::open(zst.path()).has_value());
  // A plain file that happens to be named .gz is sliced: the bytes decide.
  TempFile plain("{}\n{}\n", ".gz");
  EXPECT_TRUE(FileSlices::open(plain.path()).has_value());
}

}  // namespace
}  // namespace kvtrace::trace
