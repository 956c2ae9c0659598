"""AIPerf's PrefixAnalyzer on kvtrace's analysis (analysis::PrefixAnalyzer): ISL/OSL
statistics, prefix sharing and theoretical (infinite-cache) hit rates, with AIPerf's exact
definitions and numbers."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from kvtrace import _kvtrace
from kvtrace.aiperf.models import BLOCK_SIZE, AnalysisStats, stats_from_dict

_log = logging.getLogger(__name__)


class PrefixAnalyzer:
    """Analyzes traces (a Mooncake JSONL file or a list of dicts) into AnalysisStats."""

    def __init__(self, block_size: int = BLOCK_SIZE) -> None:
        self.block_size = block_size

    def analyze_file(self, trace_file: Path | str) -> AnalysisStats:
        """AnalysisStats of a Mooncake JSONL trace file (read and analyzed in C++)."""
        path = Path(trace_file)
        if not path.exists():
            raise FileNotFoundError(2, "No such file or directory", str(path))
        text = _kvtrace.aiperf_analyze_file(str(path), self.block_size)
        return stats_from_dict(json.loads(text))

    def analyze_traces(self, traces: list[dict]) -> AnalysisStats:
        """AnalysisStats of trace dicts (input_length, output_length and hash_ids read with
        AIPerf's defaults 0, 0 and [])."""
        ids = [t.get("hash_ids") or [] for t in traces]
        isls = [t.get("input_length", 0) for t in traces]
        osls = [t.get("output_length", 0) for t in traces]
        text = _kvtrace.aiperf_analyze_traces(ids, isls, osls, self.block_size)
        return stats_from_dict(json.loads(text))
