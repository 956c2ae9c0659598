"""Cache simulation: lru's hit curve as NumPy arrays, and `kvtrace simulate`'s runs."""
# numpy is imported where first needed, so that `import kvtrace` stays quick.
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from kvtrace import _kvtrace
from kvtrace.analysis import Report
from kvtrace.trace import Trace

if TYPE_CHECKING:
    import numpy as np


@dataclass
class HitCurve:
    """lru's hits on one worker, without timing, at every capacity 0..distinct_blocks.

    ``capacities[c] == c`` (blocks); ``hit_blocks``, ``hit_tokens`` (cached input tokens),
    ``block_hit_rate`` and ``token_hit_rate`` give that capacity's result; capacities beyond
    ``distinct_blocks`` give the last value. ``report`` holds the other fields of
    `kvtrace simulate --curve -f json` (requests, totals, the server's measured cache) and
    its ``curve`` rows at ``points`` log-spaced capacities.
    """

    capacities: np.ndarray
    hit_blocks: np.ndarray
    hit_tokens: np.ndarray
    block_hit_rate: np.ndarray
    token_hit_rate: np.ndarray
    report: Report

    @property
    def distinct_blocks(self) -> int:
        return len(self.capacities) - 1

    def capacity_for_token_rate(self, rate: float) -> Optional[int]:
        """The smallest capacity whose token hit rate is at least ``rate``; None when even
        the infinite cache falls short."""
        import numpy as np
        at = int(np.searchsorted(self.token_hit_rate, rate, side="left"))
        return at if at < len(self.token_hit_rate) else None

    def to_dict(self) -> dict:
        """`kvtrace simulate --curve -f json`'s object."""
        return self.report.to_dict()


def _curve(d) -> HitCurve:
    return HitCurve(d["capacities"], d["hit_blocks"], d["hit_tokens"], d["block_hit_rate"],
                    d["token_hit_rate"], Report(json.loads(d["json"])))


def lru_curve(trace_or_path, *, block_size=None, points=32, format_in="auto",
              skip_invalid=False, start_ms=None, end_ms=None,
              hash_id_check="warn") -> HitCurve:
    """lru's hit rate for every capacity in one pass (`kvtrace simulate --curve`).

    trace_or_path: a trace file (any format) or a kvtrace.Trace. A Trace is simulated with
        its own block size (block_size must then be None or equal); it has no server-measured
        cache figures. The reading options are read_trace's.
    points: how many capacities the report's ``curve`` rows show (0: all), as --curve-points.

    Runs without the GIL.
    """
    if isinstance(trace_or_path, Trace):
        t = trace_or_path
        if block_size is not None and block_size != t.block_size:
            raise _kvtrace.UsageError(f"block_size: the trace has blocks of {t.block_size} "
                                      f"tokens, not {block_size}")
        return _curve(_kvtrace.lru_curve_columns(t.offsets, t.ids, t.input_length,
                                                 block_size=t.block_size, source="<trace>",
                                                 points=points))
    return _curve(_kvtrace.lru_curve_file(str(trace_or_path), points=points,
                                          block_size=block_size, format_in=format_in,
                                          skip_invalid=skip_invalid, start_ms=start_ms,
                                          end_ms=end_ms, hash_id_check=hash_id_check))


class Simulation(Report):
    """`kvtrace simulate -f json`'s object (docs/simulate.md) as attributes: ``runs`` (one
    Report per configuration) and the trace's fields; ``to_dict()`` gives the JSON's dict.
    ``per_request`` holds the --per-request CSV's text when it was asked for (else None)."""

    def __init__(self, fields: dict, per_request: Optional[str] = None):
        super().__init__(fields)
        self.per_request = per_request

    def to_dict(self) -> dict:
        d = super().to_dict()
        del d["per_request"]
        return d

    model_dump = to_dict


def _names(value):
    return [value] if isinstance(value, str) else list(value)


def simulate(path, capacity=None, *, gpu_mem_gib=None, kv_bytes_per_token=None,
             policy="lru", workers=1, router="round-robin", overlap_weight=1.0, seed=42,
             timing=False, concurrency=0, prefill_tps=10000.0, decode_tps=50.0,
             cache_output=False, per_request=False, block_size=None, format_in="auto",
             skip_invalid=False, start_ms=None, end_ms=None,
             hash_id_check="warn") -> Simulation:
    """`kvtrace simulate` of a trace file: one run per capacity x policy x router.

    capacity: blocks per worker, an int or a list of them (--capacity / --capacity-sweep);
        or gpu_mem_gib with kv_bytes_per_token (--gpu-mem, --kv-bytes-per-token).
    policy: "lru", "lineage" or "fifo", or a list of them.
    router: "round-robin", "random", "least-loaded" or "kv-aware", or a list of them.
    workers, overlap_weight, seed: the cluster and its router (--workers,
        --overlap-weight, --seed).
    timing: requests start at their timestamps and pin their blocks until they end
        (--timing); concurrency > 0 caps the requests in flight and implies the timing
        model; prefill_tps, decode_tps: its speeds.
    cache_output: also cache the blocks each request's output fills.
    per_request: also give each request's worker and hits (one simulation only) as
        ``result.per_request``, the --per-request CSV's text.
    The reading options are read_trace's.

    Returns a Simulation whose ``runs`` list has one entry per configuration, capacities
    outermost and routers innermost. Runs without the GIL.
    """
    if capacity is None:
        capacities = []
    elif isinstance(capacity, int) or hasattr(capacity, "__index__"):
        capacities = [int(capacity)]
    else:
        capacities = [int(c) for c in capacity]
    text, csv = _kvtrace.simulate_json(
        str(path), capacities=capacities, gpu_mem_gib=gpu_mem_gib,
        kv_bytes_per_token=kv_bytes_per_token, policies=_names(policy),
        routers=_names(router), workers=workers, overlap_weight=overlap_weight, seed=seed,
        timing=timing, concurrency=concurrency, prefill_tps=prefill_tps,
        decode_tps=decode_tps, cache_output=cache_output, per_request=per_request,
        block_size=block_size, format_in=format_in, skip_invalid=skip_invalid,
        start_ms=start_ms, end_ms=end_ms, hash_id_check=hash_id_check)
    return Simulation(json.loads(text), csv)
