from os import PathLike
from typing import Literal, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from kvtrace.analysis import Report
from kvtrace.trace import Trace

Path = Union[str, PathLike]
Names = Union[str, Sequence[str]]

class HitCurve:
    capacities: npt.NDArray[np.uint64]
    hit_blocks: npt.NDArray[np.uint64]
    hit_tokens: npt.NDArray[np.uint64]
    block_hit_rate: npt.NDArray[np.float64]
    token_hit_rate: npt.NDArray[np.float64]
    report: Report
    @property
    def distinct_blocks(self) -> int: ...
    def capacity_for_token_rate(self, rate: float) -> Optional[int]: ...
    def to_dict(self) -> dict: ...

class Simulation(Report):
    per_request: Optional[str]
    def to_dict(self) -> dict: ...
    def model_dump(self) -> dict: ...

def lru_curve(trace_or_path: Union[Path, Trace], *, block_size: Union[None, int, str] = ...,
              points: int = ..., format_in: str = ..., skip_invalid: bool = ...,
              start_ms: Optional[float] = ..., end_ms: Optional[float] = ...,
              hash_id_check: Literal["ignore", "warn", "error"] = ...) -> HitCurve: ...
def simulate(path: Path, capacity: Union[None, int, Sequence[int]] = ..., *,
             gpu_mem_gib: Optional[float] = ..., kv_bytes_per_token: Optional[int] = ...,
             policy: Names = ..., workers: int = ..., router: Names = ...,
             overlap_weight: float = ..., seed: int = ..., timing: bool = ...,
             concurrency: int = ..., prefill_tps: float = ..., decode_tps: float = ...,
             cache_output: bool = ..., per_request: bool = ...,
             block_size: Union[None, int, str] = ..., format_in: str = ...,
             skip_invalid: bool = ..., start_ms: Optional[float] = ...,
             end_ms: Optional[float] = ...,
             hash_id_check: Literal["ignore", "warn", "error"] = ...) -> Simulation: ...
