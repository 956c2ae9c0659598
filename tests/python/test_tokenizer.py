"""kvtrace.Tokenizer (python/kvtrace/tokenizer.py, src/python/tokenizer.cpp) on the Qwen3
tokenizer the build installs, against `kvtrace hash` of the same texts."""
import json

import numpy as np
import pytest

import kvtrace
from conftest import kvtrace_cli

TEXTS = ["Hello, world!", "", "The quick brown fox jumps over the lazy dog. " * 20,
         "日本語のテキストと emoji 🚀 and <|im_start|>special tokens<|im_end|>",
         "    indented\n\tcode()  # comment\n"]


@pytest.fixture(scope="module")
def tok():
    try:
        return kvtrace.Tokenizer()
    except kvtrace.UsageError:
        pytest.skip("the tokenizer scripts/setup installs is absent")


def test_encode_is_what_kvtrace_hash_counts_and_hashes(tok, tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"prompt": t}) + "\n" for t in TEXTS if t))
    out = kvtrace_cli("hash", path, "-b", "4", "--text-in", "--emit-raw-hashes", "-o", "-")
    for text, line in zip([t for t in TEXTS if t], out.splitlines()):
        request = json.loads(line)
        ids = tok.encode(text)
        assert ids.dtype == np.uint32
        assert len(ids) == request["input_length"]
        n = len(ids) // 4
        assert kvtrace.hashing.sequence_hashes(ids, 4).tolist() == request["sequence_hashes"][:n]


def test_round_trips_and_special_tokens(tok):
    for text in TEXTS:
        assert tok.decode(tok.encode(text)) == text
    ids = tok.encode("<|im_start|>hi")
    assert tok.decode(ids, skip_special_tokens=True) == "hi"
    assert tok.decode(ids.astype(np.int64).tolist()) == "<|im_start|>hi"
    assert tok.vocab_size > 150000
    assert tok.fingerprint == kvtrace.Tokenizer().fingerprint
    with pytest.raises(kvtrace.UsageError):
        tok.decode([tok.vocab_size + 10])


def test_batches_are_the_single_calls(tok):
    ids, offsets = tok.encode_batch(TEXTS, threads=2)
    assert ids.dtype == np.uint32 and offsets.dtype == np.int64
    assert len(offsets) == len(TEXTS) + 1 and offsets[0] == 0 and offsets[-1] == len(ids)
    arrays = tok.encode_batch(TEXTS, as_list=True)
    for text, a in zip(TEXTS, arrays):
        assert np.array_equal(a, tok.encode(text))
    assert tok.decode_batch(ids, offsets) == TEXTS
    assert tok.decode_batch(arrays, threads=1) == TEXTS
    with pytest.raises(kvtrace.UsageError, match="offsets"):
        tok.decode_batch(ids, np.array([0, len(ids) + 1]))


def test_a_missing_file_is_an_io_error(tmp_path):
    with pytest.raises(kvtrace.IoError):
        kvtrace.Tokenizer(tmp_path / "none.json")
