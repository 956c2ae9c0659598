#!/usr/bin/env python3
"""kvtrace analyze of a trace split into time-ordered shards, on a Dask cluster: one task
reads each shard, one merges them. Prints the report as `kvtrace analyze -f json` does; it
equals the report of the whole trace (docs/scale-out.md).

    split -d -n l/4 trace.jsonl part-          # shards at line boundaries, in order
    examples/dask/analyze_shards.py part-00 part-01 part-02 part-03
    examples/dask/analyze_shards.py --scheduler tcp://scheduler:8786 /shared/part-*
"""
import argparse
import json

import kvtrace.dask

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shards", nargs="+", help="the shard files, earliest first")
    ap.add_argument("--scheduler", help="a running Dask scheduler's address (default: a "
                    "LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster processes")
    ap.add_argument("--block-size", type=int, help="tokens per hash id (default: 512)")
    args = ap.parse_args()
    with kvtrace.dask.connect(args.scheduler, workers=args.workers) as client:
        report = kvtrace.dask.analyze(args.shards, client=client, block_size=args.block_size)
    print(json.dumps(report.to_dict(), indent=2))
