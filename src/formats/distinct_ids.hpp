#pragma once
// How many distinct 64-bit ids a stream holds, exactly. Small ids (the dense ids of a trace
// kvtrace numbered, most Mooncake traces' ids) are bits of a bitmap, which costs a bit per
// id and no hashing; the others go to a hash set. The bitmap grows to cover an id while it
// stays within kBitsPerId bits per distinct id seen, so sparse ids cannot blow it up.

#include <cstdint>
#include <span>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

namespace kvtrace::formats {

class DistinctIds {
 public:
  void add(std::span<const std::uint64_t> ids) {
    for (const std::uint64_t id : ids) add(id);
  }

  void add(std::uint64_t id) {
    if (id < bits_.size() * 64 || cover(id)) {
      std::uint64_t& word = bits_[id / 64];
      const std::uint64_t bit = std::uint64_t{1} << (id % 64);
      in_bits_ += (word & bit) == 0 ? 1 : 0;
      word |= bit;
    } else {
      others_.insert(id);
    }
  }

  std::uint64_t count() const { return in_bits_ + others_.size(); }

 private:
  static constexpr std::uint64_t kAlwaysBits = std::uint64_t{1} << 20;
  static constexpr std::uint64_t kBitsPerId = 64;

  // Grows the bitmap to cover `id` when that is allowed, moving the hash set's ids it now
  // covers into it; false when `id` must go to the hash set.
  bool cover(std::uint64_t id);

  std::vector<std::uint64_t> bits_;
  std::uint64_t in_bits_ = 0;
  boost::unordered_flat_set<std::uint64_t> others_;
};

}  // namespace kvtrace::formats
