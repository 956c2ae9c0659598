#pragma once
// A thread-safe cache of the token ids of short pre-tokens. Prose repeats a few thousand words
// over and over, so most pre-tokens skip BPE. Sharded so that threads encoding at once rarely
// meet on a lock; a full shard is emptied and refills with what is frequent now.

#include <array>
#include <cstddef>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/bytes_map.hpp"

namespace kvtrace::tokenizer {

class PreTokenCache {
 public:
  // Longer pre-tokens are rare repeats and are not cached.
  static constexpr std::size_t kMaxWordBytes = 64;

  explicit PreTokenCache(std::size_t capacity = std::size_t{1} << 16);

  // Appends the cached ids of `word` to `out` and returns true, or returns false.
  bool find(std::string_view word, std::vector<TokenId>& out);
  void insert(std::string_view word, std::span<const TokenId> ids);

  std::size_t size();

 private:
  static constexpr std::size_t kShards = 64;
  // Most pre-tokens are one or two tokens: stored inline.
  using Ids = boost::container::small_vector<TokenId, 3>;
  struct alignas(64) Shard {
    std::mutex mutex;
    BytesMap<Ids> map;
  };
  Shard& shard_of(std::string_view word);

  std::size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace kvtrace::tokenizer
