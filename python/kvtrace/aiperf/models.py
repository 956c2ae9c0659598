"""AIPerf's models of synthesis and analysis: MetricStats, AnalysisStats, SynthesisParams.

Pydantic 2 models when pydantic 2 is importable, else objects with the same fields, bounds
and `model_dump()` (kvtrace.aiperf._compat).
"""
from __future__ import annotations

from typing import Any, Optional

from kvtrace.aiperf._compat import Field, ModelBase

BLOCK_SIZE = 512  # AIPerf's InputTokensDefaults.BLOCK_SIZE


class MetricStats(ModelBase):
    """Statistics for a single metric (population std, numpy's linear percentiles)."""

    mean: float = Field(description="Mean value")
    std_dev: float = Field(description="Standard deviation")
    min: float = Field(description="Minimum value")
    p25: float = Field(description="25th percentile")
    median: float = Field(description="Median (50th percentile)")
    p75: float = Field(description="75th percentile")
    max: float = Field(description="Maximum value")


class AnalysisStats(ModelBase):
    """Statistics extracted from trace analysis (AIPerf's field names and definitions)."""

    total_requests: int = Field(description="Total number of requests in trace")
    unique_prefixes: int = Field(description="Number of unique prefix patterns")
    num_prefix_groups: int = Field(ge=0, description="Distinct shared first blocks")
    cache_hit_rate: float = Field(ge=0.0, le=1.0, description="Hit rate, infinite cache")
    min_isl: int = Field(ge=0, description="Minimum input sequence length")
    max_isl: int = Field(ge=0, description="Maximum input sequence length")
    avg_isl: float = Field(ge=0, description="Average input sequence length")
    min_osl: int = Field(ge=0, description="Minimum output sequence length")
    max_osl: int = Field(ge=0, description="Maximum output sequence length")
    avg_osl: float = Field(ge=0, description="Average output sequence length")
    prefix_reuse_ratio: float = Field(ge=0.0, le=1.0, description="Reused / all prefixes")
    isl_stats: Optional[MetricStats] = Field(default=None, description="Input length")
    osl_stats: Optional[MetricStats] = Field(default=None, description="Output length")
    context_length_stats: Optional[MetricStats] = Field(default=None, description="Context")
    unique_prompt_length_stats: Optional[MetricStats] = Field(
        default=None, description="Unique prompt length"
    )
    hit_rate_stats: Optional[MetricStats] = Field(default=None, description="Hit rates")


class SynthesisParams(ModelBase):
    """Parameters for synthetic trace generation (AIPerf's defaults and bounds)."""

    speedup_ratio: float = Field(default=1.0, ge=0.0, description="Timestamp divisor")
    prefix_len_multiplier: float = Field(default=1.0, ge=0.0, description="Shared prefix")
    prefix_root_multiplier: int = Field(default=1, ge=1, description="Independent trees")
    prompt_len_multiplier: float = Field(default=1.0, ge=0.0, description="Unique prompt")
    output_len_multiplier: float = Field(default=1.0, ge=0.0, description="Output lengths")
    max_isl: Optional[int] = Field(default=None, ge=1, description="Maximum ISL")
    max_osl: Optional[int] = Field(default=None, ge=1, description="Maximum OSL")
    block_size: int = Field(default=BLOCK_SIZE, ge=1, description="KV cache page size")
    renormalize_hash_ids: bool = Field(default=False, description="Rolling-hash the ids")

    @classmethod
    def from_synthesis_config(cls, config: Any, block_size: int = BLOCK_SIZE) -> "SynthesisParams":
        """SynthesisParams from AIPerf's SynthesisConfig (any object with its attributes)."""
        return cls(
            speedup_ratio=config.speedup_ratio,
            prefix_len_multiplier=config.prefix_len_multiplier,
            prefix_root_multiplier=config.prefix_root_multiplier,
            prompt_len_multiplier=config.prompt_len_multiplier,
            output_len_multiplier=config.output_len_multiplier,
            max_isl=config.max_isl,
            max_osl=config.max_osl,
            block_size=block_size,
        )


def stats_from_dict(d: dict) -> AnalysisStats:
    """AnalysisStats from its model_dump() (nested MetricStats built)."""
    values = dict(d)
    for key, value in d.items():
        if key.endswith("_stats") and value is not None:
            values[key] = MetricStats(**value)
    return AnalysisStats(**values)
