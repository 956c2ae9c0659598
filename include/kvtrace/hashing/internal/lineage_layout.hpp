#pragma once
// Internal: the position modes both lineage codecs share (positional_lineage_hash.hpp). Not
// part of the API; public only because the codecs' inline accessors use it.

#include <cstdint>

namespace kvtrace::hashing::lineage_detail {

inline constexpr std::uint64_t kMaxPosition = (std::uint64_t{1} << 24) - 1;
inline constexpr unsigned kPositionBits[3] = {8, 16, 24};

// Not bounded by kMaxPosition: a block at the last position still asks for its child's mode.
constexpr unsigned mode_for(std::uint64_t position) {
  return position < (1u << 8) ? 0 : position < (1u << 16) ? 1 : 2;
}

}  // namespace kvtrace::hashing::lineage_detail
