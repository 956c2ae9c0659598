#include "formats/csv_time.hpp"

#include <chrono>
#include <limits>
#include <tuple>
#include <utility>

#include "formats/csv_row.hpp"

namespace kvtrace::formats {

namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kNanosPerMilli = 1'000'000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  out.append(text);
  out.push_back('"');
  return out;
}

// Reads the digits of a fraction (after the '.') as nanoseconds, rounding past the 9th digit.
// `at` moves past them. Returns the nanoseconds and how many digits there were.
std::pair<std::int64_t, std::size_t> fraction_nanos(std::string_view text, std::size_t& at) {
  std::int64_t nanos = 0;
  std::size_t digits = 0;
  bool round_up = false;
  for (; at < text.size() && is_digit(text[at]); ++at, ++digits) {
    if (digits < 9) {
      nanos = nanos * 10 + (text[at] - '0');
    } else if (digits == 9) {
      round_up = text[at] >= '5';
    }
  }
  for (std::size_t d = digits; d < 9; ++d) nanos *= 10;
  return {nanos + (round_up ? 1 : 0), digits};
}

// Exactly `n` digits at `at` as a number; false when they are not all digits.
bool fixed_digits(std::string_view text, std::size_t& at, std::size_t n, int& out) {
  if (at + n > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(text[at + i])) return false;
    out = out * 10 + (text[at + i] - '0');
  }
  at += n;
  return true;
}

bool expect(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

// The zone at `at` ("Z", "+HH:MM", "+HHMM", "+HH" or their '-'), as seconds east of UTC.
bool zone_seconds(std::string_view text, std::size_t& at, std::int64_t& out) {
  out = 0;
  if (at == text.size()) return true;
  if (text[at] == 'Z') return ++at == text.size();
  if (text[at] != '+' && text[at] != '-') return false;
  const int sign = text[at] == '-' ? -1 : 1;
  ++at;
  int hours = 0;
  int minutes = 0;
  if (!fixed_digits(text, at, 2, hours)) return false;
  if (at < text.size()) {
    if (text[at] == ':') ++at;
    if (!fixed_digits(text, at, 2, minutes)) return false;
  }
  if (at != text.size() || hours > 23 || minutes > 59) return false;
  out = sign * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

NanosOrProblem parse_seconds(std::string_view cell) {
  const std::string_view text = trim_blanks(cell);
  // Built only for a bad cell: the rows that parse allocate nothing.
  const auto expected = [&] {
    return "expected seconds (a non-negative decimal number), got " + quoted(cell);
  };
  if (text.starts_with('-')) return "negative seconds: " + quoted(cell);
  std::size_t at = 0;
  std::int64_t seconds = 0;
  constexpr std::int64_t kMaxSeconds =
      std::numeric_limits<std::int64_t>::max() / kNanosPerSecond - 1;
  for (; at < text.size() && is_digit(text[at]); ++at) {
    seconds = seconds * 10 + (text[at] - '0');
    if (seconds > kMaxSeconds) return "seconds too large: " + quoted(cell);
  }
  const std::size_t integer_digits = at;
  std::int64_t nanos = 0;
  std::size_t fraction_digits = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::tie(nanos, fraction_digits) = fraction_nanos(text, at);
  }
  if (at != text.size() || integer_digits + fraction_digits == 0) return expected();
  return seconds * kNanosPerSecond + nanos;
}

NanosOrProblem parse_datetime(std::string_view cell) {
  const std::string_view text = trim_blanks(cell);
  const auto expected = [&] {
    return "expected a datetime YYYY-MM-DD HH:MM:SS[.fraction][zone], got " + quoted(cell);
  };
  std::size_t at = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!fixed_digits(text, at, 4, year) || !expect(text, at, '-') ||
      !fixed_digits(text, at, 2, month) || !expect(text, at, '-') ||
      !fixed_digits(text, at, 2, day)) {
    return expected();
  }
  if (at >= text.size() || (text[at] != ' ' && text[at] != 'T')) return expected();
  ++at;
  if (!fixed_digits(text, at, 2, hour) || !expect(text, at, ':') ||
      !fixed_digits(text, at, 2, minute) || !expect(text, at, ':') ||
      !fixed_digits(text, at, 2, second)) {
    return expected();
  }
  std::int64_t nanos = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::size_t digits = 0;
    std::tie(nanos, digits) = fraction_nanos(text, at);
    if (digits == 0) return expected();
  }
  std::int64_t zone = 0;
  if (!zone_seconds(text, at, zone)) return expected();
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return "no such date or time: " + quoted(cell);
  }
  if (year < 1678 || year > 2261) return "year out of range (1678 to 2261): " + quoted(cell);
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - zone;
  return seconds * kNanosPerSecond + nanos;
}

trace::Number millis_since(std::int64_t ns, std::int64_t origin_ns) {
  const std::int64_t diff = ns - origin_ns;
  const std::int64_t whole = diff / kNanosPerMilli;
  const std::int64_t rest = diff % kNanosPerMilli;
  if (rest == 0) return trace::Number::of_int(whole);
  constexpr std::int64_t kExactInDouble = std::int64_t{1} << 53;
  if (diff > -kExactInDouble && diff < kExactInDouble) {
    return trace::Number::of_real(static_cast<double>(diff) / static_cast<double>(kNanosPerMilli));
  }
  return trace::Number::of_real(static_cast<double>(whole) +
                                static_cast<double>(rest) / static_cast<double>(kNanosPerMilli));
}

}  // namespace kvtrace::formats
