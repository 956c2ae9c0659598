#include "kvtrace/cache/cache_sim.hpp"

#include <algorithm>
#include <string>

#include "kvtrace/error.hpp"

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

std::uint64_t cached_tokens(std::uint64_t hit_blocks, std::uint64_t blocks,
                            std::int64_t input_length, std::uint32_t block_size) {
  const auto isl = static_cast<std::uint64_t>(std::max<std::int64_t>(input_length, 0));
  if (hit_blocks >= blocks) return isl;
  return std::min(hit_blocks * block_size, isl);
}

CacheSim::CacheSim(CacheConfig config) : config_(config) {
  // Room for the whole pool up front when it is of a plausible size; an "infinite" capacity
  // grows as blocks arrive.
  constexpr std::uint64_t kMaxReserve = std::uint64_t{1} << 16;
  const std::uint64_t reserve = std::min(config_.capacity_blocks, kMaxReserve);
  slot_of_.reserve(reserve);
  nodes_.reserve(reserve);
}

std::uint32_t CacheSim::access(std::span<const std::uint64_t> blocks) {
  scratch_.clear();
  const std::uint32_t hits = acquire(blocks, scratch_);
  release(scratch_);
  return hits;
}

std::uint32_t CacheSim::acquire(std::span<const std::uint64_t> blocks, std::vector<Slot>& pins) {
  std::uint32_t hits = 0;
  bool in_prefix = true;
  Slot prev = kNil;
  // fifo stamps count down within a request so that its tail is the oldest.
  const std::uint64_t first_stamp = clock_ + blocks.size();
  if (config_.policy == Policy::kFifo) clock_ = first_stamp;
  counts_.accesses += blocks.size();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::uint64_t id = blocks[i];
    Slot s;
    if (const auto it = slot_of_.find(id); it != slot_of_.end()) {
      s = it->second;
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
      slot_of_.emplace(id, s);
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
    if (!slot_of_.contains(id)) break;
    ++n;
  }
  return n;
}

CacheSim::Slot CacheSim::allocate() {
  if (slot_of_.size() < config_.capacity_blocks) {
    if (nodes_.size() >= kNil) throw Error("more than 2^32 - 1 blocks in one cache pool");
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
  slot_of_.erase(n.id);
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
  if (config_.policy == Policy::kLineage && heap_.size() > 2 * slot_of_.size() + 1024) {
    compact_heap();
  }
}

void CacheSim::compact_heap() {
  heap_.clear();
  for (const auto& [id, slot] : slot_of_) {
    const Node& n = nodes_[slot];
    if (lineage_evictable(n)) heap_.push_back({n.stamp, slot});
  }
  std::make_heap(heap_.begin(), heap_.end());
}

}  // namespace kvtrace::cache
