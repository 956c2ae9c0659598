#include "kvtrace/hashing/positional_sequence_hash.hpp"

#include <string>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {

PositionalSequenceHash::PositionalSequenceHash(SequenceHash sequence_hash, std::uint64_t position,
                                               BlockHash local_block_hash) {
  if (position > kMaxPosition) {
    throw UsageError("position " + std::to_string(position) +
                     " exceeds the PositionalSequenceHash maximum (2^31 - 1)");
  }
  // The smallest mode whose position field holds the position.
  std::uint64_t mode = 0;
  while (position > low_mask(kPositionBits[mode])) ++mode;
  const unsigned block_bits = 62 - kPositionBits[mode];
  const std::uint64_t upper =
      (mode << 62) | (position << block_bits) | (local_block_hash & low_mask(block_bits));
  value_ = make_u128(upper, sequence_hash);
}

}  // namespace kvtrace::hashing
