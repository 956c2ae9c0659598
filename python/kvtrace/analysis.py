"""analyze: `kvtrace analyze`'s report as an object."""
import json
from types import SimpleNamespace

from kvtrace import _kvtrace


def _namespace(value):
    if isinstance(value, dict):
        return Report(value)
    if isinstance(value, list):
        return [_namespace(v) for v in value]
    return value


class Report(SimpleNamespace):
    """The fields of `kvtrace analyze --format json` as attributes (docs/analyze.md): AIPerf's
    AnalysisStats fields, kvtrace's own, and ``input`` (what the reader saw). Nested statistics
    are Reports too (``r.isl_stats.median``); ``to_dict()`` gives the JSON's dict."""

    def __init__(self, fields: dict):
        super().__init__(**{k: _namespace(v) for k, v in fields.items()})

    def to_dict(self) -> dict:
        def plain(v):
            if isinstance(v, Report):
                return v.to_dict()
            if isinstance(v, list):
                return [plain(x) for x in v]
            return v
        return {k: plain(v) for k, v in vars(self).items()}

    model_dump = to_dict

    def __reduce__(self):
        # Rebuilt from the dict, so that a Report crosses processes (e.g. a Dask result).
        return (Report, (self.to_dict(),))


def analyze(path, *, block_size=None, format_in="auto", skip_invalid=False, start_ms=None,
            end_ms=None, hash_id_check="warn") -> Report:
    """`kvtrace analyze` of a trace (any format): the report as a Report object.

    The reading options are read_trace's. The C++ pass runs without the GIL.
    """
    text = _kvtrace.analyze_json(str(path), block_size=block_size, format_in=format_in,
                                 skip_invalid=skip_invalid, start_ms=start_ms, end_ms=end_ms,
                                 hash_id_check=hash_id_check)
    return Report(json.loads(text))


class Shard:
    """Phase 1 of a sharded analyze (docs/scale-out.md): one time-ordered shard of a trace
    read into NumPy arrays, its hash ids numbered within the shard. Picklable, so that it can
    be built on one machine and merged on another.

    ``path``: the shard's file; ``columns``: the arrays (per request: input_lengths,
    output_lengths, id_end, cached_tokens, cached_state, timestamps, delays, sessions;
    local_ids; distinct_ids; session_names), block_size and the reader's counts."""

    def __init__(self, path, columns: dict):
        self.path = str(path)
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns["input_lengths"])

    def __repr__(self) -> str:
        return (f"Shard({self.path!r}: {len(self)} requests, "
                f"{len(self.columns['distinct_ids'])} distinct hash ids)")


def read_shard(path, *, block_size=None, format_in="auto", skip_invalid=False, start_ms=None,
               end_ms=None, hash_id_check="warn") -> Shard:
    """Phase 1 of a sharded analyze: one shard of a trace (a file of consecutive requests),
    parsed and its hash ids numbered within the shard. Shards are independent: read them in
    any order, in any process. The reading options are read_trace's. Runs without the GIL."""
    return Shard(path, _kvtrace.read_shard(str(path), block_size=block_size,
                                           format_in=format_in, skip_invalid=skip_invalid,
                                           start_ms=start_ms, end_ms=end_ms,
                                           hash_id_check=hash_id_check))


def merge_shards(shards) -> Report:
    """Phase 2 of a sharded analyze: the shards in trace order (earliest first) merged into
    the report of the whole trace, equal to analyze() of the concatenated files in every
    field but ``input.file`` (the shards' paths, comma-separated). Runs without the GIL."""
    shards = list(shards)
    text = _kvtrace.merge_shards_json([s.columns for s in shards],
                                      ", ".join(s.path for s in shards))
    return Report(json.loads(text))


def analyze_shards(paths, **read_options) -> Report:
    """Both phases in this process: read_shard of each path in turn, then merge_shards. For a
    cluster, see kvtrace.dask.analyze."""
    return merge_shards(read_shard(p, **read_options) for p in paths)
