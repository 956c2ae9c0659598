#pragma once
// Dense numbering of 64-bit hash ids in first-seen order (0, 1, 2, ...). Mooncake-style
// traces number their ids in first-seen order already, so while every new id is the next
// number the mapping is the identity and costs nothing; after that ids near the first one
// (from it upwards: a later part of such a trace starts at a large id) are looked up in a
// direct table and any other id in a hash map. Either way an id is never truncated and two
// ids never share a number.

#include <cstdint>
#include <vector>

#include "kvtrace/analysis/internal/id_hash_table.hpp"

namespace kvtrace::analysis {

class IdIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // Dense numbers stay below 2^31 so that callers can use the upper half as a tag.
  static constexpr std::uint32_t kMaxIds = std::uint32_t{1} << 31;

  // The dense number of `id`, handing out the next one when `id` is new (then `created` is
  // set). Throws kvtrace::Error past kMaxIds distinct ids.
  std::uint32_t intern(std::uint64_t id, bool& created);
  // A new dense number that belongs to no id (e.g. a simulated block the trace does not
  // name): no id, whatever its value, is ever given it. Throws like intern().
  std::uint32_t fresh();
  // The dense number of `id`, or kNone when it has not been seen.
  std::uint32_t find(std::uint64_t id) const;
  std::uint32_t size() const { return count_; }
  // Room for this many distinct ids in the hash map, when ids go through it (a hint).
  void reserve(std::uint64_t distinct_ids);
  // Starts loading what intern(id) or find(id) will read, when that is the hash map: a
  // caller that knows its next ids prefetches a few ahead, so that random ids do not wait
  // on memory one at a time. Always inlined, as IdHashTable::prefetch says why.
  [[gnu::always_inline]] void prefetch(std::uint64_t id) const {
    if (!identity_ && id - base_ >= direct_.size()) hashed_.prefetch(id);
  }

 private:
  std::uint32_t intern_slow(std::uint64_t id, bool& created);
  // Hands out the next dense number; throws past kMaxIds.
  std::uint32_t next_number();
  // Leaves the identity mode: the table takes over the ids numbered so far.
  void leave_identity();

  bool identity_ = true;  // so far every id's number is the id itself
  // id - base_ -> dense number, kNone when unseen. An id below base_ wraps around to a large
  // offset, so it is looked up in the hash map like any id beyond the table.
  std::vector<std::uint32_t> direct_;
  std::uint64_t base_ = 0;
  IdHashTable hashed_;
  std::uint32_t count_ = 0;
};

inline std::uint32_t IdIndex::intern(std::uint64_t id, bool& created) {
  if (identity_) {
    if (id < count_) {
      created = false;
      return static_cast<std::uint32_t>(id);
    }
    if (id == count_ && count_ < kMaxIds) {
      created = true;
      return count_++;
    }
  }
  if (id - base_ < direct_.size()) {
    const std::uint32_t d = direct_[id - base_];
    if (d != kNone) {
      created = false;
      return d;
    }
  }
  return intern_slow(id, created);
}

}  // namespace kvtrace::analysis
