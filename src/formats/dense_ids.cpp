#include "formats/dense_ids.hpp"

#include <algorithm>

namespace kvtrace::formats {

void DenseIds::reserve(std::uint64_t n) {
  if (n * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(n);
}

void DenseIds::grow(std::uint64_t n) {
  const std::uint64_t capacity =
      std::max<std::uint64_t>(16, (n * kMaxLoadDen + kMaxLoadNum - 1) / kMaxLoadNum);
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  // Reinserting is random access too: the slots of the keys a few ahead are prefetched.
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (i + kAhead < old.size() && old[i + kAhead].number != kFree) prefetch(old[i + kAhead].key);
    const Slot& s = old[i];
    if (s.number == kFree) continue;
    std::uint64_t j = home(s.key);
    while (slots_[j].number != kFree) j = after(j);
    slots_[j] = s;
  }
}

}  // namespace kvtrace::formats
