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


def analyze(path, *, block_size=None, format_in="auto", skip_invalid=False, start_ms=None,
            end_ms=None, hash_id_check="warn") -> Report:
    """`kvtrace analyze` of a trace (any format): the report as a Report object.

    The reading options are read_trace's. The C++ pass runs without the GIL.
    """
    text = _kvtrace.analyze_json(str(path), block_size=block_size, format_in=format_in,
                                 skip_invalid=skip_invalid, start_ms=start_ms, end_ms=end_ms,
                                 hash_id_check=hash_id_check)
    return Report(json.loads(text))
