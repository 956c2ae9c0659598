#pragma once
// An allocator for the analyzer's large tables: allocations of 2 MiB and more are mapped
// with mmap and marked MADV_HUGEPAGE, so that random access into hundreds of MB (the hash
// map of sparse ids, the per-id arrays) misses the TLB far less often. Smaller ones use new.

#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace kvtrace::analysis {

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeThreshold) return static_cast<T*>(::operator new(bytes));
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without THP it is plain pages
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugeThreshold) {
      ::operator delete(p);
    } else {
      ::munmap(p, bytes);
    }
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static constexpr std::size_t kHugeThreshold = std::size_t{2} << 20;
};

}  // namespace kvtrace::analysis
