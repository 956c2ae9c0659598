#pragma once
// AIPerf's RadixTree (aiperf-synthesis.md §5.1): a prefix tree of hash-id paths that counts
// how many paths pass through each node. One edge per hash id until merge_unary_chains
// (graph_utils.hpp) compresses unary chains.
//
// Storage: every node lives in one contiguous arena indexed by its id (root 0, then 1, 2, ...
// in creation order). Removed nodes keep their slot, so ids stay stable. A node's children
// form an intrusive doubly linked list in insertion order; lookups scan that list while a
// node has few children and switch to a hash map of (parent, label) -> child once it has
// more, so add_path is amortised O(1) per element and allocates nothing per node beyond the
// arena.
//
// Invariant: a node's id is greater than its parent's (children are created after their
// parent, and merging only hands children to an ancestor).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace kvtrace::synthesis {

using NodeId = std::uint32_t;
inline constexpr NodeId kRootId = 0;
inline constexpr NodeId kNoNode = UINT32_MAX;

class RadixTree;

// One node, read through const references from RadixTree.
class RadixNode {
 public:
  NodeId id() const { return id_; }
  // The first label of the edge from the parent (the key the parent finds this node by);
  // 0 for the root, which has no edge. RadixTree::labels() gives the whole edge.
  std::uint64_t label() const { return label_; }
  // Paths added through this node (for the root: every add_path call).
  std::uint64_t visit_count() const { return visit_count_; }
  // kNoNode for the root.
  NodeId parent() const { return parent_; }
  std::uint32_t num_children() const { return num_children_; }
  bool is_leaf() const { return num_children_ == 0; }
  bool is_root() const { return id_ == kRootId; }
  // Removed by remove_leaf or absorbed by absorb_only_child; RadixTree::get_node hides it.
  bool removed() const { return removed_; }

 private:
  friend class RadixTree;

  std::uint64_t label_ = 0;
  std::uint64_t visit_count_ = 0;
  NodeId id_ = kRootId;
  NodeId parent_ = kNoNode;
  NodeId first_child_ = kNoNode;
  NodeId last_child_ = kNoNode;
  NodeId next_sibling_ = kNoNode;
  NodeId prev_sibling_ = kNoNode;
  std::uint32_t num_children_ = 0;
  bool removed_ = false;
  // The children are keyed in RadixTree::wide_children_ (set once a node has many children).
  bool indexed_ = false;
};

struct RadixTreeStats {
  std::uint64_t num_nodes = 0;     // live nodes, root included
  std::uint64_t num_leaves = 0;    // live nodes without children (an empty tree: the root)
  std::uint64_t total_visits = 0;  // the root's visit count = add_path calls
  std::uint64_t max_depth = 0;     // nodes on the longest root-to-leaf path, root excluded

  bool operator==(const RadixTreeStats&) const = default;
};

class RadixTree {
 public:
  // The ids of a node's children in insertion order.
  class ChildRange {
   public:
    class iterator {
     public:
      using value_type = NodeId;
      using difference_type = std::ptrdiff_t;
      using iterator_category = std::forward_iterator_tag;

      iterator() = default;
      NodeId operator*() const { return id_; }
      iterator& operator++() {
        id_ = tree_->nodes_[id_].next_sibling_;
        return *this;
      }
      iterator operator++(int) {
        iterator old = *this;
        ++*this;
        return old;
      }
      bool operator==(const iterator& other) const { return id_ == other.id_; }

     private:
      friend class ChildRange;
      iterator(const RadixTree* tree, NodeId id) : tree_(tree), id_(id) {}

      const RadixTree* tree_ = nullptr;
      NodeId id_ = kNoNode;
    };

    iterator begin() const { return {tree_, first_}; }
    iterator end() const { return {tree_, kNoNode}; }

   private:
    friend class RadixTree;
    ChildRange(const RadixTree* tree, NodeId first) : tree_(tree), first_(first) {}

    const RadixTree* tree_;
    NodeId first_;
  };

  RadixTree();

  // Walks `path` from the root, creating missing nodes, and adds one visit to the root and to
  // every node on the way. Returns the id of the node where the path ends (the root for an
  // empty path). Throws UsageError after merge_unary_chains has compressed the tree (a
  // compressed edge holds several labels) and when the tree could outgrow 2^32 - 1 nodes.
  NodeId add_path(std::span<const std::uint64_t> path);

  const RadixNode& root() const { return nodes_[kRootId]; }
  // nullptr for an id that was never created or whose node was removed.
  const RadixNode* get_node(NodeId id) const;
  // The ids of all live nodes in creation order (root first).
  std::vector<NodeId> get_all_nodes() const;
  // The child reached from `parent` by an edge starting with `label`. Throws UsageError when
  // `parent` is not a live node.
  std::optional<NodeId> get_child(NodeId parent, std::uint64_t label) const;
  // The children of a live node in insertion order. Throws UsageError otherwise.
  ChildRange children(NodeId id) const;
  // The labels on the edge from the parent to a live node: one for a node as add_path made
  // it, the whole chain for a node merged by absorb_only_child, none for the root. Throws
  // UsageError when `id` is not a live node.
  std::span<const std::uint64_t> labels(NodeId id) const;
  // Live nodes, root included.
  std::size_t size() const { return live_nodes_; }
  RadixTreeStats get_stats() const;

  // --- editing primitives for graph_utils ---

  // Unlinks a leaf from its parent and marks it removed. Throws UsageError for the root, a
  // node with children and an id that is not a live node.
  void remove_leaf(NodeId id);
  // Merges the only child of a non-root node into it: the node keeps its id, label, place
  // among its siblings and visit count, appends the child's labels to its own and adopts the
  // child's children; the child is marked removed. Requires exactly one child with the same
  // visit count (no path ends at the node), so no count is lost; throws UsageError otherwise.
  void absorb_only_child(NodeId id);

 private:
  struct EdgeKey {
    NodeId parent;
    std::uint64_t label;
    bool operator==(const EdgeKey&) const = default;
  };
  struct EdgeKeyHash {
    std::size_t operator()(const EdgeKey& k) const {
      // boost::unordered_flat_map mixes the result further, so a cheap combination suffices.
      return static_cast<std::size_t>(k.label ^ (std::uint64_t{k.parent} * 0x9E3779B97F4A7C15u));
    }
  };

  const RadixNode& live_node(NodeId id, std::string_view what) const;
  NodeId find_child(NodeId parent, std::uint64_t label) const;
  NodeId append_child(NodeId parent, std::uint64_t label);
  void index_children(NodeId id);
  void unlink(NodeId id);

  std::vector<RadixNode> nodes_;
  std::size_t live_nodes_ = 1;
  // Children of nodes with more than kMaxScannedChildren children, by (parent, label).
  boost::unordered_flat_map<EdgeKey, NodeId, EdgeKeyHash> wide_children_;
  // The edge labels of merged nodes; a node that is absent has the single label in its slot.
  boost::unordered_flat_map<NodeId, std::vector<std::uint64_t>> merged_labels_;
};

}  // namespace kvtrace::synthesis
