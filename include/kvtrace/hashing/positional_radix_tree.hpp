#pragma once
// PositionalRadixTree: position -> (hash -> value), safe for many threads inserting, looking
// up and erasing at once (dynamo-tokens' radix.rs, DashMap<position, DashMap<K, V>>).
//
// Each position has a Level: a hash map split into shards, each a Boost flat map behind its
// own mutex, so threads touching different keys rarely meet on a lock. Levels are found
// through a three-level table of atomic pointers indexed by position bits (11 + 10 + 10,
// positions below 2^31), which readers walk without taking any lock; levels are created
// under one mutex and live as long as the tree (like Dynamo, empty levels are not pruned).
// Lineage keys (PositionalLineageHashSeedLayout, V2) also get find_parent and children, which scan
// the neighbouring level for matching fragments as in the seed design: O(entries at that level).

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/positional_sequence_hash.hpp"

namespace kvtrace::hashing {

// A hash value that knows its position: PositionalSequenceHash and both lineage codecs.
template <class K>
concept PositionalKey = std::equality_comparable<K> && std::is_trivially_copyable_v<K> &&
    requires(const K& key) {
  { key.position() } -> std::convertible_to<std::uint64_t>;
  { std::hash<K>{}(key) } -> std::convertible_to<std::size_t>;
};

// A positional key that also names its parent (the lineage hashes).
template <class K>
concept LineageKey = PositionalKey<K> && requires(const K& child, const K& parent) {
  { parent_fragment_matches(child, parent) } -> std::same_as<bool>;
};

template <class V, PositionalKey K = PositionalSequenceHash>
class PositionalRadixTree {
 public:
  static constexpr std::uint64_t kMaxPosition = (std::uint64_t{1} << 31) - 1;

  // All entries at one position. Every call locks only the shard of its key; callbacks run
  // under a shard lock and must not call back into the same level.
  class Level {
   public:
    explicit Level(std::size_t shard_count)
        : shards_(std::make_unique<Shard[]>(shard_count)), mask_(shard_count - 1) {}

    // Adds key -> value; false, leaving the stored value, when the key is present.
    bool insert(const K& key, V value) {
      Shard& s = shard(key);
      const std::lock_guard lock(s.mutex);
      return s.map.try_emplace(key, std::move(value)).second;
    }
    void insert_or_assign(const K& key, V value) {
      Shard& s = shard(key);
      const std::lock_guard lock(s.mutex);
      s.map.insert_or_assign(key, std::move(value));
    }
    std::optional<V> find(const K& key) const {
      const Shard& s = shard(key);
      const std::lock_guard lock(s.mutex);
      const auto it = s.map.find(key);
      if (it == s.map.end()) return std::nullopt;
      return it->second;
    }
    bool contains(const K& key) const {
      const Shard& s = shard(key);
      const std::lock_guard lock(s.mutex);
      return s.map.contains(key);
    }
    bool erase(const K& key) {
      Shard& s = shard(key);
      const std::lock_guard lock(s.mutex);
      return s.map.erase(key) != 0;
    }
    // Calls f(V&) on the stored value under the shard lock; false when the key is absent.
    template <class F>
    bool visit(const K& key, F&& f) {
      Shard& s = shard(key);
      const std::lock_guard lock(s.mutex);
      const auto it = s.map.find(key);
      if (it == s.map.end()) return false;
      std::forward<F>(f)(it->second);
      return true;
    }
    // A count taken shard by shard: exact when no other thread is writing.
    std::size_t size() const {
      std::size_t n = 0;
      for (std::size_t i = 0; i <= mask_; ++i) {
        const std::lock_guard lock(shards_[i].mutex);
        n += shards_[i].map.size();
      }
      return n;
    }
    // Calls f(key, value) for every entry, one shard at a time.
    template <class F>
    void for_each(F&& f) const {
      for (std::size_t i = 0; i <= mask_; ++i) {
        const std::lock_guard lock(shards_[i].mutex);
        for (const auto& [key, value] : shards_[i].map) f(key, value);
      }
    }
    // The first entry whose key satisfies pred, in no particular order.
    template <class Pred>
    std::optional<std::pair<K, V>> find_if(Pred&& pred) const {
      for (std::size_t i = 0; i <= mask_; ++i) {
        const std::lock_guard lock(shards_[i].mutex);
        for (const auto& [key, value] : shards_[i].map) {
          if (pred(key)) return std::pair<K, V>(key, value);
        }
      }
      return std::nullopt;
    }

   private:
    // A cache line (or more) per shard, so that two threads' locks never share one.
    struct alignas(64) Shard {
      mutable std::mutex mutex;
      boost::unordered_flat_map<K, V, std::hash<K>> map;
    };

    Shard& shard(const K& key) const {
      // Multiplying spreads even a weak key hash; the map re-mixes the full hash itself.
      const std::uint64_t h = std::hash<K>{}(key)*0x9E3779B97F4A7C15u;
      return shards_[(h >> 32) & mask_];
    }

    std::unique_ptr<Shard[]> shards_;
    std::size_t mask_;
  };

  // shards_per_level is rounded up to a power of two. More shards mean fewer lock collisions
  // when threads work on the same position, but more memory per position (128 bytes a shard)
  // and smaller, colder maps: 8 measured best for 1-2 threads over 1 to 1000 positions.
  explicit PositionalRadixTree(std::size_t shards_per_level = 8)
      : shard_count_(std::bit_ceil(std::max<std::size_t>(shards_per_level, 1))) {}
  PositionalRadixTree(const PositionalRadixTree&) = delete;
  PositionalRadixTree& operator=(const PositionalRadixTree&) = delete;

  // The level of key.position(), created if missing (Dynamo's prefix()). Throws UsageError
  // when the position exceeds kMaxPosition.
  Level& prefix(const K& key) { return level_or_create(key.position()); }
  // The level at position p; nullptr when nothing was ever inserted there.
  Level* position(std::uint64_t p) { return level_at(p); }
  const Level* position(std::uint64_t p) const { return level_at(p); }

  bool insert(const K& key, V value) { return prefix(key).insert(key, std::move(value)); }
  void insert_or_assign(const K& key, V value) {
    prefix(key).insert_or_assign(key, std::move(value));
  }
  std::optional<V> find(const K& key) const {
    const Level* level = level_at(key.position());
    return level != nullptr ? level->find(key) : std::nullopt;
  }
  bool contains(const K& key) const {
    const Level* level = level_at(key.position());
    return level != nullptr && level->contains(key);
  }
  bool erase(const K& key) {
    Level* level = level_at(key.position());
    return level != nullptr && level->erase(key);
  }

  // Entries over all levels; exact when no other thread is writing.
  std::size_t len() const {
    const std::lock_guard lock(grow_mutex_);
    std::size_t n = 0;
    for (const auto& level : levels_) n += level->size();
    return n;
  }
  bool is_empty() const { return len() == 0; }

  // The entry at position - 1 whose fragment the child names as its parent.
  std::optional<std::pair<K, V>> find_parent(const K& child) const requires LineageKey<K> {
    if (child.position() == 0) return std::nullopt;
    const Level* level = level_at(child.position() - 1);
    if (level == nullptr) return std::nullopt;
    return level->find_if([&](const K& key) { return parent_fragment_matches(child, key); });
  }

  // The entries at position + 1 that name `parent` as their parent.
  std::vector<std::pair<K, V>> children(const K& parent) const requires LineageKey<K> {
    std::vector<std::pair<K, V>> out;
    const Level* level = level_at(parent.position() + 1);
    if (level == nullptr) return out;
    level->for_each([&](const K& key, const V& value) {
      if (parent_fragment_matches(key, parent)) out.emplace_back(key, value);
    });
    return out;
  }

 private:
  static constexpr unsigned kLeafBits = 10;
  static constexpr unsigned kMidBits = 10;
  static constexpr unsigned kTopBits = 11;  // 11 + 10 + 10 = 31 position bits
  using LeafTable = std::array<std::atomic<Level*>, std::size_t{1} << kLeafBits>;
  using MidTable = std::array<std::atomic<LeafTable*>, std::size_t{1} << kMidBits>;

  static std::size_t top_index(std::uint64_t p) { return p >> (kMidBits + kLeafBits); }
  static std::size_t mid_index(std::uint64_t p) {
    return (p >> kLeafBits) & ((1u << kMidBits) - 1);
  }
  static std::size_t leaf_index(std::uint64_t p) { return p & ((1u << kLeafBits) - 1); }

  Level* level_at(std::uint64_t p) const {
    if (p > kMaxPosition) return nullptr;
    const MidTable* mid = top_[top_index(p)].load(std::memory_order_acquire);
    if (mid == nullptr) return nullptr;
    const LeafTable* leaf = (*mid)[mid_index(p)].load(std::memory_order_acquire);
    if (leaf == nullptr) return nullptr;
    return (*leaf)[leaf_index(p)].load(std::memory_order_acquire);
  }

  Level& level_or_create(std::uint64_t p) {
    if (Level* level = level_at(p)) return *level;
    if (p > kMaxPosition) {
      throw UsageError("position " + std::to_string(p) +
                       " exceeds the PositionalRadixTree maximum (2^31 - 1)");
    }
    const std::lock_guard lock(grow_mutex_);
    // Another thread may have created any of the three while this one waited for the lock.
    MidTable* mid = get_or_make(top_[top_index(p)], mids_);
    LeafTable* leaf = get_or_make((*mid)[mid_index(p)], leaves_);
    std::atomic<Level*>& slot = (*leaf)[leaf_index(p)];
    Level* level = slot.load(std::memory_order_relaxed);
    if (level == nullptr) {
      level = levels_.emplace_back(std::make_unique<Level>(shard_count_)).get();
      slot.store(level, std::memory_order_release);
    }
    return *level;
  }

  // Called with grow_mutex_ held: the table in `slot`, made (zero-filled) if missing.
  template <class Table>
  static Table* get_or_make(std::atomic<Table*>& slot, std::vector<std::unique_ptr<Table>>& owned) {
    Table* table = slot.load(std::memory_order_relaxed);
    if (table == nullptr) {
      table = owned.emplace_back(std::make_unique<Table>()).get();
      slot.store(table, std::memory_order_release);
    }
    return table;
  }

  std::size_t shard_count_;
  std::array<std::atomic<MidTable*>, std::size_t{1} << kTopBits> top_{};
  // Owners of everything the atomic table points to; appended under grow_mutex_ only.
  mutable std::mutex grow_mutex_;
  std::vector<std::unique_ptr<MidTable>> mids_;
  std::vector<std::unique_ptr<LeafTable>> leaves_;
  std::vector<std::unique_ptr<Level>> levels_;
};

}  // namespace kvtrace::hashing
