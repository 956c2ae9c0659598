#pragma once
// Arithmetic shared by the synthesis modes, with Python's semantics where AIPerf's numbers
// depend on them, and 64-bit ids that never wrap silently.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

#include "kvtrace/core/error.hpp"
#include "kvtrace/trace/request.hpp"

namespace kvtrace::synthesis::arith {

// a * b + c for hash ids; Python's ints would grow, kvtrace's 64-bit ids must not wrap.
inline std::uint64_t id_mul_add(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out) || __builtin_add_overflow(out, c, &out)) {
    throw LimitError(
        "synthesized hash ids would exceed 2^64-1: the 64-bit id space is exhausted (lower the "
        "prefix length or root multiplier)");
  }
  return out;
}

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Python's int(x) of a double: truncation toward zero, within int64.
inline std::int64_t py_int(double x) {
  if (!(std::fabs(x) < 9.2e18)) {
    throw LimitError(fmt::format("synthesized length out of range: {} tokens", x));
  }
  return static_cast<std::int64_t>(x);
}

// A number of milliseconds as kvtrace writes it: an integer when it is one exactly.
inline trace::Number millis(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    return trace::Number::of_int(static_cast<std::int64_t>(v));
  }
  return trace::Number::of_real(v);
}

// output_length x multiplier, rounded half to even (Python's round()), capped at max_osl.
// AIPerf then floors every result at 1 (`floor_all`); kvtrace only keeps a scaled-down
// length from reaching 0 and leaves an original 0 alone.
inline std::int64_t scaled_output_length(std::int64_t before, double multiplier,
                                         std::optional<std::int64_t> max_osl, bool floor_all) {
  std::int64_t o = py_int(std::nearbyint(static_cast<double>(before) * multiplier));
  if (max_osl) o = std::min(o, *max_osl);
  return floor_all ? std::max<std::int64_t>(1, o) : (o == 0 && before > 0 ? 1 : o);
}

}  // namespace kvtrace::synthesis::arith
