"""synthesize: `kvtrace synthesize` (docs/synthesize.md) writing a file and/or giving a Trace."""
import json

from kvtrace import _kvtrace
from kvtrace.analysis import Report
from kvtrace.trace import Trace


def synthesize(path, output=None, *, keep=None, mode="rewrite", num_requests=None,
               speedup_ratio=1.0, prefix_len_multiplier=1.0, prefix_root_multiplier=1,
               prompt_len_multiplier=1.0, output_len_multiplier=1.0, max_isl=None,
               max_osl=None, seed=42, aiperf_compat=False, report=False, block_size=None,
               format_in="auto", skip_invalid=False, start_ms=None, end_ms=None,
               hash_id_check="warn"):
    """A new trace from the trace at ``path``, as `kvtrace synthesize` makes it.

    output: a file to write the new trace to (Mooncake JSONL; "-" is stdout); None: none.
    keep: also return the new trace as a kvtrace.Trace (its ``line`` is the request's line
        in the output); None: only when no output file is given.
    mode: "rewrite" (AIPerf's per-request rewrite of the input) or "sample" (learn the prefix
        tree and distributions and generate ``num_requests`` new requests; default as many
        as the input).
    speedup_ratio, prefix_len_multiplier, prefix_root_multiplier, prompt_len_multiplier,
    output_len_multiplier, max_isl, max_osl, seed: AIPerf's knobs, as the CLI's flags.
    aiperf_compat: reproduce AIPerf's output exactly, its bugs and errors included.
    report: also return the fidelity report (input vs output) as a Report, the dict of
        --report-json's file.
    The reading options are read_trace's. The summary the CLI prints goes to stderr.

    Returns the Trace (or None), or with report=True the pair (Trace or None, Report).
    Runs without the GIL.
    """
    if keep is None:
        keep = output is None
    columns, fidelity = _kvtrace.synthesize(
        str(path), output=None if output is None else str(output), keep=keep, mode=mode,
        num_requests=num_requests, speedup_ratio=speedup_ratio,
        prefix_len_multiplier=prefix_len_multiplier,
        prefix_root_multiplier=prefix_root_multiplier,
        prompt_len_multiplier=prompt_len_multiplier,
        output_len_multiplier=output_len_multiplier, max_isl=max_isl, max_osl=max_osl,
        seed=seed, aiperf_compat=aiperf_compat, report=report, block_size=block_size,
        format_in=format_in, skip_invalid=skip_invalid, start_ms=start_ms, end_ms=end_ms,
        hash_id_check=hash_id_check)
    trace = Trace(**columns) if columns is not None else None
    if report:
        return trace, Report(json.loads(fidelity))
    return trace
