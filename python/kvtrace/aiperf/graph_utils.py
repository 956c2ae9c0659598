"""AIPerf's graph utilities on RadixTree: unary-chain merging, leaf pruning, transition
CDFs, validation and statistics, with AIPerf's exact results (quirks included: see
docs/python.md)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from kvtrace.aiperf.radix_tree import RadixNode, RadixTree


def merge_unary_chains(tree: RadixTree) -> None:
    """Fold each node's single non-leaf, single-child child into it, in place.

    The grandchild keeps its key and gets label (node.label or 0) + child.label, as AIPerf
    does; the nodes visited are the non-leaves when the call starts.
    """
    for node in [n for n in tree.get_all_nodes() if n.children]:
        while len(node.children) == 1:
            (key, child), = node.children.items()
            if len(child.children) != 1 or child.label is None or key is None:
                break
            (grand_key, grand), = child.children.items()
            tree._nodes_by_id.pop(child.node_id, None)
            node.children = {}
            node.add_child(grand_key, grand)
            grand.label = (node.label or 0) + child.label


def remove_leaves(tree: RadixTree, visit_threshold: int = 1) -> None:
    """Unlink the current leaves visited at most `visit_threshold` times (one pass)."""
    for leaf in [n for n in tree.get_all_nodes() if not n.children]:
        parent = leaf.parent
        if parent is None or leaf.visit_count > visit_threshold:
            continue
        for key, child in parent.children.items():
            if child.node_id == leaf.node_id:
                del parent.children[key]
                tree._nodes_by_id.pop(leaf.node_id, None)
                break


def compute_transition_cdfs(tree: RadixTree) -> dict[int, np.ndarray]:
    """{node id: cumulative child-visit shares} for each node with visited children."""
    cdfs: dict[int, np.ndarray] = {}
    for node in tree.get_all_nodes():
        if not node.children:
            continue
        visits = np.array([c.visit_count for c in node.children.values()])
        total = visits.sum()
        if total > 0:
            cdfs[node.node_id] = np.cumsum(visits / total)
    return cdfs


def validate_tree(tree: RadixTree) -> bool:
    """True when every non-root node has a parent and every node is reachable from the root."""
    nodes = tree.get_all_nodes()
    if any(n.parent is None and n.node_id != tree.root.node_id for n in nodes):
        return False
    reached = {tree.root.node_id}
    stack: list[RadixNode] = [tree.root]
    while stack:
        for child in stack.pop().children.values():
            if child.node_id not in reached:
                reached.add(child.node_id)
                stack.append(child)
    return len(reached) == len(nodes)


def get_tree_stats(tree: RadixTree) -> dict[str, Any]:
    """get_stats() as a dict plus internal_nodes and branching_factor."""
    stats = asdict(tree.get_stats())
    nodes = tree.get_all_nodes()
    internal = sum(1 for n in nodes if n.children)
    stats["internal_nodes"] = internal
    stats["branching_factor"] = sum(len(n.children) for n in nodes) / max(internal, 1)
    return stats
