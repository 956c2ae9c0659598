"""kvtrace.materialize (python/kvtrace/prompt.py, src/python/prompt.cpp) against
`kvtrace materialize` on the same input, with the tokenizer and corpus the build installs."""
import json

import pytest

import kvtrace
from conftest import SOURCE, kvtrace_cli, need_defaults


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One corpus cache for the tests: the corpus is tokenized once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def small(tmp_path):
    """The first 40 requests of the sample."""
    lines = (SOURCE / "examples/fast25-conversation-1k.jsonl").read_text().splitlines()[:40]
    trace = tmp_path / "small.jsonl"
    trace.write_text("\n".join(lines) + "\n")
    return trace


def test_the_stream_and_the_file_are_the_clis_bytes(small, cache, tmp_path):
    need_defaults()
    cli_out = tmp_path / "cli.jsonl"
    kvtrace_cli("materialize", small, "-o", cli_out, "--seed", "3", "--model", "m",
                "--cache-dir", cache)
    expected = cli_out.read_text()
    lines = list(kvtrace.materialize(small, seed=3, model="m", cache_dir=cache))
    assert "\n".join(lines) + "\n" == expected
    py_out = tmp_path / "py.jsonl"
    assert kvtrace.materialize(small, py_out, seed=3, model="m", cache_dir=cache) == 40
    assert py_out.read_text() == expected
    bodies = list(kvtrace.materialize(small, as_dict=True, seed=3, model="m", cache_dir=cache,
                                      threads=1))
    assert bodies == [json.loads(line) for line in expected.splitlines()]
    assert bodies[0]["body"]["model"] == "m" and "messages" in bodies[0]["body"]


def test_options_reach_the_build(small, cache, tmp_path):
    need_defaults()
    cli_out = tmp_path / "cli.jsonl"
    kvtrace_cli("materialize", small, "-o", cli_out, "--prompt-format", "tokens",
                "--shard", "1/2", "--scope", "s", "--cache-dir", cache)
    lines = list(kvtrace.materialize(small, prompt_format="tokens", shard="1/2", scope="s",
                                     cache_dir=cache))
    assert "\n".join(lines) + "\n" == cli_out.read_text()
    assert "prompt" in json.loads(lines[0])["body"]


def test_stopping_early_and_errors(small, cache, tmp_path):
    need_defaults()
    it = kvtrace.materialize(small, cache_dir=cache)
    first = next(it)
    assert json.loads(first)
    del it  # stops the build on its thread
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"timestamp": 0, "input_length": 10, "output_length": 1, '
                   '"hash_ids": [1]}\nnot json\n')
    with pytest.raises(kvtrace.InputError, match="bad.jsonl:2"):
        list(kvtrace.materialize(bad, no_cache=True))
    with pytest.raises(kvtrace.UsageError, match="prompt_format"):
        kvtrace.materialize(small, prompt_format="html")
    with pytest.raises(kvtrace.IoError):
        kvtrace.materialize(small, tokenizer=tmp_path / "none.json", output=tmp_path / "o")
    assert not (tmp_path / "o").exists()
