#pragma once
// One worker's pool of KV blocks with a finite capacity and an eviction policy
// (docs/simulate.md). A block is identified by one 64-bit id that stands for the block
// *together with its prefix* (Mooncake hash_ids, or chained sequence hashes), so the pool is
// keyed by the id alone.
//
// The model is vLLM's prefix cache: a request pins its blocks while it runs (pinned blocks are
// never evicted) and releases them when it ends; a released block stays cached and becomes an
// eviction candidate. A request's blocks are released last block first, so within a request
// the first block counts as the most recently used and the tail is evicted first (vLLM frees
// a finished request's blocks in reverse order for this reason).
//
// Memory: per cached block a 40-byte node plus about 18 bytes in the id map, or with
// dense_ids 4 bytes per id up to the largest id seen.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "kvtrace/analysis/internal/huge_page_allocator.hpp"

namespace kvtrace::cache {

enum class Policy {
  kLru,      // evict the least recently released block
  kLineage,  // evict the least recently released block that has no cached child (leaf first)
  kFifo,     // evict the block inserted first; hits do not refresh it
};

// "lru", "lineage", "fifo"; parse_policy throws UsageError for anything else.
std::string_view policy_name(Policy p);
Policy parse_policy(std::string_view name);

struct CacheConfig {
  std::uint64_t capacity_blocks = 0;
  Policy policy = Policy::kLru;
  // The ids are small integers numbered from 0 (e.g. interned by analysis::IdIndex): the pool
  // finds blocks in a table indexed by id (4 bytes per id up to the largest seen) instead of
  // a hash map, which saves most cache misses on large pools. Ids must stay below 2^32.
  bool dense_ids = false;
  friend bool operator==(const CacheConfig&, const CacheConfig&) = default;
};

// What happened in a pool since it was made.
struct CacheCounts {
  std::uint64_t accesses = 0;    // blocks asked for by acquire()/access()
  std::uint64_t hit_blocks = 0;  // blocks of the longest cached prefixes
  std::uint64_t inserted = 0;    // blocks that were missing and got a slot
  std::uint64_t evicted = 0;
  std::uint64_t dropped = 0;  // missing blocks that got no slot: every cached block was pinned
  friend bool operator==(const CacheCounts&, const CacheCounts&) = default;
};

class CacheSim {
 public:
  // Index of a pinned block's slot, handed back to release().
  using Slot = std::uint32_t;

  explicit CacheSim(CacheConfig config);

  // `blocks`: a request's block ids in order; an id identifies a block together with its
  // prefix (Mooncake hash_ids, or chained sequence hashes). Returns the number of leading
  // blocks that were cached, then inserts the missing ones (evicting per the policy) and
  // marks the request's blocks most recently used.
  std::uint32_t access(std::span<const std::uint64_t> blocks);

  // The first half of access() for a request that stays in flight: returns the cached prefix
  // length, inserts the missing blocks and pins all of them, appending the slot of each
  // pinned block to `pins` (in request order; a block that got no slot is left out).
  std::uint32_t acquire(std::span<const std::uint64_t> blocks, std::vector<Slot>& pins);
  // The second half: unpins `pins` (as acquire() appended them), last block first.
  void release(std::span<const Slot> pins);

  // The number of leading `blocks` that are cached; changes nothing (for routers).
  std::uint32_t cached_prefix(std::span<const std::uint64_t> blocks) const;
  bool contains(std::uint64_t block) const { return find(block) != kNil; }

  std::uint64_t size() const { return nodes_.size(); }
  // dense_ids: sizes the id table for ids below `ids` at once (a hint), instead of growing it
  // by copies as larger ids come.
  void reserve_ids(std::uint64_t ids);
  std::uint64_t pinned_blocks() const { return pinned_; }
  const CacheConfig& config() const { return config_; }
  const CacheCounts& counts() const { return counts_; }

 private:
  static constexpr Slot kNil = UINT32_MAX;

  struct Node {
    std::uint64_t id = 0;
    // fifo: insertion order; lineage: release order (0 until first released). Stamps are
    // never reused, so a heap entry whose stamp differs from its node's is stale.
    std::uint64_t stamp = 0;
    Slot prev = kNil;  // lru: the unpinned blocks, most recent first
    Slot next = kNil;
    std::uint32_t refs = 0;  // pins by requests in flight
    Slot parent = kNil;      // lineage: the block before this one when it was inserted
    std::uint32_t children = 0;
    bool in_heap = false;  // fifo: the node has an entry in heap_
  };
  struct HeapEntry {
    std::uint64_t stamp;
    Slot slot;
    // std::*_heap build max-heaps: the smallest stamp must compare greatest.
    bool operator<(const HeapEntry& o) const { return stamp > o.stamp; }
  };

  Slot find(std::uint64_t id) const {
    if (!config_.dense_ids) {
      const auto it = slot_of_.find(id);
      return it == slot_of_.end() ? kNil : it->second;
    }
    return id < dense_slot_of_.size() ? dense_slot_of_[id] : kNil;
  }
  void map(std::uint64_t id, Slot s);
  void unmap(std::uint64_t id);
  // A slot for a new block, evicting a victim when the pool is full; kNil when every cached
  // block is pinned.
  Slot allocate();
  Slot pick_victim();
  void evict(Slot s);
  void pin(Slot s);
  void unpin(Slot s);
  // Intrusive list of the unpinned blocks (lru).
  void unlink(Slot s);
  void push_front(Slot s);
  void push_heap(Slot s);
  // Drops the stale entries of heap_ once they outnumber the cached blocks.
  void compact_heap();
  bool lineage_evictable(const Node& n) const { return n.refs == 0 && n.children == 0; }

  CacheConfig config_;
  boost::unordered_flat_map<std::uint64_t, Slot> slot_of_;
  // dense_ids: by id, kNil when not cached. Huge pages: the table grows to every distinct id
  // in each pool, and its page faults were a third of a multi-worker simulation's time.
  std::vector<Slot, analysis::HugePageAllocator<Slot>> dense_slot_of_;
  // Every node is a cached block: an evicted block's slot goes straight to the new one.
  std::vector<Node, analysis::HugePageAllocator<Node>> nodes_;
  Slot head_ = kNil;  // most recently released
  Slot tail_ = kNil;  // next lru victim
  // fifo and lineage: eviction candidates by stamp, with lazy deletion of stale entries.
  std::vector<HeapEntry> heap_;
  std::uint64_t clock_ = 0;
  std::uint64_t pinned_ = 0;  // distinct blocks with refs > 0
  CacheCounts counts_;
  std::vector<Slot> scratch_;  // access()'s pins, reused
};

}  // namespace kvtrace::cache
