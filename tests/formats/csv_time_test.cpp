#include "formats/csv_time.hpp"

#include <gtest/gtest.h>

namespace kvtrace::formats {
namespace {

std::int64_t nanos(const NanosOrProblem& v) {
  if (const auto* problem = std::get_if<std::string>(&v)) {
    ADD_FAILURE() << *problem;
    return -1;
  }
  return std::get<std::int64_t>(v);
}

std::string problem(const NanosOrProblem& v) {
  const auto* p = std::get_if<std::string>(&v);
  return p != nullptr ? *p : "";
}

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(ParseSeconds, IntegersAndDecimalsAreExactNanoseconds) {
  EXPECT_EQ(nanos(parse_seconds("5")), 5 * kSecond);
  EXPECT_EQ(nanos(parse_seconds("0")), 0);
  EXPECT_EQ(nanos(parse_seconds("140.5")), 140 * kSecond + 500'000'000);
  EXPECT_EQ(nanos(parse_seconds(".25")), 250'000'000);
  EXPECT_EQ(nanos(parse_seconds("7.")), 7 * kSecond);
  EXPECT_EQ(nanos(parse_seconds(" 3.000000001 ")), 3 * kSecond + 1);
  EXPECT_EQ(nanos(parse_seconds("10454400")), 10454400 * kSecond);
}

TEST(ParseSeconds, DigitsPastTheNinthDecimalRoundToTheNearestNanosecond) {
  EXPECT_EQ(nanos(parse_seconds("1.0000000014")), kSecond + 1);
  EXPECT_EQ(nanos(parse_seconds("1.0000000015")), kSecond + 2);
  EXPECT_EQ(nanos(parse_seconds("0.9999999999")), kSecond);
}

TEST(ParseSeconds, OtherTextIsAProblem) {
  EXPECT_EQ(problem(parse_seconds("-3")), "negative seconds: \"-3\"");
  EXPECT_EQ(problem(parse_seconds("")),
            "expected seconds (a non-negative decimal number), got \"\"");
  EXPECT_EQ(problem(parse_seconds("1e3")),
            "expected seconds (a non-negative decimal number), got \"1e3\"");
  EXPECT_EQ(problem(parse_seconds(".")),
            "expected seconds (a non-negative decimal number), got \".\"");
  EXPECT_EQ(problem(parse_seconds("1.2.3")),
            "expected seconds (a non-negative decimal number), got \"1.2.3\"");
  EXPECT_EQ(problem(parse_seconds("nan")),
            "expected seconds (a non-negative decimal number), got \"nan\"");
  EXPECT_EQ(problem(parse_seconds("99999999999")), "seconds too large: \"99999999999\"");
}

TEST(ParseDatetime, TheUnixEpochAndTheAzureForms) {
  EXPECT_EQ(nanos(parse_datetime("1970-01-01 00:00:00")), 0);
  // 2023-11-16 is day 19677 after the epoch.
  EXPECT_EQ(nanos(parse_datetime("2023-11-16 18:15:46.6805900")),
            (19677LL * 86400 + 18 * 3600 + 15 * 60 + 46) * kSecond + 680'590'000);
  EXPECT_EQ(nanos(parse_datetime("2023-11-16T18:15:46.68059")),
            nanos(parse_datetime("2023-11-16 18:15:46.6805900")));
  // 2024: an offset, subtracted.
  EXPECT_EQ(nanos(parse_datetime("2024-05-10 00:00:00.009930+00:00")),
            19853LL * 86400 * kSecond + 9'930'000);
  EXPECT_EQ(nanos(parse_datetime("2024-05-10 02:00:00+02:00")),
            nanos(parse_datetime("2024-05-10 00:00:00Z")));
  EXPECT_EQ(nanos(parse_datetime("2024-05-09 22:30:00-0130")),
            nanos(parse_datetime("2024-05-10 00:00:00")));
  EXPECT_EQ(nanos(parse_datetime("2024-05-10 01:00:00+01")),
            nanos(parse_datetime("2024-05-10 00:00:00")));
  EXPECT_EQ(nanos(parse_datetime("1969-12-31 23:59:59.5")), -kSecond / 2);
}

TEST(ParseDatetime, LeapDaysFollowTheCalendar) {
  EXPECT_EQ(
      nanos(parse_datetime("2024-03-01 00:00:00")) - nanos(parse_datetime("2024-02-29 00:00:00")),
      86400 * kSecond);
  EXPECT_EQ(problem(parse_datetime("2023-02-29 00:00:00")),
            "no such date or time: \"2023-02-29 00:00:00\"");
  EXPECT_EQ(problem(parse_datetime("2100-02-29 00:00:00")),
            "no such date or time: \"2100-02-29 00:00:00\"");
  EXPECT_EQ(problem(parse_datetime("2023-11-16 24:00:00")),
            "no such date or time: \"2023-11-16 24:00:00\"");
}

TEST(ParseDatetime, OtherTextIsAProblem) {
  const std::string expected = "expected a datetime YYYY-MM-DD HH:MM:SS[.fraction][zone], got ";
  for (const std::string text :
       {"", "2023-11-16", "2023-11-16 18:15", "2023/11/16 18:15:46", "2023-11-16 18:15:46.",
        "2023-11-16 18:15:46 UTC", "2023-11-16 18:15:46+5:00", "23-11-16 18:15:46",
        "2023-11-16 18:15:46.5x"}) {
    EXPECT_EQ(problem(parse_datetime(text)), expected + "\"" + text + "\"") << text;
  }
  EXPECT_EQ(problem(parse_datetime("2300-01-01 00:00:00")),
            "year out of range (1678 to 2261): \"2300-01-01 00:00:00\"");
}

TEST(MillisSince, WholeMillisecondsAreIntegers) {
  EXPECT_EQ(millis_since(5 * kSecond, 5 * kSecond), trace::Number::of_int(0));
  EXPECT_EQ(millis_since(140'500'000'000, 5 * kSecond), trace::Number::of_int(135500));
  EXPECT_EQ(millis_since(0, 2'000'000), trace::Number::of_int(-2));
}

TEST(MillisSince, FractionsAreTheNearestDouble) {
  EXPECT_EQ(millis_since(4'314'579'000, 0), trace::Number::of_real(4314.579));
  EXPECT_EQ(millis_since(0, 1'500'000), trace::Number::of_real(-1.5));
  // Beyond 2^53 ns the whole milliseconds stay exact: 2^55 + 500000 ns is
  // 36028797019 ms and 463968 ns.
  const std::int64_t big = (std::int64_t{1} << 55) + 500'000;
  EXPECT_EQ(millis_since(big, 0), trace::Number::of_real(36028797019.0 + 0.463968));
}

}  // namespace
}  // namespace kvtrace::formats
