#pragma once
// PositionalSequenceHash (PSH): a block's sequence hash, its position in the sequence and a
// truncated copy of its block hash in one 128-bit value (dynamo-tokens, stable since PR #4000).
//
//   bits 0..63    sequence hash
//   bits 64..127  [mode:2][position:P][block hash, low R bits]   (most significant first)
//   mode 0: P 8, R 54 | mode 1: P 16, R 46 | mode 2: P 24, R 38 | mode 3: P 31, R 31
//
// The mode is always the smallest that holds the position, so equal inputs give equal values.

#include <cstdint>
#include <functional>

#include "kvtrace/hashing/block_hash.hpp"
#include "kvtrace/hashing/u128.hpp"

namespace kvtrace::hashing {

class PositionalSequenceHash {
 public:
  static constexpr std::uint64_t kMaxPosition = (std::uint64_t{1} << 31) - 1;

  PositionalSequenceHash() = default;
  // Throws UsageError when position > kMaxPosition.
  PositionalSequenceHash(SequenceHash sequence_hash, std::uint64_t position,
                         BlockHash local_block_hash);

  // Any 128-bit value is a valid PSH (all four modes are defined).
  static constexpr PositionalSequenceHash from_u128(u128 value) {
    PositionalSequenceHash h;
    h.value_ = value;
    return h;
  }

  SequenceHash sequence_hash() const { return lo64(value_); }
  std::uint64_t position() const { return (upper() >> block_bits()) & low_mask(position_bits()); }
  // The block hash truncated to this mode's width (54/46/38/31 low bits).
  BlockHash local_block_hash() const { return upper() & low_mask(block_bits()); }
  unsigned mode() const { return static_cast<unsigned>(upper() >> 62); }
  u128 as_u128() const { return value_; }

  friend bool operator==(const PositionalSequenceHash&, const PositionalSequenceHash&) = default;

 private:
  // Position field width per mode; the block-hash field takes the rest of the upper 62 bits.
  static constexpr unsigned kPositionBits[4] = {8, 16, 24, 31};

  std::uint64_t upper() const { return hi64(value_); }
  unsigned position_bits() const { return kPositionBits[mode()]; }
  unsigned block_bits() const { return 62 - position_bits(); }

  u128 value_ = 0;
};

}  // namespace kvtrace::hashing

template <>
struct std::hash<kvtrace::hashing::PositionalSequenceHash> {
  std::size_t operator()(const kvtrace::hashing::PositionalSequenceHash& h) const noexcept {
    return kvtrace::hashing::mix_u128(h.as_u128());
  }
};
