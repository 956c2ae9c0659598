#include "kvtrace/stats/exact_mean.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kvtrace/core/error.hpp"

namespace kvtrace::stats {
namespace {

constexpr int kMantissaBits = 52;
constexpr int kDoubleBits = kMantissaBits + 1;
constexpr int kMinExponent = -1074;  // every finite double is an integer multiple of 2^-1074

// A non-negative fixed-point sum in units of 2^-1074, so adding any finite double is exact.
// DBL_MAX < 2^2098 units; 64 more bits leave room for 2^64 addends.
class ExactSum {
 public:
  void add(double value) {
    if (value == 0) return;  // also -0.0, whose sign bit would spoil the decoding below
    const auto bits = std::bit_cast<std::uint64_t>(value);
    const auto exponent = static_cast<unsigned>(bits >> kMantissaBits);
    std::uint64_t mantissa = bits & ((std::uint64_t{1} << kMantissaBits) - 1);
    unsigned position = 0;  // subnormals are already in units of 2^-1074
    if (exponent != 0) {
      mantissa |= std::uint64_t{1} << kMantissaBits;
      position = exponent - 1;
    }
    const std::size_t limb = position / 64;
    const unsigned offset = position % 64;
    add_at(limb, mantissa << offset);
    if (offset != 0) add_at(limb + 1, mantissa >> (64 - offset));
  }

  // The sum divided by n, rounded once to the nearest double (ties to even).
  double divided_by(std::uint64_t n) const {
    Limbs quotient{};
    std::uint64_t remainder = 0;
    for (std::size_t i = kLimbs; i-- > 0;) {
      const unsigned __int128 current =
          (static_cast<unsigned __int128>(remainder) << 64) | limbs_[i];
      quotient[i] = static_cast<std::uint64_t>(current / n);
      remainder = static_cast<std::uint64_t>(current % n);
    }

    const int length = bit_length(quotient);
    if (length <= kDoubleBits) {
      // Exactly representable at 2^-1074 granularity (subnormal or the lowest binade):
      // round on the remainder alone, comparing remainder / n with one half.
      std::uint64_t units = quotient[0];
      const std::uint64_t rest = n - remainder;
      if (remainder > rest || (remainder == rest && (units & 1) != 0)) ++units;
      return std::ldexp(static_cast<double>(units), kMinExponent);
    }
    const int shift = length - kDoubleBits;
    std::uint64_t mantissa = bits_from(quotient, shift);
    const bool round_bit = test_bit(quotient, shift - 1);
    const bool sticky = remainder != 0 || any_bit_below(quotient, shift - 1);
    if (round_bit && (sticky || (mantissa & 1) != 0)) ++mantissa;
    return std::ldexp(static_cast<double>(mantissa), shift + kMinExponent);
  }

 private:
  static constexpr std::size_t kLimbs = (2098 + 64 + 63) / 64;
  using Limbs = std::array<std::uint64_t, kLimbs>;

  void add_at(std::size_t limb, std::uint64_t value) {
    limbs_[limb] += value;
    bool carry = limbs_[limb] < value;
    while (carry) carry = ++limbs_[++limb] == 0;
  }

  static int bit_length(const Limbs& x) {
    for (std::size_t i = kLimbs; i-- > 0;) {
      if (x[i] != 0) return static_cast<int>(i * 64) + std::bit_width(x[i]);
    }
    return 0;
  }

  static bool test_bit(const Limbs& x, int bit) { return (x[bit / 64] >> (bit % 64) & 1) != 0; }

  static bool any_bit_below(const Limbs& x, int bit) {
    const auto limb = static_cast<std::size_t>(bit / 64);
    for (std::size_t i = 0; i < limb; ++i) {
      if (x[i] != 0) return true;
    }
    return (x[limb] & ((std::uint64_t{1} << (bit % 64)) - 1)) != 0;
  }

  // The 64 bits of x starting at `bit` (the caller knows nothing is set above bit + 53).
  static std::uint64_t bits_from(const Limbs& x, int bit) {
    const auto limb = static_cast<std::size_t>(bit / 64);
    const int offset = bit % 64;
    std::uint64_t out = x[limb] >> offset;
    if (offset != 0 && limb + 1 < kLimbs) out |= x[limb + 1] << (64 - offset);
    return out;
  }

  Limbs limbs_{};
};

}  // namespace

double exact_mean(std::span<const double> values) {
  if (values.empty()) return 0.0;
  ExactSum sum;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!std::isfinite(v) || v < 0) {
      throw UsageError(
          fmt::format("exact_mean: values must be finite and >= 0, got {} at index {}", v, i));
    }
    sum.add(v);
  }
  return sum.divided_by(values.size());
}

}  // namespace kvtrace::stats
