"""kvtrace.aiperf against AIPerf's own aiperf.dataset.synthesis code, side by side in one
Python (AIPerf's modules that cannot be imported here replaced by locate.stand_ins()):
the same trace through both, AIPerf's global generator initialized with the same seed before
each, and every result compared. Prints one line per case and "parity: N cases, all same";
exits 1 at the first difference.

    python parity.py TRACE   (with PYTHONPATH: the build's python dir, AIPerf's src, numpy)
"""
import json
import sys

import locate

locate.stand_ins()
from aiperf.common import random_generator as rng  # noqa: E402
from aiperf.dataset import synthesis as upstream  # noqa: E402

import kvtrace.aiperf as ours  # noqa: E402

PARAMS = [
    {},
    {"prefix_root_multiplier": 4},
    {"prefix_len_multiplier": 2.5, "prompt_len_multiplier": 0.3, "prefix_root_multiplier": 3,
     "output_len_multiplier": 1.7, "speedup_ratio": 1.3, "max_osl": 300, "max_isl": 9000},
    {"prefix_len_multiplier": 0.4, "renormalize_hash_ids": True},
    {"prompt_len_multiplier": 0.01, "block_size": 256},
]


def outcome(call):
    """(result, None) or (None, the exception's type name and AIPerf's message part)."""
    rng.reset()
    rng.init(42)
    try:
        return call(), None
    except ValueError as e:
        text = str(e)
        return None, text[text.index("input_len"):].split(" (AIPerf")[0]


def main():
    trace = sys.argv[1]
    traces = [json.loads(line) for line in open(trace) if line.strip()]
    cases = 0
    for n in (40, len(traces)):
        for p in PARAMS:
            got = [outcome(lambda m=m: m.Synthesizer(m.SynthesisParams(**p))
                           .synthesize_traces([dict(t) for t in traces[:n]]))
                   for m in (upstream, ours)]
            cases += 1
            print(f"synthesize {n} traces {p}: {'same' if got[0] == got[1] else 'DIFFERENT'}")
            if got[0] != got[1]:
                sys.exit(1)
        for b in (512, 64):
            a, k = (m.PrefixAnalyzer(block_size=b).analyze_traces(traces[:n]).model_dump()
                    for m in (upstream, ours))
            cases += 1
            print(f"analyze_traces {n} traces block {b}: {'same' if a == k else 'DIFFERENT'}")
            if a != k:
                sys.exit(1)
    a, k = (m.PrefixAnalyzer().analyze_file(trace).model_dump() for m in (upstream, ours))
    cases += 1
    print(f"analyze_file: {'same' if a == k else 'DIFFERENT'}")
    if a != k:
        sys.exit(1)
    data = [t.get("output_length", 0) for t in traces]
    a, k = (outcome(lambda m=m: m.EmpiricalSampler(data).sample_batch(1000))
            for m in (upstream, ours))
    cases += 1
    print(f"EmpiricalSampler.sample_batch: {'same' if a == k else 'DIFFERENT'}")
    if a != k:
        sys.exit(1)
    print(f"parity: {cases} cases, all same")


if __name__ == "__main__":
    main()
