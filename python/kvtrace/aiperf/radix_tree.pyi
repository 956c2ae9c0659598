from typing import Optional

class RadixTreeStats:
    num_nodes: int
    num_leaves: int
    total_visits: int
    max_depth: int
    def __init__(
        self, num_nodes: int, num_leaves: int, total_visits: int, max_depth: int
    ) -> None: ...

class RadixNode:
    node_id: int
    label: Optional[int]
    visit_count: int
    children: dict[int, RadixNode]
    parent: Optional[RadixNode]
    def __init__(
        self,
        node_id: int,
        label: Optional[int] = None,
        visit_count: int = 0,
        children: dict[int, RadixNode] = ...,
        parent: Optional[RadixNode] = None,
    ) -> None: ...
    def add_child(self, label: int, child: RadixNode) -> None: ...
    def get_child(self, label: int) -> Optional[RadixNode]: ...
    def is_leaf(self) -> bool: ...

class RadixTree:
    def __init__(self) -> None: ...
    @property
    def root(self) -> RadixNode: ...
    def add_path(self, path: list[int]) -> RadixNode: ...
    def get_node(self, node_id: int) -> Optional[RadixNode]: ...
    def get_all_nodes(self) -> list[RadixNode]: ...
    def get_stats(self) -> RadixTreeStats: ...
