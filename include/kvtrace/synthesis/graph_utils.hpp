#pragma once
// AIPerf's graph_utils (aiperf-synthesis.md §5.2): checks, pruning, compression and
// statistics on a RadixTree.
//
// merge_unary_chains differs from AIPerf on purpose: AIPerf's version walks a stale snapshot,
// re-parents nodes to detached ones and relabels grandchildren with their grandparent's
// label. kvtrace's produces a proper compressed tree (see below and docs/compatibility.md).

#include <cstdint>
#include <map>
#include <vector>

#include "kvtrace/synthesis/radix_tree.hpp"

namespace kvtrace::synthesis {

struct TreeStats {
  std::uint64_t num_nodes = 0;
  std::uint64_t num_leaves = 0;
  std::uint64_t total_visits = 0;
  std::uint64_t max_depth = 0;
  std::uint64_t internal_nodes = 0;  // live nodes with children
  double branching_factor = 0;       // children over all nodes / max(internal_nodes, 1)
};

// True when the tree is consistent: every live non-root node has a live parent that lists
// it, a walk from the root reaches every live node exactly once, child counts match the
// child lists, and no node has fewer visits than its children together. (AIPerf checks only
// the first two.)
bool validate_tree(const RadixTree& tree);

// Removes every leaf (other than the root) with visit_count <= visit_threshold, in one pass
// over the leaves as they were on entry: a parent that becomes a leaf stays, as in AIPerf.
void remove_leaves(RadixTree& tree, std::uint64_t visit_threshold = 1);

// Compresses every maximal unary chain into its top node. A non-root node absorbs its only
// child while that child has the node's visit count, i.e. while no path ends at the node; a
// node where a path ends stays a node of its own, like a branching node. The top node keeps
// its id, its first label (the key its parent finds it by), its place among its siblings and
// its visit count; RadixTree::labels(id) returns the whole chain of labels, and its children
// are those of the chain's last node. The root is never merged. Afterwards no non-root node
// has exactly one child with an equal visit count, and add_path is no longer allowed.
void merge_unary_chains(RadixTree& tree);

// For every live node with children: the CDF of choosing a child, weighted by visit count,
// children in insertion order. Computed as AIPerf's numpy code does, `np.cumsum(visits /
// visits.sum())`: each probability is divided first, then summed left to right, so the last
// entry can be a rounding step away from 1.0 (ten equal children give 0.9999999999999999).
std::map<NodeId, std::vector<double>> compute_transition_cdfs(const RadixTree& tree);

// RadixTree::get_stats() plus internal_nodes and branching_factor.
TreeStats get_tree_stats(const RadixTree& tree);

}  // namespace kvtrace::synthesis
