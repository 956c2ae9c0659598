#include "kvtrace/trace/for_each_request.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "test_util.hpp"

namespace kvtrace::trace {
namespace {

using kvtrace::testing::TempFile;

// The message of the InputError `f` throws, or "" when it throws none.
template <typename F>
std::string input_error(F f) {
  return kvtrace::testing::thrown_message<InputError>(f);
}

TEST(ForEachRequest, HandsOverEveryRequestAndCountsThem) {
  std::string text;
  for (int i = 1; i <= 1000; ++i) {
    text += "{\"input_length\": " + std::to_string(i) + ", \"output_length\": 1}\n";
    if (i % 100 == 0) text += "\n";  // blank lines are not requests
  }
  const TempFile f(text);
  TraceReader reader(f.path());
  std::vector<std::int64_t> lengths;
  std::vector<std::uint64_t> lines;
  ::testing::internal::CaptureStderr();
  const std::uint64_t n = for_each_request(reader, "analyze", [&](const RequestBatch& b) {
    for (const Request& r : b.requests) lengths.push_back(*r.input_length);
    lines.insert(lines.end(), b.lines.begin(), b.lines.end());
  });
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // nothing to note
  EXPECT_EQ(n, 1000u);
  ASSERT_EQ(lengths.size(), 1000u);
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    EXPECT_EQ(lengths[i], static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(lines[i], i + 1 + i / 100);
  }
}

TEST(ReadRequests, KeepsEveryRequestAndItsLine) {
  std::string text;
  for (int i = 1; i <= 5000; ++i) {  // past the 4096 requests read before sizing the arrays
    text += "{\"input_length\": " + std::to_string(i) + ", \"output_length\": 1}\n";
    if (i == 2) text += "\n";
  }
  const TempFile f(text);
  TraceReader reader(f.path());
  std::vector<std::uint64_t> lines;
  const std::vector<Request> requests = read_requests(reader, "compare", &lines);
  ASSERT_EQ(requests.size(), 5000u);
  ASSERT_EQ(lines.size(), 5000u);
  EXPECT_EQ(*requests[4999].input_length, 5000);
  EXPECT_EQ(lines[1], 2u);
  EXPECT_EQ(lines[2], 4u);  // after the blank line
  TraceReader again(f.path());
  EXPECT_EQ(read_requests(again, "compare").size(), 5000u);
  const TempFile empty("");
  TraceReader none(empty.path());
  EXPECT_EQ(input_error([&] { read_requests(none, "compare"); }),
            empty.path() + ": the file is empty: no requests to compare");
}

TEST(ForEachRequest, NoRequestNamesTheVerb) {
  const TempFile empty("");
  const TempFile blank("\n \n");
  auto pass = [](const TempFile& f, const char* verb) {
    TraceReader reader(f.path());
    for_each_request(reader, verb, [](const RequestBatch&) {});
  };
  EXPECT_EQ(input_error([&] { pass(empty, "analyze"); }),
            empty.path() + ": the file is empty: no requests to analyze");
  EXPECT_EQ(input_error([&] { pass(blank, "compare"); }),
            blank.path() + ": no requests to compare");
  // Only the reader's counts matter.
  TraceReader unread(empty.path());
  EXPECT_EQ(no_requests(unread, "synthesize").problem(),
            "the file is empty: no requests to synthesize");
  TraceReader drained(blank.path());
  Request r;
  while (drained.next(r)) {
  }
  EXPECT_EQ(no_requests(drained, "materialize").problem(), "no requests to materialize");
  EXPECT_EQ(no_requests(drained, "materialize").source(), blank.path());
}

TEST(ForEachRequest, NotesComeBeforeTheNoRequestError) {
  const TempFile bad("{\"input_length\": -1}\n{\"input_length\": -2}\n");
  TraceReader reader(bad.path(), {.skip_invalid = true});
  ::testing::internal::CaptureStderr();
  const std::string error =
      input_error([&] { for_each_request(reader, "simulate", [](const RequestBatch&) {}); });
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "kvtrace: warning: skipped 2 invalid lines (first: " + bad.path() +
                ":1: input_length: must be >= 0, got number -1)\n");
  EXPECT_EQ(error, bad.path() + ": no requests to simulate");
}

TEST(ForEachRequest, ErrorsPropagateWithoutNotes) {
  // The first request is outside the window, a note that is not written.
  const TempFile f("{\"timestamp\": 1, \"input_length\": 1}\n{\"input_length\": -1}\n");
  TraceReader reader(f.path(), {.window = {.start_ms = 5}});
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(input_error([&] { for_each_request(reader, "analyze", [](const RequestBatch&) {}); }),
            f.path() + ":2: input_length: must be >= 0, got number -1");
  TraceReader again(f.path());
  EXPECT_THROW(for_each_request(again, "analyze",
                                [](const RequestBatch&) { throw std::runtime_error("stop"); }),
               std::runtime_error);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(ReaderNotes, OneLinePerCount) {
  EXPECT_EQ(reader_notes({}), "");
  ReaderCounts c;
  c.skipped_invalid = 1;
  c.first_skipped = "t.jsonl:3: input_length: missing";
  c.outside_window = 2;
  c.hash_id_mismatches = 1;
  c.first_mismatch = "t.jsonl:4: hash_ids: expected 2 ids, got 1";
  c.block_sizes.add(100, 7);
  c.timestamps_backwards = 2;
  c.first_backwards = "t.jsonl:9: timestamp: 3 after 5";
  c.source_notes = {"read 3 tool events"};
  EXPECT_EQ(reader_notes(c),
            "kvtrace: warning: skipped 1 invalid line (first: t.jsonl:3: input_length: "
            "missing)\n"
            "kvtrace: note: left out 2 requests outside the time window\n"
            "kvtrace: warning: 1 request with a hash_ids count other than ceil(input_length / "
            "block size), used as given (first: t.jsonl:4: hash_ids: expected 2 ids, got 1; "
            "block sizes that fit: 15 to 16)\n"
            "kvtrace: note: 2 requests stamped before the request above them (first: "
            "t.jsonl:9: timestamp: 3 after 5)\n"
            "kvtrace: note: read 3 tool events\n");
  const ReaderCounts d{.outside_window = 1, .hash_id_mismatches = 3, .first_mismatch = "m"};
  EXPECT_EQ(reader_notes(d),
            "kvtrace: note: left out 1 request outside the time window\n"
            "kvtrace: warning: 3 requests with a hash_ids count other than ceil(input_length / "
            "block size), used as given (first: m; block sizes that fit: none fits any "
            "request)\n");
}

}  // namespace
}  // namespace kvtrace::trace
