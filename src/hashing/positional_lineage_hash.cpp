#include "kvtrace/hashing/positional_lineage_hash.hpp"

#include <algorithm>
#include <string>

#include "kvtrace/core/error.hpp"

namespace kvtrace::hashing {
namespace {

void check_position(std::uint64_t position) {
  if (position > lineage_detail::kMaxPosition) {
    throw UsageError("position " + std::to_string(position) +
                     " exceeds the PositionalLineageHashSeedLayout maximum (2^24 - 1 = 16777215)");
  }
}

void check_mode(u128 value) {
  if ((value >> 126) == 3)
    throw UsageError("PositionalLineageHashSeedLayout value with invalid mode 3");
}

}  // namespace

PositionalLineageHashSeedLayout::PositionalLineageHashSeedLayout(SequenceHash current,
                                                                 std::optional<SequenceHash> parent,
                                                                 std::uint64_t position) {
  check_position(position);
  const unsigned mode = lineage_detail::mode_for(position);
  const unsigned bits = fragment_bits(mode);
  // Pre-truncation: keep only the current bits the child's (possibly narrower) parent field
  // can hold, so the child's parent fragment equals this block's current fragment.
  const unsigned keep = std::min(bits, fragment_bits(lineage_detail::mode_for(position + 1)));
  value_ = (static_cast<u128>(mode) << 126) | (static_cast<u128>(position) << (2 * bits)) |
           (static_cast<u128>(parent.value_or(0) & low_mask(bits)) << bits) |
           (current & low_mask(keep));
}

PositionalLineageHashSeedLayout PositionalLineageHashSeedLayout::from_u128(u128 value) {
  check_mode(value);
  PositionalLineageHashSeedLayout h;
  h.value_ = value;
  return h;
}

PositionalLineageHash::PositionalLineageHash(SequenceHash current,
                                             std::optional<SequenceHash> parent,
                                             std::uint64_t position) {
  check_position(position);
  const unsigned mode = lineage_detail::mode_for(position);
  const unsigned bits = parent_bits(mode);
  value_ = (static_cast<u128>(mode) << 126) | (static_cast<u128>(position) << (64 + bits)) |
           (static_cast<u128>(current) << bits) | (parent.value_or(0) & low_mask(bits));
}

PositionalLineageHash PositionalLineageHash::from_u128(u128 value) {
  check_mode(value);
  PositionalLineageHash h;
  h.value_ = value;
  return h;
}

PositionalLineageHash PositionalLineageHash::extend(BlockHash child_block,
                                                    std::uint64_t chain_seed) const {
  const SequenceHash current = current_sequence_hash();
  return {next_sequence_hash(current, child_block, chain_seed), current, position() + 1};
}

}  // namespace kvtrace::hashing
