"""kvtrace.analyze (python/kvtrace/analysis.py, src/python/analysis.cpp)."""
import json

import pytest

import kvtrace
from conftest import SAMPLE, SOURCE, kvtrace_cli


def test_the_report_is_the_clis_json():
    r = kvtrace.analyze(SAMPLE)
    cli = json.loads(kvtrace_cli("analyze", "-f", "json", SAMPLE))
    cli["input"]["file"] = str(SAMPLE)
    assert r.to_dict() == cli
    assert r.total_requests == 1000
    assert r.isl_stats.median == cli["isl_stats"]["median"]
    assert r.model_dump() == r.to_dict()


def test_reading_options_reach_the_reader():
    r = kvtrace.analyze(SOURCE / "tests/data/formats/dynamo_sample.jsonl")
    assert r.block_size == 4
    assert r.server_measured.achieved_share == 1.0
    windowed = kvtrace.analyze(SAMPLE, end_ms=60_000)
    assert windowed.total_requests < 1000
    assert windowed.input.outside_window == 1000 - windowed.total_requests


def test_a_block_size_no_request_fits_is_an_input_error():
    with pytest.raises(kvtrace.InputError, match="block size 16"):
        kvtrace.analyze(SAMPLE, block_size=16)
