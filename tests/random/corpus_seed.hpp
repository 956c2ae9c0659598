#pragma once
// derive_seed(42, "dataset.prompt.corpus"): the corpus base seed of reference §7-8, the seed
// of the randrange goldens.

#include <cstdint>

namespace kvtrace::testing {

inline constexpr std::uint64_t kCorpusSeed = 10558974911300946294u;

}  // namespace kvtrace::testing
