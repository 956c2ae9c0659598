#!/usr/bin/env python3
"""`kvtrace analyze` on a BurstGPT-like CSV against the same trace as Mooncake JSONL.

Writes a deterministic N-row CSV in BurstGPT's format (header of the releases, integer and
decimal seconds, models, log types, ~2% failed rows with 0 Response tokens, some quoted
cells) and, by the mapping of docs/formats.md, the Mooncake JSONL that kvtrace reads it as
(ms since the first row, one fresh block id per 512 tokens, model and log_type kept, failed
rows left out). Checks that `analyze -f json` gives the same report for both, then runs
analyze on each, alternating, under `nice`, and prints the medians as a Markdown table for
bench/RESULTS.md with the load average.

Usage: bench/csv_bench.py [--rows 1000000] [--runs 5] [--build build] [--out DIR]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

from benchlib import ROOT, run

BLOCK = 512


def write_traces(rows, csv_path, jsonl_path, seed=7):
    rng = random.Random(seed)
    models = ["ChatGPT", "GPT-4"]
    log_types = ["Conversation log", "API log", "API log, batch"]
    t = 5.0
    next_id = 0
    origin = None
    with open(csv_path, "w", newline="") as c, open(jsonl_path, "w") as j:
        c.write("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n")
        for i in range(rows):
            t += rng.choice([0, 1, 1, 2, 3, 0.5])
            stamp = f"{t:.1f}" if t != int(t) else str(int(t))
            model = models[rng.random() < 0.2]
            log_type = log_types[rng.randrange(3)]
            req = max(1, int(rng.lognormvariate(6.3, 1.0)))
            resp = 0 if rng.random() < 0.02 else max(1, int(rng.lognormvariate(5.3, 0.9)))
            cell = f'"{log_type}"' if "," in log_type else log_type
            c.write(f"{stamp},{model},{req},{resp},{req + resp},{cell}\n")
            ms = round(t * 1000)  # t has at most one decimal: exact
            if origin is None:
                origin = ms
            if resp == 0:
                continue
            n = -(-req // BLOCK)
            ids = ", ".join(str(k) for k in range(next_id, next_id + n))
            next_id += n
            j.write(f'{{"timestamp": {ms - origin}, "input_length": {req}, "output_length": '
                    f'{resp}, "hash_ids": [{ids}], "model": {json.dumps(model)}, '
                    f'"log_type": {json.dumps(log_type)}}}\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--out", default=None, help="folder for the traces (default: BUILD/csv-bench)")
    args = ap.parse_args()
    kvtrace = Path(args.build) / "kvtrace"
    out = Path(args.out or Path(args.build) / "csv-bench")
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"burstgpt-{args.rows}.csv"
    jsonl_path = out / f"burstgpt-{args.rows}.jsonl"
    if not csv_path.exists() or not jsonl_path.exists():
        write_traces(args.rows, csv_path, jsonl_path)

    reports = []
    for path in (csv_path, jsonl_path):
        r = subprocess.run([str(kvtrace), "analyze", "-f", "json", str(path)], check=True,
                           capture_output=True, text=True)
        # Without the last section, which describes the file (name, lines).
        reports.append(r.stdout[: r.stdout.index('\n  "input": {')])
    if reports[0] != reports[1]:
        sys.exit("analyze reports differ between the CSV and its Mooncake twin")

    cmds = {
        "csv": ["nice", "-n", "5", str(kvtrace), "analyze", "-f", "json", str(csv_path)],
        "jsonl": ["nice", "-n", "5", str(kvtrace), "analyze", "-f", "json", str(jsonl_path)],
    }
    times = {k: [] for k in cmds}
    rss = {k: [] for k in cmds}
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        for k, cmd in cmds.items():
            w, m = run(cmd, quiet=True)
            times[k].append(w)
            rss[k].append(m)
    load_after = os.getloadavg()[0]

    sizes = {"csv": csv_path.stat().st_size, "jsonl": jsonl_path.stat().st_size}
    print(f"{args.rows:,} rows; {args.runs} runs each, alternated; 1-minute load average "
          f"{load_before:.2f} before, {load_after:.2f} after")
    print()
    print("| input | size MB | wall s (median) | MB/s | rows/s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in cmds:
        med = statistics.median(times[k])
        mb = sizes[k] / 1e6
        print(f"| {k} | {mb:.1f} | {med:.3f} | {mb / med:.0f} | {args.rows / med:,.0f} | "
              f"{statistics.median(rss[k]):.0f} |")
    ratio = statistics.median(times["csv"]) / statistics.median(times["jsonl"])
    print()
    print(f"CSV / JSONL wall time: {ratio:.2f}")


if __name__ == "__main__":
    main()
