#!/usr/bin/env python3
"""Capacity answers on the 1M-request trace (docs/simulate.md, "Capacity for a target"): the
figures issue 16 asks for, measured in one run with alternated commands (medians):

- the target solver for 4 workers behind the kv-aware router with the timing model (a sweep:
  no curve exists), goal < 15 s;
- the one-pass curve of 4 workers behind round-robin, and lineage's curve, each goal < 5 s,
  beside the single-worker lru curve;
- the target solver and a sweep of 12 capacities (kv-aware, timing, --no-ideal) on 2 threads
  against 1: goal >= 1.7x;
- one kv-aware simulation, for scale.

Usage: bench/capacity_bench.py [--requests 1000000] [--runs 3] [--build build]
"""
import argparse
import os
import statistics
from pathlib import Path

from benchlib import ROOT, alternate, big_trace


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build", type=Path, default=ROOT / "build")
    args = ap.parse_args()
    kvtrace = args.build / "kvtrace"
    trace = big_trace(args.build, args.requests)
    kv_timing = ["-w", "4", "-r", "kv-aware", "--timing"]
    sweep = [kvtrace, "simulate", "-f", "json", "--capacity-sweep",
             ",".join(str(1000 * 2**k) for k in range(12)), "--no-ideal", *kv_timing, trace]
    target = [kvtrace, "simulate", "-f", "json", "--target-of-ideal", "0.8", *kv_timing, trace]
    commands = {
        "simulate --target-of-ideal 0.8 -w 4 -r kv-aware --timing": target,
        "the same, --threads 1": [*target, "--threads", "1"],
        "simulate -c 6000 -w 4 -r kv-aware --timing": [
            kvtrace, "simulate", "-f", "json", "-c", "6000", *kv_timing, trace],
        "simulate -c 6000 -w 4 -r kv-aware --timing --no-ideal": [
            kvtrace, "simulate", "-f", "json", "-c", "6000", "--no-ideal", *kv_timing, trace],
        "simulate --curve": [kvtrace, "simulate", "-f", "json", "--curve", trace],
        "simulate --curve -p lineage": [
            kvtrace, "simulate", "-f", "json", "--curve", "-p", "lineage", trace],
        "simulate --curve -w 4 -r round-robin": [
            kvtrace, "simulate", "-f", "json", "--curve", "-w", "4", trace],
        "sweep of 12 capacities, --threads 1": [*sweep, "--threads", "1"],
        "sweep of 12 capacities, --threads 2": [*sweep, "--threads", "2"],
    }
    results = alternate(commands, args.runs)
    print(f"{trace.name}: {args.requests:,} requests, {args.runs} alternated runs, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| command | wall s (median) | peak RSS MiB |")
    print("|---|---:|---:|")
    med = {}
    for name, r in results.items():
        med[name] = statistics.median(w for w, _ in r)
        print(f"| `{name}` | {med[name]:.2f} | {statistics.median(m for _, m in r):,.0f} |")
    print()
    for what, one, two in (
            ("the target solver", "the same, --threads 1",
             "simulate --target-of-ideal 0.8 -w 4 -r kv-aware --timing"),
            ("the sweep of 12 capacities", "sweep of 12 capacities, --threads 1",
             "sweep of 12 capacities, --threads 2")):
        print(f"{what} on 2 threads: {med[one] / med[two]:.2f}x the speed of 1 (goal >= 1.7x)")

if __name__ == "__main__":
    main()
