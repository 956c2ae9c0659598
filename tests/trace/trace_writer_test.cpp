#include "kvtrace/trace/trace_writer.hpp"

#include <gtest/gtest.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/trace_reader.hpp"
#include "test_util.hpp"

#include <filesystem>

namespace kvtrace::trace {
namespace {

using kvtrace::testing::read_file;
using kvtrace::testing::TempFile;

std::string json_of(const Request& r, JsonStyle style = JsonStyle::kSpaced) {
  std::string out;
  append_request_json(out, r, style);
  return out;
}

TEST(TraceWriter, WritesTheMooncakeStyle) {
  Request r;
  r.timestamp = Number::of_int(0);
  r.input_length = 6758;
  r.output_length = 500;
  r.hash_ids = std::vector<std::uint64_t>{0, 1, 18446744073709551615ull};
  EXPECT_EQ(json_of(r), R"({"timestamp": 0, "input_length": 6758, "output_length": 500, )"
                        R"("hash_ids": [0, 1, 18446744073709551615]})");
  EXPECT_EQ(json_of(r, JsonStyle::kCompact),
            R"({"timestamp":0,"input_length":6758,"output_length":500,)"
            R"("hash_ids":[0,1,18446744073709551615]})");
}

TEST(TraceWriter, KeepsNumberKindsAndEscapesStrings) {
  Request r;
  r.timestamp = Number::of_real(1000.0);
  r.delay = Number::of_real(0.25);
  r.session_id = "a\"b";
  r.text_input = "line\nnext \x01 é";
  EXPECT_EQ(json_of(r),
            "{\"timestamp\": 1000.0, \"session_id\": \"a\\\"b\", \"delay\": 0.25, "
            "\"text_input\": \"line\\nnext \\u0001 é\"}");
}

TEST(TraceWriter, RoundTripsEveryFieldAndUnknownFieldsVerbatim) {
  const std::string original =
      "{\"timestamp\": 1.5, \"input_length\": 10, \"output_length\": 0, \"hash_ids\": [4], "
      "\"session_id\": \"s\", \"delay\": 3, \"extra\": {\"a\": [1, 2.50]}, \"k\\u00e9\": null}\n"
      "{\"text_input\": \"x\\ty\", \"tags\": [\"q\"]}\n";
  TempFile in(original);
  TempFile out("");
  {
    TraceWriter writer(out.path());
    for (const Request& r : read_all(in.path())) writer.write(r);
    writer.close();
  }
  EXPECT_EQ(read_file(out.path()), original);
  // And the written file reads back to the same requests.
  EXPECT_EQ(read_all(out.path()), read_all(in.path()));
}

TEST(TraceWriter, WriteErrorsSurfaceFromCloseAndLaterWrites) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  Request r;
  r.input_length = 1;
  {
    TraceWriter small("/dev/full");
    small.write(r);
    EXPECT_THROW(small.close(), IoError);  // disk full
  }
  TraceWriter big("/dev/full");
  // Past the buffer size the background write fails; a later call reports it.
  EXPECT_THROW(
      {
        for (int i = 0; i < 2000000; ++i) big.write(r);
        big.close();
      },
      IoError);
}

TEST(TraceWriter, ManyBuffersArriveInOrder) {
  TempFile out("");
  std::string expected;
  {
    TraceWriter writer(out.path());
    Request r;
    for (std::int64_t i = 0; i < 400000; ++i) {
      r.input_length = i;
      writer.write(r);
      expected += "{\"input_length\": " + std::to_string(i) + "}\n";
    }
    writer.close();
  }
  EXPECT_EQ(read_file(out.path()), expected);
}

// Parent folders are created (core::OutputFile), so the path must be one that cannot be.
TEST(TraceWriter, UnwritablePathIsAnIoError) {
  EXPECT_THROW(TraceWriter("/proc/kvtrace-no-such-dir/x.jsonl"), IoError);
}

}  // namespace
}  // namespace kvtrace::trace
