"""AIPerf's RadixTree object model: nodes with parent links and ordered children.

This is the fine-grained tree the graph utilities edit node by node (AIPerf uses it in tests
and helpers only); large traces go through kvtrace's C++ radix tree (synthesis/radix_tree).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(slots=True)
class RadixTreeStats:
    """num_nodes, num_leaves (childless nodes), total_visits (paths added), max_depth."""

    num_nodes: int
    num_leaves: int
    total_visits: int
    max_depth: int


@dataclass(slots=True)
class RadixNode:
    """A node: its id, edge label, visit count, children by label, and parent."""

    node_id: int
    label: Optional[int] = None
    visit_count: int = 0
    children: dict[int, "RadixNode"] = field(default_factory=dict)
    parent: Optional["RadixNode"] = None

    def add_child(self, label: int, child: "RadixNode") -> None:
        """Link `child` under `label` and make this node its parent."""
        self.children[label] = child
        child.parent = self

    def get_child(self, label: int) -> Optional["RadixNode"]:
        """The child under `label`, or None."""
        return self.children.get(label)

    def is_leaf(self) -> bool:
        """True when the node has no children."""
        return not self.children


class RadixTree:
    """A prefix tree of paths; every node counts the paths through it."""

    def __init__(self) -> None:
        self._root = RadixNode(node_id=0, label=None)
        self._node_id_counter = 1
        self._nodes_by_id: dict[int, RadixNode] = {0: self._root}

    @property
    def root(self) -> RadixNode:
        """The root node (id 0, label None)."""
        return self._root

    def add_path(self, path: list[int]) -> RadixNode:
        """Walk (creating as needed) the nodes of `path` from the root, counting a visit on
        each node and on the root; returns the last node."""
        node = self._root
        node.visit_count += 1
        for label in path:
            nxt = node.children.get(label)
            if nxt is None:
                nxt = self._create_node(label)
                node.add_child(label, nxt)
            nxt.visit_count += 1
            node = nxt
        return node

    def _create_node(self, label: Optional[int]) -> RadixNode:
        created = RadixNode(node_id=self._node_id_counter, label=label)
        self._nodes_by_id[created.node_id] = created
        self._node_id_counter += 1
        return created

    def get_node(self, node_id: int) -> Optional[RadixNode]:
        """The node with `node_id`, or None."""
        return self._nodes_by_id.get(node_id)

    def get_all_nodes(self) -> list[RadixNode]:
        """Every node, in creation order."""
        return list(self._nodes_by_id.values())

    def get_stats(self) -> RadixTreeStats:
        """The tree's node, leaf, visit and depth counts."""
        nodes = self._nodes_by_id.values()
        return RadixTreeStats(
            num_nodes=len(self._nodes_by_id),
            num_leaves=sum(1 for n in nodes if not n.children),
            total_visits=self._root.visit_count,
            max_depth=self._compute_max_depth(),
        )

    def _compute_max_depth(self) -> int:
        # Iterative: deep trees (long paths) must not hit Python's recursion limit.
        deepest = 0
        stack = [(self._root, 0)]
        while stack:
            node, depth = stack.pop()
            deepest = max(deepest, depth)
            stack.extend((c, depth + 1) for c in node.children.values())
        return deepest
