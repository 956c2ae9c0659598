#include "kvtrace/analysis/id_index.hpp"

#include <algorithm>

#include "kvtrace/error.hpp"

namespace kvtrace::analysis {
namespace {

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

std::uint32_t IdIndex::intern_slow(std::uint64_t id, bool& created) {
  if (identity_) leave_identity();
  // An id that was new when the table was too small lives in the hash map.
  if (!hashed_.empty()) {
    if (auto it = hashed_.find(id); it != hashed_.end()) {
      created = false;
      return it->second;
    }
  }
  if (count_ >= kMaxIds) {
    throw Error("more than 2^31 distinct hash ids: the trace is too large to analyze in memory");
  }
  created = true;
  const std::uint32_t dense = count_++;
  if (id < direct_.size()) {
    direct_[id] = dense;
  } else if (id < std::max(kAlwaysDirect, kDensity * (std::uint64_t{count_} + 1))) {
    // Grow geometrically so that consecutive ids cost amortised O(1).
    const std::uint64_t want = std::max<std::uint64_t>(id + 1, direct_.size() * 2);
    direct_.resize(std::min(want, std::max(kAlwaysDirect, kDensity * (std::uint64_t{count_} + 1))),
                   kNone);
    direct_[id] = dense;
  } else {
    hashed_.emplace(id, dense);
  }
  return dense;
}

std::uint32_t IdIndex::find(std::uint64_t id) const {
  if (identity_) return id < count_ ? static_cast<std::uint32_t>(id) : kNone;
  if (id < direct_.size() && direct_[id] != kNone) return direct_[id];
  if (auto it = hashed_.find(id); it != hashed_.end()) return it->second;
  return kNone;
}

}  // namespace kvtrace::analysis
