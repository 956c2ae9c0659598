#!/usr/bin/python3
"""End-to-end `kvtrace hash` throughput on token-id conversations (issue 4).

Generates build/bench-data/tokens-20k.jsonl (bench/make_token_conversations.py) when absent,
then runs `kvtrace hash` on it with 1 and 2 threads, alternating, and prints the median
tokens/s of each and the speedup. The machine is shared: alternating runs and medians keep
the comparison fair.

usage: bench/hash_bench.py [--runs 7] [--kvtrace build/kvtrace]
"""
import argparse
import os
import re
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "build/bench-data/tokens-20k.jsonl")


def run(kvtrace, threads):
    err = subprocess.run([kvtrace, "hash", "--threads", str(threads), DATA, "-o", "/dev/null"],
                         check=True, capture_output=True, text=True).stderr
    m = re.search(r"([0-9]+) tokens .* in ([0-9.]+) s", err)
    return int(m.group(1)) / float(m.group(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kvtrace", default=os.path.join(ROOT, "build/kvtrace"))
    a = ap.parse_args()
    if not os.path.exists(DATA):
        os.makedirs(os.path.dirname(DATA), exist_ok=True)
        subprocess.run([os.path.join(ROOT, "bench/make_token_conversations.py"), DATA], check=True)
    rates = {1: [], 2: []}
    for _ in range(a.runs):
        for t in (1, 2):
            rates[t].append(run(a.kvtrace, t))
    m1, m2 = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"{os.path.getsize(DATA) / 1e6:.0f} MB input; median of {a.runs} runs")
    print(f"1 thread : {m1 / 1e6:6.1f} M tokens/s (range {min(rates[1]) / 1e6:.1f}-{max(rates[1]) / 1e6:.1f})")
    print(f"2 threads: {m2 / 1e6:6.1f} M tokens/s (range {min(rates[2]) / 1e6:.1f}-{max(rates[2]) / 1e6:.1f}), {m2 / m1:.2f}x")


if __name__ == "__main__":
    main()
