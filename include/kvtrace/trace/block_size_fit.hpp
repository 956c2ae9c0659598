#pragma once
// Which block sizes a trace is consistent with. A request of input_length L with n hash ids
// fits block size b when n == ceil(L / b): b in [ceil(L / n), floor((L - 1) / (n - 1))]
// (b >= L for n = 1; any b for L = n = 0; none for one of them 0 and not the other). The fit
// of a trace is the intersection over its requests, and for the powers of two (the sizes
// engines use) how many requests each fits, for when no size fits them all.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace kvtrace::trace {

struct BlockSizeRange {
  std::uint64_t lo = 1;
  std::uint64_t hi = UINT64_MAX;  // inclusive
  bool contains(std::uint64_t b) const { return lo <= b && b <= hi; }
  friend bool operator==(const BlockSizeRange&, const BlockSizeRange&) = default;
};

// The block sizes one request fits; nullopt when it fits none.
std::optional<BlockSizeRange> fitting_block_sizes(std::int64_t input_length, std::uint64_t ids);

class BlockSizeFit {
 public:
  static constexpr std::size_t kPowers = 31;  // 2^0 .. 2^30, the largest block size

  void add(std::int64_t input_length, std::uint64_t ids);

  // Requests added.
  std::uint64_t requests() const { return requests_; }
  // The sizes every request fits; nullopt when no size fits them all (or none was added).
  std::optional<BlockSizeRange> fits_all() const;
  // How many requests fit 2^k.
  std::uint64_t fitting_power(std::size_t k) const { return power_fits_[k]; }
  // The size to use: within fits_all, 512 (AIPerf's default) when it fits, else the largest
  // power of two, else the smallest size; without fits_all, the power of two that fits the
  // most requests (nullopt when none fits any, or none was added).
  std::optional<std::uint64_t> likely() const;
  // For messages: "16", "497 to 512", or "none fits every request; 16 fits 9,990 of 10,000".
  std::string describe() const;

 private:
  std::uint64_t requests_ = 0;
  bool any_unfit_ = false;  // a request fits no size at all
  BlockSizeRange all_;
  std::array<std::uint64_t, kPowers> power_fits_{};
};

}  // namespace kvtrace::trace
