#include "kvtrace/trace/trace_reader.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::TempFile;

ReaderOptions options(bool skip_invalid, HashIdCheck check = HashIdCheck::kCount,
                      std::uint32_t block_size = 512,
                      std::size_t max_line_bytes = kDefaultMaxLineBytes) {
  ReaderOptions o;
  o.skip_invalid = skip_invalid;
  o.hash_id_check = check;
  o.block_size = block_size;
  o.max_line_bytes = max_line_bytes;
  return o;
}

const char* kMixed =
    "{\"timestamp\": 0, \"input_length\": 600, \"hash_ids\": [1, 2]}\n"
    "\n"
    "{\"timestamp\": 10, \"input_length\": -3}\n"
    "not json\n"
    "{\"timestamp\": 20, \"input_length\": 100, \"hash_ids\": [1, 2]}\n"
    "{\"timestamp\": 30, \"input_length\": 512, \"hash_ids\": [1]}\n";

TEST(TraceReader, FirstBadLineIsAnInputErrorWithFileAndLine) {
  TempFile f(kMixed);
  TraceReader reader(f.path());
  Request r;
  ASSERT_TRUE(reader.next(r));
  try {
    reader.next(r);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.field(), "input_length");
    EXPECT_EQ(std::string(e.what()), f.path() + ":3: input_length: must be >= 0, got number -3");
  }
}

// A caller's stop flag (set on Ctrl-C from another thread) ends the reading at the next
// request; without it, or while it is false, the reader reads on.
TEST(TraceReader, AStopFlagEndsTheReadingWithInterrupted) {
  TempFile f(
      "{\"input_length\": 1, \"hash_ids\": [1]}\n{\"input_length\": 1, \"hash_ids\": [2]}\n");
  std::atomic<bool> stop = false;
  ReaderOptions o;
  o.stop = &stop;
  TraceReader reader(f.path(), o);
  Request r;
  ASSERT_TRUE(reader.next(r));
  stop = true;
  EXPECT_EQ(kvtrace::testing::thrown_message<Interrupted>([&] { reader.next(r); }),
            "interrupted: the read of " + f.path() + " stopped at line 1");
}

TEST(TraceReader, SkipInvalidCountsEverySkippedLine) {
  TempFile f(kMixed);
  ReaderCounts counts;
  const auto requests = read_all(f.path(), options(true), &counts);
  EXPECT_EQ(requests.size(), 3u);
  EXPECT_EQ(counts.lines, 6u);
  EXPECT_EQ(counts.blank_lines, 1u);
  EXPECT_EQ(counts.skipped_invalid, 2u);
  EXPECT_EQ(counts.requests, 3u);
  EXPECT_EQ(counts.first_skipped, f.path() + ":3: input_length: must be >= 0, got number -3");
  // Every line is accounted for.
  EXPECT_EQ(counts.lines, counts.blank_lines + counts.skipped_invalid + counts.requests);
}

TEST(TraceReader, HashIdCountMismatchIsCountedByDefault) {
  TempFile f(kMixed);
  ReaderCounts counts;
  read_all(f.path(), options(true), &counts);
  EXPECT_EQ(counts.hash_id_mismatches, 1u);  // line 5: 100 tokens, 2 ids
  EXPECT_EQ(
      counts.first_mismatch,
      f.path() + ":5: hash_ids: expected ceil(input_length 100 / block size 512) = 1 ids, got 2");
}

TEST(TraceReader, HashIdCountMismatchCanBeAnError) {
  TempFile f(kMixed);
  ReaderCounts counts;
  const auto requests = read_all(f.path(), options(true, HashIdCheck::kError), &counts);
  EXPECT_EQ(requests.size(), 2u);
  EXPECT_EQ(counts.skipped_invalid, 3u);
  EXPECT_EQ(counts.hash_id_mismatches, 0u);
}

TEST(TraceReader, HashIdCountDependsOnBlockSize) {
  // 100 tokens in 2 blocks fits 50 .. 99, in 1 block 100 and more: no size fits both, so a
  // misfit is a warning, not the end of the read.
  TempFile f(
      "{\"input_length\": 100, \"hash_ids\": [1, 2]}\n"
      "{\"input_length\": 100, \"hash_ids\": [1]}\n");
  ReaderCounts counts;
  read_all(f.path(), options(false, HashIdCheck::kCount, 64), &counts);
  EXPECT_EQ(counts.hash_id_mismatches, 1u);
  EXPECT_EQ(counts.first_mismatch,
            f.path() +
                ":2: hash_ids: expected ceil(input_length 100 / block size 64) = 2 ids, "
                "got 1");
  read_all(f.path(), options(false, HashIdCheck::kCount, 100), &counts);
  EXPECT_EQ(counts.hash_id_mismatches, 1u);
  EXPECT_EQ(counts.first_mismatch,
            f.path() +
                ":1: hash_ids: expected ceil(input_length 100 / block size 100) = 1 ids, "
                "got 2");
}

TEST(TraceReader, TimeWindowIsInclusiveAndCounted) {
  TempFile f(
      "{\"timestamp\": 0, \"input_length\": 1}\n"
      "{\"timestamp\": 10, \"input_length\": 1}\n"
      "{\"input_length\": 1}\n"
      "{\"timestamp\": 20.5, \"input_length\": 1}\n"
      "{\"timestamp\": 30, \"input_length\": 1}\n");
  ReaderCounts counts;
  ReaderOptions o;
  o.window.start_ms = 10;
  o.window.end_ms = 20.5;
  const auto requests = read_all(f.path(), o, &counts);
  ASSERT_EQ(requests.size(), 3u);  // 10, no timestamp (kept), 20.5
  EXPECT_EQ(counts.outside_window, 2u);
  EXPECT_FALSE(requests[1].timestamp);
}

TEST(TraceReader, LineOverTheLimitIsABadLine) {
  TempFile f("{\"input_length\": 1, \"x\": \"" + std::string(2000, 'a') +
             "\"}\n{\"input_length\": 2}\n");
  ReaderCounts counts;
  const auto requests = read_all(f.path(), options(true, HashIdCheck::kCount, 512, 1000), &counts);
  EXPECT_EQ(requests.size(), 1u);
  EXPECT_EQ(counts.skipped_invalid, 1u);
  EXPECT_NE(counts.first_skipped.find(":1: line longer than the limit of 1000 bytes"),
            std::string::npos);
  EXPECT_THROW(read_all(f.path(), options(false, HashIdCheck::kCount, 512, 1000)), InputError);
}

TEST(TraceReader, EmptyFileYieldsNothing) {
  TempFile f("");
  ReaderCounts counts;
  EXPECT_TRUE(read_all(f.path(), {}, &counts).empty());
  EXPECT_EQ(counts.lines, 0u);
}

TEST(TraceReader, ZeroBlockSizeIsAUsageError) {
  TempFile f("");
  EXPECT_THROW(TraceReader(f.path(), options(false, HashIdCheck::kCount, 0)), UsageError);
}

TEST(TraceReader, ReadsTheRealFast25TraceCleanly) {
  const std::string path = kvtrace::testing::fast25_path();
  if (path.empty()) GTEST_SKIP() << "../shared/data is absent: FAST25 trace not available";
  ReaderCounts counts;
  const auto requests = read_all(path, {}, &counts);
  EXPECT_EQ(requests.size(), 12031u);
  EXPECT_EQ(counts.hash_id_mismatches, 0u);
  EXPECT_EQ(requests.front().input_length, 6758);
  EXPECT_EQ(requests.front().hash_ids->size(), 14u);
}

// 16-token blocks: 40 tokens in 3 blocks, 16 in 1, 100 in 7.
const char* kSixteen =
    "{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}\n"
    "{\"input_length\": 16, \"hash_ids\": [1]}\n"
    "{\"input_length\": 100, \"hash_ids\": [1, 2, 3, 4, 5, 6, 7]}\n";

std::uint64_t read_through(TraceReader& reader) {
  Request r;
  std::uint64_t n = 0;
  while (reader.next(r)) ++n;
  return n;
}

TEST(TraceReader, AnotherBlockSizeFittingEveryRequestStopsTheReadAtTheEnd) {
  TempFile f(kSixteen);
  TraceReader reader(f.path(), options(false));
  EXPECT_EQ(kvtrace::testing::thrown_message<InputError>([&] { read_through(reader); }),
            f.path() +
                ": the hash_ids of 2 of 3 requests do not fit block size 512 (ceil(input_length "
                "/ 512) ids each); block sizes that fit every request: 16; give --block-size 16 "
                "or --block-size auto, or --hash-id-check ignore to read it anyway");
  EXPECT_EQ(reader.counts().hash_id_checked, 3u);
  EXPECT_EQ(reader.counts().hash_id_mismatches, 2u);

  TempFile fits(kSixteen);
  TraceReader right(fits.path(), options(false, HashIdCheck::kCount, 16));
  EXPECT_EQ(read_through(right), 3u);
  TraceReader ignored(fits.path(), options(false, HashIdCheck::kIgnore));
  EXPECT_EQ(read_through(ignored), 3u);
  EXPECT_EQ(ignored.counts().hash_id_checked, 0u);
}

TEST(TraceReader, NoRequestFittingTheBlockSizeStopsTheRead) {
  // 40 tokens in 3 blocks fits 14 .. 19; 100 in 7 fits 15 .. 16; both fit 15 and 16.
  TempFile f(
      "{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}\n"
      "{\"input_length\": 100, \"hash_ids\": [1, 2, 3, 4, 5, 6, 7]}\n");
  TraceReader reader(f.path(), options(false, HashIdCheck::kCount, 64));
  EXPECT_EQ(kvtrace::testing::thrown_message<InputError>([&] { read_through(reader); }),
            f.path() +
                ": the hash_ids of no request fit block size 64 (ceil(input_length / 64) ids "
                "each); block sizes that fit every request: 15 to 16; give --block-size 16 or "
                "--block-size auto, or --hash-id-check ignore to read it anyway");
}

TEST(TraceReader, AMixedTraceOnlyWarns) {
  // Two requests fit 512, one fits only 16: no size fits all, and 512 fits some.
  TempFile f(
      "{\"input_length\": 1000, \"hash_ids\": [1, 2]}\n"
      "{\"input_length\": 600, \"hash_ids\": [1, 2]}\n"
      "{\"input_length\": 100, \"hash_ids\": [1, 2, 3, 4, 5, 6, 7]}\n");
  TraceReader reader(f.path(), options(false));
  EXPECT_EQ(read_through(reader), 3u);
  EXPECT_EQ(reader.counts().hash_id_mismatches, 1u);
  EXPECT_EQ(reader.counts().block_sizes.describe(), "none fits every request; 512 fits 2 of 3");
}

TEST(TraceReader, NotesAddedAndTheSourcesComeAtTheEnd) {
  TempFile f("{\"input_length\": 3}\n");
  TraceReader reader(f.path(), options(false));
  reader.add_note("block size 512 (chosen)");
  EXPECT_EQ(read_through(reader), 1u);
  EXPECT_EQ(reader.counts().source_notes, (std::vector<std::string>{"block size 512 (chosen)"}));
}

// A truncated .gz is a bad line, reported like any other: file:line of the break.
TEST(TraceReader, ABrokenCompressedStreamIsABadLineAfterTheRequestsBeforeIt) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "{\"timestamp\": " + std::to_string(i) + ", \"input_length\": 10, \"hash_ids\": [" +
            std::to_string(i) + "]}\n";
  }
  const std::string packed = kvtrace::testing::gzip_compress(text);
  TempFile f(packed.substr(0, packed.size() / 2), ".jsonl.gz");
  {
    TraceReader reader(f.path());
    EXPECT_EQ(reader.compression(), Compression::kGzip);
    Request r;
    std::uint64_t n = 0;
    try {
      while (reader.next(r)) ++n;
      FAIL() << "no exception";
    } catch (const InputError& e) {
      EXPECT_GT(n, 0u);
      EXPECT_EQ(e.line(), n + 1);
      EXPECT_EQ(e.field(), "");
      EXPECT_EQ(std::string(e.what()), f.path() + ":" + std::to_string(n + 1) + ": " + e.problem());
      EXPECT_EQ(e.problem().rfind("the gzip stream ends early (truncated file?) after ", 0), 0u)
          << e.problem();
    }
  }
  TraceReader skipping(f.path(), options(true));
  Request r;
  std::uint64_t kept = 0;
  while (skipping.next(r)) ++kept;
  EXPECT_GT(kept, 0u);
  EXPECT_EQ(skipping.counts().skipped_invalid, 1u);
  EXPECT_EQ(skipping.counts().requests, kept);
  EXPECT_EQ(skipping.counts().lines, kept + 1);
  // Built with fmt: GCC 12 at -O3 warns (-Wrestrict, falsely) on ":" + std::string.
  EXPECT_NE(skipping.counts().first_skipped.find(fmt::format(":{}: the gzip", kept + 1)),
            std::string::npos)
      << skipping.counts().first_skipped;
  EXPECT_EQ(skipping.input_position(), skipping.total_bytes());
}

TEST(TraceReader, ReadsZstdAsThePlainFile) {
  TempFile plain(kMixed);
  TempFile packed(kvtrace::testing::zstd_compress(kMixed), ".zst");
  ReaderCounts plain_counts;
  ReaderCounts packed_counts;
  const auto a = read_all(plain.path(), options(true), &plain_counts);
  const auto b = read_all(packed.path(), options(true), &packed_counts);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].input_length, b[i].input_length);
  EXPECT_EQ(plain_counts.lines, packed_counts.lines);
  EXPECT_EQ(plain_counts.skipped_invalid, packed_counts.skipped_invalid);
}

TEST(TraceReader, TimestampsGoingBackwardsAreCountedWithTheFirstLine) {
  TempFile f(
      "{\"timestamp\": 10, \"input_length\": 1}\n"
      "{\"timestamp\": 20, \"input_length\": 1}\n"
      "{\"input_length\": 1}\n"
      "{\"timestamp\": 15.5, \"input_length\": 1}\n"
      "{\"timestamp\": 15.5, \"input_length\": 1}\n"
      "{\"timestamp\": 3, \"input_length\": 1}\n");
  ReaderCounts counts;
  EXPECT_EQ(read_all(f.path(), {}, &counts).size(), 6u);
  EXPECT_EQ(counts.timestamps_backwards, 2u);  // 15.5 after 20, 3 after 15.5; not equal ones
  EXPECT_EQ(counts.first_backwards, f.path() + ":4: timestamp: 15.5 after 20");
}

}  // namespace
}  // namespace kvtrace::trace
