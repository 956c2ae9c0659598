#include "kvtrace/formats/azure_source.hpp"

#include <gtest/gtest.h>

#include "formats/csv_test_util.hpp"

namespace kvtrace::formats {
namespace {

using kvtrace::testing::csv_request;
using kvtrace::testing::csv_sample;
using kvtrace::testing::read_to_end;
using trace::FieldProblem;
using trace::Number;

std::unique_ptr<trace::RequestSource> open(const std::string& path) {
  return azure_source(std::make_unique<trace::LineReader>(path), 512);
}

TEST(AzureSource, The2023FormReadsToExactMillisecondsSinceTheFirstRow) {
  const std::string path = csv_sample("azure_2023.csv");
  auto source = open(path);
  const auto read = read_to_end(*source);
  // 18:15:46.6805900 is the origin; 50.9951690 - 46.6805900 = 4.3145790 s, and so on.
  EXPECT_EQ(read.requests,
            (std::vector<trace::Request>{
                csv_request(Number::of_int(0), 374, 44, {0}),
                csv_request(Number::of_real(4314.579), 396, 109, {1}),
                csv_request(Number::of_real(4541.877), 879, 55, {2, 3}),
                csv_request(Number::of_int(5400), 4808, 10, {4, 5, 6, 7, 8, 9, 10, 11, 12, 13}),
            }));
  EXPECT_EQ(read.request_lines, (std::vector<std::uint64_t>{2, 3, 4, 6}));
  EXPECT_TRUE(read.bad.empty());
  EXPECT_EQ(source->format_name(), "Azure LLM inference CSV");
  EXPECT_EQ(source->notes(),
            (std::vector<std::string>{"1 row with 0 GeneratedTokens (failed requests) not read "
                                      "as requests, the first at " +
                                      path + ":5"}));
}

TEST(AzureSource, The2024FormWithOffsetsFailedRowsAndBadRows) {
  const std::string path = csv_sample("azure_2024_bad.csv");
  auto source = open(path);
  const auto read = read_to_end(*source);
  // Origin 00:00:00.009930 UTC; 02:00:02+02:00 is 00:00:02 UTC.
  EXPECT_EQ(read.requests, (std::vector<trace::Request>{
                               csv_request(Number::of_int(0), 2048, 128, {0, 1, 2, 3}),
                               csv_request(Number::of_real(1490.07), 513, 12, {4, 5}),
                               csv_request(Number::of_real(1990.07), 10, 1, {6}),
                           }));
  EXPECT_EQ(read.request_lines, (std::vector<std::uint64_t>{2, 4, 5}));
  using Bad = std::pair<std::uint64_t, FieldProblem>;
  EXPECT_EQ(read.bad, (std::vector<Bad>{
                          {7, {"TIMESTAMP", "no such date or time: \"2024-02-30 00:00:04+00:00\""}},
                          {8, {"GeneratedTokens", "expected a non-negative integer, got \"1.5\""}},
                      }));
  EXPECT_EQ(source->notes(),
            (std::vector<std::string>{
                "1 row with 0 GeneratedTokens (failed requests) not read as requests, the first "
                "at " +
                    path + ":3",
                "1 row with 0 ContextTokens (no prompt) not read as requests, the first at " +
                    path + ":6"}));
}

}  // namespace
}  // namespace kvtrace::formats
