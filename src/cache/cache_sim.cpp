#include "kvtrace/cache/cache_sim.hpp"

#include <algorithm>
#include <string>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cache {

std::string_view policy_name(Policy p) {
  switch (p) {
    case Policy::kLru:
      return "lru";
    case Policy::kLineage:
      return "lineage";
    case Policy::kFifo:
      return "fifo";
  }
  return "?";
}

Policy parse_policy(std::string_view name) {
  if (name == "lru") return Policy::kLru;
  if (name == "lineage") return Policy::kLineage;
  if (name == "fifo") return Policy::kFifo;
  throw UsageError("unknown eviction policy '" + std::string(name) +
                   "' (expected lru, lineage or fifo)");
}

CacheSim::CacheSim(CacheConfig config) : config_(config) {
  // Room for the whole pool up front when it is of a plausible size; an "infinite" capacity
  // grows as blocks arrive.
  constexpr std::uint64_t kMaxReserve = std::uint64_t{1} << 16;
  const std::uint64_t reserve = std::min(config_.capacity_blocks, kMaxReserve);
  if (!config_.dense_ids) slot_of_.reserve(reserve);
  nodes_.reserve(reserve);
}

std::uint32_t CacheSim::access(std::span<const std::uint64_t> blocks) {
  scratch_.clear();
  const std::uint32_t hits = acquire(blocks, scratch_);
  release(scratch_);
  return hits;
}

std::uint32_t CacheSim::acquire(std::span<const std::uint64_t> blocks, std::vector<Slot>& pins) {
  // Checked before anything changes, so that a throw leaves the pool as it was.
  if (config_.dense_ids) {
    for (const std::uint64_t id : blocks) {
      if (id >= kNil) throw LimitError("a dense block id must be below 2^32 - 1");
    }
  }
  std::uint32_t hits = 0;
  bool in_prefix = true;
  Slot prev = kNil;
  // fifo stamps count down within a request so that its tail is the oldest.
  const std::uint64_t first_stamp = clock_ + blocks.size();
  if (config_.policy == Policy::kFifo) clock_ = first_stamp;
  counts_.accesses += blocks.size();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::uint64_t id = blocks[i];
    Slot s = find(id);
    if (s != kNil) {
      if (in_prefix) ++hits;
      pin(s);
    } else {
      in_prefix = false;
      s = allocate();
      if (s == kNil) {
        ++counts_.dropped;
        prev = kNil;
        continue;
      }
      Node& n = nodes_[s];
      n = Node{};
      n.id = id;
      n.refs = 1;
      ++pinned_;
      if (config_.policy == Policy::kFifo) n.stamp = first_stamp - i;
      if (config_.policy == Policy::kLineage && prev != kNil) {
        n.parent = prev;
        ++nodes_[prev].children;
      }
      map(id, s);
      ++counts_.inserted;
    }
    pins.push_back(s);
    prev = s;
  }
  counts_.hit_blocks += hits;
  return hits;
}

void CacheSim::release(std::span<const Slot> pins) {
  for (auto it = pins.rbegin(); it != pins.rend(); ++it) unpin(*it);
}

std::uint32_t CacheSim::cached_prefix(std::span<const std::uint64_t> blocks) const {
  std::uint32_t n = 0;
  for (const std::uint64_t id : blocks) {
    if (find(id) == kNil) break;
    ++n;
  }
  return n;
}

void CacheSim::reserve_ids(std::uint64_t ids) {
  if (config_.dense_ids && ids > dense_slot_of_.size()) dense_slot_of_.resize(ids, kNil);
}

void CacheSim::map(std::uint64_t id, Slot s) {
  if (!config_.dense_ids) {
    slot_of_.emplace(id, s);
    return;
  }
  if (id >= dense_slot_of_.size()) {
    dense_slot_of_.resize(std::max<std::uint64_t>(id + 1, 2 * dense_slot_of_.size()), kNil);
  }
  dense_slot_of_[id] = s;
}

void CacheSim::unmap(std::uint64_t id) {
  if (config_.dense_ids) {
    dense_slot_of_[id] = kNil;
  } else {
    slot_of_.erase(id);
  }
}

CacheSim::Slot CacheSim::allocate() {
  if (nodes_.size() < config_.capacity_blocks) {
    if (nodes_.size() >= kNil) throw LimitError("more than 2^32 - 1 blocks in one cache pool");
    nodes_.emplace_back();
    return static_cast<Slot>(nodes_.size() - 1);
  }
  const Slot victim = pick_victim();
  if (victim != kNil) evict(victim);
  return victim;
}

CacheSim::Slot CacheSim::pick_victim() {
  if (config_.policy == Policy::kLru) return tail_;
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end());
    const HeapEntry e = heap_.back();
    heap_.pop_back();
    Node& n = nodes_[e.slot];
    if (config_.policy == Policy::kFifo) {
      // Every fifo entry is its node's only one: a pinned node gets a new entry on release.
      n.in_heap = false;
      if (n.refs == 0) return e.slot;
    } else if (n.stamp == e.stamp && lineage_evictable(n)) {
      return e.slot;
    }
  }
  return kNil;
}

void CacheSim::evict(Slot s) {
  Node& n = nodes_[s];
  unmap(n.id);
  ++counts_.evicted;
  if (config_.policy == Policy::kLru) unlink(s);
  if (n.parent != kNil) {
    Node& parent = nodes_[n.parent];
    if (--parent.children == 0 && parent.refs == 0) push_heap(n.parent);
  }
}

void CacheSim::pin(Slot s) {
  Node& n = nodes_[s];
  if (n.refs++ != 0) return;
  ++pinned_;
  if (config_.policy == Policy::kLru) unlink(s);
}

void CacheSim::unpin(Slot s) {
  Node& n = nodes_[s];
  if (--n.refs != 0) return;
  --pinned_;
  switch (config_.policy) {
    case Policy::kLru:
      push_front(s);
      break;
    case Policy::kLineage:
      n.stamp = ++clock_;
      if (n.children == 0) push_heap(s);
      break;
    case Policy::kFifo:
      if (!n.in_heap) push_heap(s);
      break;
  }
}

void CacheSim::unlink(Slot s) {
  Node& n = nodes_[s];
  (n.prev != kNil ? nodes_[n.prev].next : head_) = n.next;
  (n.next != kNil ? nodes_[n.next].prev : tail_) = n.prev;
  n.prev = n.next = kNil;
}

void CacheSim::push_front(Slot s) {
  Node& n = nodes_[s];
  n.prev = kNil;
  n.next = head_;
  (head_ != kNil ? nodes_[head_].prev : tail_) = s;
  head_ = s;
}

void CacheSim::push_heap(Slot s) {
  Node& n = nodes_[s];
  n.in_heap = true;
  heap_.push_back({n.stamp, s});
  std::push_heap(heap_.begin(), heap_.end());
  if (config_.policy == Policy::kLineage && heap_.size() > 2 * nodes_.size() + 1024) {
    compact_heap();
  }
}

void CacheSim::compact_heap() {
  heap_.clear();
  for (Slot s = 0; s < nodes_.size(); ++s) {
    if (lineage_evictable(nodes_[s])) heap_.push_back({nodes_[s].stamp, s});
  }
  std::make_heap(heap_.begin(), heap_.end());
}

}  // namespace kvtrace::cache
