#include "kvtrace/formats/open_trace.hpp"

#include <gtest/gtest.h>

#include "compress_util.hpp"
#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::formats {
namespace {

using kvtrace::testing::TempFile;
using kvtrace::testing::thrown_message;

std::string open_error(const std::string& content, Format format = Format::kAuto) {
  TempFile f(content);
  const std::string message = thrown_message<InputError>([&] { open_trace(f.path(), {}, format); });
  const std::string prefix = f.path() + ":";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

TEST(OpenTrace, SaysWhatAnInputThatIsNotATraceLooksLikeAndWhatReadsIt) {
  EXPECT_EQ(open_error("{\"body\": {\"model\": \"m\", \"prompt\": \"hi\"}}\n"),
            "1: this looks like a requests file (one OpenAI request body per line, as `kvtrace "
            "materialize` writes): `kvtrace replay` sends it; this command reads a trace");
  EXPECT_EQ(open_error("\n{\"tokens\": [1, 2, 3]}\n"),
            "1: this looks like a conversations file (prompts as tokens or text): `kvtrace "
            "hash` turns it into a trace");
  EXPECT_EQ(open_error("id,len\n1,2\n"),
            "1: this looks like a CSV file (header: id, len): kvtrace reads Mooncake JSONL, "
            "Dynamo request traces, Bailian traces, BurstGPT and Azure CSVs (docs/formats.md); "
            "--format-in names the format if it is one of them");
  EXPECT_EQ(open_error("{\"a\": 1, \"b\": [2]}\n"),
            "1: this looks like JSON lines with fields a, b, none of a Mooncake request's: "
            "kvtrace reads Mooncake JSONL, Dynamo request traces, Bailian traces, BurstGPT and "
            "Azure CSVs (docs/formats.md); --format-in names the format if it is one of them");
  EXPECT_EQ(open_error("[{\"input_length\": 3}]\n"),
            "1: this looks like a JSON array (not one JSON object per line): kvtrace reads "
            "Mooncake JSONL, Dynamo request traces, Bailian traces, BurstGPT and Azure CSVs "
            "(docs/formats.md); --format-in names the format if it is one of them");
}

TEST(OpenTrace, MooncakeIsReadAndANamedFormatIsNotDetected) {
  TempFile f("\xEF\xBB\xBF{\"input_length\": 3}\n");
  const auto reader = open_trace(f.path(), {});
  EXPECT_EQ(reader->source().format_name(), "Mooncake JSONL");
  trace::Request r;
  ASSERT_TRUE(reader->next(r));
  EXPECT_EQ(r.input_length, 3);
  // --format-in mooncake: a requests file is read as a trace, and its lines fail as such.
  TempFile requests("{\"body\": {}}\n");
  const auto forced = open_trace(requests.path(), {}, Format::kMooncake);
  EXPECT_EQ(thrown_message<InputError>([&] { forced->next(r); }),
            requests.path() +
                ":1: input_length: missing: a request needs one of input_length, text_input, "
                "messages or payload");
  // A JSON line that does not parse is left to the Mooncake reader, which names the problem.
  EXPECT_EQ(open_trace(TempFile("{\"input_length\": 3,,}\n").path(), {})->source().format_name(),
            "Mooncake JSONL");
}

TEST(OpenTrace, AutoBlockSizeFromTheFirstRequests) {
  TempFile f(
      "{\"input_length\": 40, \"hash_ids\": [1, 2, 3]}\n"
      "{\"input_length\": 100, \"hash_ids\": [1, 2, 3, 4, 5, 6, 7]}\n");
  trace::ReaderOptions o;
  o.block_size_auto = true;
  const auto reader = open_trace(f.path(), o);
  EXPECT_EQ(reader->options().block_size, 16u);
  trace::Request r;
  while (reader->next(r)) {
  }
  EXPECT_EQ(reader->counts().hash_id_mismatches, 0u);
  EXPECT_EQ(reader->counts().source_notes,
            (std::vector<std::string>{"block size 16 (--block-size auto: the sizes the first 2 "
                                      "requests with hash_ids fit: 15 to 16)"}));

  TempFile none("{\"text_input\": \"hello\"}\n");
  const auto fallback = open_trace(none.path(), o);
  EXPECT_EQ(fallback->options().block_size, 512u);
}

// Every format's reader reports where a compressed stream broke, as a bad line after the
// requests before it: none drops the break as a blank line.
TEST(OpenTrace, ABrokenCompressedStreamIsABadLineInEveryFormat) {
  const std::string samples[] = {
      kvtrace::testing::kSource + "/tests/data/formats/dynamo_sample.jsonl",
      kvtrace::testing::kSource + "/tests/data/formats/bailian_sample.jsonl",
      kvtrace::testing::kSource + "/tests/formats/data/burstgpt.csv",
      kvtrace::testing::kSource + "/tests/formats/data/azure_2023.csv", kvtrace::testing::kSample};
  for (const std::string& sample : samples) {
    const std::string packed = kvtrace::testing::gzip_compress(kvtrace::testing::read_file(sample));
    TempFile cut(packed.substr(0, packed.size() - 12), ".gz");  // the trailer and some data
    trace::ReaderOptions o;
    o.hash_id_check = trace::HashIdCheck::kIgnore;
    const auto reader = open_trace(cut.path(), o);
    trace::Request r;
    const std::string message = thrown_message<InputError>([&] {
      while (reader->next(r)) {
      }
    });
    EXPECT_NE(message.find("the gzip stream ends early"), std::string::npos)
        << sample << ": " << message;
  }
}

}  // namespace
}  // namespace kvtrace::formats
