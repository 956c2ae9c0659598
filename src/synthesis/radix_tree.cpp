#include "kvtrace/synthesis/radix_tree.hpp"

#include <algorithm>
#include <string>

#include "kvtrace/core/error.hpp"

namespace kvtrace::synthesis {

namespace {

// Up to this many children a lookup walks the sibling list: the common node has one child,
// whose slot add_path touches anyway to count the visit. Wider nodes use the hash map.
constexpr std::uint32_t kMaxScannedChildren = 4;

// kNoNode marks "no node", so the largest usable id is one below it.
constexpr std::size_t kMaxNodes = kNoNode;

}  // namespace

RadixTree::RadixTree() : nodes_(1) {}

NodeId RadixTree::add_path(std::span<const std::uint64_t> path) {
  if (!merged_labels_.empty()) {
    throw std::logic_error("RadixTree::add_path: the tree has merged chains (merge_unary_chains)");
  }
  // Checked up front so that a failing call leaves the tree unchanged.
  if (path.size() > kMaxNodes - nodes_.size()) {
    throw LimitError("RadixTree::add_path: the tree could exceed 2^32 - 1 nodes");
  }
  NodeId cur = kRootId;
  ++nodes_[cur].visit_count_;
  std::size_t i = 0;
  for (; i < path.size(); ++i) {
    const NodeId child = find_child(cur, path[i]);
    if (child == kNoNode) break;
    cur = child;
    ++nodes_[cur].visit_count_;
  }
  // Past the first new node every node is a fresh leaf, so the rest needs no lookups.
  for (; i < path.size(); ++i) cur = append_child(cur, path[i]);
  return cur;
}

const RadixNode* RadixTree::get_node(NodeId id) const {
  if (id >= nodes_.size() || nodes_[id].removed_) return nullptr;
  return &nodes_[id];
}

std::vector<NodeId> RadixTree::get_all_nodes() const {
  std::vector<NodeId> ids;
  ids.reserve(live_nodes_);
  for (const RadixNode& n : nodes_) {
    if (!n.removed_) ids.push_back(n.id_);
  }
  return ids;
}

std::optional<NodeId> RadixTree::get_child(NodeId parent, std::uint64_t label) const {
  live_node(parent, "get_child");
  const NodeId child = find_child(parent, label);
  if (child == kNoNode) return std::nullopt;
  return child;
}

RadixTree::ChildRange RadixTree::children(NodeId id) const {
  return {this, live_node(id, "children").first_child_};
}

std::span<const std::uint64_t> RadixTree::labels(NodeId id) const {
  const RadixNode& n = live_node(id, "labels");
  if (n.is_root()) return {};
  if (const auto it = merged_labels_.find(id); it != merged_labels_.end()) return it->second;
  return {&n.label_, 1};
}

RadixTreeStats RadixTree::get_stats() const {
  RadixTreeStats s;
  s.num_nodes = live_nodes_;
  s.total_visits = nodes_[kRootId].visit_count_;
  // Parents come before their children, so one ascending pass sees every parent's depth
  // before its children need it (and needs no recursion on deep paths).
  std::vector<std::uint32_t> depth(nodes_.size(), 0);
  for (const RadixNode& n : nodes_) {
    if (n.removed_) continue;
    if (n.is_leaf()) ++s.num_leaves;
    if (!n.is_root()) {
      depth[n.id_] = depth[n.parent_] + 1;
      s.max_depth = std::max<std::uint64_t>(s.max_depth, depth[n.id_]);
    }
  }
  return s;
}

void RadixTree::remove_leaf(NodeId id) {
  const RadixNode& n = live_node(id, "remove_leaf");
  if (n.is_root()) throw std::logic_error("RadixTree::remove_leaf: the root cannot be removed");
  if (!n.is_leaf()) throw std::logic_error("RadixTree::remove_leaf: node has children");
  unlink(id);
  nodes_[id].removed_ = true;
  --live_nodes_;
}

void RadixTree::absorb_only_child(NodeId id) {
  const RadixNode& n = live_node(id, "absorb_only_child");
  if (n.is_root()) throw std::logic_error("RadixTree::absorb_only_child: the root has no edge");
  if (n.num_children_ != 1) {
    throw std::logic_error("RadixTree::absorb_only_child: node does not have exactly one child");
  }
  const NodeId child_id = n.first_child_;
  if (nodes_[child_id].visit_count_ != n.visit_count_) {
    throw std::logic_error("RadixTree::absorb_only_child: a path ends at the node");
  }

  // Appended in place, so collapsing a chain of length L costs O(L), not O(L^2).
  auto [chain, created] = merged_labels_.try_emplace(id);
  if (created) chain->second.push_back(n.label_);
  if (const auto tail = merged_labels_.find(child_id); tail != merged_labels_.end()) {
    chain->second.insert(chain->second.end(), tail->second.begin(), tail->second.end());
    merged_labels_.erase(tail);
  } else {
    chain->second.push_back(nodes_[child_id].label_);
  }

  unlink(child_id);
  RadixNode& node = nodes_[id];
  RadixNode& child = nodes_[child_id];
  node.first_child_ = child.first_child_;
  node.last_child_ = child.last_child_;
  node.num_children_ = child.num_children_;
  for (NodeId g = node.first_child_; g != kNoNode; g = nodes_[g].next_sibling_) {
    nodes_[g].parent_ = id;
    if (child.indexed_) wide_children_.erase(EdgeKey{child_id, nodes_[g].label_});
  }
  // Either side may have been indexed (the node once had many children, since removed).
  if (node.indexed_ || child.indexed_) index_children(id);
  child.first_child_ = child.last_child_ = kNoNode;
  child.num_children_ = 0;
  child.indexed_ = false;
  child.removed_ = true;
  --live_nodes_;
}

const RadixNode& RadixTree::live_node(NodeId id, std::string_view what) const {
  const RadixNode* n = get_node(id);
  if (n == nullptr) {
    throw std::logic_error("RadixTree::" + std::string(what) + ": no live node with id " +
                           std::to_string(id));
  }
  return *n;
}

NodeId RadixTree::find_child(NodeId parent, std::uint64_t label) const {
  const RadixNode& p = nodes_[parent];
  if (p.indexed_) {
    const auto it = wide_children_.find(EdgeKey{parent, label});
    return it == wide_children_.end() ? kNoNode : it->second;
  }
  for (NodeId c = p.first_child_; c != kNoNode; c = nodes_[c].next_sibling_) {
    if (nodes_[c].label_ == label) return c;
  }
  return kNoNode;
}

NodeId RadixTree::append_child(NodeId parent, std::uint64_t label) {
  const auto id = static_cast<NodeId>(nodes_.size());
  RadixNode& c = nodes_.emplace_back();
  c.label_ = label;
  c.visit_count_ = 1;
  c.id_ = id;
  c.parent_ = parent;
  RadixNode& p = nodes_[parent];
  c.prev_sibling_ = p.last_child_;
  if (p.last_child_ == kNoNode) {
    p.first_child_ = id;
  } else {
    nodes_[p.last_child_].next_sibling_ = id;
  }
  p.last_child_ = id;
  ++p.num_children_;
  ++live_nodes_;
  if (p.indexed_) {
    wide_children_.emplace(EdgeKey{parent, label}, id);
  } else if (p.num_children_ > kMaxScannedChildren) {
    index_children(parent);
  }
  return id;
}

// Keys every child of `id` in wide_children_; the node stays indexed from then on.
void RadixTree::index_children(NodeId id) {
  RadixNode& n = nodes_[id];
  n.indexed_ = true;
  for (NodeId c = n.first_child_; c != kNoNode; c = nodes_[c].next_sibling_) {
    wide_children_.insert_or_assign(EdgeKey{id, nodes_[c].label_}, c);
  }
}

// Takes a node out of its parent's child list (and key map); the node keeps its parent id.
void RadixTree::unlink(NodeId id) {
  RadixNode& n = nodes_[id];
  RadixNode& p = nodes_[n.parent_];
  if (n.prev_sibling_ == kNoNode) {
    p.first_child_ = n.next_sibling_;
  } else {
    nodes_[n.prev_sibling_].next_sibling_ = n.next_sibling_;
  }
  if (n.next_sibling_ == kNoNode) {
    p.last_child_ = n.prev_sibling_;
  } else {
    nodes_[n.next_sibling_].prev_sibling_ = n.prev_sibling_;
  }
  n.prev_sibling_ = n.next_sibling_ = kNoNode;
  --p.num_children_;
  if (p.indexed_) wide_children_.erase(EdgeKey{n.parent_, n.label_});
}

}  // namespace kvtrace::synthesis
