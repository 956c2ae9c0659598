from typing import Any, Optional

from pydantic import BaseModel

BLOCK_SIZE: int

class MetricStats(BaseModel):
    mean: float
    std_dev: float
    min: float
    p25: float
    median: float
    p75: float
    max: float

class AnalysisStats(BaseModel):
    total_requests: int
    unique_prefixes: int
    num_prefix_groups: int
    cache_hit_rate: float
    min_isl: int
    max_isl: int
    avg_isl: float
    min_osl: int
    max_osl: int
    avg_osl: float
    prefix_reuse_ratio: float
    isl_stats: Optional[MetricStats]
    osl_stats: Optional[MetricStats]
    context_length_stats: Optional[MetricStats]
    unique_prompt_length_stats: Optional[MetricStats]
    hit_rate_stats: Optional[MetricStats]

class SynthesisParams(BaseModel):
    speedup_ratio: float
    prefix_len_multiplier: float
    prefix_root_multiplier: int
    prompt_len_multiplier: float
    output_len_multiplier: float
    max_isl: Optional[int]
    max_osl: Optional[int]
    block_size: int
    renormalize_hash_ids: bool
    def __init__(
        self,
        *,
        speedup_ratio: float = 1.0,
        prefix_len_multiplier: float = 1.0,
        prefix_root_multiplier: int = 1,
        prompt_len_multiplier: float = 1.0,
        output_len_multiplier: float = 1.0,
        max_isl: Optional[int] = None,
        max_osl: Optional[int] = None,
        block_size: int = 512,
        renormalize_hash_ids: bool = False,
        **extra: Any,
    ) -> None: ...
    @classmethod
    def from_synthesis_config(cls, config: Any, block_size: int = 512) -> SynthesisParams: ...

def stats_from_dict(d: dict[str, Any]) -> AnalysisStats: ...
