#include "kvtrace/hashing/block_hash.hpp"

#include <array>
#include <bit>
#include <string>

#include "kvtrace/core/error.hpp"

// Header-only xxHash: the 16-byte chain step is a handful of instructions, and inlining it
// next to the block hash is what lets the two overlap (bench/hashing_bench.cpp).
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace kvtrace::hashing {
namespace {

// Tokens and chain words are hashed as their in-memory bytes, which are the little-endian
// bytes Dynamo hashes only on a little-endian host.
static_assert(std::endian::native == std::endian::little,
              "kvtrace hashes the in-memory token bytes; big-endian hosts are not supported");

BlockHash hash_block(const Token* tokens, std::size_t count, SaltHash salt) {
  return XXH3_64bits_withSeed(tokens, count * sizeof(Token), salt);
}

SequenceHash chain(SequenceHash parent, BlockHash block, std::uint64_t chain_seed) {
  const std::array<std::uint64_t, 2> words{parent, block};
  return XXH3_64bits_withSeed(words.data(), sizeof(words), chain_seed);
}

}  // namespace

std::uint64_t xxh3_64(std::span<const std::byte> bytes, std::uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

BlockHash block_hash(std::span<const Token> tokens, SaltHash salt) {
  return hash_block(tokens.data(), tokens.size(), salt);
}

SequenceHash next_sequence_hash(SequenceHash parent, BlockHash block, std::uint64_t chain_seed) {
  return chain(parent, block, chain_seed);
}

SaltHash salt_hash(const SaltParams& params) {
  SaltHash seed = kBaseSeed;
  // Unsigned arithmetic wraps, as Dynamo's wrapping_add does.
  if (!params.lora_name.empty()) {
    seed += XXH3_64bits_withSeed(params.lora_name.data(), params.lora_name.size(), 0);
  }
  if (!params.cache_namespace.empty()) {
    seed += XXH3_64bits_withSeed(params.cache_namespace.data(), params.cache_namespace.size(), 1);
  }
  return seed;
}

void hash_blocks(std::span<const Token> tokens, std::size_t block_size, SaltHash salt,
                 std::span<BlockHash> block_out, std::span<SequenceHash> sequence_out,
                 std::uint64_t chain_seed) {
  if (block_size == 0) throw UsageError("block size must be positive");
  const std::size_t n = tokens.size() / block_size;
  if (block_out.size() != n || sequence_out.size() != n) {
    throw std::invalid_argument("hash_blocks: output spans must hold " + std::to_string(n) +
                                " hashes");
  }
  if (n == 0) return;
  // Captured by value: stores to the u64 outputs could alias anything held by reference.
  const auto block = [data = tokens.data(), block_size, salt](std::size_t i) {
    return hash_block(data + i * block_size, block_size, salt);
  };
  SequenceHash seq = block_out[0] = sequence_out[0] = block(0);
  if (n == 1) return;
  // The chain is one serial dependency of ~13 cycles per step. Hashing block i + 1 before
  // chaining block i gives the CPU independent work to overlap with that latency.
  BlockHash next = block(1);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    const BlockHash current = next;
    next = block(i + 1);
    block_out[i] = current;
    sequence_out[i] = seq = chain(seq, current, chain_seed);
  }
  block_out[n - 1] = next;
  sequence_out[n - 1] = chain(seq, next, chain_seed);
}

BlockHashes hash_blocks(std::span<const Token> tokens, std::size_t block_size, SaltHash salt,
                        std::uint64_t chain_seed) {
  if (block_size == 0) throw UsageError("block size must be positive");
  const std::size_t n = tokens.size() / block_size;
  BlockHashes out{std::vector<BlockHash>(n), std::vector<SequenceHash>(n)};
  hash_blocks(tokens, block_size, salt, out.block, out.sequence, chain_seed);
  return out;
}

}  // namespace kvtrace::hashing
