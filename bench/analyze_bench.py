#!/usr/bin/env python3
"""End-to-end benchmark of `kvtrace analyze` on a large trace, next to a bare simdjson pass.

Builds a deterministic N-request trace (the FAST25 conversation trace repeated with shifted
ids and timestamps, by bench/make_big_trace), then runs, alternating so that machine noise
hits both alike:
  - bare:     build/bench/bare_parse TRACE   (simdjson iterate_many, every field, no analysis)
  - analyze:  build/kvtrace analyze -f json TRACE
  - validate: build/kvtrace validate -q TRACE  (kvtrace's own reader + validation only)
and prints the medians of wall time, throughput and peak RSS, and analyze's throughput as a
fraction of the bare pass, as a Markdown table for bench/RESULTS.md.

Usage: bench/analyze_bench.py [--requests 1000000] [--runs 5] [--build build] [--shuffle-ids]
"""
import argparse
import random
import subprocess
import sys

from benchlib import ROOT, alternate, big_trace, print_table


def shuffle_ids(src, dst, seed=1):
    """The same trace with every hash id replaced by a random 63-bit id (a consistent
    mapping), so that ids are no longer numbered in first-seen order."""
    import json

    rng = random.Random(seed)
    mapping = {}
    with open(src) as fin, open(dst, "w") as fout:
        for line in fin:
            rec = json.loads(line)
            rec["hash_ids"] = [mapping.setdefault(h, rng.getrandbits(63)) for h in rec["hash_ids"]]
            fout.write(json.dumps(rec) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", default="build")
    ap.add_argument("--shuffle-ids", action="store_true",
                    help="use random 63-bit ids instead of first-seen numbering")
    ap.add_argument("--shuffle", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.shuffle:
        shuffle_ids(*args.shuffle)
        return

    build = ROOT / args.build
    trace = big_trace(build, args.requests)
    data = trace.parent
    if args.shuffle_ids:
        shuffled = data / f"big-{args.requests}-shuffled.jsonl"
        if not shuffled.exists():
            print(f"building {shuffled} ...", file=sys.stderr)
            # In a child process: this one must stay small, or its size would count in the
            # peak RSS of the processes it forks for the measurements.
            subprocess.run([sys.executable, __file__, "--shuffle", trace, shuffled], check=True)
        trace = shuffled
    size_mb = trace.stat().st_size / 1e6

    commands = {
        "bare simdjson pass": [build / "bench/bare_parse", trace],
        "kvtrace analyze": [build / "kvtrace", "analyze", "-f", "json", trace],
        "kvtrace validate": [build / "kvtrace", "validate", "-q", trace],
    }
    results = alternate(commands, args.runs)
    print(f"\nTrace: {trace.name}, {args.requests:,} requests, {size_mb:,.0f} MB; "
          f"medians of {args.runs} alternated runs\n")
    print_table(results, size_mb)

if __name__ == "__main__":
    main()
