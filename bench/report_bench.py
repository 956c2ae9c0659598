#!/usr/bin/env python3
"""`kvtrace report` on the 1M-request trace: the time to write the page (with the lru curve)
against `kvtrace analyze` and `kvtrace simulate --curve` of the same trace in the same run,
the page's size, and how soon the page is interactive in headless Chromium.

Interactive means: from the navigation's start until the page has drawn every chart
(window.kvtraceReport set by its script, tests/browser/test_report_browser.py checks the
same), read through the DevTools protocol client of tests/browser/cdp.py; also the page's
own figure for the drawing (kvtraceReport.ms). Medians of alternated runs, as a Markdown
table for bench/RESULTS.md.

Usage: bench/report_bench.py [--requests 1000000] [--runs 5] [--build build]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, alternate, big_trace

sys.path.insert(0, str(ROOT / "tests/browser"))
from cdp import Browser, find_chromium  # noqa: E402


def page_timings(page_path, runs):
    """(wall ms from navigation to every chart drawn, the page's own drawing ms) per run."""
    chromium = find_chromium()
    if chromium is None:
        print("note: no Chromium (Debian package chromium): page timings skipped", file=sys.stderr)
        return []
    out = []
    with Browser(chromium) as browser:
        for _ in range(runs):
            page = browser.new_page(1280, 900)
            start = time.perf_counter()
            page.navigate(page_path.as_uri())
            page.wait_for("window.kvtraceReport !== undefined", timeout=60)
            wall = (time.perf_counter() - start) * 1000
            report = page.evaluate("window.kvtraceReport")
            if report["errors"] or report["rendered"] != report["charts"]:
                sys.exit(f"the page did not draw: {report}")
            out.append((wall, report["ms"], report["charts"]))
            page.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", type=Path, default=ROOT / "build")
    args = ap.parse_args()
    kvtrace = args.build / "kvtrace"
    trace = big_trace(args.build, args.requests)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        commands = {
            "analyze": [kvtrace, "analyze", "-f", "json", trace],
            "simulate --curve": [kvtrace, "simulate", "--curve", "-f", "json", trace],
            "report --simulate-curve": [kvtrace, "report", trace, "--simulate-curve", "-o", page],
        }
        results = alternate(commands, args.runs)
        size = page.stat().st_size
        timings = page_timings(page, args.runs)
    print(f"{trace.name}: {args.requests:,} requests, {args.runs} alternated runs, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| command | wall s (median) | peak RSS MiB |")
    print("|---|---:|---:|")
    for name, r in results.items():
        print(f"| `{name}` | {statistics.median(w for w, _ in r):.2f} | "
              f"{statistics.median(m for _, m in r):,.0f} |")
    print(f"\npage: {size / 1e6:.2f} MB ({size:,} bytes)")
    if timings:
        print(f"interactive in headless Chromium (median of {len(timings)}): "
              f"{statistics.median(w for w, _, _ in timings):,.0f} ms from navigation, "
              f"{statistics.median(m for _, m, _ in timings):,.0f} ms of drawing "
              f"{timings[0][2]} charts")


if __name__ == "__main__":
    main()
