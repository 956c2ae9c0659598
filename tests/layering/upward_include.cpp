// Compiled as if it were part of the trace part, it includes a header of the cache part,
// which sits above trace: the build must refuse it (tests/CMakeLists.txt, Layering.*).
#include "kvtrace/cache/cache_sim.hpp"

namespace kvtrace::trace {

std::uint64_t layering_probe() {
  return cache::CacheSim({.capacity_blocks = 1}).contains(7) ? 1 : 0;
}

}  // namespace kvtrace::trace
