#include "kvtrace/formats/convert.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::formats {
namespace {

using kvtrace::testing::read_file;
using kvtrace::testing::TempDir;

TEST(Convert, ReblocksSixteenTokenBlocksToThirtyTwo) {
  TempDir dir;
  const std::string in =
      dir.write("in.jsonl",
                "{\"timestamp\": 0, \"input_length\": 40, \"hash_ids\": [7, 8, 9], \"x\": true}\n"
                "{\"timestamp\": 5, \"input_length\": 64, \"hash_ids\": [7, 8, 9, 10]}\n");
  trace::ReaderOptions o;
  o.block_size = 16;
  trace::TraceReader reader(in, o);
  trace::TraceWriter writer(dir.path() + "/out.jsonl");
  const ConvertStats st = convert(reader, writer, ConvertOptions{32});
  EXPECT_EQ(st.requests, 2u);
  EXPECT_EQ(st.block_size_in, 16u);
  EXPECT_EQ(st.block_size_out, 32u);
  EXPECT_EQ(st.ids_out, 3u);  // [7 8], [9] (partial), [9 10]
  EXPECT_EQ(read_file(dir.path() + "/out.jsonl"),
            "{\"timestamp\": 0, \"input_length\": 40, \"hash_ids\": [0, 1], \"x\": true}\n"
            "{\"timestamp\": 5, \"input_length\": 64, \"hash_ids\": [0, 2]}\n");
}

TEST(Convert, WithoutReblockingTheRequestsAreWrittenAsRead) {
  TempDir dir;
  const std::string in =
      dir.write("in.jsonl", "{\"input_length\": 600, \"hash_ids\": [18446744073709551615, 3]}\n");
  trace::TraceReader reader(in, {});
  trace::TraceWriter writer(dir.path() + "/out.jsonl");
  const ConvertStats st = convert(reader, writer, {});
  EXPECT_EQ(st.block_size_out, 512u);
  EXPECT_EQ(st.ids_out, 2u);
  EXPECT_EQ(read_file(dir.path() + "/out.jsonl"),
            "{\"input_length\": 600, \"hash_ids\": [18446744073709551615, 3]}\n");
}

TEST(Convert, TheOutputBlockSizeMustBeAMultiple) {
  TempDir dir;
  const std::string in = dir.write("in.jsonl", "{\"input_length\": 40, \"hash_ids\": [1]}\n");
  trace::TraceReader reader(in, {});
  trace::TraceWriter writer(dir.path() + "/out.jsonl");
  EXPECT_EQ(kvtrace::testing::thrown_message<UsageError>(
                [&] { convert(reader, writer, ConvertOptions{100}); }),
            "--block-size-out 100 is not a multiple of the trace's block size 512: a new block "
            "would cut one of the trace's, whose tokens' sharing is unknown");
}

}  // namespace
}  // namespace kvtrace::formats
