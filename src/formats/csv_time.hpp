#pragma once
// The timestamps of the CSV trace formats, read exactly: decimal seconds (BurstGPT) and
// calendar datetimes (Azure) become integer nanoseconds, so that the milliseconds between two
// rows carry no floating-point drift.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "kvtrace/trace/request.hpp"

namespace kvtrace::formats {

// Nanoseconds, or the problem that stopped the reading ("expected ..., got ...").
using NanosOrProblem = std::variant<std::int64_t, std::string>;

// Non-negative decimal seconds: "12", "12.5", ".25", "12." (blanks around are allowed; no
// sign, exponent, inf or nan). Digits past the 9th decimal are rounded to the nearest ns.
NanosOrProblem parse_seconds(std::string_view text);

// A datetime "YYYY-MM-DD HH:MM:SS[.fraction][zone]" as nanoseconds since 1970-01-01 00:00:00.
// 'T' may stand for the space; the fraction has 1 to 9 digits (more are rounded as above);
// the zone is "Z", "+HH:MM", "-HH:MM", "+HHMM" or "+HH" and is subtracted (a datetime without
// one is read as UTC: only the differences between rows matter). Years 1678 to 2261 (int64
// nanoseconds).
NanosOrProblem parse_datetime(std::string_view text);

// `ns - origin_ns` in milliseconds: an integer when it is a whole number of ms, else the
// nearest double (one rounding while the difference is under 2^53 ns, about 104 days).
trace::Number millis_since(std::int64_t ns, std::int64_t origin_ns);

}  // namespace kvtrace::formats
