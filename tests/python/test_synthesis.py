"""kvtrace.synthesize (python/kvtrace/synthesis.py, src/python/synthesis.cpp) against
`kvtrace synthesize` on the same input."""
import json
import os
import subprocess

import numpy as np
import pytest

import kvtrace
from conftest import SAMPLE, kvtrace_cli


def test_rewrite_writes_the_clis_file_and_returns_its_trace(tmp_path):
    knobs = dict(speedup_ratio=2.0, prefix_len_multiplier=1.5, prefix_root_multiplier=3,
                 prompt_len_multiplier=0.8, output_len_multiplier=1.2, max_isl=60000,
                 max_osl=400, seed=9)
    cli_out, py_out = tmp_path / "cli.jsonl", tmp_path / "py.jsonl"
    kvtrace_cli("synthesize", SAMPLE, "-o", cli_out, "--speedup-ratio", "2",
                "--prefix-len-multiplier", "1.5", "--prefix-root-multiplier", "3",
                "--prompt-len-multiplier", "0.8", "--output-len-multiplier", "1.2",
                "--max-isl", "60000", "--max-osl", "400", "--seed", "9")
    assert kvtrace.synthesize(SAMPLE, py_out, **knobs) is None
    assert py_out.read_bytes() == cli_out.read_bytes()
    t = kvtrace.synthesize(SAMPLE, **knobs)
    expected = kvtrace.read_trace(cli_out)
    assert len(t) == len(expected)
    for column in ("timestamp", "input_length", "output_length", "offsets", "ids", "line"):
        assert np.array_equal(getattr(t, column), getattr(expected, column)), column
    assert t.session_id == expected.session_id


def test_sample_mode_and_the_fidelity_report(tmp_path):
    report = tmp_path / "report.json"
    cli_out = tmp_path / "cli.jsonl"
    kvtrace_cli("synthesize", SAMPLE, "--mode", "sample", "-n", "300", "--seed", "5",
                "-o", cli_out, "--report-json", report)
    py_out = tmp_path / "py.jsonl"
    t, fidelity = kvtrace.synthesize(SAMPLE, py_out, keep=True, mode="sample",
                                     num_requests=300, seed=5, report=True)
    assert py_out.read_bytes() == cli_out.read_bytes()
    assert len(t) == 300
    assert fidelity.to_dict() == json.loads(report.read_text())


def test_aiperf_compat_is_the_clis_and_so_are_its_errors(tmp_path):
    head = tmp_path / "head.jsonl"  # the sample's line 41 is one AIPerf cannot rewrite
    head.write_text("".join(SAMPLE.read_text().splitlines(keepends=True)[:40]))
    cli_out = tmp_path / "cli.jsonl"
    kvtrace_cli("synthesize", head, "--aiperf-compat", "--prefix-len-multiplier", "2",
                "-o", cli_out)
    t = kvtrace.synthesize(head, aiperf_compat=True, prefix_len_multiplier=2.0)
    assert np.array_equal(t.ids, kvtrace.read_trace(cli_out).ids)
    cli = subprocess.run([os.environ.get("KVTRACE_BINARY", "build/kvtrace"), "synthesize",
                          SAMPLE, "--aiperf-compat", "--prefix-len-multiplier", "2"],
                         capture_output=True, text=True)
    assert cli.returncode == 2
    with pytest.raises(kvtrace.InputError) as e:
        kvtrace.synthesize(SAMPLE, aiperf_compat=True, prefix_len_multiplier=2.0)
    assert cli.stderr.endswith(f"kvtrace: error: {e.value}\n")
    assert ":41: hash_ids: input_len (1902) < prefix_len (2048)" in str(e.value)


def test_bad_knobs_are_usage_errors(tmp_path):
    with pytest.raises(kvtrace.UsageError, match="speedup"):
        kvtrace.synthesize(SAMPLE, speedup_ratio=0)
    with pytest.raises(kvtrace.UsageError, match="sample"):
        kvtrace.synthesize(SAMPLE, num_requests=10)
    with pytest.raises(kvtrace.UsageError, match="rewrite mode only"):
        kvtrace.synthesize(SAMPLE, mode="sample", aiperf_compat=True)
    with pytest.raises(kvtrace.UsageError, match="mode"):
        kvtrace.synthesize(SAMPLE, mode="resample")
    out = tmp_path / "never.jsonl"
    with pytest.raises(kvtrace.UsageError):
        kvtrace.synthesize(SAMPLE, out, speedup_ratio=-1)
    assert not out.exists()
