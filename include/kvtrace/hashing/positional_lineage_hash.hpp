#pragma once
// PositionalLineageHash (PLH): a block's position plus its own sequence hash and a fragment of
// its parent's in one 128-bit value, so that a radix tree keyed by PLH can walk from a block
// back to its parent at position - 1 (dynamo-tokens). Two codecs, both 128 bits, MSB first:
//
// PositionalLineageHash — Dynamo's current layout (dynamo-tokens G2/G4), under Dynamo's name:
//   [mode:2][position:P][current sequence hash:64][parent fragment:R]
//   mode 0: P 8, R 54 | mode 1: P 16, R 46 | mode 2: P 24, R 38
//   The full current hash makes it self-extending (root/extend); a child's parent fragment
//   is cut from the parent's full hash at the child's width, so no pre-truncation is needed.
//
// PositionalLineageHashSeedLayout — the layout of kvtrace's seed design (dynamo-tokens G1,
// DESIGN.md), which Dynamo later replaced; kept for the vectors written against it:
//   [mode:2][position:P][parent fragment:M][current fragment:N]
//   mode 0: P 8, M = N = 59 | mode 1: P 16, M = N = 55 | mode 2: P 24, M = N = 51
//   Fragments are the LOW bits of the hashes. The last position of a mode (255, 65535) keeps
//   only as many current bits as its child's parent field holds (55, 51): pre-truncation, so
//   that child.parent_hash_fragment() == parent.current_hash_fragment() across the boundary.
//   Only this layout stores a current fragment; Dynamo's stores the whole hash instead.
//
// Mode is the smallest that holds the position; positions above 2^24 - 1 are a UsageError.

#include <cstdint>
#include <functional>
#include <optional>

#include "kvtrace/hashing/block_hash.hpp"
#include "kvtrace/hashing/internal/lineage_layout.hpp"
#include "kvtrace/hashing/u128.hpp"

namespace kvtrace::hashing {

class PositionalLineageHashSeedLayout {
 public:
  static constexpr std::uint64_t kMaxPosition = lineage_detail::kMaxPosition;

  PositionalLineageHashSeedLayout() = default;
  // `parent` is the parent block's sequence hash, none for the first block (fragment 0).
  // Throws UsageError when position > kMaxPosition.
  PositionalLineageHashSeedLayout(SequenceHash current, std::optional<SequenceHash> parent,
                                  std::uint64_t position);
  // Throws UsageError for mode 3, which this codec does not define.
  static PositionalLineageHashSeedLayout from_u128(u128 value);

  unsigned mode() const { return static_cast<unsigned>(value_ >> 126); }
  std::uint64_t position() const {
    return lo64(value_ >> (2 * fragment_bits(mode()))) & low_mask(position_bits(mode()));
  }
  // The stored low bits of the current sequence hash (59/55/51, fewer when pre-truncated).
  std::uint64_t current_hash_fragment() const {
    return lo64(value_) & low_mask(fragment_bits(mode()));
  }
  // The stored low bits of the parent's sequence hash (59/55/51).
  std::uint64_t parent_hash_fragment() const {
    return lo64(value_ >> fragment_bits(mode())) & low_mask(fragment_bits(mode()));
  }
  // What a child at position() + 1 stores as its parent fragment.
  std::uint64_t fragment_for_child() const {
    return current_hash_fragment() &
           low_mask(fragment_bits(lineage_detail::mode_for(position() + 1)));
  }
  u128 as_u128() const { return value_; }

  friend bool operator==(const PositionalLineageHashSeedLayout&,
                         const PositionalLineageHashSeedLayout&) = default;

  // Parent and current fragment width (M = N) of a mode.
  static constexpr unsigned fragment_bits(unsigned mode) { return 59 - 4 * mode; }

 private:
  static constexpr unsigned position_bits(unsigned mode) {
    return lineage_detail::kPositionBits[mode];
  }

  u128 value_ = 0;
};

class PositionalLineageHash {
 public:
  static constexpr std::uint64_t kMaxPosition = lineage_detail::kMaxPosition;

  PositionalLineageHash() = default;
  // Throws UsageError when position > kMaxPosition.
  PositionalLineageHash(SequenceHash current, std::optional<SequenceHash> parent,
                        std::uint64_t position);
  // Throws UsageError for mode 3, which this codec does not define.
  static PositionalLineageHash from_u128(u128 value);

  // The first block: its sequence hash is its block hash.
  static PositionalLineageHash root(BlockHash block_hash) { return {block_hash, {}, 0}; }
  // The child block with block hash `child_block`: current = H(current || child, chain_seed).
  // Throws UsageError when the child's position would exceed kMaxPosition.
  PositionalLineageHash extend(BlockHash child_block, std::uint64_t chain_seed = kChainSeed) const;

  unsigned mode() const { return static_cast<unsigned>(value_ >> 126); }
  std::uint64_t position() const {
    return lo64(value_ >> (64 + parent_bits(mode()))) & low_mask(position_bits(mode()));
  }
  // The full 64-bit sequence hash of this block.
  SequenceHash current_sequence_hash() const { return lo64(value_ >> parent_bits(mode())); }
  // The stored low bits of the parent's sequence hash (54/46/38).
  std::uint64_t parent_hash_fragment() const {
    return lo64(value_) & low_mask(parent_bits(mode()));
  }
  // current_sequence_hash() cut to the parent-fragment width of a child at child_position.
  std::uint64_t parent_fragment_for_child_position(std::uint64_t child_position) const {
    return current_sequence_hash() &
           low_mask(parent_bits(lineage_detail::mode_for(child_position)));
  }
  // What a child at position() + 1 stores as its parent fragment.
  std::uint64_t fragment_for_child() const {
    return parent_fragment_for_child_position(position() + 1);
  }
  u128 as_u128() const { return value_; }

  friend bool operator==(const PositionalLineageHash&, const PositionalLineageHash&) = default;

  // Parent fragment width (R) of a mode.
  static constexpr unsigned parent_bits(unsigned mode) { return 54 - 8 * mode; }

 private:
  static constexpr unsigned position_bits(unsigned mode) {
    return lineage_detail::kPositionBits[mode];
  }

  u128 value_ = 0;
};

// True when `parent` is the block right before `child`: one position earlier and its hash
// fragment is the one the child stores as parent. Holds across mode boundaries.
inline bool parent_fragment_matches(const PositionalLineageHashSeedLayout& child,
                                    const PositionalLineageHashSeedLayout& parent) {
  return child.position() == parent.position() + 1 &&
         child.parent_hash_fragment() == parent.fragment_for_child();
}
inline bool parent_fragment_matches(const PositionalLineageHash& child,
                                    const PositionalLineageHash& parent) {
  return child.position() == parent.position() + 1 &&
         child.parent_hash_fragment() == parent.fragment_for_child();
}

}  // namespace kvtrace::hashing

template <>
struct std::hash<kvtrace::hashing::PositionalLineageHashSeedLayout> {
  std::size_t operator()(
      const kvtrace::hashing::PositionalLineageHashSeedLayout& h) const noexcept {
    return kvtrace::hashing::mix_u128(h.as_u128());
  }
};

template <>
struct std::hash<kvtrace::hashing::PositionalLineageHash> {
  std::size_t operator()(const kvtrace::hashing::PositionalLineageHash& h) const noexcept {
    return kvtrace::hashing::mix_u128(h.as_u128());
  }
};
