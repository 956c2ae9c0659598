#include "kvtrace/trace/line_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"
#include "trace/pipe_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::gzip_compress;
using kvtrace::testing::numbered_lines;
using kvtrace::testing::Pipe;
using kvtrace::testing::StdinFrom;
using kvtrace::testing::TempFile;
using kvtrace::testing::zstd_compress;

struct Seen {
  std::string text;
  std::uint64_t number;
  bool too_long;
  std::string problem;
};

std::vector<Seen> read_lines(const std::string& path, std::size_t max = kDefaultMaxLineBytes) {
  LineReader reader(path, max);
  std::vector<Seen> out;
  Line line;
  while (reader.next(line)) {
    if (!line.too_long && line.problem.empty()) {
      EXPECT_GE(line.capacity, line.text.size() + kLinePadding);
    }
    out.push_back({std::string(line.text), line.number, line.too_long, std::string(line.problem)});
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
        out.push_back({std::string(line.text), line.number, line.too_long, ""});
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

// The lines of `text` as the reader gives them: without '\n', numbered from 1.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::size_t stop = nl == std::string::npos ? text.size() : nl;
    out.push_back(text.substr(at, stop - at));
    at = stop + 1;
  }
  return out;
}

std::string compress(Compression c, const std::string& text) {
  return c == Compression::kGzip ? gzip_compress(text) : zstd_compress(text);
}

constexpr Compression kBoth[] = {Compression::kGzip, Compression::kZstd};

TEST(LineReader, CompressedInputGivesThePlainFilesLines) {
  const std::string text = numbered_lines(std::size_t{12} << 20);  // several buffer refills
  const auto expected = split(text);
  TempFile plain(text);
  LineReader plain_reader(plain.path());
  EXPECT_EQ(plain_reader.compression(), Compression::kNone);
  for (const Compression c : kBoth) {
    const std::string packed = compress(c, text);
    TempFile f(packed, ".z");
    LineReader reader(f.path());
    EXPECT_EQ(reader.compression(), c);
    EXPECT_EQ(reader.total_bytes(), packed.size());
    Line line;
    std::size_t i = 0;
    std::uint64_t last_input = 0;
    while (reader.next(line)) {
      ASSERT_LT(i, expected.size());
      ASSERT_EQ(line.text, expected[i]) << compression_name(c) << " line " << i + 1;
      ASSERT_EQ(line.number, i + 1);
      ASSERT_TRUE(line.problem.empty());
      ASSERT_GE(line.capacity, line.text.size() + kLinePadding);
      const std::uint64_t input = reader.input_position();
      ASSERT_GE(input, last_input);
      last_input = input;
      ++i;
    }
    EXPECT_EQ(i, expected.size());
    EXPECT_EQ(reader.stream_problem(), "");
    EXPECT_EQ(reader.position(), text.size());
    EXPECT_EQ(reader.bytes_read(), text.size());
    EXPECT_EQ(reader.input_position(), packed.size());  // progress reaches 100%
  }
}

TEST(LineReader, TheBytesAfterTheLastLineAreZero) {
  for (const Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    TempFile f(c == Compression::kNone ? std::string("a\nbc") : compress(c, "a\nbc"), ".z");
    LineReader reader(f.path());
    Line line;
    ASSERT_TRUE(reader.next(line));
    ASSERT_TRUE(reader.next(line));
    ASSERT_EQ(line.text, "bc");
    ASSERT_GE(line.capacity, line.text.size() + kLinePadding);
    // simdjson reads the padding after the last byte of text: zeroes, not stale bytes.
    EXPECT_EQ(std::string(line.text.data() + line.text.size(), kLinePadding),
              std::string(kLinePadding, '\0'));
  }
}

TEST(LineReader, InputPositionOfPlainInputIsThePosition) {
  TempFile f("ab\ncd\n");
  LineReader reader(f.path());
  Line line;
  reader.next(line);
  EXPECT_EQ(reader.input_position(), 3u);
  EXPECT_EQ(reader.input_position(), reader.position());
}

TEST(LineReader, ConcatenatedGzipMembersAndZstdFramesReadToTheEnd) {
  for (const Compression c : kBoth) {
    TempFile f(compress(c, "a\nb") + compress(c, "c\n") + compress(c, "") + compress(c, "d\n"),
               ".z");
    const auto lines = read_lines(f.path());
    // "b" without '\n' runs on into the next member: the members are one text, as zcat gives.
    ASSERT_EQ(lines.size(), 3u) << compression_name(c);
    EXPECT_EQ(lines[0].text, "a");
    EXPECT_EQ(lines[1].text, "bc");
    EXPECT_EQ(lines[2].text, "d");
    EXPECT_EQ(lines[2].number, 3u);
  }
}

TEST(LineReader, TruncatedStreamGivesEveryWholeLineThenItsBreakAsTheNextLine) {
  const std::string text = numbered_lines(3u << 20);
  const auto expected = split(text);
  for (const Compression c : kBoth) {
    const std::string packed = compress(c, text);
    // From the magic number alone (shorter, it is not compressed input) to all but a byte.
    for (const std::size_t cut : {std::size_t{4}, std::size_t{40}, packed.size() / 3,
                                  packed.size() / 2, packed.size() - 5, packed.size() - 1}) {
      TempFile f(packed.substr(0, cut), ".z");
      LineReader reader(f.path());
      std::vector<Seen> lines;
      Line line;
      while (reader.next(line)) {
        lines.push_back(
            {std::string(line.text), line.number, line.too_long, std::string(line.problem)});
      }
      const std::string where = std::string(compression_name(c)) + " cut at " + std::to_string(cut);
      ASSERT_FALSE(lines.empty()) << where;
      // Every whole line of the text that came out before the break, then the break.
      const std::uint64_t whole = static_cast<std::uint64_t>(std::count(
          text.begin(), text.begin() + static_cast<std::ptrdiff_t>(reader.bytes_read()), '\n'));
      ASSERT_EQ(lines.size(), whole + 1) << where;
      for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        ASSERT_EQ(lines[i].text, expected[i]) << where;
        ASSERT_TRUE(lines[i].problem.empty()) << where;
      }
      const Seen& last = lines.back();
      EXPECT_EQ(last.number, whole + 1) << where;
      EXPECT_EQ(last.text, "") << where;
      EXPECT_EQ(last.problem.rfind("the " + std::string(compression_name(c)) +
                                       " stream ends early (truncated file?) after ",
                                   0),
                0u)
          << where << ": " << last.problem;
      EXPECT_EQ(reader.stream_problem(), last.problem);
      EXPECT_FALSE(reader.next(line)) << where;
    }
  }
}

TEST(LineReader, ABreakAtALineBoundaryIsTheNextLine) {
  for (const Compression c : kBoth) {
    // The second member is cut inside its header: no text of it came out.
    TempFile f(compress(c, "a\nb\n") + compress(c, "c\n").substr(0, 5), ".z");
    const auto lines = read_lines(f.path());
    ASSERT_EQ(lines.size(), 3u) << compression_name(c);
    EXPECT_EQ(lines[1].text, "b");
    EXPECT_EQ(lines[2].number, 3u);
    EXPECT_NE(lines[2].problem.find("ends early"), std::string::npos) << lines[2].problem;
  }
}

TEST(LineReader, CorruptDataEndsTheLinesWithTheLibrarysMessage) {
  const std::string text = numbered_lines(400'000);
  for (const Compression c : kBoth) {
    std::string packed = compress(c, text);
    packed[packed.size() / 2] ^= 0x55;
    TempFile f(packed, ".z");
    const auto lines = read_lines(f.path());
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back().problem.rfind("corrupt " + std::string(compression_name(c)) +
                                             " data at "
                                             "compressed byte ",
                                         0),
              0u)
        << lines.back().problem;
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) ASSERT_TRUE(lines[i].problem.empty());
  }
}

TEST(LineReader, EmptyCompressedInputHasNoLines) {
  for (const Compression c : kBoth) {
    TempFile f(compress(c, ""), ".z");
    LineReader reader(f.path());
    Line line;
    EXPECT_FALSE(reader.next(line));
    EXPECT_EQ(reader.compression(), c);
    EXPECT_EQ(reader.stream_problem(), "");
    EXPECT_EQ(reader.input_position(), compress(c, "").size());
  }
}

TEST(LineReader, LineOverTheLimitInACompressedStreamIsFlagged) {
  for (const Compression c : kBoth) {
    TempFile f(compress(c, "short\n" + std::string(5000, 'x') + "\nafter\n" +
                               std::string(3u << 20, 'y') + "\nend"),
               ".z");
    const auto lines = read_lines(f.path(), 1000);
    ASSERT_EQ(lines.size(), 5u) << compression_name(c);
    EXPECT_EQ(lines[0].text, "short");
    EXPECT_TRUE(lines[1].too_long);
    EXPECT_EQ(lines[2].text, "after");
    EXPECT_TRUE(lines[3].too_long);
    EXPECT_EQ(lines[4].text, "end");
    EXPECT_EQ(lines[4].number, 5u);
  }
}

TEST(LineReader, CompressedAndPlainStdinFromAPipe) {
  const std::string text = numbered_lines(300'000);
  for (const std::string& data :
       {compress(Compression::kGzip, text), compress(Compression::kZstd, text), text}) {
    for (const std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{4093}}) {
      if (piece == 1 && data.size() > 100'000) {
        // Byte by byte only for the start: the magic number arrives in several reads.
        Pipe pipe;
        pipe.feed(data.substr(0, 64), 1, /*keep_open=*/true);
        pipe.join();
        pipe.feed(data.substr(64), 65536);
        StdinFrom stdin_from(pipe);
        LineReader reader("-");
        EXPECT_EQ(reader.name(), "<stdin>");
        EXPECT_EQ(reader.total_bytes(), std::nullopt);
        EXPECT_EQ(reader.compression(), detect_compression(data));
        std::string got;
        Line line;
        while (reader.next(line)) got += std::string(line.text) + "\n";
        EXPECT_EQ(got, text);
        continue;
      }
      Pipe pipe;
      pipe.feed(data, piece);
      StdinFrom stdin_from(pipe);
      LineReader reader("-");
      std::string got;
      Line line;
      while (reader.next(line)) got += std::string(line.text) + "\n";
      EXPECT_EQ(got, text) << piece;
      EXPECT_EQ(reader.compression(), detect_compression(data));
    }
  }
}

TEST(LineReader, PeekShowsTheTextAheadWithoutConsumingIt) {
  const std::string text = "{\"first\": 1}\n{\"second\": 2}\nthird";
  for (const std::string& data : {text, gzip_compress(text), zstd_compress(text)}) {
    Pipe pipe;
    pipe.feed(data, 2);
    LineReader reader(pipe.path());
    EXPECT_EQ(reader.peek(5), "{\"fir");
    EXPECT_EQ(reader.peek(13), "{\"first\": 1}\n");
    EXPECT_EQ(reader.position(), 0u);
    Line line;
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.text, "{\"first\": 1}");
    EXPECT_EQ(line.number, 1u);
    EXPECT_EQ(reader.peek(1000), "{\"second\": 2}\nthird");  // fewer: the end of input
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.text, "{\"second\": 2}");
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.text, "third");
    EXPECT_EQ(line.number, 3u);
    EXPECT_EQ(reader.peek(10), "");
    EXPECT_FALSE(reader.next(line));
  }
}

TEST(LineReader, PeekFurtherThanTheBufferGrowsIt) {
  const std::string text = numbered_lines(6u << 20);
  TempFile f(zstd_compress(text), ".zst");
  LineReader reader(f.path());
  EXPECT_EQ(reader.peek(5u << 20), text.substr(0, 5u << 20));
  Line line;
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line.text, split(text)[0]);
}

TEST(LineReader, ReadLinesStopsBeforeTheBreakAndSaysWhy) {
  const std::string text = numbered_lines(2u << 20);
  for (const Compression c : kBoth) {
    const std::string packed = compress(c, text);
    TempFile f(packed.substr(0, packed.size() * 2 / 3), ".z");
    LineReader reader(f.path());
    std::string all;
    while (reader.read_lines(all, 100'000)) {
    }
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.back(), '\n');  // whole lines only: the partial one is part of the break
    EXPECT_EQ(all, text.substr(0, all.size()));
    EXPECT_NE(reader.stream_problem().find("ends early"), std::string::npos);
  }
}

TEST(LineReader, DestroyedEarlyWhileDecompressing) {
  const std::string text = numbered_lines(12u << 20);
  for (const Compression c : kBoth) {
    TempFile f(compress(c, text), ".z");
    LineReader reader(f.path());
    Line line;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(reader.next(line));
    // Destroyed here with the decompressing thread ahead and its queue full.
  }
  // And on a pipe that stays open: the thread waits for input when the reader goes.
  Pipe pipe;
  pipe.feed(gzip_compress(text).substr(0, 20'000), 4096, /*keep_open=*/true);
  {
    LineReader reader(pipe.path());
    Line line;
    ASSERT_TRUE(reader.next(line));
  }
  pipe.join();
}

}  // namespace
}  // namespace kvtrace::trace
