#!/usr/bin/env python3
"""Independent reference for `kvtrace analyze --format aiperf-json`.

Computes AIPerf's AnalysisStats fields for a Mooncake JSONL trace straight from the
definitions in ../shared/reference/aiperf-synthesis.md section 3, with numpy and
statistics exactly as AIPerf calls them, and prints them as JSON. The e2e tests compare
kvtrace's numbers with these to 1e-12 relative.

Usage: aiperf_analyze_reference.py TRACE [BLOCK_SIZE]
"""
import json
import statistics
import sys
from collections import Counter

import numpy as np


def metric_stats(values):
    if not values:
        return None
    arr = np.asarray(values)
    return {
        "mean": float(np.mean(arr)),
        "std_dev": float(np.std(arr)),
        "min": float(np.min(arr)),
        "p25": float(np.percentile(arr, 25)),
        "median": float(np.median(arr)),
        "p75": float(np.percentile(arr, 75)),
        "max": float(np.max(arr)),
    }


def analyze(records, block_size):
    isls = [r.get("input_length", 0) for r in records]
    osls = [r.get("output_length", 0) for r in records]
    paths = [r.get("hash_ids") or [] for r in records]

    prefixes = Counter()
    pairs = Counter()
    for ids in paths:
        for i in range(1, len(ids) + 1):
            prefixes[tuple(ids[:i])] += 1
        for pos, h in enumerate(ids):
            pairs[(pos, h)] += 1
    repeated = {p for p, c in pairs.items() if c > 1}

    context, unique = [], []
    for isl, ids in zip(isls, paths):
        if not ids:
            context.append(0)
            unique.append(isl)
            continue
        flags = [(pos, h) in repeated for pos, h in enumerate(ids)]
        if all(flags):
            context.append(isl)
            unique.append(0)
        else:
            c = sum(flags) * block_size
            context.append(c)
            unique.append(isl - c)

    seen = set()
    hit_rates = []
    for ids in paths:
        if not ids:
            continue
        first_miss = next((i for i, h in enumerate(ids) if h not in seen), len(ids))
        hit_rates.append(first_miss / len(ids))
        seen.update(ids)

    firsts = Counter(ids[0] for ids in paths if ids)
    total_prefix = sum(prefixes.values())
    reused = sum(c for c in prefixes.values() if c > 1)
    n = len(records)
    return {
        "total_requests": n,
        "unique_prefixes": len(prefixes),
        "num_prefix_groups": sum(1 for c in firsts.values() if c > 1),
        "cache_hit_rate": statistics.mean(hit_rates) if hit_rates else 0.0,
        "min_isl": min(isls) if isls else 0,
        "max_isl": max(isls) if isls else 0,
        "avg_isl": sum(isls) / n if n else 0.0,
        "min_osl": min(osls) if osls else 0,
        "max_osl": max(osls) if osls else 0,
        "avg_osl": sum(osls) / n if n else 0.0,
        "prefix_reuse_ratio": reused / total_prefix if total_prefix else 0.0,
        "isl_stats": metric_stats(isls),
        "osl_stats": metric_stats(osls),
        "context_length_stats": metric_stats(context),
        "unique_prompt_length_stats": metric_stats(unique),
        "hit_rate_stats": metric_stats(hit_rates),
    }


def main():
    path = sys.argv[1]
    block_size = int(sys.argv[2]) if len(sys.argv) > 2 else 512
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    print(json.dumps(analyze(records, block_size), indent=2))


if __name__ == "__main__":
    main()
