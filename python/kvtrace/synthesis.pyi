from os import PathLike
from typing import Literal, Optional, Tuple, Union

from kvtrace.analysis import Report
from kvtrace.trace import Trace

Path = Union[str, PathLike]

def synthesize(path: Path, output: Optional[Path] = ..., *, keep: Optional[bool] = ...,
               mode: Literal["rewrite", "sample"] = ..., num_requests: Optional[int] = ...,
               speedup_ratio: float = ..., prefix_len_multiplier: float = ...,
               prefix_root_multiplier: int = ..., prompt_len_multiplier: float = ...,
               output_len_multiplier: float = ..., max_isl: Optional[int] = ...,
               max_osl: Optional[int] = ..., seed: int = ..., aiperf_compat: bool = ...,
               report: bool = ..., block_size: Union[None, int, str] = ...,
               format_in: str = ..., skip_invalid: bool = ..., start_ms: Optional[float] = ...,
               end_ms: Optional[float] = ...,
               hash_id_check: Literal["ignore", "warn", "error"] = ...
               ) -> Union[Optional[Trace], Tuple[Optional[Trace], Report]]: ...
