// RadixTree: every case of upstream test_radix_tree.py (aiperf-synthesis.md §10), adapted to
// the arena API (ids instead of node objects), plus kvtrace's own: insertion order, wide
// nodes, removal and merging primitives, deep paths.

#include "kvtrace/synthesis/radix_tree.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "synthesis/radix_tree_util.hpp"

namespace kvtrace::synthesis {
namespace {

using Path = std::vector<std::uint64_t>;
using testing::labels_of;

std::vector<NodeId> child_ids(const RadixTree& tree, NodeId id) {
  const auto range = tree.children(id);
  return {range.begin(), range.end()};
}

// --- RadixNode ------------------------------------------------------------------------

TEST(RadixNode, Defaults) {
  const RadixNode node;
  EXPECT_EQ(node.id(), kRootId);
  EXPECT_EQ(node.label(), 0u);
  EXPECT_EQ(node.visit_count(), 0u);
  EXPECT_EQ(node.num_children(), 0u);
  EXPECT_EQ(node.parent(), kNoNode);
  EXPECT_TRUE(node.is_leaf());
  EXPECT_FALSE(node.removed());
}

TEST(RadixNode, AddPathLinksChildToParent) {
  RadixTree tree;
  const NodeId child = tree.add_path(Path{512});
  EXPECT_EQ(tree.get_node(child)->label(), 512u);
  EXPECT_EQ(tree.get_node(child)->parent(), kRootId);
  EXPECT_EQ(tree.get_child(kRootId, 512), child);
  EXPECT_FALSE(tree.root().is_leaf());
  EXPECT_TRUE(tree.get_node(child)->is_leaf());
}

TEST(RadixNode, GetChildMissingLabel) {
  RadixTree tree;
  EXPECT_EQ(tree.get_child(kRootId, 999), std::nullopt);
  tree.add_path(Path{512});
  EXPECT_EQ(tree.get_child(kRootId, 999), std::nullopt);
  EXPECT_THROW(tree.get_child(42, 1), std::logic_error);
}

// --- RadixTree ------------------------------------------------------------------------

TEST(RadixTree, NewTreeIsARootLeaf) {
  const RadixTree tree;
  EXPECT_EQ(tree.root().id(), kRootId);
  EXPECT_TRUE(tree.root().is_leaf());
  EXPECT_TRUE(tree.root().is_root());
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_TRUE(tree.labels(kRootId).empty());
}

TEST(RadixTree, AddSinglePath) {
  RadixTree tree;
  const NodeId leaf = tree.add_path(Path{1, 2, 3});
  const RadixNode* node = tree.get_node(leaf);
  ASSERT_NE(node, nullptr);
  EXPECT_TRUE(node->is_leaf());
  EXPECT_EQ(node->visit_count(), 1u);
  EXPECT_EQ(node->label(), 3u);
  EXPECT_EQ(leaf, 3u);
}

TEST(RadixTree, AddMultiplePathsGivesDistinctLeaves) {
  RadixTree tree;
  const NodeId leaf1 = tree.add_path(Path{1, 2, 3});
  const NodeId leaf2 = tree.add_path(Path{1, 2, 4});
  EXPECT_NE(leaf1, leaf2);
  EXPECT_TRUE(tree.get_node(leaf1)->is_leaf());
  EXPECT_TRUE(tree.get_node(leaf2)->is_leaf());
}

TEST(RadixTree, SharedPrefixReusesNodes) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  tree.add_path(Path{1, 2, 4});
  EXPECT_EQ(tree.get_stats().num_nodes, 5u);  // root, 1, 2, 3, 4
  EXPECT_EQ(tree.get_node(2)->visit_count(), 2u);
  EXPECT_EQ(tree.root().visit_count(), 2u);
}

TEST(RadixTree, SamePathTwiceIncrementsVisits) {
  RadixTree tree;
  const NodeId first = tree.add_path(Path{1, 2, 3});
  const NodeId second = tree.add_path(Path{1, 2, 3});
  EXPECT_EQ(first, second);
  EXPECT_EQ(tree.get_node(second)->visit_count(), 2u);
  EXPECT_EQ(tree.size(), 4u);
}

TEST(RadixTree, EmptyPathReturnsRoot) {
  RadixTree tree;
  EXPECT_EQ(tree.add_path(Path{}), kRootId);
  EXPECT_EQ(tree.root().visit_count(), 1u);
  EXPECT_EQ(tree.size(), 1u);
}

TEST(RadixTree, PathsOfVariousLengths) {
  for (const std::uint64_t length : {1u, 5u, 10u, 50u}) {
    RadixTree tree;
    Path path(length);
    std::iota(path.begin(), path.end(), std::uint64_t{0});
    const NodeId leaf = tree.add_path(path);
    EXPECT_EQ(tree.get_node(leaf)->visit_count(), 1u) << length;
    EXPECT_EQ(tree.get_stats().max_depth, length);
  }
}

TEST(RadixTree, GetNode) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  EXPECT_EQ(tree.get_node(kRootId), &tree.root());
  EXPECT_EQ(tree.get_node(999), nullptr);
  EXPECT_EQ(tree.get_node(kNoNode), nullptr);
  EXPECT_EQ(RadixTree().get_node(999), nullptr);
}

TEST(RadixTree, GetAllNodesInInsertionOrder) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  tree.add_path(Path{1, 2, 4});
  tree.add_path(Path{7});
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 2, 3, 4, 5}));
  std::vector<std::uint64_t> labels;
  for (const NodeId id : tree.get_all_nodes()) labels.push_back(tree.get_node(id)->label());
  EXPECT_EQ(labels, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 7}));
}

TEST(RadixTree, StatsOfEmptyTree) {
  EXPECT_EQ(RadixTree().get_stats(), (RadixTreeStats{1, 1, 0, 0}));
}

TEST(RadixTree, StatsOfSinglePath) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  EXPECT_EQ(tree.get_stats(), (RadixTreeStats{4, 1, 1, 3}));
}

TEST(RadixTree, StatsCountVisits) {
  RadixTree tree;
  for (int i = 0; i < 3; ++i) tree.add_path(Path{1, 2, 3});
  EXPECT_EQ(tree.get_stats().total_visits, 3u);
  tree.add_path(Path{});
  EXPECT_EQ(tree.get_stats().total_visits, 4u);  // empty paths count too
}

TEST(RadixTree, EveryNonRootNodeHasAParentThatListsIt) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  tree.add_path(Path{1, 4});
  for (const NodeId id : tree.get_all_nodes()) {
    const RadixNode& node = *tree.get_node(id);
    if (node.is_root()) continue;
    ASSERT_NE(node.parent(), kNoNode);
    EXPECT_LT(node.parent(), id);
    const auto siblings = child_ids(tree, node.parent());
    EXPECT_NE(std::ranges::find(siblings, id), siblings.end());
  }
}

TEST(RadixTree, TreeIsConnected) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  tree.add_path(Path{1, 4, 5});
  std::set<NodeId> visited;
  std::vector<NodeId> stack{kRootId};
  while (!stack.empty()) {
    const NodeId id = stack.back();
    stack.pop_back();
    visited.insert(id);
    for (const NodeId c : tree.children(id)) stack.push_back(c);
  }
  const auto all = tree.get_all_nodes();
  EXPECT_EQ(visited, std::set<NodeId>(all.begin(), all.end()));
}

TEST(RadixTree, LargeTree) {
  RadixTree tree;
  for (std::uint64_t i = 0; i < 100; ++i)
    tree.add_path(Path{i % 10, (i / 10) % 10, (i / 100) % 10});
  const RadixTreeStats stats = tree.get_stats();
  EXPECT_EQ(stats.total_visits, 100u);
  EXPECT_EQ(stats.num_nodes, 1u + 10 + 100 + 100);
  EXPECT_EQ(stats.num_leaves, 100u);
  EXPECT_EQ(stats.max_depth, 3u);
}

TEST(RadixTree, SingleLongBranch) {
  RadixTree tree;
  Path path(100);
  std::iota(path.begin(), path.end(), std::uint64_t{0});
  tree.add_path(path);
  EXPECT_EQ(tree.get_stats().max_depth, 100u);
}

TEST(RadixTree, DeepPathNeedsNoRecursion) {
  RadixTree tree;
  Path path(300'000);
  std::iota(path.begin(), path.end(), std::uint64_t{1});
  EXPECT_EQ(tree.add_path(path), 300'000u);
  EXPECT_EQ(tree.add_path(path), 300'000u);
  EXPECT_EQ(tree.get_stats(), (RadixTreeStats{300'001, 1, 2, 300'000}));
}

TEST(RadixTree, LabelsAreFullHashIds) {
  RadixTree tree;
  const std::uint64_t big = UINT64_MAX;
  const NodeId leaf = tree.add_path(Path{big, 0, big});
  EXPECT_EQ(labels_of(tree, leaf), (std::vector<std::uint64_t>{big}));
  EXPECT_EQ(tree.get_child(kRootId, big), 1u);
  EXPECT_EQ(tree.get_child(1, 0), 2u);
  EXPECT_EQ(tree.get_child(2, big), 3u);
}

TEST(RadixTree, WideNodeKeepsInsertionOrderAndFindsEveryChild) {
  RadixTree tree;
  std::vector<std::uint64_t> labels(1000);
  std::iota(labels.begin(), labels.end(), std::uint64_t{1});
  std::shuffle(labels.begin(), labels.end(), std::mt19937_64(7));
  for (const std::uint64_t label : labels) tree.add_path(Path{label, label + 5000});
  std::vector<std::uint64_t> order;
  for (const NodeId c : tree.children(kRootId)) order.push_back(tree.get_node(c)->label());
  EXPECT_EQ(order, labels);
  // Adding them again finds every existing node: no new ids.
  for (const std::uint64_t label : labels) tree.add_path(Path{label, label + 5000});
  EXPECT_EQ(tree.size(), 2001u);
  for (const std::uint64_t label : labels) {
    const auto child = tree.get_child(kRootId, label);
    ASSERT_TRUE(child.has_value());
    EXPECT_EQ(tree.get_node(*child)->visit_count(), 2u);
  }
}

TEST(RadixTree, RemoveLeaf) {
  RadixTree tree;
  tree.add_path(Path{1, 2});
  tree.add_path(Path{1, 3});
  tree.add_path(Path{1, 4});
  tree.remove_leaf(3);  // label 3, the middle child
  EXPECT_EQ(tree.get_node(3), nullptr);
  EXPECT_EQ(tree.size(), 4u);
  EXPECT_EQ(child_ids(tree, 1), (std::vector<NodeId>{2, 4}));
  EXPECT_EQ(tree.get_child(1, 3), std::nullopt);
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 2, 4}));
  // Ids are never reused: the path is recreated under a new id.
  EXPECT_EQ(tree.add_path(Path{1, 3}), 5u);
  EXPECT_EQ(child_ids(tree, 1), (std::vector<NodeId>{2, 4, 5}));
  tree.remove_leaf(2);
  tree.remove_leaf(5);
  EXPECT_EQ(child_ids(tree, 1), (std::vector<NodeId>{4}));
}

TEST(RadixTree, RemoveLeafFromWideNode) {
  RadixTree tree;
  for (std::uint64_t label = 1; label <= 10; ++label) tree.add_path(Path{label});
  for (NodeId id = 1; id <= 10; id += 2) tree.remove_leaf(id);
  EXPECT_EQ(child_ids(tree, kRootId), (std::vector<NodeId>{2, 4, 6, 8, 10}));
  EXPECT_EQ(tree.get_child(kRootId, 3), std::nullopt);
  EXPECT_EQ(tree.get_child(kRootId, 4), 4u);
  EXPECT_EQ(tree.add_path(Path{3}), 11u);
  EXPECT_EQ(tree.add_path(Path{3}), 11u);
  EXPECT_EQ(tree.get_node(11)->visit_count(), 2u);
}

TEST(RadixTree, RemoveLeafRejectsBadIds) {
  RadixTree tree;
  tree.add_path(Path{1, 2});
  EXPECT_THROW(tree.remove_leaf(kRootId), std::logic_error);
  EXPECT_THROW(tree.remove_leaf(1), std::logic_error);  // has a child
  EXPECT_THROW(tree.remove_leaf(99), std::logic_error);
  tree.remove_leaf(2);
  EXPECT_THROW(tree.remove_leaf(2), std::logic_error);  // already removed
  EXPECT_THROW(tree.children(2), std::logic_error);
  EXPECT_THROW(tree.labels(2), std::logic_error);
}

TEST(RadixTree, AbsorbOnlyChild) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  tree.add_path(Path{1, 2, 4});
  tree.absorb_only_child(1);
  EXPECT_EQ(tree.get_node(2), nullptr);
  EXPECT_EQ(tree.size(), 4u);
  EXPECT_EQ(labels_of(tree, 1), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(tree.get_node(1)->label(), 1u);
  EXPECT_EQ(tree.get_node(1)->visit_count(), 2u);
  EXPECT_EQ(child_ids(tree, 1), (std::vector<NodeId>{3, 4}));
  EXPECT_EQ(tree.get_node(3)->parent(), 1u);
  EXPECT_EQ(tree.get_node(4)->parent(), 1u);
  EXPECT_EQ(tree.get_child(kRootId, 1), 1u);
  EXPECT_EQ(tree.get_child(1, 4), 4u);
  EXPECT_EQ(tree.get_stats(), (RadixTreeStats{4, 2, 2, 2}));
}

TEST(RadixTree, AbsorbWideChildRekeysItsChildren) {
  RadixTree tree;
  for (std::uint64_t label = 10; label < 20; ++label) tree.add_path(Path{1, 2, label});
  tree.absorb_only_child(1);
  EXPECT_EQ(tree.get_node(1)->num_children(), 10u);
  for (std::uint64_t label = 10; label < 20; ++label) {
    const auto child = tree.get_child(1, label);
    ASSERT_TRUE(child.has_value());
    EXPECT_EQ(tree.get_node(*child)->parent(), 1u);
  }
  EXPECT_EQ(tree.get_child(1, 2), std::nullopt);  // the absorbed edge is inside node 1
}

TEST(RadixTree, AbsorbOnlyChildPreconditions) {
  RadixTree tree;
  tree.add_path(Path{1, 2, 3});
  tree.add_path(Path{1, 2});
  tree.add_path(Path{1, 5});
  EXPECT_THROW(tree.absorb_only_child(kRootId), std::logic_error);
  EXPECT_THROW(tree.absorb_only_child(1), std::logic_error);  // two children
  EXPECT_THROW(tree.absorb_only_child(2), std::logic_error);  // a path ends at node 2
  EXPECT_THROW(tree.absorb_only_child(3), std::logic_error);  // a leaf
  EXPECT_THROW(tree.absorb_only_child(99), std::logic_error);
  EXPECT_EQ(tree.size(), 5u);
}

TEST(RadixTree, AddPathAfterMergeIsRejected) {
  RadixTree tree;
  tree.add_path(Path{1, 2});
  tree.absorb_only_child(1);
  EXPECT_THROW(tree.add_path(Path{1, 2}), std::logic_error);
  EXPECT_EQ(tree.root().visit_count(), 1u);
}

}  // namespace
}  // namespace kvtrace::synthesis
