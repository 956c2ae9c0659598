"""kvtrace.aiperf.PrefixAnalyzer(...).analyze_file(...) against AIPerf's own Python
(aiperf.dataset.synthesis.prefix_analyzer at main @ 03140740) on the same trace, in one
Python process, calls alternated, medians (bench/RESULTS.md).

    ~/.pyenv/versions/3.11.7/bin/python3 bench/python_aiperf_bench.py --runs 7 --build build

Needs a Python 3.11 with pydantic 2 and orjson (AIPerf's analyzer reads with orjson), AIPerf's
git repository (tests/python/aiperf_upstream/locate.py says where), and numpy (taken from
Debian's site directory when the Python lacks it). AIPerf's package needs more than this
machine has (ruamel.yaml, ...): its logging mixin, base model and two config modules are
replaced by stand-ins of the same names; the analyzer's code is AIPerf's, unchanged.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests/python/aiperf_upstream"))
import locate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--build", type=Path, default=ROOT / "build")
    ap.add_argument("--trace", type=Path,
                    default=ROOT.parent / "shared/data/traces/mooncake-conversation_trace.jsonl")
    args = ap.parse_args()
    why = locate.problem()
    if why:
        sys.exit(f"cannot run AIPerf's analyzer: {why}")
    tmp = tempfile.TemporaryDirectory(prefix="aiperf-src-")
    locate.extract(Path(tmp.name))
    sys.path[:0] = [str(args.build / "python"), str(Path(tmp.name) / "src")]
    sys.path.append("/usr/lib/python3/dist-packages")  # numpy, when this Python lacks it
    locate.stand_ins()
    from aiperf.dataset.synthesis.prefix_analyzer import PrefixAnalyzer as AiperfAnalyzer

    from kvtrace.aiperf import PrefixAnalyzer as KvtraceAnalyzer

    calls = {"AIPerf (Python)": lambda: AiperfAnalyzer().analyze_file(args.trace),
             "kvtrace.aiperf": lambda: KvtraceAnalyzer().analyze_file(args.trace)}
    results = {name: call() for name, call in calls.items()}  # warm-up, and the answers
    a, k = (r.model_dump() for r in results.values())
    same = a.keys() == k.keys() and all(
        (a[f] == k[f]) if not isinstance(a[f], (float, dict)) else
        (abs(a[f] - k[f]) <= 1e-12 * max(1.0, abs(a[f])) if isinstance(a[f], float) else
         all(abs(a[f][s] - k[f][s]) <= 1e-9 * max(1.0, abs(a[f][s])) for s in a[f]))
        for f in a)
    times = {name: [] for name in calls}
    for _ in range(args.runs):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    size_mb = args.trace.stat().st_size / 1e6
    print(f"trace: {args.trace} ({size_mb:.1f} MB, {a['total_requests']:,} requests); "
          f"{args.runs} alternated runs; same AnalysisStats: {same}")
    print("| analyzer | s per analyze_file (median) | MB/s | speed-up |")
    print("|---|---:|---:|---:|")
    base = statistics.median(times["AIPerf (Python)"])
    for name, t in times.items():
        m = statistics.median(t)
        print(f"| {name} | {m:.4f} | {size_mb / m:,.1f} | {base / m:,.1f}× |")


if __name__ == "__main__":
    main()
