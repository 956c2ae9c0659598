"""AIPerf's Synthesizer: synthetic traces that keep a trace's prefix-sharing pattern, with
multipliers for the shared prefix, the unique prompt, the number of prefix trees, time and
output lengths. The id rewrite runs in kvtrace's C++ synthesis (AIPerf-compat mode)."""
from __future__ import annotations

import json
import logging
import random
from pathlib import Path
from typing import Any, Optional

from kvtrace import _kvtrace
from kvtrace.aiperf._compat import child_seed
from kvtrace.aiperf.models import SynthesisParams
from kvtrace.aiperf.rolling_hasher import RollingHasher

STREAM = "dataset.synthesis.synthesizer"
_log = logging.getLogger(__name__)


class Synthesizer:
    """Generates synthetic traces preserving prefix-sharing patterns.

    `seed` (kvtrace's addition, keyword only) is a root seed as AIPerf's --random-seed for the
    prefix-tree draws; without it they come from AIPerf's global generator when AIPerf is
    installed (so the output is AIPerf's), else they are not reproducible.
    """

    def __init__(self, params: Optional[SynthesisParams] = None, *,
                 seed: Optional[int] = None) -> None:
        self.params = params or SynthesisParams()
        self._tree = _kvtrace.AiperfPathTree()
        self._rng = random.Random(child_seed(STREAM, seed))

    def synthesize_from_file(self, trace_file: Path | str) -> list[dict]:
        """Synthetic traces of a JSONL trace file (one dict per non-blank line)."""
        traces, lines = [], []
        with open(Path(trace_file), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    traces.append(json.loads(line))
                    lines.append(number)
        return self._synthesize(traces, str(trace_file), lines)

    def synthesize_traces(self, traces: list[dict]) -> list[dict]:
        """Synthetic traces, one per input dict in order; fields it does not rewrite are
        passed through. ValueError (kvtrace.InputError) names a trace as traces:<1-based
        index>."""
        return self._synthesize(traces, "traces", list(range(1, len(traces) + 1)))

    def _synthesize(self, traces: list[dict], source: str, lines: list[int]) -> list[dict]:
        p = self.params
        _log.info("Synthesizing %d traces", len(traces))
        all_ids = [t.get("hash_ids") or [] for t in traces]
        self._tree.add_paths([ids for ids in all_ids if ids])
        lens = [t.get("input_length", 0) for t in traces]
        new_ids, new_isls, base, renumbered = _kvtrace.aiperf_apply_multipliers(
            all_ids, lens, p.prefix_len_multiplier, p.prompt_len_multiplier, p.block_size,
            source, lines
        )
        if renumbered:
            _log.warning("%s: ids too large for AIPerf's numbering within 64 bits: the shared "
                         "ids were renumbered 0, 1, 2, ... (docs/python.md)", source)
        if p.prefix_root_multiplier > 1:
            for i, ids in enumerate(new_ids):
                if ids:
                    tree = self._rng.randint(0, p.prefix_root_multiplier - 1)
                    if tree > 0:
                        offset = tree * base
                        new_ids[i] = [h + offset for h in ids]
        if p.renormalize_hash_ids:
            hasher = RollingHasher(block_size=p.block_size)
            new_ids = [hasher.hash_token_blocks([(h,) for h in ids]) if ids else ids
                       for ids in new_ids]
        out = [self._assemble(t, ids, isl) for t, ids, isl in zip(traces, new_ids, new_isls)]
        _log.info("Generated %d synthetic traces", len(out))
        return out

    def _assemble(self, trace: dict, ids: list[int], isl: int) -> dict:
        p = self.params
        synthetic = dict(trace)
        if ids:
            synthetic["hash_ids"] = ids
        else:
            isl = trace.get("input_length", p.block_size)
            synthetic.pop("hash_ids", None)
        if p.max_isl and isl > p.max_isl:
            isl = p.max_isl
        if trace.get("text_input") is None and trace.get("messages") is None:
            synthetic["input_length"] = isl
        timestamp = trace.get("timestamp")
        if timestamp is not None and p.speedup_ratio > 0:
            synthetic["timestamp"] = int(timestamp / p.speedup_ratio)
        osl = synthetic.get("output_length")
        if osl is not None:
            scaled = int(round(osl * p.output_len_multiplier))
            if p.max_osl is not None:
                scaled = min(scaled, p.max_osl)
            synthetic["output_length"] = max(1, scaled)
        return synthetic

    def synthesize_grouped_traces(self, data: dict[str, list[dict]]) -> dict[str, list[dict]]:
        """Synthesize {session_id: traces} as one trace list, then regroup by session (empty
        sessions kept)."""
        flat = [dict(t, session_id=sid) for sid, turns in data.items() for t in turns]
        grouped: dict[str, list[dict]] = {sid: [] for sid in data}
        for t in self.synthesize_traces(flat):
            grouped.setdefault(t.pop("session_id", "default"), []).append(t)
        return grouped

    def get_stats(self) -> dict[str, Any]:
        """tree_nodes and tree_depth of the paths seen so far, and the params."""
        nodes, depth = self._tree.shape()
        return {"tree_nodes": nodes, "tree_depth": depth, "params": self.params.model_dump()}



