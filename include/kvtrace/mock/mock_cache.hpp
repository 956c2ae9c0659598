#pragma once
// The mock server's prefix KV cache: a prompt's complete blocks, chain-hashed as Dynamo does
// (hashing part), looked up and inserted in one cache::CacheSim shared by every connection.

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "kvtrace/cache/cache_sim.hpp"
#include "kvtrace/hashing/block_hash.hpp"

namespace kvtrace::mock {

class MockPrefixCache {
 public:
  // Throws UsageError when block_size is 0.
  MockPrefixCache(std::uint32_t block_size, cache::CacheConfig config);

  // Buffers reused from one prompt to the next; one per thread.
  struct Scratch {
    std::vector<hashing::BlockHash> block;
    std::vector<hashing::SequenceHash> sequence;
  };

  // The number of leading prompt tokens the cache holds, then caches every complete block of
  // the prompt. As in vLLM, the last prompt token is always computed, so only complete blocks
  // within the first n-1 tokens count as hits. Thread-safe: hashing runs outside the lock.
  std::uint64_t cached_tokens(std::span<const hashing::Token> prompt, Scratch& scratch);

  std::uint32_t block_size() const { return block_size_; }

 private:
  std::uint32_t block_size_;
  std::mutex mutex_;  // CacheSim is single-threaded
  cache::CacheSim sim_;
};

}  // namespace kvtrace::mock
