"""kvtrace: LLM-inference request traces from Python, on kvtrace's C++ library.

Read any trace kvtrace reads into NumPy columns and write it back; analyze it with `kvtrace
analyze`'s definitions; hash token blocks as Dynamo does (kvtrace.hashing); simulate finite
KV caches (lru_curve, simulate); synthesize and materialize traces; tokenize. kvtrace.aiperf
is a drop-in for AIPerf's aiperf.dataset.synthesis. See docs/python.md.

    >>> import kvtrace
    >>> t = kvtrace.read_trace("examples/fast25-conversation-1k.jsonl")
    >>> len(t), t.input_length[:3]
    >>> r = kvtrace.analyze("examples/fast25-conversation-1k.jsonl")
    >>> r.cache_hit_rate, r.isl_stats.median
"""
from kvtrace._kvtrace import (
    Error,
    InputError,
    IoError,
    LimitError,
    UsageError,
    __version__,
)
from kvtrace.analysis import Report, Shard, analyze, analyze_shards, merge_shards, read_shard
from kvtrace.trace import Trace, read_trace, write_trace
from kvtrace import hashing
from kvtrace.cache import HitCurve, Simulation, lru_curve, simulate
from kvtrace.synthesis import synthesize
from kvtrace.prompt import materialize
from kvtrace.tokenizer import Tokenizer, load_tokenizer

__all__ = [
    "Error",
    "InputError",
    "IoError",
    "LimitError",
    "Report",
    "Trace",
    "UsageError",
    "__version__",
    "analyze",
    "Shard",
    "read_shard",
    "merge_shards",
    "analyze_shards",
    "read_trace",
    "write_trace",
    "hashing",
    "HitCurve",
    "Simulation",
    "lru_curve",
    "simulate",
    "synthesize",
    "materialize",
    "Tokenizer",
    "load_tokenizer",
]
