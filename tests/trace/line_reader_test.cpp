#include "kvtrace/trace/line_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::TempFile;

struct Seen {
  std::string text;
  std::uint64_t number;
  bool too_long;
};

std::vector<Seen> read_lines(const std::string& path, std::size_t max = kDefaultMaxLineBytes) {
  LineReader reader(path, max);
  std::vector<Seen> out;
  Line line;
  while (reader.next(line)) {
    if (!line.too_long) {
      EXPECT_GE(line.capacity, line.text.size() + kLinePadding);
    }
    out.push_back({std::string(line.text), line.number, line.too_long});
  }
  return out;
}

TEST(LineReader, SplitsLinesAndNumbersThemCountingBlankOnes) {
  TempFile f("a\n\nb\r\nc");
  const auto lines = read_lines(f.path());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "b");  // the '\r' of CRLF is dropped
  EXPECT_EQ(lines[2].number, 3u);
  EXPECT_EQ(lines[3].text, "c");  // a last line without '\n'
  EXPECT_EQ(lines[3].number, 4u);
}

TEST(LineReader, PositionIsTheEndOfTheLastLineReturned) {
  TempFile f("ab\ncde\n\nf");
  LineReader reader(f.path());
  Line line;
  EXPECT_EQ(reader.position(), 0u);
  reader.next(line);
  EXPECT_EQ(reader.position(), 3u);
  reader.next(line);
  EXPECT_EQ(reader.position(), 7u);
  reader.next(line);
  reader.next(line);
  EXPECT_EQ(reader.position(), 9u);
  EXPECT_FALSE(reader.next(line));
}

TEST(LineReader, EmptyFileHasNoLines) {
  TempFile f("");
  EXPECT_TRUE(read_lines(f.path()).empty());
}

TEST(LineReader, TrailingNewlineDoesNotMakeAnExtraLine) {
  TempFile f("x\ny\n");
  EXPECT_EQ(read_lines(f.path()).size(), 2u);
}

TEST(LineReader, LinesAcrossBufferRefillsAreWhole) {
  // ~12 MB of lines of varied length: several 4 MB refills cut through lines.
  std::string content;
  std::vector<std::string> expected;
  for (int i = 0; i < 120000; ++i) {
    std::string line(static_cast<std::size_t>(i % 197), static_cast<char>('a' + i % 26));
    line += std::to_string(i);
    expected.push_back(line);
    content += line + "\n";
  }
  TempFile f(content);
  LineReader reader(f.path());
  Line line;
  std::size_t i = 0;
  while (reader.next(line)) {
    ASSERT_LT(i, expected.size());
    ASSERT_EQ(line.text, expected[i]) << "line " << i + 1;
    ++i;
  }
  EXPECT_EQ(i, expected.size());
  EXPECT_EQ(reader.bytes_read(), content.size());
  EXPECT_EQ(reader.position(), content.size());
  EXPECT_EQ(reader.total_bytes(), content.size());
}

TEST(LineReader, LineLongerThanTheBufferIsRead) {
  const std::string big(9u << 20, 'x');  // more than two 4 MB chunks
  TempFile f("a\n" + big + "\nb\n");
  const auto lines = read_lines(f.path());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].text.size(), big.size());
  EXPECT_EQ(lines[2].text, "b");
}

TEST(LineReader, LineOverTheLimitIsFlaggedAndTheRestIsRead) {
  TempFile f("short\n" + std::string(5000, 'x') + "\nafter\n" + std::string(5000, 'y'));
  const auto lines = read_lines(f.path(), 1000);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_FALSE(lines[0].too_long);
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].number, 2u);
  EXPECT_EQ(lines[2].text, "after");
  EXPECT_EQ(lines[2].number, 3u);
  EXPECT_TRUE(lines[3].too_long);  // the last line, without '\n'
}

TEST(LineReader, HugeLineOverTheLimitAcrossChunksIsDiscarded) {
  TempFile f(std::string(10u << 20, 'z') + "\nok\n");
  const auto lines = read_lines(f.path(), 1u << 20);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].too_long);
  EXPECT_EQ(lines[1].text, "ok");
  EXPECT_EQ(lines[1].number, 2u);
}

TEST(LineReader, ReadLinesHandsOverWholeLinesOnly) {
  // 3 MB of numbered lines and a last one without '\n', across several buffer refills.
  std::string text;
  for (int i = 0; text.size() < (std::size_t{3} << 20); ++i) {
    text += std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), 'x') + "\n";
  }
  text += "last";
  TempFile f(text);
  LineReader reader(f.path());
  std::string all;
  std::string run;
  int runs = 0;
  std::size_t short_runs = 0;
  while (reader.read_lines(run, 100'000)) {
    EXPECT_EQ(short_runs, 0u) << "only the end of input gives a short run";
    if (run.size() < 100'000u) ++short_runs;
    if (run.back() != '\n') {
      EXPECT_EQ(all.size() + run.size(), text.size());
    }
    all += run;
    run.clear();
    ++runs;
  }
  EXPECT_EQ(all, text);
  EXPECT_GT(runs, 20);
}

TEST(LineReader, ReadLinesTakesALineLongerThanTheBuffer) {
  const std::string text = "a\n" + std::string(std::size_t{9} << 20, 'y') + "\nb\n";
  TempFile f(text);
  LineReader reader(f.path());
  std::string run;
  ASSERT_TRUE(reader.read_lines(run, 1));
  EXPECT_EQ(run, "a\n");
  run.clear();
  ASSERT_TRUE(reader.read_lines(run, 1));
  EXPECT_EQ(run.size(), (std::size_t{9} << 20) + 1);
  run.clear();
  ASSERT_TRUE(reader.read_lines(run, 1));
  EXPECT_EQ(run, "b\n");
  run.clear();
  EXPECT_FALSE(reader.read_lines(run, 1));
}

// for_each_line_in over a string with kLinePadding bytes after it.
std::vector<Seen> split_in_memory(const std::string& text) {
  std::string padded = text + std::string(kLinePadding, '\0');
  std::vector<Seen> out;
  std::size_t last_end = 0;
  const std::uint64_t count = for_each_line_in(
      std::string_view(padded).substr(0, text.size()), padded.size(), [&](const Line& line) {
        // The capacity runs to the end of the padding.
        EXPECT_EQ(line.text.data() + line.capacity, padded.data() + padded.size());
        EXPECT_GE(line.text.data(), padded.data() + last_end);
        last_end = static_cast<std::size_t>(line.text.data() - padded.data()) + line.text.size();
        out.push_back({std::string(line.text), line.number, line.too_long});
      });
  EXPECT_EQ(count, out.size());
  return out;
}

TEST(ForEachLineIn, SplitsAndNumbersLikeTheReader) {
  for (const std::string text :
       {"a\n\nb\r\nc", "", "\n", "x\ny\n", "\r\n\r\n", "only", "a\rb\n\n\nlast\r"}) {
    const auto split = split_in_memory(text);
    TempFile f(text);
    const auto read = read_lines(f.path());
    ASSERT_EQ(split.size(), read.size()) << text;
    for (std::size_t i = 0; i < split.size(); ++i) {
      EXPECT_EQ(split[i].text, read[i].text) << text << " line " << i + 1;
      EXPECT_EQ(split[i].number, i + 1) << text;
      EXPECT_EQ(read[i].number, i + 1) << text;
      EXPECT_FALSE(split[i].too_long);
    }
  }
}

TEST(ForEachLineIn, KeepsBlankLinesAndDropsCarriageReturns) {
  const auto lines = split_in_memory("a\n\nb\r\nc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "b");
  EXPECT_EQ(lines[3].text, "c");
  EXPECT_EQ(lines[3].number, 4u);
  EXPECT_TRUE(split_in_memory("").empty());
  EXPECT_EQ(split_in_memory("\n").size(), 1u);
}

TEST(ForEachLineIn, RunsOfReadLinesSplitBackIntoTheFileLines) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::string(static_cast<std::size_t>(i % 53), 'q') + "\n";
  TempFile f(text);
  LineReader reader(f.path());
  std::string run;
  std::uint64_t lines = 0;
  while (reader.read_lines(run, 4096)) {
    const std::size_t size = run.size();
    run.append(kLinePadding, '\0');
    lines += for_each_line_in(
        std::string_view(run).substr(0, size), run.size(),
        [&](const Line& line) { EXPECT_EQ(line.text.size(), (lines + line.number - 1) % 53); });
    run.clear();
  }
  EXPECT_EQ(lines, 5000u);
}

TEST(ForEachLineIn, WithoutPaddingIsABug) {
  const std::string text = "a\nb\n";
  EXPECT_THROW(for_each_line_in(text, text.size() + kLinePadding - 1, [](const Line&) {}),
               std::logic_error);
}

// Some editors start a UTF-8 file with a byte order mark: it is not part of the first line
// (which then failed as "improper structure"), and only there.
TEST(LineReader, ByteOrderMarkAtTheStartIsDropped) {
  TempFile f("\xEF\xBB\xBF{\"a\": 1}\r\n\xEF\xBB\xBF{}\n");
  const auto lines = read_lines(f.path());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "{\"a\": 1}");
  EXPECT_EQ(lines[1].text, "\xEF\xBB\xBF{}");
  TempFile only("\xEF\xBB\xBF");
  const auto bom_only = read_lines(only.path());
  ASSERT_EQ(bom_only.size(), 1u);
  EXPECT_EQ(bom_only[0].text, "");
}

TEST(LineReader, ReadLinesDropsTheByteOrderMarkToo) {
  TempFile f("\xEF\xBB\xBFone\n\xEF\xBB\xBFtwo\n");
  LineReader reader(f.path());
  std::string out;
  while (reader.read_lines(out, 4)) {
  }
  EXPECT_EQ(out, "one\n\xEF\xBB\xBFtwo\n");
  EXPECT_EQ(reader.position(), 14u);
}

TEST(LineReader, MissingFileIsAnIoErrorNamingIt) {
  try {
    LineReader reader("/nonexistent/trace.jsonl");
    FAIL() << "no exception";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/trace.jsonl"), std::string::npos);
  }
}

TEST(LineReader, DirectoryIsAnIoError) {
  EXPECT_THROW(LineReader("/tmp"), IoError);
}

}  // namespace
}  // namespace kvtrace::trace
