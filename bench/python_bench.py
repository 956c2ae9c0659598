#!/usr/bin/env python3
"""The Python API against the C++ it wraps, in one run with alternated measurements:

  analyze: kvtrace.analyze(TRACE) against `kvtrace analyze -f json TRACE` on the N-request
           trace of bench/analyze_bench.py (bench/make_big_trace). Each is timed as a whole
           process (Python: interpreter start, `import kvtrace` and the call) and, for
           Python, the call alone inside one interpreter.
  hashing: kvtrace.hashing.hash_blocks of 1M random uint32 tokens (2^20, a NumPy array)
           against Google Benchmark's BM_HashBlocks of bench/hashing_bench.cpp (the same
           call, outputs reused), at block sizes 16, 64 and 512; Python with outputs reused
           (block_out/sequence_out) and with new output arrays.

Medians of --runs alternated rounds; the Python/C++ ratios are printed as Markdown tables for
bench/RESULTS.md.

Usage: bench/python_bench.py [--requests 1000000] [--runs 5] [--build build]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from benchlib import ROOT, big_trace

BLOCK_SIZES = (16, 64, 512)
TOKENS = 1 << 20


def python_env(build):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(build / "python")
    return env


def timed(cmd):
    """Wall and CPU (user + system) seconds of one run of `cmd`, its output discarded."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(cmd, stdout=devnull, stderr=devnull)
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def analyze_call(build, trace):
    """Seconds of kvtrace.analyze(trace) inside a fresh interpreter (the call only)."""
    code = ("import sys, time, kvtrace\n"
            "t = time.perf_counter(); kvtrace.analyze(sys.argv[1]); "
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, str(trace)], env=python_env(build),
                         check=True, capture_output=True, text=True).stdout
    return float(out)


def cpp_hash_blocks(build):
    """BM_HashBlocks' (real, CPU) time per iteration in seconds, by block size."""
    out = subprocess.run([build / "bench/hashing_bench", "--benchmark_filter=BM_HashBlocks/",
                          "--benchmark_format=json", "--benchmark_min_time=0.5"],
                         check=True, capture_output=True, text=True).stdout
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    return {int(b["name"].split("/")[1]): (b["real_time"] * unit[b["time_unit"]],
                                           b["cpu_time"] * unit[b["time_unit"]])
            for b in json.loads(out)["benchmarks"]}


def python_hash_blocks(reuse, seconds=0.5):
    """kvtrace.hashing.hash_blocks' (real, CPU) seconds per call (medians of batches filling
    `seconds`), by block size; as the C++ benchmark, the tokens are made once."""
    import numpy as np
    from kvtrace import hashing

    tokens = np.random.default_rng(42).integers(0, 152064, size=TOKENS, dtype=np.uint32)
    result = {}
    for bs in BLOCK_SIZES:
        outs = {}
        if reuse:
            outs = {"block_out": np.empty(TOKENS // bs, np.uint64),
                    "sequence_out": np.empty(TOKENS // bs, np.uint64)}
        hashing.hash_blocks(tokens, bs, **outs)
        real, cpu = [], []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            n = 20
            t, c = time.perf_counter(), time.process_time()
            for _ in range(n):
                hashing.hash_blocks(tokens, bs, **outs)
            real.append((time.perf_counter() - t) / n)
            cpu.append((time.process_time() - c) / n)
        result[bs] = (statistics.median(real), statistics.median(cpu))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    build = ROOT / args.build
    sys.path.insert(0, str(build / "python"))
    trace = big_trace(build, args.requests)

    cli = [build / "kvtrace", "analyze", "-f", "json", trace]
    py = [sys.executable, "-c", "import sys, kvtrace; kvtrace.analyze(sys.argv[1])", trace]
    os.environ["PYTHONPATH"] = python_env(build)["PYTHONPATH"]  # for the timed children
    timed(cli)  # warm the page cache
    walls = {"cli": [], "py": [], "call": []}
    cpus = {"cli": [], "py": []}
    hashes = {"cpp": [], "reuse": [], "new": []}
    for _ in range(args.runs):
        for name, cmd in (("cli", cli), ("py", py)):
            wall, cpu = timed(cmd)
            walls[name].append(wall)
            cpus[name].append(cpu)
        walls["call"].append(analyze_call(build, trace))
        hashes["cpp"].append(cpp_hash_blocks(build))
        hashes["reuse"].append(python_hash_blocks(True))
        hashes["new"].append(python_hash_blocks(False))

    med = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    print(f"analyze, {args.requests:,} requests, median of {args.runs} alternated runs:\n")
    print("| command | wall s (median) | vs CLI | CPU s (median) | vs CLI |")
    print("|---|---:|---:|---:|---:|")
    print(f"| `kvtrace analyze -f json` | {med['cli']:.3f} | 100% | {cpu['cli']:.3f} | 100% |")
    print(f"| `python3 -c 'kvtrace.analyze(...)'` (process) | {med['py']:.3f} | "
          f"{med['py'] / med['cli']:.1%} | {cpu['py']:.3f} | {cpu['py'] / cpu['cli']:.1%} |")
    print(f"| `kvtrace.analyze(...)` (the call) | {med['call']:.3f} | "
          f"{med['call'] / med['cli']:.1%} | | |")

    print(f"\nhash_blocks of {TOKENS:,} uint32 tokens, median of {args.runs} alternated runs "
          "(real time; CPU time in parentheses):\n")
    print("| block size | C++ BM_HashBlocks µs | Python, outputs reused µs | vs C++ | "
          "Python, new outputs µs | vs C++ |")
    print("|---:|---:|---:|---:|---:|---:|")
    for bs in BLOCK_SIZES:
        (c, cc), (r, rc), (n, nc) = (
            tuple(statistics.median(x[bs][i] for x in hashes[k]) for i in (0, 1))
            for k in ("cpp", "reuse", "new"))
        print(f"| {bs} | {c * 1e6:,.0f} ({cc * 1e6:,.0f}) | {r * 1e6:,.0f} ({rc * 1e6:,.0f}) | "
              f"{r / c:.1%} ({rc / cc:.1%}) | {n * 1e6:,.0f} ({nc * 1e6:,.0f}) | "
              f"{n / c:.1%} ({nc / cc:.1%}) |")


if __name__ == "__main__":
    main()
