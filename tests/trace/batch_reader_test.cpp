#include "kvtrace/trace/batch_reader.hpp"

#include <gtest/gtest.h>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::TempFile;

std::string numbered_trace(int n, int bad_line = 0) {
  std::string s;
  for (int i = 1; i <= n; ++i) {
    s += i == bad_line ? "{\"input_length\": -1}\n"
                       : "{\"input_length\": " + std::to_string(i) + ", \"output_length\": 1}\n";
  }
  return s;
}

TEST(ReadBatched, DeliversEveryRequestInFileOrder) {
  const std::string text = numbered_trace(10007);
  TempFile f(text);
  TraceReader reader(f.path());
  std::vector<std::int64_t> seen;
  std::uint64_t last_position = 0;
  read_batched(
      reader,
      [&](const RequestBatch& batch) {
        EXPECT_FALSE(batch.requests.empty());
        EXPECT_LE(batch.requests.size(), 64u);
        EXPECT_EQ(batch.lines.size(), batch.requests.size());
        EXPECT_GE(batch.position, last_position);
        last_position = batch.position;
        for (std::size_t i = 0; i < batch.requests.size(); ++i) {
          seen.push_back(*batch.requests[i].input_length);
          EXPECT_EQ(batch.lines[i], static_cast<std::uint64_t>(seen.size()));  // one per line
        }
      },
      64);
  ASSERT_EQ(seen.size(), 10007u);
  EXPECT_EQ(last_position, text.size());  // the last batch ends at the end of the file
  for (std::size_t i = 0; i < seen.size(); ++i)
    ASSERT_EQ(seen[i], static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(reader.counts().requests, 10007u);
}

TEST(ReadBatched, ExactMultipleOfTheBatchSizeAndEmptyInput) {
  TempFile f(numbered_trace(128));
  TraceReader reader(f.path());
  std::size_t n = 0;
  read_batched(
      reader, [&](const RequestBatch& b) { n += b.requests.size(); }, 64);
  EXPECT_EQ(n, 128u);
  TempFile empty("");
  TraceReader none(empty.path());
  read_batched(
      none, [&](const RequestBatch&) { FAIL(); }, 64);
}

TEST(ReadBatched, ReaderErrorComesAfterTheRequestsBeforeIt) {
  TempFile f(numbered_trace(1000, 700));
  TraceReader reader(f.path());
  std::size_t n = 0;
  try {
    read_batched(
        reader, [&](const RequestBatch& b) { n += b.requests.size(); }, 64);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 700u);
  }
  EXPECT_EQ(n, 699u);
}

TEST(ReadBatched, ConsumerErrorStopsTheReader) {
  TempFile f(numbered_trace(100000));
  TraceReader reader(f.path());
  int calls = 0;
  EXPECT_THROW(read_batched(
                   reader,
                   [&](const RequestBatch&) {
                     if (++calls == 3) throw std::runtime_error("stop");
                   },
                   64),
               std::runtime_error);
  EXPECT_EQ(calls, 3);
  EXPECT_LT(reader.counts().requests, 100000u);  // it did not read on to the end
}

// Progress and extrapolation compare batch.position with total_bytes(): for compressed input
// both count compressed bytes, so the last batch ends at the file's size.
TEST(ReadBatched, PositionsOfCompressedInputRunToTheFileSize) {
  const std::string packed = kvtrace::testing::gzip_compress(numbered_trace(100000));
  TempFile f(packed, ".gz");
  TraceReader reader(f.path());
  std::uint64_t last_position = 0;
  std::size_t n = 0;
  read_batched(reader, [&](const RequestBatch& batch) {
    EXPECT_GE(batch.position, last_position);
    EXPECT_LE(batch.position, packed.size());
    last_position = batch.position;
    n += batch.requests.size();
  });
  EXPECT_EQ(n, 100000u);
  EXPECT_EQ(last_position, packed.size());
  EXPECT_GT(reader.position(), packed.size());  // text bytes, not the file's
}

}  // namespace
}  // namespace kvtrace::trace
