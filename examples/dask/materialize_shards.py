#!/usr/bin/env python3
"""kvtrace materialize on a Dask cluster: shard i of N built by task i, the parts merged by
request index into OUTPUT, byte for byte what one `kvtrace materialize` writes
(docs/scale-out.md). Every worker must see TRACE and OUTPUT's folder at the same path.

    examples/dask/materialize_shards.py trace.jsonl requests.jsonl --shards 8
    examples/dask/materialize_shards.py --scheduler tcp://scheduler:8786 \\
        /shared/trace.jsonl /shared/requests.jsonl --shards 64 --threads 4
"""
import argparse

import kvtrace.dask

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("output")
    ap.add_argument("--shards", type=int, required=True)
    ap.add_argument("--scheduler", help="a running Dask scheduler's address (default: a "
                    "LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster processes")
    ap.add_argument("--threads", type=int, default=0, help="threads per task (0: all cores)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    with kvtrace.dask.connect(args.scheduler, workers=args.workers) as client:
        lines = kvtrace.dask.materialize(args.trace, args.output, shards=args.shards,
                                         client=client, threads=args.threads, seed=args.seed)
    print(f"{lines} requests written to {args.output}")
