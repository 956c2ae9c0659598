#include "formats/dense_ids.hpp"

namespace kvtrace::formats {

void DenseIds::reserve(std::uint64_t n) {
  if (n * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(n);
}

void DenseIds::grow(std::uint64_t n) {
  std::uint64_t capacity = 16;
  while (n * kMaxLoadDen > capacity * kMaxLoadNum) capacity *= 2;
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  mask_ = capacity - 1;
  // Reinserting is random access too: the slots of the keys a few ahead are prefetched.
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (i + kAhead < old.size() && old[i + kAhead].number != kFree) prefetch(old[i + kAhead].key);
    const Slot& s = old[i];
    if (s.number == kFree) continue;
    std::uint64_t j = home(s.key);
    while (slots_[j].number != kFree) j = (j + 1) & mask_;
    slots_[j] = s;
  }
}

}  // namespace kvtrace::formats
