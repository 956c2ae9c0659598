"""kvtrace.aiperf.Synthesizer and SynthesisParams: AIPerf's synthesizer on kvtrace's rewrite,
against the spec's goldens (aiperf-synthesis.md section 4.11, seed 42) and
`kvtrace synthesize --aiperf-compat`."""
import json

import pytest
from conftest import SAMPLE, kvtrace_cli

from kvtrace.aiperf import SynthesisParams, Synthesizer

A, B, C, D, E = ([1, 2], 1024), ([1, 2, 3], 1536), ([1, 2], 1024), ([2, 3, 4], 1536), ([1, 3], 1024)


def conftest_traces():
    return [{"input_length": isl, "output_length": osl, "timestamp": ts, "hash_ids": ids}
            for (ids, isl), osl, ts in zip((A, B, C, D, E), (20, 30, 25, 40, 22),
                                           range(0, 5000, 1000))]


def run(seed=42, **params):
    out = Synthesizer(SynthesisParams(**params), seed=seed).synthesize_traces(conftest_traces())
    return [t["hash_ids"] for t in out], [t["input_length"] for t in out]


@pytest.mark.parametrize("params, ids, isls", [
    ({"speedup_ratio": 2}, [[1, 2], [1, 2, 3], [1, 2], [2, 3, 5], [1, 3]],
     [1024, 1536, 1024, 1536, 1024]),
    ({"prefix_len_multiplier": 2},
     [[2, 3, 4, 5], [2, 3, 4, 5, 6, 7], [2, 3, 4, 5], [4, 5, 6, 7, 9], [2, 3, 6, 7]],
     [2048, 3072, 2048, 2560, 2048]),
    ({"prefix_len_multiplier": 1.5},
     [[1, 2, 5], [1, 2, 3, 6, 7], [1, 2, 8], [2, 3, 9, 10], [1, 3, 11]],
     [1536, 2560, 1536, 2048, 1536]),
    ({"prefix_len_multiplier": 0.5}, [[1], [1], [1], [2, 5], [1]], [512, 512, 512, 1024, 512]),
    ({"prompt_len_multiplier": 2}, [[1, 2], [1, 2, 3], [1, 2], [2, 3, 5, 6], [1, 3]],
     [1024, 1536, 1024, 2048, 1024]),
    ({"prefix_root_multiplier": 3}, [[1, 2], [1, 2, 3], [1, 2], [2, 3, 5], [13, 15]],
     [1024, 1536, 1024, 1536, 1024]),
    ({"prefix_len_multiplier": 2, "prompt_len_multiplier": 1.5, "prefix_root_multiplier": 2},
     [[2, 3, 4, 5], [2, 3, 4, 5, 6, 7], [2, 3, 4, 5], [4, 5, 6, 7, 9, 10], [2, 3, 6, 7]],
     [2048, 3072, 2048, 2816, 2048]),
])
def test_goldens(params, ids, isls):
    assert run(**params) == (ids, isls)


def test_rust_port_golden_times_and_outputs():
    traces = [{"input_length": 10, "output_length": 2, "timestamp": 100, "hash_ids": [1, 2]},
              {"input_length": 10, "output_length": 3, "timestamp": 201, "hash_ids": [1, 3]}]
    p = SynthesisParams(block_size=4, speedup_ratio=2, prefix_len_multiplier=2,
                        prompt_len_multiplier=1.5, output_len_multiplier=1.5)
    out = Synthesizer(p, seed=42).synthesize_traces(traces)
    assert [t["hash_ids"] for t in out] == [[2, 3, 5, 6, 7], [2, 3, 8, 9, 10]]
    assert [(t["input_length"], t["timestamp"], t["output_length"]) for t in out] == [
        (17, 50, 3), (17, 100, 4)]


def test_first_miss_stops_the_prefix_and_fields_pass_through():
    traces = [{"input_length": 1536, "hash_ids": [1, 9, 2], "session_id": "s", "x": [1]},
              {"input_length": 1024, "hash_ids": [1, 2], "text_input": "hi"}]
    out = Synthesizer(SynthesisParams(speedup_ratio=2), seed=1).synthesize_traces(traces)
    assert out[0] == {"input_length": 1536, "hash_ids": [1, 4, 5], "session_id": "s", "x": [1]}
    assert out[1] == {"input_length": 1024, "hash_ids": [1, 2], "text_input": "hi"}


def test_partial_shared_last_block_raises_value_error():
    t = {"input_length": 1000, "hash_ids": [1, 2]}
    with pytest.raises(ValueError, match=r"^traces:1: hash_ids: input_len \(1000\) < prefix"):
        Synthesizer(seed=1).synthesize_traces([t, dict(t)])


def test_no_ids_max_isl_and_output_rounding():
    p = SynthesisParams(max_isl=600, output_len_multiplier=2.5, max_osl=100)
    out = Synthesizer(p, seed=1).synthesize_traces([
        {"input_length": 700, "output_length": 75, "hash_ids": [7, 8]},
        {"input_length": 300, "output_length": 0},
        {"input_length": 300, "output_length": 1, "hash_ids": []}])
    # No shared id: max_id = (0 + 1) * 1, so the fresh ids start at 2.
    assert out[0] == {"input_length": 600, "output_length": 100, "hash_ids": [2, 3]}
    assert out[1] == {"input_length": 300, "output_length": 1}
    assert out[2] == {"input_length": 300, "output_length": 2}


def test_grouped_traces_and_stats():
    s = Synthesizer(seed=42)
    t = conftest_traces()
    out = s.synthesize_grouped_traces({"a": t[:2], "b": [], "c": t[3:]})
    assert list(out) == ["a", "b", "c"] and out["b"] == []
    assert [t["hash_ids"] for t in out["c"]] == [[2, 3, 5], [1, 3]]
    stats = s.get_stats()
    # root; 1, 1-2, 1-2-3, 1-3; 2, 2-3, 2-3-4 (the empty session adds nothing)
    assert (stats["tree_nodes"], stats["tree_depth"]) == (8, 3)
    assert stats["params"]["block_size"] == 512


def test_renormalize_gives_dense_first_seen_ids():
    out = Synthesizer(SynthesisParams(renormalize_hash_ids=True), seed=1).synthesize_traces(
        conftest_traces())
    assert [t["hash_ids"] for t in out] == [[0, 1], [0, 1, 2], [0, 1], [3, 4, 5], [0, 6]]


def test_params_bounds_are_value_errors():
    assert SynthesisParams().model_dump()["prefix_root_multiplier"] == 1
    for bad in ({"prefix_root_multiplier": 0}, {"speedup_ratio": -1}, {"block_size": 0},
                {"max_isl": 0}):
        with pytest.raises(ValueError):
            SynthesisParams(**bad)


@pytest.mark.parametrize("flags", [
    {"prefix_len_multiplier": 2, "prompt_len_multiplier": 0.5, "output_len_multiplier": 0.5},
    {"prefix_len_multiplier": 1.5, "prefix_root_multiplier": 4, "speedup_ratio": 3},
])
def test_synthesize_from_file_matches_the_cli_aiperf_compat(tmp_path, flags):
    # The sample's first 40 requests: on its 41st AIPerf raises (a partial shared block).
    trace, out = tmp_path / "head.jsonl", tmp_path / "out.jsonl"
    trace.write_text("".join(SAMPLE.read_text().splitlines(keepends=True)[:40]))
    args = [f"--{k.replace('_', '-')}={v}" for k, v in flags.items()]
    kvtrace_cli("synthesize", trace, "-o", out, "--aiperf-compat", "--seed", "42", *args)
    want = [json.loads(line) for line in out.read_text().splitlines()]
    got = Synthesizer(SynthesisParams(**flags), seed=42).synthesize_from_file(trace)
    assert got == want
    with pytest.raises(ValueError, match=r":41: hash_ids: input_len \(1902\) < prefix_len"):
        Synthesizer(SynthesisParams(**flags), seed=42).synthesize_from_file(SAMPLE)


def test_ids_beyond_64_bits_are_renumbered_with_a_warning(caplog):
    big = 2**64 - 5  # AIPerf would write big * 2 + 1, past 64 bits
    traces = [{"input_length": 1024, "hash_ids": [big, 7]},
              {"input_length": 1024, "hash_ids": [big, 8]}]
    out = Synthesizer(SynthesisParams(prefix_len_multiplier=2), seed=1).synthesize_traces(traces)
    assert [t["hash_ids"] for t in out] == [[0, 1, 3], [0, 1, 4]]
    assert "renumbered" in caplog.text
