#!/usr/bin/env python3
"""A kvtrace simulate sweep on a Dask cluster, one task per point of capacities x policies x
routers x workers. Prints one CSV row per point (docs/scale-out.md).

    examples/dask/simulate_sweep.py trace.jsonl --capacities 1000,2000,4000 \\
        --policies lru,lineage --routers round-robin,kv-aware --workers 1,4
"""
import argparse
import csv
import sys

import kvtrace.dask


def names(text):
    return text.split(",")


def numbers(text):
    return [int(v) for v in text.split(",")]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--capacities", type=numbers, required=True,
                    help="blocks per worker, comma-separated")
    ap.add_argument("--policies", type=names, default=["lru"])
    ap.add_argument("--routers", type=names, default=["round-robin"])
    ap.add_argument("--workers", type=numbers, default=[1], help="cluster sizes simulated")
    ap.add_argument("--scheduler", help="a running Dask scheduler's address (default: a "
                    "LocalCluster)")
    ap.add_argument("--dask-workers", type=int, default=2, help="LocalCluster processes")
    args = ap.parse_args()
    with kvtrace.dask.connect(args.scheduler, workers=args.dask_workers) as client:
        runs = kvtrace.dask.simulate_sweep(args.trace, args.capacities, policies=args.policies,
                                           routers=args.routers, workers=args.workers,
                                           client=client)
    columns = ["capacity_blocks", "policy", "router", "workers", "block_hit_rate",
               "token_hit_rate", "evicted_blocks"]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    for run in runs:
        out.writerow([getattr(run, c) for c in columns])
