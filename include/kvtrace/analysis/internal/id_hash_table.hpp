#pragma once
// IdIndex's map of sparse 64-bit ids to dense numbers: open addressing with linear probing
// over 16-byte slots (four to a cache line), any 64-bit key, the value UINT32_MAX marking a
// free slot. It exists for prefetch(): with random ids (raw 64-bit hashes) every lookup
// misses the cache, and a caller that knows the next ids can have their slots on the way
// while it works on the current one (boost::unordered_flat_map has no such hook;
// bench/RESULTS.md has the figures).

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kvtrace/analysis/internal/huge_page_allocator.hpp"

namespace kvtrace::analysis {

class IdHashTable {
 public:
  static constexpr std::uint32_t kFree = UINT32_MAX;

  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Starts loading the slot where `key` would be found. Always inlined: GCC 12 takes a
  // function that only prefetches for a pure one and drops the calls to it otherwise.
  [[gnu::always_inline]] void prefetch(std::uint64_t key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }

  // The value of `key`, or kFree.
  std::uint32_t find(std::uint64_t key) const {
    if (slots_.empty()) return kFree;
    for (std::uint64_t i = home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kFree || s.key == key) return s.value;
    }
  }

  // The value of `key`, inserting `value` (not kFree) when it is absent; .second is whether
  // it was inserted.
  std::pair<std::uint32_t, bool> try_emplace(std::uint64_t key, std::uint32_t value) {
    if ((size_ + 1) * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(size_ + 1);
    for (std::uint64_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.value == kFree) {
        s = {key, value};
        ++size_;
        return {value, true};
      }
      if (s.key == key) return {s.value, false};
    }
  }

  // Room for `n` keys without rehashing.
  void reserve(std::uint64_t n) {
    if (n * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(n);
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = kFree;
  };
  // At most 3/4 full: linear probing's probe sequences stay within a cache line or two.
  static constexpr std::uint64_t kMaxLoadNum = 3;
  static constexpr std::uint64_t kMaxLoadDen = 4;

  // The high half of a 64x64-bit product folded onto the low half: every key bit moves the
  // slot, so dense ids and raw hashes alike spread over the table.
  std::uint64_t home(std::uint64_t key) const {
    const unsigned __int128 p = static_cast<unsigned __int128>(key) * 0x9E3779B97F4A7C15ull;
    return (static_cast<std::uint64_t>(p >> 64) ^ static_cast<std::uint64_t>(p)) & mask_;
  }

  void grow(std::uint64_t n) {
    std::uint64_t capacity = 16;
    while (n * kMaxLoadDen > capacity * kMaxLoadNum) capacity *= 2;
    std::vector<Slot, HugePageAllocator<Slot>> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    size_ = 0;
    // Reinserting is random access too: the slots of the keys a few ahead are prefetched.
    constexpr std::size_t kAhead = 16;
    for (std::size_t i = 0; i < old.size(); ++i) {
      if (i + kAhead < old.size() && old[i + kAhead].value != kFree) {
        prefetch(old[i + kAhead].key);
      }
      if (old[i].value != kFree) try_emplace(old[i].key, old[i].value);
    }
  }

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::uint64_t mask_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace kvtrace::analysis
