"""kvtrace.analyze (python/kvtrace/analysis.py, src/python/analysis.cpp)."""
import json
import pickle

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


def test_shards_merged_in_one_process_equal_one_pass(tmp_path):
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    paths = []
    for k, (begin, end) in enumerate([(0, 10), (10, 10), (10, 1000)]):
        paths.append(tmp_path / f"s{k}.jsonl")
        paths[-1].write_bytes(b"".join(lines[begin:end]))
    shards = [kvtrace.read_shard(p, end_ms=600_000) for p in paths]
    assert [len(s) for s in shards][:2] == [10, 0]
    merged = kvtrace.merge_shards(pickle.loads(pickle.dumps(shards)))
    one = kvtrace.analyze(SAMPLE, end_ms=600_000)
    assert merged.input.file == ", ".join(map(str, paths))
    merged.input.file = one.input.file
    assert merged.to_dict() == one.to_dict()
    assert kvtrace.analyze_shards(paths, end_ms=600_000).to_dict()["total_requests"] == \
        one.total_requests


def test_a_report_survives_pickling():
    r = kvtrace.analyze(SAMPLE)
    assert pickle.loads(pickle.dumps(r)).to_dict() == r.to_dict()


def test_merging_shards_of_different_block_sizes_is_a_usage_error():
    a = kvtrace.read_shard(SAMPLE)
    b = kvtrace.read_shard(SAMPLE, block_size=256, hash_id_check="ignore")
    with pytest.raises(kvtrace.UsageError, match="shard 1 has block size 256, shard 0 has 512"):
        kvtrace.merge_shards([a, b])


def test_shard_arrays_that_do_not_fit_are_a_usage_error():
    s = kvtrace.read_shard(SAMPLE)
    s.columns["id_end"] = s.columns["id_end"][:-1]
    with pytest.raises(kvtrace.UsageError, match="shard 0: its per-request arrays differ"):
        kvtrace.merge_shards([s])
    with pytest.raises(kvtrace.UsageError, match="input_lengths: missing"):
        kvtrace.merge_shards([kvtrace.Shard("x", {})])
