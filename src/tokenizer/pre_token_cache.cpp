#include "tokenizer/pre_token_cache.hpp"

#include <algorithm>

namespace kvtrace::tokenizer {

PreTokenCache::PreTokenCache(std::size_t capacity)
    : shard_capacity_(std::max<std::size_t>(1, capacity / kShards)) {}

PreTokenCache::Shard& PreTokenCache::shard_of(std::string_view word) {
  // The top bits of a multiplicative mix: independent of the bits the shard's map uses.
  const std::uint64_t h = BytesHash()(word) * 0x9E3779B97F4A7C15ULL;
  return shards_[h >> 58];
}

bool PreTokenCache::find(std::string_view word, std::vector<TokenId>& out) {
  Shard& shard = shard_of(word);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.map.find(word);
  if (it == shard.map.end()) return false;
  out.insert(out.end(), it->second.begin(), it->second.end());
  return true;
}

void PreTokenCache::insert(std::string_view word, std::span<const TokenId> ids) {
  Shard& shard = shard_of(word);
  std::lock_guard lock(shard.mutex);
  if (shard.map.size() >= shard_capacity_) shard.map.clear();
  shard.map.try_emplace(std::string(word), ids.begin(), ids.end());
}

std::size_t PreTokenCache::size() {
  std::size_t n = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.map.size();
  }
  return n;
}

}  // namespace kvtrace::tokenizer
