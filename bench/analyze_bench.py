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
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd):
    """Wall seconds and peak RSS (MiB) of one run; stdout discarded."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(cmd, stdout=devnull)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}")
    return wall, usage.ru_maxrss / 1024


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
    source = ROOT.parent / "shared/data/traces/mooncake-conversation_trace.jsonl"
    if not source.exists():
        source = ROOT / "examples/fast25-conversation-1k.jsonl"
        print(f"note: ../shared/data is absent; repeating {source.name} instead", file=sys.stderr)
    data = build / "bench-data"
    data.mkdir(parents=True, exist_ok=True)
    trace = data / f"big-{args.requests}.jsonl"
    if not trace.exists():
        print(f"building {trace} ...", file=sys.stderr)
        subprocess.run([build / "bench/make_big_trace", source, trace, str(args.requests)], check=True)
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
    run(commands["bare simdjson pass"])  # warm the page cache
    results = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))

    bare = statistics.median(w for w, _ in results["bare simdjson pass"])
    print(f"\nTrace: {trace.name}, {args.requests:,} requests, {size_mb:,.0f} MB; "
          f"medians of {args.runs} alternated runs\n")
    print("| command | wall s (median) | MB/s | peak RSS MiB | throughput vs bare |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        rss = statistics.median(r for _, r in runs)
        print(f"| {name} | {wall:.3f} | {size_mb / wall:,.0f} | {rss:,.0f} | {bare / wall:.0%} |")


if __name__ == "__main__":
    main()
