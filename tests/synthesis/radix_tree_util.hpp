#pragma once
// For the radix tree tests: a node's labels as a vector, to compare with EXPECT_EQ.

#include <cstdint>
#include <vector>

#include "kvtrace/synthesis/radix_tree.hpp"

namespace kvtrace::testing {

inline std::vector<std::uint64_t> labels_of(const synthesis::RadixTree& tree,
                                            synthesis::NodeId id) {
  const auto labels = tree.labels(id);
  return {labels.begin(), labels.end()};
}

}  // namespace kvtrace::testing
