// graph_utils: every case of upstream test_graph_utils.py, the derived goldens of
// aiperf-synthesis.md §5.2, and kvtrace's merge_unary_chains semantics (which differ from
// AIPerf's on purpose; see graph_utils.hpp).

#include "kvtrace/synthesis/graph_utils.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "synthesis/radix_tree_util.hpp"

namespace kvtrace::synthesis {
namespace {

using Path = std::vector<std::uint64_t>;
using testing::labels_of;
using Cdfs = std::map<NodeId, std::vector<double>>;

RadixTree make_tree(const std::vector<Path>& paths) {
  RadixTree tree;
  for (const Path& p : paths) tree.add_path(p);
  return tree;
}

// The example of §5.2: [1,2,3] twice, [1,2,4], [1,5,6,7].
RadixTree four_path_tree() {
  return make_tree({{1, 2, 3}, {1, 2, 3}, {1, 2, 4}, {1, 5, 6, 7}});
}

void expect_stats(const TreeStats& s, std::uint64_t nodes, std::uint64_t leaves,
                  std::uint64_t visits, std::uint64_t depth, std::uint64_t internal, double bf) {
  EXPECT_EQ(s.num_nodes, nodes);
  EXPECT_EQ(s.num_leaves, leaves);
  EXPECT_EQ(s.total_visits, visits);
  EXPECT_EQ(s.max_depth, depth);
  EXPECT_EQ(s.internal_nodes, internal);
  EXPECT_DOUBLE_EQ(s.branching_factor, bf);
}

// --- validate_tree ----------------------------------------------------------------------

TEST(ValidateTree, EmptySingleAndMultiplePaths) {
  EXPECT_TRUE(validate_tree(RadixTree()));
  EXPECT_TRUE(validate_tree(make_tree({{1, 2, 3}})));
  EXPECT_TRUE(validate_tree(make_tree({{1, 2, 3}, {1, 2, 4}, {1, 5, 6}})));
  EXPECT_TRUE(validate_tree(make_tree({{1, 2, 3, 4, 5}, {2, 3, 4, 5, 6}})));
}

TEST(ValidateTree, DeepPath) {
  Path path(200'000);
  for (std::uint64_t i = 0; i < path.size(); ++i) path[i] = i;
  RadixTree tree = make_tree({path, path});
  EXPECT_TRUE(validate_tree(tree));
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  EXPECT_EQ(tree.size(), 2u);
  EXPECT_EQ(tree.labels(1).size(), 200'000u);
}

// --- remove_leaves ----------------------------------------------------------------------

TEST(RemoveLeaves, PreservesRoot) {
  RadixTree tree = make_tree({{1, 2, 3}, {1, 2, 3}});
  remove_leaves(tree, 1);
  EXPECT_TRUE(tree.get_node(kRootId) != nullptr);
  EXPECT_EQ(tree.size(), 4u);  // the leaf has 2 visits

  RadixTree empty;
  remove_leaves(empty, 5);
  EXPECT_EQ(empty.size(), 1u);
  EXPECT_TRUE(validate_tree(empty));
}

TEST(RemoveLeaves, Threshold) {
  RadixTree tree = make_tree({{1, 2, 3}, {1, 2, 4}, {1, 2, 4}});
  remove_leaves(tree, 1);
  EXPECT_TRUE(validate_tree(tree));
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 2, 4}));
}

TEST(RemoveLeaves, HigherThresholdRemovesSharedLeaf) {
  RadixTree tree = make_tree({{1, 2, 3}, {1, 2, 3}});
  remove_leaves(tree, 2);
  EXPECT_GE(tree.size(), 1u);
  EXPECT_EQ(tree.size(), 3u);
  EXPECT_TRUE(validate_tree(tree));
}

TEST(RemoveLeaves, SinglePassLeavesNewLeavesInPlace) {
  RadixTree tree = make_tree({{1, 2, 3}});
  remove_leaves(tree, 1);
  // Node 2 became a leaf with 1 visit during the pass; like AIPerf, it stays.
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 2}));
  remove_leaves(tree, 1);
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1}));
}

TEST(RemoveLeaves, ZeroThresholdRemovesNothing) {
  RadixTree tree = four_path_tree();
  remove_leaves(tree, 0);
  EXPECT_EQ(tree.size(), 8u);
}

// --- merge_unary_chains -----------------------------------------------------------------

TEST(MergeUnaryChains, SinglePathBecomesOneNode) {
  RadixTree tree = make_tree({{1, 2, 3}});
  const std::size_t before = tree.size();
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  EXPECT_LE(tree.size(), before);
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1}));
  EXPECT_EQ(labels_of(tree, 1), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(tree.get_node(1)->label(), 1u);
  EXPECT_EQ(tree.get_node(1)->visit_count(), 1u);
  EXPECT_TRUE(tree.get_node(1)->is_leaf());
  EXPECT_EQ(tree.get_child(kRootId, 1), 1u);
  // AIPerf ends with root -(key 3)-> node 3 labelled 2 under a detached node 1.
}

TEST(MergeUnaryChains, BranchingNodesStay) {
  RadixTree tree = make_tree({{1, 2, 3}, {1, 2, 4}});
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 3, 4}));
  EXPECT_EQ(labels_of(tree, 1), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(tree.get_node(1)->visit_count(), 2u);
  EXPECT_EQ(tree.get_node(3)->parent(), 1u);
  EXPECT_EQ(tree.get_node(4)->parent(), 1u);
}

TEST(MergeUnaryChains, PathEndInsideAChainSplitsIt) {
  // [1,2] ends at node 2, so node 2 (visits 2) and node 3 (visits 1) stay apart.
  RadixTree tree = make_tree({{1, 2, 3}, {1, 2}});
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 3}));
  EXPECT_EQ(labels_of(tree, 1), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(labels_of(tree, 3), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(tree.get_node(1)->visit_count(), 2u);
  EXPECT_EQ(tree.get_node(3)->visit_count(), 1u);
  EXPECT_EQ(tree.get_node(3)->parent(), 1u);
}

TEST(MergeUnaryChains, RootIsNeverMerged) {
  RadixTree tree = make_tree({{7}});
  merge_unary_chains(tree);
  EXPECT_EQ(tree.size(), 2u);
  EXPECT_TRUE(tree.labels(kRootId).empty());
}

TEST(MergeUnaryChains, FourPathExample) {
  RadixTree tree = four_path_tree();
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  // 5 -> 6 -> 7 collapses into node 5; every other node branches.
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(labels_of(tree, 5), (std::vector<std::uint64_t>{5, 6, 7}));
  EXPECT_TRUE(tree.get_node(5)->is_leaf());
  expect_stats(get_tree_stats(tree), 6, 3, 4, 3, 3, 5.0 / 3.0);
  EXPECT_EQ(compute_transition_cdfs(tree),
            (Cdfs{{0, {1.0}}, {1, {0.75, 1.0}}, {2, {2.0 / 3.0, 1.0}}}));
}

TEST(MergeUnaryChains, KeepsSiblingOrderAndIsIdempotent) {
  RadixTree tree = make_tree({{1, 2, 3}, {9}, {4, 5}});
  merge_unary_chains(tree);
  std::vector<NodeId> order;
  for (const NodeId c : tree.children(kRootId)) order.push_back(c);
  EXPECT_EQ(order, (std::vector<NodeId>{1, 4, 5}));
  EXPECT_EQ(labels_of(tree, 5), (std::vector<std::uint64_t>{4, 5}));
  const auto before = tree.get_all_nodes();
  merge_unary_chains(tree);
  EXPECT_EQ(tree.get_all_nodes(), before);
}

TEST(MergeUnaryChains, NoUnaryNodeWithEqualVisitsRemains) {
  RadixTree tree;
  for (std::uint64_t i = 0; i < 200; ++i) {
    tree.add_path(Path{i % 3, i % 7, 100 + i % 11, 200 + i % 5, 300, 400 + i % 2});
  }
  remove_leaves(tree, 1);
  const std::size_t before = tree.size();
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  EXPECT_LE(tree.size(), before);
  for (const NodeId id : tree.get_all_nodes()) {
    const RadixNode& n = *tree.get_node(id);
    if (n.is_root() || n.num_children() != 1) continue;
    EXPECT_NE(tree.get_node(*tree.children(id).begin())->visit_count(), n.visit_count());
  }
  EXPECT_EQ(tree.root().visit_count(), 200u);
}

// --- compute_transition_cdfs ------------------------------------------------------------

TEST(TransitionCdfs, EmptyTree) {
  EXPECT_TRUE(compute_transition_cdfs(RadixTree()).empty());
}

TEST(TransitionCdfs, SinglePath) {
  EXPECT_EQ(compute_transition_cdfs(make_tree({{1, 2, 3}})),
            (Cdfs{{0, {1.0}}, {1, {1.0}}, {2, {1.0}}}));
}

TEST(TransitionCdfs, ValuesAreProbabilities) {
  for (const RadixTree& tree : {make_tree({{1, 2, 3}, {1, 2, 4}}), four_path_tree()}) {
    for (const auto& [id, cdf] : compute_transition_cdfs(tree)) {
      for (std::size_t i = 0; i + 1 < cdf.size(); ++i) EXPECT_LE(cdf[i], cdf[i + 1]);
      EXPECT_NEAR(cdf.back(), 1.0, 0.01);
    }
  }
}

TEST(TransitionCdfs, Branching) {
  const Cdfs cdfs = compute_transition_cdfs(make_tree({{1, 2, 3}, {1, 2, 3}, {1, 2, 4}}));
  EXPECT_EQ(cdfs.at(0), (std::vector<double>{1.0}));
  EXPECT_EQ(cdfs.at(2), (std::vector<double>{2.0 / 3.0, 1.0}));
}

TEST(TransitionCdfs, DerivedGolden) {
  EXPECT_EQ(compute_transition_cdfs(four_path_tree()),
            (Cdfs{{0, {1.0}}, {1, {0.75, 1.0}}, {2, {2.0 / 3.0, 1.0}}, {5, {1.0}}, {6, {1.0}}}));
}

TEST(TransitionCdfs, DividesBeforeSummingAsNumpy) {
  // np.cumsum(visits / visits.sum()) for ten equal children ends at 0.9999999999999999.
  RadixTree tree;
  for (std::uint64_t label = 0; label < 10; ++label) tree.add_path(Path{label});
  const std::vector<double> cdf = compute_transition_cdfs(tree).at(kRootId);
  ASSERT_EQ(cdf.size(), 10u);
  EXPECT_EQ(cdf[0], 0.1);
  EXPECT_EQ(cdf[2], 0.30000000000000004);
  EXPECT_EQ(cdf[9], 0.9999999999999999);
}

TEST(TransitionCdfs, ChildrenInInsertionOrder) {
  const Cdfs cdfs = compute_transition_cdfs(make_tree({{5}, {3}, {3}, {3}}));
  EXPECT_EQ(cdfs.at(0), (std::vector<double>{0.25, 1.0}));
}

// --- get_tree_stats ---------------------------------------------------------------------

TEST(TreeStats, EmptyTree) {
  expect_stats(get_tree_stats(RadixTree()), 1, 1, 0, 0, 0, 0.0);
}

TEST(TreeStats, SinglePath) {
  expect_stats(get_tree_stats(make_tree({{1, 2, 3}})), 4, 1, 1, 3, 3, 1.0);
}

TEST(TreeStats, BranchingGolden) {
  const TreeStats s = get_tree_stats(make_tree({{1, 2, 3}, {1, 2, 4}, {1, 5, 6}}));
  expect_stats(s, 7, 3, 3, 3, 4, 1.5);
  EXPECT_GT(s.branching_factor, 1.0);
}

TEST(TreeStats, FourPathGoldenBeforeAndAfterRemoveLeaves) {
  RadixTree tree = four_path_tree();
  expect_stats(get_tree_stats(tree), 8, 3, 4, 4, 5, 1.4);
  remove_leaves(tree, 1);
  expect_stats(get_tree_stats(tree), 6, 2, 4, 3, 4, 1.25);
}

// --- all together (upstream test_all_operations_combined) -------------------------------

TEST(GraphUtils, AllOperationsCombined) {
  RadixTree tree = four_path_tree();
  EXPECT_TRUE(validate_tree(tree));
  remove_leaves(tree, 1);
  EXPECT_TRUE(validate_tree(tree));
  merge_unary_chains(tree);
  EXPECT_TRUE(validate_tree(tree));
  // After pruning, 5 -> 6 is a unary chain (6 keeps its 1 visit, 5 has 1): one node.
  EXPECT_EQ(tree.get_all_nodes(), (std::vector<NodeId>{0, 1, 2, 3, 5}));
  EXPECT_EQ(labels_of(tree, 5), (std::vector<std::uint64_t>{5, 6}));
  EXPECT_EQ(compute_transition_cdfs(tree), (Cdfs{{0, {1.0}}, {1, {0.75, 1.0}}, {2, {1.0}}}));
  expect_stats(get_tree_stats(tree), 5, 2, 4, 3, 3, 4.0 / 3.0);
}

}  // namespace
}  // namespace kvtrace::synthesis
