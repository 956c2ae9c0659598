#pragma once
// The dense numbering of a Dynamo trace's 64-bit sequence hashes: 0, 1, 2, ... in the order
// each hash is first seen. Open addressing with linear probing over 16-byte slots, for its
// prefetch(): the hashes are random, so every lookup in a table of hundreds of MB misses the
// cache, and a caller that knows the next hashes has their slots on the way while it works
// on the current one (boost::unordered_flat_map has no such hook). analysis::IdHashTable is
// the same idea with 32-bit numbers; formats cannot use it (it sits above formats).

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

namespace kvtrace::formats {

class DenseIds {
 public:
  std::uint64_t size() const { return size_; }

  // Room for `n` hashes without rehashing.
  void reserve(std::uint64_t n);

  // Starts loading the slot where `key` is or would go. Always inlined: GCC takes a function
  // that only prefetches for a pure one and drops the calls to it otherwise.
  [[gnu::always_inline]] void prefetch(std::uint64_t key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }

  // The number of `key`: the next one, size() before the call, when it is new.
  std::uint64_t number(std::uint64_t key) {
    if ((size_ + 1) * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(2 * size_ + 16);
    for (std::uint64_t i = home(key);; i = after(i)) {
      Slot& s = slots_[i];
      if (s.number == kFree) {
        s = {key, size_};
        return size_++;
      }
      if (s.key == key) return s.number;
    }
  }

 private:
  static constexpr std::uint64_t kFree = UINT64_MAX;  // no key gets that many numbers before
  struct Slot {
    std::uint64_t key = 0;
    std::uint64_t number = kFree;
  };
  // At most 2/3 full: linear probing's probe sequences stay within a cache line or two.
  // The table has any number of slots, so that one sized by reserve() fits its keys closely.
  static constexpr std::uint64_t kMaxLoadNum = 2;
  static constexpr std::uint64_t kMaxLoadDen = 3;

  // The high half of a 64x64-bit product folded onto the low half: every key bit moves the
  // slot, so small keys and raw hashes alike spread over the table; then mapped onto the
  // slots by a multiplication (no power-of-two size needed).
  std::uint64_t home(std::uint64_t key) const {
    const unsigned __int128 p = static_cast<unsigned __int128>(key) * 0x9E3779B97F4A7C15ull;
    const std::uint64_t mixed = static_cast<std::uint64_t>(p >> 64) ^ static_cast<std::uint64_t>(p);
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(mixed) * slots_.size()) >>
                                      64);
  }
  std::uint64_t after(std::uint64_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }

  void grow(std::uint64_t n);

  std::vector<Slot> slots_;
  std::uint64_t size_ = 0;
};

// An estimate of how many distinct keys a stream holds, from the keys of one residue class
// of 1/64 of all keys (counted exactly): for sizing a DenseIds once. Within a few percent
// from about 10,000 distinct keys on; a small stream may count none.
class DistinctEstimate {
 public:
  void add(std::uint64_t key) {
    if ((key * 0x9E3779B97F4A7C15ull) >> (64 - kSampleBits) == 0) sample_.insert(key);
  }
  std::uint64_t estimate() const { return sample_.size() << kSampleBits; }

 private:
  static constexpr unsigned kSampleBits = 6;
  boost::unordered_flat_set<std::uint64_t> sample_;
};

}  // namespace kvtrace::formats
