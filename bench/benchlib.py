"""What the end-to-end benchmark scripts of bench/ share: timing a command, the big
generated trace, alternated runs and their table for bench/RESULTS.md."""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, quiet=False):
    """Wall seconds and peak RSS (MiB) of one run; stdout (and with `quiet` stderr)
    discarded. Exits when the command fails."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(cmd, stdout=devnull, stderr=devnull if quiet else None)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}")
    return wall, usage.ru_maxrss / 1024


def big_trace(build, requests):
    """BUILD/bench-data/big-N.jsonl: the FAST25 conversation trace (or, without ../shared/data,
    the bundled 1k sample) repeated with shifted ids and timestamps by bench/make_big_trace."""
    source = ROOT.parent / "shared/data/traces/mooncake-conversation_trace.jsonl"
    if not source.exists():
        source = ROOT / "examples/fast25-conversation-1k.jsonl"
        print(f"note: ../shared/data is absent; repeating {source.name} instead", file=sys.stderr)
    data = build / "bench-data"
    data.mkdir(parents=True, exist_ok=True)
    trace = data / f"big-{requests}.jsonl"
    if not trace.exists():
        print(f"building {trace} ...", file=sys.stderr)
        subprocess.run([build / "bench/make_big_trace", source, trace, str(requests)], check=True)
    return trace


def alternate(commands, runs):
    """Each command `runs` times, in turn so that machine noise hits each alike, after one
    run of the first to warm the page cache: {name: [(wall, rss), ...]}."""
    run(next(iter(commands.values())))
    results = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))
    return results


def print_table(results, size_mb):
    """Medians as a Markdown table, each command's throughput against the first's."""
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r))
               for name, r in results.items()}
    base = next(iter(medians.values()))[0]
    print("| command | wall s (median) | MB/s | peak RSS MiB | throughput vs bare |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, rss) in medians.items():
        print(f"| {name} | {wall:.3f} | {size_mb / wall:,.0f} | {rss:,.0f} | {base / wall:.0%} |")
