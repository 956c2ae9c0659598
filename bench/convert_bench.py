#!/usr/bin/env python3
"""End-to-end benchmark of `kvtrace convert` on a 1M-request Dynamo request trace, next to a
bare simdjson pass over the same file.

Builds the trace of bench/analyze_bench.py (bench/make_big_trace), writes it as Dynamo
request_end events (schema dynamo.request.trace.v1, docs/formats.md): every hash id becomes a
64-bit sequence hash (splitmix64 of the id, most above 2^63), each request gets the measured
fields Dynamo records, and events come in the order requests end (arrival + a duration), not
the order they arrived. Then runs, alternating so that machine noise hits each alike:
  - bare:    build/bench/bare_parse --any TRACE  (simdjson iterate_many, every value, nothing else)
  - convert: build/kvtrace convert TRACE -o -    (Mooncake JSONL out, discarded)
  - analyze: build/kvtrace analyze -f json TRACE
and prints the medians of wall time, throughput and peak RSS, and each one's throughput as a
fraction of the bare pass, as a Markdown table for bench/RESULTS.md.

Usage: bench/convert_bench.py [--requests 1000000] [--runs 5] [--build build]
"""
import argparse
import heapq
import json
import os
import subprocess
import sys

from benchlib import ROOT, alternate, big_trace, print_table

MASK = (1 << 64) - 1
BASE_MS = 1_760_000_000_000  # Unix ms: the first arrival


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def make_dynamo(src, dst):
    """The Mooncake trace `src` as Dynamo request_end events in end order."""
    pending = []  # (end ms, index, line) of requests not yet ended
    with open(src) as fin, open(dst, "w") as fout:
        for i, line in enumerate(fin):
            rec = json.loads(line)
            arrival = BASE_MS + int(rec["timestamp"])
            isl, osl = rec["input_length"], rec["output_length"]
            ttft = 20 + isl // 200
            end = arrival + ttft + 15 * osl
            while pending and pending[0][0] <= arrival:
                fout.write(heapq.heappop(pending)[2])
            hashes = [splitmix64(h) for h in rec["hash_ids"]]
            event = {
                "schema": "dynamo.request.trace.v1",
                "event_type": "request_end",
                "event_time_unix_ms": end,
                "event_source": "dynamo",
                "agent_context": {"session_id": f"s{i % 997}"},
                "request": {
                    "request_id": f"req-{i}",
                    "model": "bench",
                    "input_tokens": isl,
                    "output_tokens": osl,
                    "cached_tokens": (isl // 2) // 512 * 512,
                    "request_received_ms": arrival,
                    "ttft_ms": float(ttft),
                    "total_time_ms": float(end - arrival),
                    "avg_itl_ms": 15.0,
                    "kv_hit_rate": 0.5,
                    "worker": {"decode_worker_id": i % 8},
                    "replay": {
                        "trace_block_size": 512,
                        "input_length": isl,
                        "input_sequence_hashes": hashes,
                    },
                },
            }
            heapq.heappush(pending, (end, i, json.dumps(event, separators=(",", ":")) + "\n"))
        while pending:
            fout.write(heapq.heappop(pending)[2])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", default="build")
    ap.add_argument("--make-dynamo", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make_dynamo:
        make_dynamo(*args.make_dynamo)
        return

    build = ROOT / args.build
    mooncake = big_trace(build, args.requests)
    data = mooncake.parent
    trace = data / f"big-{args.requests}-dynamo.jsonl"
    if not trace.exists():
        print(f"building {trace} ...", file=sys.stderr)
        # In a child process, so that this one stays small (its size would count in the peak
        # RSS of the processes it forks for the measurements).
        subprocess.run([sys.executable, __file__, "--make-dynamo", mooncake, trace], check=True)
    size_mb = trace.stat().st_size / 1e6

    commands = {
        "bare simdjson pass (every value)": [build / "bench/bare_parse", "--any", trace],
        "kvtrace convert": [build / "kvtrace", "convert", trace, "-o", "-"],
        "kvtrace analyze": [build / "kvtrace", "analyze", "-f", "json", trace],
    }
    results = alternate(commands, args.runs)
    load = os.getloadavg()
    print(f"\nTrace: {trace.name}, {args.requests:,} Dynamo request_end events, "
          f"{size_mb:,.0f} MB; medians of {args.runs} alternated runs; "
          f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print_table(results, size_mb)

if __name__ == "__main__":
    main()
