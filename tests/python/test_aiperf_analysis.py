"""kvtrace.aiperf.PrefixAnalyzer: AIPerf's AnalysisStats from kvtrace's analysis, against the
spec's goldens (aiperf-synthesis.md section 3) and `kvtrace analyze -f aiperf-json`."""
import json
import os
import signal
import threading
import time

import pytest
from conftest import SAMPLE, kvtrace_cli
from test_interrupt import feed

from kvtrace.aiperf import AnalysisStats, MetricStats, PrefixAnalyzer
from kvtrace.aiperf.cli import _build_stats_table, analyze_trace

CONFTEST = [
    {"input_length": 1024, "output_length": 20, "timestamp": 0, "hash_ids": [1, 2]},
    {"input_length": 1536, "output_length": 30, "timestamp": 1000, "hash_ids": [1, 2, 3]},
    {"input_length": 1024, "output_length": 25, "timestamp": 2000, "hash_ids": [1, 2]},
    {"input_length": 1536, "output_length": 40, "timestamp": 3000, "hash_ids": [2, 3, 4]},
    {"input_length": 1024, "output_length": 22, "timestamp": 4000, "hash_ids": [1, 3]},
]


def test_conftest_goldens():
    s = PrefixAnalyzer().analyze_traces(CONFTEST)
    assert isinstance(s, AnalysisStats) and isinstance(s.isl_stats, MetricStats)
    assert (s.total_requests, s.unique_prefixes, s.num_prefix_groups) == (5, 7, 1)
    assert s.cache_hit_rate == pytest.approx(2 / 3, rel=1e-12)
    assert s.prefix_reuse_ratio == pytest.approx(7 / 12, rel=1e-12)
    assert (s.min_isl, s.max_isl, s.avg_isl) == (1024, 1536, 1228.8)
    assert s.isl_stats.std_dev == pytest.approx(250.82774966099743, rel=1e-12)
    o = s.osl_stats
    assert (o.mean, o.p25, o.median, o.p75) == (27.4, 22, 25, 30)
    assert o.std_dev == pytest.approx(7.144228439796701, rel=1e-12)
    assert s.hit_rate_stats.std_dev == pytest.approx(0.36514837167011077, rel=1e-12)
    assert s.context_length_stats.mean == pytest.approx((1024 * 4 + 512) / 5)
    assert s.unique_prompt_length_stats.max == 1024


def test_cli_sample_goldens_negative_unique_prompt():
    s = PrefixAnalyzer(block_size=512).analyze_traces([
        {"input_length": 100, "output_length": 20, "hash_ids": [1, 2]},
        {"input_length": 150, "output_length": 30, "hash_ids": [1, 2, 3]},
        {"input_length": 120, "output_length": 25, "hash_ids": [1, 2]},
    ])
    assert s.cache_hit_rate == pytest.approx(0.5555555555555556, rel=1e-12)
    assert (s.unique_prefixes, s.prefix_reuse_ratio) == (3, pytest.approx(6 / 7))
    assert (s.isl_stats.p25, s.isl_stats.p75) == (110, 135)
    assert s.unique_prompt_length_stats.min == -874


def test_traces_without_hash_ids_and_empty_input():
    s = PrefixAnalyzer().analyze_traces([{"input_length": 100, "output_length": 20},
                                         {"input_length": 150}])
    assert (s.unique_prefixes, s.cache_hit_rate, s.hit_rate_stats) == (0, 0.0, None)
    assert (s.min_osl, s.max_osl, s.context_length_stats.max) == (0, 20, 0)
    e = PrefixAnalyzer().analyze_traces([])
    assert (e.total_requests, e.avg_isl, e.isl_stats) == (0, 0.0, None)


def test_analyze_file_matches_the_cli_and_analyze_traces(tmp_path):
    want = json.loads(kvtrace_cli("analyze", SAMPLE, "-f", "aiperf-json"))
    got = PrefixAnalyzer().analyze_file(SAMPLE)
    assert got.model_dump() == want
    traces = [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()]
    assert PrefixAnalyzer().analyze_traces(traces).model_dump() == want
    small = json.loads(kvtrace_cli("analyze", SAMPLE, "-f", "aiperf-json", "-b", "64",
                                   "--hash-id-check", "ignore"))
    assert PrefixAnalyzer(block_size=64).analyze_file(str(SAMPLE)).model_dump() == small


def test_analyze_file_of_a_missing_file():
    with pytest.raises(FileNotFoundError):
        PrefixAnalyzer().analyze_file("/nonexistent/trace.jsonl")


def test_cli_report_table_and_json(tmp_path, capsys):
    out = tmp_path / "deep/report.json"
    analyze_trace(SAMPLE, block_size=512, output_file=out)
    assert json.loads(out.read_text()) == json.loads(kvtrace_cli("analyze", SAMPLE, "-f",
                                                                 "aiperf-json"))
    printed = capsys.readouterr().out
    assert "Total requests:   1,000" in printed and "Theoretical Hit Rates" in printed
    analyze_trace(tmp_path / "missing.jsonl")
    assert "Error: Input file not found:" in capsys.readouterr().out
    t = _build_stats_table({"A": MetricStats(mean=1.0, std_dev=0.0, min=1.0, p25=1.0,
                                              median=1.0, p75=1.0, max=1234.5), "B": None})
    assert (t.title, len(t.columns), t.row_count) == ("Trace Statistics", 8, 2)


def test_ctrl_c_interrupts_analyze_file(tmp_path):
    # As kvtrace.analyze (test_interrupt.py): a fifo that never ends, SIGINT after 0.3 s.
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()
    writer = threading.Thread(target=feed, args=(fifo, stop))
    writer.start()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            PrefixAnalyzer().analyze_file(fifo)
    finally:
        stop.set()
        writer.join(timeout=5)
        timer.cancel()
    assert time.monotonic() - started < 3
