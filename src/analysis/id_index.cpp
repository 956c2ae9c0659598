#include "kvtrace/analysis/id_index.hpp"

#include <algorithm>

#include "kvtrace/core/error.hpp"

namespace kvtrace::analysis {
namespace {

static_assert(IdHashTable::kFree == IdIndex::kNone, "find() passes the table's kFree on");

// The direct table may grow to cover ids below this bound whatever the density, and beyond
// it only while it stays within kDensity table entries per distinct id: dense traces never
// touch the hash map, sparse ones cost at most a few bytes per id in the table.
constexpr std::uint64_t kAlwaysDirect = std::uint64_t{1} << 16;
constexpr std::uint64_t kDensity = 4;

}  // namespace

void IdIndex::leave_identity() {
  identity_ = false;
  direct_.resize(std::max<std::uint64_t>(count_, kAlwaysDirect), kNone);
  for (std::uint32_t i = 0; i < count_; ++i) direct_[i] = i;
}

std::uint32_t IdIndex::next_number() {
  if (count_ >= kMaxIds) {
    throw LimitError(
        "more than 2^31 distinct hash ids: the trace is too large to analyze in memory");
  }
  return count_++;
}

std::uint32_t IdIndex::fresh() {
  // In the identity mode the next id would take this number: leave it.
  if (identity_) leave_identity();
  return next_number();
}

std::uint32_t IdIndex::intern_slow(std::uint64_t id, bool& created) {
  if (identity_) {
    // The first id is not 0 (which the identity would have taken): the table starts there.
    if (count_ == 0) base_ = id;
    leave_identity();
  }
  const std::uint64_t direct_limit =
      std::max(kAlwaysDirect, kDensity * (std::uint64_t{count_} + 1));
  const std::uint64_t offset = id - base_;
  if (offset >= direct_.size() && offset >= direct_limit) {
    // Sparse ids: one probe of the hash map finds or inserts.
    const auto [number, inserted] = hashed_.try_emplace(id, count_);
    created = inserted;
    if (inserted) next_number();
    return number;
  }
  // An id that was new while the table was too small for it lives in the hash map.
  if (!hashed_.empty()) {
    if (const std::uint32_t number = hashed_.find(id); number != IdHashTable::kFree) {
      created = false;
      return number;
    }
  }
  if (offset >= direct_.size()) {
    // Grow geometrically so that consecutive ids cost amortised O(1).
    direct_.resize(std::min(std::max<std::uint64_t>(offset + 1, direct_.size() * 2), direct_limit),
                   kNone);
  }
  created = true;
  direct_[offset] = next_number();
  return direct_[offset];
}

void IdIndex::reserve(std::uint64_t distinct_ids) {
  // Only sparse ids use the map; identity and direct numbering need no room.
  if (!hashed_.empty()) hashed_.reserve(distinct_ids);
}

std::uint32_t IdIndex::find(std::uint64_t id) const {
  if (identity_) return id < count_ ? static_cast<std::uint32_t>(id) : kNone;
  if (id - base_ < direct_.size() && direct_[id - base_] != kNone) return direct_[id - base_];
  return hashed_.find(id);  // kFree is kNone
}

}  // namespace kvtrace::analysis
