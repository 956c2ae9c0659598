#include "formats/distinct_ids.hpp"

#include <algorithm>

namespace kvtrace::formats {

bool DistinctIds::cover(std::uint64_t id) {
  const std::uint64_t limit = std::max(kAlwaysBits, kBitsPerId * (count() + 1));
  if (id >= limit) return false;
  // Geometric growth: consecutive ids cost amortised O(1).
  const std::uint64_t bits = std::min(std::max(id + 1, bits_.size() * 64 * 2), limit);
  bits_.resize((bits + 63) / 64, 0);
  const std::uint64_t covered = bits_.size() * 64;
  in_bits_ += boost::unordered::erase_if(others_, [&](std::uint64_t x) {
    if (x >= covered) return false;
    bits_[x / 64] |= std::uint64_t{1} << (x % 64);
    return true;
  });
  return true;
}

}  // namespace kvtrace::formats
