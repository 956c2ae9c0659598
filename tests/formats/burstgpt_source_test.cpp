#include "kvtrace/formats/burstgpt_source.hpp"

#include <gtest/gtest.h>

#include "formats/csv_test_util.hpp"
#include "kvtrace/core/error.hpp"
#include "kvtrace/formats/open_trace.hpp"
#include "test_util.hpp"

namespace kvtrace::formats {
namespace {

using kvtrace::testing::csv_request;
using kvtrace::testing::csv_sample;
using kvtrace::testing::read_to_end;
using trace::ExtraField;
using trace::FieldProblem;
using trace::Number;

std::vector<ExtraField> tags(const std::string& model_json, const std::string& log_type_json) {
  return {{"model", model_json}, {"log_type", log_type_json}};
}

std::unique_ptr<trace::RequestSource> open(const std::string& path, std::uint32_t block_size) {
  return burstgpt_source(std::make_unique<trace::LineReader>(path), block_size);
}

TEST(BurstGptSource, SampleRowsBecomeRequestsWithABlockIdEachAndTheirTags) {
  const std::string path = csv_sample("burstgpt.csv");
  auto source = open(path, 512);
  const auto read = read_to_end(*source);
  // Seconds since the first row (Timestamp 5); ceil(input / 512) fresh ids each.
  const std::vector<trace::Request> expected{
      csv_request(Number::of_int(0), 472, 18, {0}, tags(R"("ChatGPT")", R"("Conversation log")")),
      csv_request(Number::of_int(113000), 417, 47, {1},
                  tags(R"("GPT-4")", R"("Conversation log")")),
      csv_request(Number::of_int(135500), 1030, 311, {2, 3, 4},
                  tags(R"("ChatGPT")", R"("API log")")),
      csv_request(Number::of_int(146000), 2048, 35, {5, 6, 7, 8},
                  tags(R"("GPT-4")", R"("API log, batch \"b\"")")),
      csv_request(Number::of_int(225000), 100, 5, {9}, tags(R"("GPT-4")", R"("Conversation log")")),
  };
  EXPECT_EQ(read.requests, expected);
  EXPECT_EQ(read.request_lines, (std::vector<std::uint64_t>{2, 4, 5, 7, 9}));
  EXPECT_TRUE(read.bad.empty());
  EXPECT_EQ(source->lines(), 9u);
  EXPECT_EQ(source->blank_lines(), 1u);
  EXPECT_EQ(source->format_name(), "BurstGPT CSV");
  EXPECT_EQ(source->block_size(), std::nullopt);
  EXPECT_EQ(source->notes(),
            (std::vector<std::string>{
                "1 row with 0 Response tokens (failed requests) not read as requests, the first "
                "at " +
                    path + ":3",
                "1 row with 0 Request tokens (no prompt) not read as requests, the first at " +
                    path + ":8"}));
}

TEST(BurstGptSource, TheBlockSizeSetsHowManyIdsARequestGets) {
  auto source = open(csv_sample("burstgpt.csv"), 1000);
  const auto read = read_to_end(*source);
  std::vector<std::vector<std::uint64_t>> ids;
  for (const auto& r : read.requests) ids.push_back(*r.hash_ids);
  EXPECT_EQ(ids, (std::vector<std::vector<std::uint64_t>>{{0}, {1}, {2, 3}, {4, 5, 6}, {7}}));
}

TEST(BurstGptSource, BadRowsNameTheirLineAndColumnAndCrlfIsRead) {
  // Extra fields come in the order of the columns: this file has Log Type first.
  const std::vector<trace::ExtraField> kTagsInFileOrder{{"log_type", R"("Conversation log")"},
                                                        {"model", R"("ChatGPT")"}};
  const std::string path = csv_sample("burstgpt_crlf_bad.csv");
  auto source = open(path, 512);
  const auto read = read_to_end(*source);
  EXPECT_EQ(read.requests, (std::vector<trace::Request>{
                               csv_request(Number::of_int(0), 600, 10, {0, 1}, kTagsInFileOrder),
                               csv_request(Number::of_int(3250), 512, 7, {2}, kTagsInFileOrder)}));
  EXPECT_EQ(read.request_lines, (std::vector<std::uint64_t>{2, 8}));
  using Bad = std::pair<std::uint64_t, FieldProblem>;
  EXPECT_EQ(read.bad,
            (std::vector<Bad>{
                {3, {"Response tokens", "expected a non-negative integer, got \"x\""}},
                {4, {"Timestamp", "negative seconds: \"-3\""}},
                {5, {"", "expected 6 cells as in the header, got 3"}},
                {6, {"Request tokens", "expected a non-negative integer, got \"-7\""}},
                {7,
                 {"Log Type",
                  "a quoted cell not closed on its line (line breaks in cells are not read)"}},
            }));
  EXPECT_TRUE(source->notes().empty());
}

TEST(BurstGptSource, TraceReaderStopsAtTheFirstBadRowOrSkipsAndCountsThem) {
  const std::string path = csv_sample("burstgpt_crlf_bad.csv");
  trace::ReaderOptions options;
  auto strict = open_trace(path, options, Format::kBurstGpt);
  trace::Request r;
  ASSERT_TRUE(strict->next(r));
  EXPECT_EQ(kvtrace::testing::thrown_message<InputError>([&] { strict->next(r); }),
            path + ":3: Response tokens: expected a non-negative integer, got \"x\"");

  options.skip_invalid = true;
  auto lenient = open_trace(path, options);  // detected from the header
  std::uint64_t n = 0;
  while (lenient->next(r)) ++n;
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(lenient->counts().skipped_invalid, 5u);
  EXPECT_EQ(lenient->counts().lines, 8u);
  EXPECT_EQ(lenient->counts().first_skipped,
            path + ":3: Response tokens: expected a non-negative integer, got \"x\"");
}

}  // namespace
}  // namespace kvtrace::formats
