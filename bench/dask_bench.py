#!/usr/bin/env python3
"""The sharded analyze (kvtrace.read_shard / merge_shards, kvtrace.dask.analyze) against one
pass (kvtrace.analyze), in one interpreter, alternated:

  one pass:   kvtrace.analyze(TRACE)
  phase 1:    kvtrace.read_shard of each of the K shards, one after the other (the work that
              a cluster spreads over its workers)
  phase 2:    kvtrace.merge_shards of the K shards (the part that stays sequential)
  dask:       kvtrace.dask.analyze of the K shards on a LocalCluster of W worker processes
              (one thread each), wall time from the call to the report

TRACE is the N-request trace of bench/analyze_bench.py (bench/make_big_trace), or with
--shuffle-ids the same with random 63-bit ids; it is cut into K shards at line boundaries
(`split -n l/K`). The reports are checked equal before anything is timed.

Usage: bench/dask_bench.py [--requests 1000000] [--shards 4] [--workers 2] [--runs 5]
                           [--build build] [--shuffle-ids]
"""
import argparse
import statistics
import subprocess
import sys
import time

from benchlib import ROOT, big_trace


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", default="build")
    ap.add_argument("--shuffle-ids", action="store_true",
                    help="use random 63-bit ids instead of first-seen numbering")
    args = ap.parse_args()

    build = ROOT / args.build
    sys.path.insert(0, str(build / "python"))
    import distributed
    import kvtrace
    import kvtrace.dask

    trace = big_trace(build, args.requests)
    if args.shuffle_ids:
        shuffled = trace.parent / f"big-{args.requests}-shuffled.jsonl"
        if not shuffled.exists():
            subprocess.run([sys.executable, ROOT / "bench/analyze_bench.py", "--shuffle", trace,
                            shuffled], check=True)
        trace = shuffled
    prefix = trace.parent / f"{trace.stem}.shard-{args.shards}-"
    shards = [trace.parent / f"{prefix.name}{k:02d}" for k in range(args.shards)]
    if not all(s.exists() for s in shards):
        subprocess.run(["split", "-d", "-n", f"l/{args.shards}", trace, prefix], check=True)

    def without_file(report):
        d = report.to_dict()
        del d["input"]["file"]
        return d

    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    want = without_file(kvtrace.analyze(trace))
    assert without_file(kvtrace.dask.analyze(shards, client=client)) == want, "dask differs"

    times = {"one pass": [], "phase 1 (all shards)": [], "phase 2 (merge)": [], "dask": []}
    for _ in range(args.runs):
        t = time.perf_counter()
        kvtrace.analyze(trace)
        times["one pass"].append(time.perf_counter() - t)
        t = time.perf_counter()
        parts = [kvtrace.read_shard(s) for s in shards]
        times["phase 1 (all shards)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        merged = kvtrace.merge_shards(parts)
        times["phase 2 (merge)"].append(time.perf_counter() - t)
        del parts
        assert without_file(merged) == want, "merge differs"
        t = time.perf_counter()
        kvtrace.dask.analyze(shards, client=client)
        times["dask"].append(time.perf_counter() - t)
    client.close()
    cluster.close()

    size_mb = trace.stat().st_size / 1e6
    print(f"\nTrace: {trace.name}, {args.requests:,} requests, {size_mb:,.0f} MB, "
          f"{args.shards} shards, Dask LocalCluster of {args.workers} workers; medians of "
          f"{args.runs} alternated runs\n")
    base = statistics.median(times["one pass"])
    print("| step | wall s (median) | vs one pass |")
    print("|---|---:|---:|")
    for name, values in times.items():
        m = statistics.median(values)
        print(f"| {name} | {m:.3f} | {m / base:.0%} |")


if __name__ == "__main__":
    main()
