#pragma once
// AIPerf's RollingHasher: turns block contents into small consecutive integer ids such that
// two blocks share an id iff they have the same content and the same whole preceding chain.
// Ids are assigned from 0 in first-seen order and stay unique across sequences and resets.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace kvtrace::hashing {

// big_endian_u64(SHA-256(bytes)[0:8]): AIPerf's `_stable_hash` of a str.
std::uint64_t stable_hash(std::string_view bytes);
// `_stable_hash` of a Python tuple of ints: the hash of its repr, e.g. "(1, 2)" or "(5,)".
std::uint64_t stable_hash_tuple(std::span<const std::int64_t> values);

struct RollingHasherStats {
  std::uint64_t total_hashes = 0;  // distinct chain hashes seen
  std::int64_t max_id = -1;        // largest id handed out, -1 before the first
};

class RollingHasher {
 public:
  // Throws UsageError when block_size is 0.
  explicit RollingHasher(std::uint32_t block_size = 512);

  std::uint32_t block_size() const { return block_size_; }

  // One chain over text blocks; the chain starts at parent 0 on every call.
  std::vector<std::uint64_t> hash_blocks(std::span<const std::string_view> blocks);
  // One chain over token blocks; the chain starts at parent 0 on every call.
  std::vector<std::uint64_t> hash_token_blocks(std::span<const std::vector<std::int64_t>> blocks);
  // Restarts the chain; ids already handed out are kept, so ids stay globally unique.
  void reset();
  RollingHasherStats stats() const;

 private:
  std::uint64_t id_for(std::uint64_t chain_hash);

  std::uint32_t block_size_;
  std::uint64_t prev_hash_ = 0;
  // Ids are handed out densely from 0 and never removed, so the next id is the map's size.
  boost::unordered_flat_map<std::uint64_t, std::uint64_t> hash_to_id_;
  // Scratch for a block's tuple repr, reused so that hashing a block does not allocate.
  std::string repr_buf_;
};

// Maps a text to its token ids (AIPerf's `tokenizer.encode`).
using TokenizeFn = std::function<std::vector<std::int64_t>(std::string_view)>;

// AIPerf's `texts_to_hashes`: one hasher for all texts; each text is tokenized, cut into
// block_size chunks (the last partial chunk included) and hashed as one chain. An empty
// token list gives no ids. Throws UsageError when block_size is 0.
std::vector<std::vector<std::uint64_t>> texts_to_hashes(std::span<const std::string_view> texts,
                                                        std::uint32_t block_size,
                                                        const TokenizeFn& tokenize);

}  // namespace kvtrace::hashing
