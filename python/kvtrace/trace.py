"""Traces as NumPy columns: read_trace and write_trace."""
# numpy is imported where first needed, so that `import kvtrace` stays quick.
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional

from kvtrace import _kvtrace

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Trace:
    """A trace's requests column by column, in file order (docs/python.md).

    The hash ids of request i are ``ids[offsets[i]:offsets[i + 1]]`` (a CSR pair). An absent
    timestamp or delay is NaN, an absent length -1. ``extra`` holds each request's other
    fields as the text of one JSON object (None when it has none); ``line`` the 1-based line
    each request was read from.
    """

    timestamp: np.ndarray
    input_length: np.ndarray
    output_length: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    session_id: List[Optional[str]] = field(default_factory=list)
    delay: Optional[np.ndarray] = None
    extra: List[Optional[str]] = field(default_factory=list)
    line: Optional[np.ndarray] = None
    block_size: int = 512
    format: str = "Mooncake JSONL"

    def __len__(self) -> int:
        return len(self.timestamp)

    def hash_ids(self, i: int) -> np.ndarray:
        """The hash ids of request i (a view)."""
        return self.ids[self.offsets[i]:self.offsets[i + 1]]


def read_trace(path, *, block_size=None, format_in="auto", skip_invalid=False,
               start_ms=None, end_ms=None, hash_id_check="warn") -> Trace:
    """Reads a trace of any format kvtrace reads (docs/formats.md; gzip and zstd too).

    block_size: None (512, or the size the format records), an int, or "auto".
    format_in: "auto", "mooncake", "dynamo", "bailian", "burstgpt" or "azure".
    skip_invalid: skip bad lines (counted) instead of raising InputError.
    start_ms, end_ms: leave out requests outside this time window.
    hash_id_check: "ignore", "warn" or "error".

    Raises kvtrace.InputError ("file:line: field: problem") for a bad line, kvtrace.IoError
    when the file cannot be read.
    """
    d = _kvtrace.read_trace(str(path), block_size=block_size, format_in=format_in,
                            skip_invalid=skip_invalid, start_ms=start_ms, end_ms=end_ms,
                            hash_id_check=hash_id_check)
    return Trace(**d)


def write_trace(path, trace: Trace) -> None:
    """Writes a Trace (or a dict of the same columns) as Mooncake JSONL; "-" is stdout.

    Integral timestamps and delays are written as integers. Extra fields are not written.
    """
    columns = trace if isinstance(trace, dict) else {
        "timestamp": trace.timestamp,
        "input_length": trace.input_length,
        "output_length": trace.output_length,
        "offsets": trace.offsets,
        "ids": trace.ids,
        "session_id": trace.session_id,
        **({"delay": trace.delay} if trace.delay is not None else {}),
    }
    _kvtrace.write_trace(str(path), columns)
