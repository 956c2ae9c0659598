#include "kvtrace/synthesis/graph_utils.hpp"

#include <algorithm>

namespace kvtrace::synthesis {

namespace {

// A node that can absorb its only child without losing a path end.
bool can_absorb(const RadixTree& tree, const RadixNode& n) {
  if (n.is_root() || n.num_children() != 1) return false;
  return tree.get_node(*tree.children(n.id()).begin())->visit_count() == n.visit_count();
}

}  // namespace

bool validate_tree(const RadixTree& tree) {
  const std::vector<NodeId> ids = tree.get_all_nodes();
  for (const NodeId id : ids) {
    const RadixNode& n = *tree.get_node(id);
    if (n.is_root() ? n.parent() != kNoNode : tree.get_node(n.parent()) == nullptr) return false;
  }

  // Iterative, since a path can be millions of nodes deep.
  std::vector<bool> seen(ids.back() + 1, false);
  std::vector<NodeId> stack{kRootId};
  std::size_t reached = 0;
  while (!stack.empty()) {
    const NodeId id = stack.back();
    stack.pop_back();
    if (seen[id]) return false;
    seen[id] = true;
    ++reached;
    const RadixNode& n = *tree.get_node(id);
    std::uint64_t child_count = 0;
    std::uint64_t child_visits = 0;
    for (const NodeId c : tree.children(id)) {
      const RadixNode* child = tree.get_node(c);
      if (child == nullptr || child->parent() != id) return false;
      ++child_count;
      // Compared without forming a sum that could overflow.
      if (child->visit_count() > n.visit_count() - child_visits) return false;
      child_visits += child->visit_count();
      stack.push_back(c);
    }
    if (child_count != n.num_children()) return false;
  }
  return reached == ids.size();
}

void remove_leaves(RadixTree& tree, std::uint64_t visit_threshold) {
  // A parent's id is below its children's, so this ascending pass looks at each node before
  // any of its children can be removed: a node is a leaf here iff it was one on entry.
  for (const NodeId id : tree.get_all_nodes()) {
    const RadixNode& n = *tree.get_node(id);
    if (!n.is_root() && n.is_leaf() && n.visit_count() <= visit_threshold) tree.remove_leaf(id);
  }
}

void merge_unary_chains(RadixTree& tree) {
  // Ascending ids reach the top of each chain before its other nodes, which the top absorbs
  // and which are skipped when their turn comes.
  for (const NodeId id : tree.get_all_nodes()) {
    const RadixNode* n = tree.get_node(id);
    if (n == nullptr) continue;
    while (can_absorb(tree, *n)) tree.absorb_only_child(id);
  }
}

std::map<NodeId, std::vector<double>> compute_transition_cdfs(const RadixTree& tree) {
  std::map<NodeId, std::vector<double>> cdfs;
  for (const NodeId id : tree.get_all_nodes()) {
    const RadixNode& n = *tree.get_node(id);
    if (n.is_leaf()) continue;
    // Every child carries at least the visit that created it, so the total is positive.
    std::uint64_t total = 0;
    for (const NodeId c : tree.children(id)) total += tree.get_node(c)->visit_count();
    std::vector<double> cdf;
    cdf.reserve(n.num_children());
    double running = 0;
    for (const NodeId c : tree.children(id)) {
      running += static_cast<double>(tree.get_node(c)->visit_count()) / static_cast<double>(total);
      cdf.push_back(running);
    }
    cdfs.emplace_hint(cdfs.end(), id, std::move(cdf));
  }
  return cdfs;
}

TreeStats get_tree_stats(const RadixTree& tree) {
  const RadixTreeStats base = tree.get_stats();
  TreeStats s{.num_nodes = base.num_nodes,
              .num_leaves = base.num_leaves,
              .total_visits = base.total_visits,
              .max_depth = base.max_depth};
  std::uint64_t children = 0;
  for (const NodeId id : tree.get_all_nodes()) {
    const RadixNode& n = *tree.get_node(id);
    if (!n.is_leaf()) ++s.internal_nodes;
    children += n.num_children();
  }
  s.branching_factor = static_cast<double>(children) /
                       static_cast<double>(std::max<std::uint64_t>(s.internal_nodes, 1));
  return s;
}

}  // namespace kvtrace::synthesis
