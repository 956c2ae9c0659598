"""kvtrace.lru_curve and kvtrace.simulate (python/kvtrace/cache.py, src/python/cache.cpp)
against `kvtrace simulate` on the same input."""
import json

import numpy as np
import pytest

import kvtrace
from conftest import SAMPLE, SOURCE, kvtrace_cli


def cli_json(*args):
    out = json.loads(kvtrace_cli("simulate", SAMPLE, "-f", "json", *args))
    out["input"] = str(SAMPLE)
    return out


def test_the_curve_is_the_clis_at_its_points_and_every_capacity_in_between():
    curve = kvtrace.lru_curve(SAMPLE, points=8)
    cli = cli_json("--curve", "--curve-points", "8")
    assert curve.to_dict() == cli
    assert curve.distinct_blocks == cli["distinct_blocks"]
    assert curve.capacities.dtype == np.uint64
    assert curve.hit_blocks.dtype == np.uint64 and curve.token_hit_rate.dtype == np.float64
    assert len(curve.hit_tokens) == curve.distinct_blocks + 1
    for row in cli["curve"]:
        c = row["capacity_blocks"]
        assert curve.hit_blocks[c] == row["hit_blocks"]
        assert curve.hit_tokens[c] == row["cached_input_tokens"]
        assert curve.block_hit_rate[c] == row["block_hit_rate"]
        assert curve.token_hit_rate[c] == row["token_hit_rate"]
    assert np.all(np.diff(curve.hit_blocks.astype(np.int64)) >= 0)  # more room, more hits
    # Every capacity agrees with a simulation of that capacity.
    for c in (5, 300, 4000):
        run = kvtrace.simulate(SAMPLE, c).runs[0]
        assert curve.hit_blocks[c] == run.hit_blocks
        assert curve.hit_tokens[c] == run.cached_input_tokens


def test_a_trace_in_memory_gives_the_files_curve():
    from_file = kvtrace.lru_curve(SAMPLE)
    from_trace = kvtrace.lru_curve(kvtrace.read_trace(SAMPLE))
    assert np.array_equal(from_trace.hit_blocks, from_file.hit_blocks)
    assert np.array_equal(from_trace.hit_tokens, from_file.hit_tokens)
    assert from_trace.report.curve == from_file.report.curve
    rate = float(from_file.token_hit_rate[-1])
    at = from_file.capacity_for_token_rate(rate)
    assert from_file.token_hit_rate[at] >= rate and from_file.token_hit_rate[at - 1] < rate
    assert from_file.capacity_for_token_rate(1.0) is None
    with pytest.raises(kvtrace.UsageError, match="blocks of 512"):
        kvtrace.lru_curve(kvtrace.read_trace(SAMPLE), block_size=16)


def test_one_simulation_is_the_clis():
    r = kvtrace.simulate(SAMPLE, 1000)
    assert r.to_dict() == cli_json("-c", "1000")
    assert len(r.runs) == 1 and r.runs[0].per_worker[0].worker == 0
    assert r.per_request is None


def test_a_sweep_of_every_option_is_the_clis():
    args = dict(policy=["lru", "lineage", "fifo"], router=["round-robin", "kv-aware"],
                workers=2, overlap_weight=0.5, seed=7, timing=True, concurrency=8,
                prefill_tps=20000, decode_tps=40, cache_output=True)
    r = kvtrace.simulate(SAMPLE, [200, 2000], **args)
    cli = cli_json("--capacity-sweep", "200,2000", "-p", "lru,lineage,fifo",
                   "-r", "round-robin,kv-aware", "-w", "2", "--overlap-weight", "0.5",
                   "--seed", "7", "--timing", "--concurrency", "8", "--prefill-tps", "20000",
                   "--decode-tps", "40", "--cache-output")
    assert r.to_dict() == cli
    assert len(r.runs) == 12
    random = kvtrace.simulate(SAMPLE, 500, router="random", workers=3, seed=3)
    assert random.to_dict() == cli_json("-c", "500", "-r", "random", "-w", "3", "--seed", "3")
    least = kvtrace.simulate(SAMPLE, 500, router="least-loaded", workers=2, timing=True)
    assert least.to_dict() == cli_json("-c", "500", "-r", "least-loaded", "-w", "2", "--timing")


def test_gpu_memory_and_per_request(tmp_path):
    r = kvtrace.simulate(SAMPLE, gpu_mem_gib=1.5, kv_bytes_per_token=131072)
    assert r.to_dict() == cli_json("--gpu-mem", "1.5", "--kv-bytes-per-token", "131072")
    csv = tmp_path / "per.csv"
    kvtrace_cli("simulate", SAMPLE, "-c", "100", "--timing", "-f", "json",
                "--per-request", csv)
    r = kvtrace.simulate(SAMPLE, 100, timing=True, per_request=True)
    assert r.per_request == csv.read_text()
    assert "per_request" not in r.to_dict()


def test_bad_arguments_are_usage_errors():
    with pytest.raises(kvtrace.UsageError, match="give the cache size"):
        kvtrace.simulate(SAMPLE)
    with pytest.raises(kvtrace.UsageError, match="kv_bytes_per_token"):
        kvtrace.simulate(SAMPLE, gpu_mem_gib=1.0)
    with pytest.raises(kvtrace.UsageError, match="policy"):
        kvtrace.simulate(SAMPLE, 10, policy="mru")
    with pytest.raises(kvtrace.UsageError, match="single simulation"):
        kvtrace.simulate(SAMPLE, [10, 20], per_request=True)
    with pytest.raises(kvtrace.IoError):
        kvtrace.simulate(SOURCE / "no-such-trace.jsonl", 10)
