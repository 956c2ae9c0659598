"""kvtrace.aiperf's RadixTree, graph_utils and EmpiricalSampler against the spec's goldens
(aiperf-synthesis.md section 5) and its seeding (section 7)."""
import numpy as np
import pytest

from kvtrace import _kvtrace
from kvtrace.aiperf import EmpiricalSampler, RadixTree
from kvtrace.aiperf.graph_utils import (compute_transition_cdfs, get_tree_stats,
                                        merge_unary_chains, remove_leaves, validate_tree)


def tree_of(*paths):
    t = RadixTree()
    for p in paths:
        t.add_path(p)
    return t


def test_radix_tree_stats():
    t = RadixTree()
    assert (t.get_stats().num_nodes, t.get_stats().num_leaves, t.get_stats().max_depth) == (1, 1, 0)
    leaf = t.add_path([1, 2, 3])
    t.add_path([])
    assert (leaf.node_id, leaf.label, leaf.parent.label) == (3, 3, 2)
    s = t.get_stats()
    assert (s.num_nodes, s.num_leaves, s.total_visits, s.max_depth) == (4, 1, 2, 3)
    assert t.get_node(2).visit_count == 1 and t.get_node(9) is None


def test_graph_utils_goldens():
    t = tree_of([1, 2, 3], [1, 2, 3], [1, 2, 4], [1, 5, 6, 7])
    cdfs = compute_transition_cdfs(t)
    assert sorted(cdfs) == [0, 1, 2, 5, 6]
    assert cdfs[1] == pytest.approx([0.75, 1.0]) and cdfs[2] == pytest.approx([2 / 3, 1.0])
    st = get_tree_stats(t)
    assert (st["num_nodes"], st["internal_nodes"], st["branching_factor"]) == (8, 5, 1.4)
    remove_leaves(t, visit_threshold=1)
    st = get_tree_stats(t)
    assert (st["num_nodes"], st["num_leaves"], st["max_depth"], st["branching_factor"]) == (
        6, 2, 3, 1.25)
    assert validate_tree(t)
    doc = get_tree_stats(tree_of([1, 2, 3], [1, 2, 4], [1, 5, 6]))
    assert (doc["num_nodes"], doc["num_leaves"], doc["max_depth"], doc["internal_nodes"],
            doc["branching_factor"]) == (7, 3, 3, 4, 1.5)


def test_merge_unary_chains_quirk():
    t = tree_of([1, 2, 3])
    merge_unary_chains(t)
    node = t.root.children[3]
    assert (node.node_id, node.label, node.parent.node_id) == (3, 2, 1)
    assert validate_tree(t)


def test_empirical_sampler_stats_and_seeded_stream():
    s = EmpiricalSampler([1, 1, 2, 2, 2, 3], seed=42)
    st = s.get_stats()
    assert (st.min, st.max, st.median, st.num_unique) == (1.0, 3.0, 2.0, 3)
    assert st.mean == pytest.approx(11 / 6)
    child = _kvtrace.derive_seed(42, "dataset.synthesis.empirical_sampler")
    assert child == 18298802475396210187
    ref = np.random.default_rng(child)
    want = [ref.choice(np.array([1, 2, 3]), p=np.array([2, 3, 1]) / 6).item() for _ in range(5)]
    assert [s.sample() for _ in range(5)] == want
    assert EmpiricalSampler([], seed=1).sample_batch(3) == [0, 0, 0]
