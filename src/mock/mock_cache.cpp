#include "kvtrace/mock/mock_cache.hpp"

#include <algorithm>

#include "kvtrace/core/error.hpp"

namespace kvtrace::mock {

MockPrefixCache::MockPrefixCache(std::uint32_t block_size, cache::CacheConfig config)
    : block_size_(block_size), sim_(config) {
  if (block_size == 0) throw UsageError("block_size", "must be at least 1");
}

std::uint64_t MockPrefixCache::cached_tokens(std::span<const hashing::Token> prompt,
                                             Scratch& scratch) {
  const std::size_t blocks = prompt.size() / block_size_;
  if (blocks == 0) return 0;
  scratch.block.resize(blocks);
  scratch.sequence.resize(blocks);
  hashing::hash_blocks(prompt.subspan(0, blocks * block_size_), block_size_, hashing::kBaseSeed,
                       scratch.block, scratch.sequence);
  std::uint64_t hits = 0;
  {
    const std::lock_guard lock(mutex_);
    hits = sim_.access(scratch.sequence);
  }
  const std::uint64_t hittable = (prompt.size() - 1) / block_size_;
  return std::min(hits, hittable) * block_size_;
}

}  // namespace kvtrace::mock
