#pragma once
// part / whole as a double, 0 when whole is 0: the hit rates of kvtrace's reports, where a
// trace without lookups has a rate of 0, not NaN.

#include <cstdint>

namespace kvtrace {

constexpr double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace kvtrace
