#pragma once
// 128-bit helpers for the positional hash types. The storage is GCC's unsigned __int128: a
// plain integer, so the hash types stay trivially copyable, heap-free and cheap to compare.

#include <cstdint>

namespace kvtrace::hashing {

using u128 = unsigned __int128;

constexpr u128 make_u128(std::uint64_t hi, std::uint64_t lo) {
  return (static_cast<u128>(hi) << 64) | lo;
}
constexpr std::uint64_t hi64(u128 v) {
  return static_cast<std::uint64_t>(v >> 64);
}
constexpr std::uint64_t lo64(u128 v) {
  return static_cast<std::uint64_t>(v);
}

// The low `bits` bits set; bits may be 0..64.
constexpr std::uint64_t low_mask(unsigned bits) {
  return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

// Folds a 128-bit value into a well-spread 64-bit table hash. Mixing both halves matters:
// sibling lineage hashes share whole bit fields (position, parent fragment), so neither half
// alone nor a plain xor spreads them evenly over shards and buckets.
constexpr std::uint64_t mix_u128(u128 v) {
  std::uint64_t h = lo64(v) ^ (hi64(v) * 0x9E3779B97F4A7C15u);
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93u;
  h ^= h >> 32;
  return h;
}

}  // namespace kvtrace::hashing
