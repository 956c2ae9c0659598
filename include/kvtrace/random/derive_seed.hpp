#pragma once
// Seed derivation as AIPerf's random_generator does it: the child seed of `identifier` under
// a root seed is the first 8 bytes, big-endian, of SHA-256("{root}:{identifier}").

#include <cstdint>
#include <string_view>

namespace kvtrace::random {

// derive(identifier) under `root`: big_endian_u64(SHA-256("{root}:{identifier}")[0:8]),
// root in decimal (the same SHA-256 prefix as hashing::stable_hash).
std::uint64_t derive_seed(std::uint64_t root, std::string_view identifier);

}  // namespace kvtrace::random
