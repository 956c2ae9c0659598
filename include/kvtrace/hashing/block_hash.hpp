#pragma once
// Dynamo-compatible block and sequence hashes (dynamo-tokens on main and the KV router, the
// "public XXH3 path"): XXH3-64 with seed over little-endian u32 tokens, one hash per complete
// block, chained with XXH3-64 over the 16 bytes LE64(parent) || LE64(block). A trailing
// partial block gets no hash. Hashes are plain integers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kvtrace::hashing {

using Token = std::uint32_t;
using BlockHash = std::uint64_t;     // hash of one block's tokens, seeded by the salt
using SequenceHash = std::uint64_t;  // hash of a block and everything before it
using SaltHash = std::uint64_t;      // the block-hash seed (model, LoRA, namespace)

// Dynamo's XXH3_SEED: the salt of the base model with no LoRA and no namespace.
inline constexpr SaltHash kBaseSeed = 1337;
// Dynamo's CHAIN_XXH3_SEED: the seed of every chain step, independent of the salt.
inline constexpr std::uint64_t kChainSeed = 1337;

// XXH3_64bits_withSeed over raw bytes (Dynamo's compute_hash_v2).
std::uint64_t xxh3_64(std::span<const std::byte> bytes, std::uint64_t seed);

// H(LE32(tokens), salt): the hash of one block's tokens.
BlockHash block_hash(std::span<const Token> tokens, SaltHash salt = kBaseSeed);

// H(LE64(parent) || LE64(block), chain_seed): the sequence hash of a block whose parent block
// has sequence hash `parent`. The first block of a sequence has no parent: its sequence hash
// is its block hash.
SequenceHash next_sequence_hash(SequenceHash parent, BlockHash block,
                                std::uint64_t chain_seed = kChainSeed);

struct SaltParams {
  std::string_view lora_name;        // empty = base model
  std::string_view cache_namespace;  // empty = no namespace (Dynamo's cache_salt)
};

// Dynamo's compute_salt_hash: kBaseSeed, plus H(lora, 0) when a LoRA is named, plus
// H(namespace, 1) when a namespace is given; wrapping u64 additions.
SaltHash salt_hash(const SaltParams& params = {});

// Writes the block hash and the sequence hash of every complete block of `tokens` to
// block_out[i] and sequence_out[i]; both spans must hold tokens.size() / block_size entries.
// Throws UsageError when block_size is 0 or an output span has the wrong size.
void hash_blocks(std::span<const Token> tokens, std::size_t block_size, SaltHash salt,
                 std::span<BlockHash> block_out, std::span<SequenceHash> sequence_out,
                 std::uint64_t chain_seed = kChainSeed);

struct BlockHashes {
  std::vector<BlockHash> block;
  std::vector<SequenceHash> sequence;
};

// The same, allocating the result. Throws UsageError when block_size is 0.
BlockHashes hash_blocks(std::span<const Token> tokens, std::size_t block_size,
                        SaltHash salt = kBaseSeed, std::uint64_t chain_seed = kChainSeed);

}  // namespace kvtrace::hashing
