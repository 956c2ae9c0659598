"""kvtrace.aiperf.rolling_hasher: AIPerf's RollingHasher on kvtrace's C++ hasher, against the
spec's goldens (shared/reference/aiperf-synthesis.md section 2) and an independent Python
rendering of AIPerf's definition (SHA-256 of the reprs)."""
import hashlib

import pytest

from kvtrace.aiperf import RollingHasher
from kvtrace.aiperf.rolling_hasher import _stable_hash, hashes_to_texts, texts_to_hashes


def sha_u64(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def test_stable_hash_goldens():
    assert _stable_hash("hello") == 3238736544897475342
    assert _stable_hash((1, 2)) == 14937784574206342396
    assert _stable_hash((5,)) == 7379888476817013010
    assert _stable_hash("(0, 14937784574206342396)") == 7172561555467209616


def test_ids_are_first_seen_order_and_survive_reset():
    h = RollingHasher()
    assert h.block_size == 512
    assert h.hash_blocks(["hello", "world", "test"]) == [0, 1, 2]
    assert h.get_stats() == {"total_hashes": 3, "max_id": 2}
    h.reset()
    assert h.hash_blocks(["hello", "other"]) == [0, 3]  # same chain start, new second block
    assert h.hash_blocks(["world"]) == [4]  # "world" after nothing is another chain
    assert RollingHasher(block_size=7).get_stats() == {"total_hashes": 0, "max_id": -1}
    # A block that is not a str hashes as its str(): the tuple (1, 2) as the text "(1, 2)".
    t = RollingHasher()
    assert t.hash_blocks(["(1, 2)"]) == [0]
    assert t.hash_blocks([(1, 2), (1, 3)]) == [0, 1]


def test_token_blocks_chain_as_aiperf_defines_it():
    blocks = [[1, 2], [3], [-4, 5, 6]]
    chain, expected_hashes = 0, []
    for b in blocks:
        chain = sha_u64(repr((chain, sha_u64(repr(tuple(b))))))
        expected_hashes.append(chain)
    h = RollingHasher()
    assert h.hash_token_blocks(blocks) == [0, 1, 2]
    assert h.hash_token_blocks([(1, 2), (9,)]) == [0, 3]  # tuples too; the prefix is shared
    assert h.get_stats() == {"total_hashes": 4, "max_id": 3}
    assert len(set(expected_hashes)) == 3


class Tokenizer:
    def encode(self, text):
        return [ord(c) for c in text]


def test_texts_to_hashes_keeps_the_partial_last_block():
    out = texts_to_hashes(Tokenizer(), ["abcde", "abcdX", ""], block_size=2)
    assert out == [[0, 1, 2], [0, 1, 3], []]


class Generator:
    def __init__(self):
        self.calls = []

    def generate(self, **kw):
        self.calls.append(kw)
        return "x" * kw["mean"]


def test_hashes_to_texts_calls_and_constraint():
    g = Generator()
    assert hashes_to_texts(g, [[1, 2], []], [100, 7], block_size=64) == ["x" * 100, "x" * 7]
    assert g.calls == [{"mean": 100, "hash_ids": [1, 2]}, {"mean": 7}]
    with pytest.raises(ValueError, match=r"Constraint violation: .* \(128\) < input_len \(200\)"):
        hashes_to_texts(g, [[1, 2]], [200], block_size=64)


def test_bad_block_size_is_a_value_error():
    with pytest.raises(ValueError):
        RollingHasher(block_size=0)
