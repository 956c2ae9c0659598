"""kvtrace.hashing (python/kvtrace/hashing.py, src/python/hashing.cpp) against the vectors of
the C++ tests (tests/hashing/, ../shared/reference/dynamo-tokens.md)."""
import numpy as np
import pytest

import kvtrace
from kvtrace import hashing

# dynamo-tokens' test_validate_hash_constants (block size 4, salt 1337).
BLOCKS_1_TO_12 = [14643705804678351452, 16777012769546811212, 483935686894639516]
SEQUENCE_1_TO_12 = [14643705804678351452, 4945711292740353085, 12583592247330656132]


def test_dynamo_vectors_for_every_integer_dtype():
    for dtype in (np.uint32, np.int32, np.int64, np.uint64, np.uint16, np.int8):
        tokens = np.arange(1, 15, dtype=dtype)  # 1..14: three blocks and a partial one
        block, sequence = hashing.hash_blocks(tokens, 4)
        assert block.dtype == np.uint64 and sequence.dtype == np.uint64
        assert block.tolist() == BLOCKS_1_TO_12, dtype
        assert sequence.tolist() == SEQUENCE_1_TO_12, dtype
    assert hashing.block_hashes(list(range(1, 13)), 4).tolist() == BLOCKS_1_TO_12
    assert hashing.sequence_hashes(np.arange(1, 13), 4).tolist() == SEQUENCE_1_TO_12


def test_a_strided_array_is_read_like_a_copy():
    tokens = np.arange(1, 25, dtype=np.uint32)[::2]  # not contiguous
    assert hashing.sequence_hashes(tokens, 4).tolist() == \
        hashing.sequence_hashes(np.ascontiguousarray(tokens), 4).tolist()


def test_router_salts_and_lora_blocks():
    # tests/hashing/block_hash_test.cpp: SaltHash.DerivedRouterSalts, RouterHash.DerivedBaseAndLoraBlocks
    assert hashing.salt_hash() == hashing.BASE_SEED == 1337
    assert hashing.salt_hash("lora-a") == 16914862882262291013
    assert hashing.salt_hash(cache_namespace="tenant-1") == 13131544620552358486
    assert hashing.salt_hash("lora-a", "tenant-1") == 11599663429105096546
    tokens = np.arange(32, dtype=np.uint32)
    base = hashing.hash_blocks(tokens, 16)
    assert base[0].tolist() == [15310707395893867146, 15292316782987903195]
    assert base[1].tolist() == [15310707395893867146, 13769157705258532664]
    lora = hashing.hash_blocks(tokens, 16, lora_name="lora-a")
    assert lora[0].tolist() == [859032224628494500, 7337828021183973092]
    assert lora[1].tolist() == [859032224628494500, 10055296675422593974]
    salted = hashing.hash_blocks(tokens, 16, salt=hashing.salt_hash("lora-a"))
    assert salted[1].tolist() == lora[1].tolist()


def test_xxh3_matches_block_hash_of_the_le_bytes():
    tokens = np.array([0x01020304, 0xFFFFFFFF], dtype=np.uint32)
    assert hashing.block_hashes(tokens, 2, salt=5)[0] == \
        hashing.xxh3_64(bytes([4, 3, 2, 1, 255, 255, 255, 255]), 5)


def test_outputs_can_be_reused():
    tokens = np.arange(1, 13, dtype=np.uint32)
    block = np.zeros(3, dtype=np.uint64)
    sequence = np.zeros(3, dtype=np.uint64)
    b, s = hashing.hash_blocks(tokens, 4, block_out=block, sequence_out=sequence)
    assert b is block and s is sequence
    assert sequence.tolist() == SEQUENCE_1_TO_12
    with pytest.raises(kvtrace.UsageError, match="must hold 3 values"):
        hashing.hash_blocks(tokens, 4, block_out=np.zeros(2, np.uint64), sequence_out=sequence)


def test_bad_tokens_and_block_sizes_are_usage_errors():
    with pytest.raises(kvtrace.UsageError, match="token -1 at index 1 is not a u32"):
        hashing.hash_blocks(np.array([1, -1, 2, 3]), 2)
    with pytest.raises(kvtrace.UsageError, match="token 4294967296"):
        hashing.hash_blocks(np.array([2**32], dtype=np.int64), 1)
    with pytest.raises(kvtrace.UsageError, match="integers"):
        hashing.hash_blocks(np.array([1.5, 2.0]), 1)
    with pytest.raises(kvtrace.UsageError, match="one-dimensional"):
        hashing.hash_blocks(np.zeros((2, 2), dtype=np.uint32), 1)
    with pytest.raises(kvtrace.UsageError, match="block_size"):
        hashing.hash_blocks(np.arange(4), 0)
    with pytest.raises(kvtrace.UsageError, match="not both"):
        hashing.hash_blocks(np.arange(4), 2, salt=1, lora_name="x")
    assert len(hashing.hash_blocks([], 4)[0]) == 0
    assert len(hashing.hash_blocks(np.arange(3), 4)[1]) == 0


def test_positional_sequence_hashes():
    # tests/hashing/positional_sequence_hash_test.cpp: DerivedValues (low 64 bits: the sequence
    # hash; high: mode, position, block hash bits).
    seq, lbh = 0x0123456789ABCDEF, 0xFEDCBA9876543210
    for position, hi in [(100, 0x191CBA9876543210), (256, 0x40403A9876543210),
                         (20000000, 0xC098968076543210)]:
        assert hashing.positional_sequence_hash(seq, position, lbh) == (hi << 64) | seq
    pairs = hashing.positional_sequence_hashes(np.arange(1, 13), 4)
    assert pairs.shape == (3, 2) and pairs.dtype == np.uint64
    assert pairs[:, 1].tolist() == SEQUENCE_1_TO_12
    for i in range(3):
        value = hashing.positional_sequence_hash(SEQUENCE_1_TO_12[i], i, BLOCKS_1_TO_12[i])
        assert (int(pairs[i, 0]) << 64 | int(pairs[i, 1])) == value


def test_positional_lineage_hashes_of_the_upstream_chain():
    # tests/hashing/positional_lineage_hash_test.cpp: the seed layout's DerivedChainOfUpstreamBlocks
    # and Dynamo's layout's DerivedChains (the G4 chain).
    seed = [(0, 0x0338E4D7FB2DCA5C), (0x0059C726BFD96E52, 0xE4A2B2379D6D3C3D),
            (0x00A51591BCEB69E1, 0xEEA1E67A6C80CF84)]
    dynamo = [(0x0032CE3935FECB72, 0x9700000000000000), (0x005128AC8DE75B4F, 0x0F78E4D7FB2DCA5C),
              (0x00ABA8799E9B2033, 0xE122B2379D6D3C3D)]
    tokens = np.arange(1, 13, dtype=np.uint32)
    for layout, expected in (("seed", seed), ("dynamo", dynamo)):
        pairs = hashing.positional_lineage_hashes(tokens, 4, layout=layout)
        assert [tuple(map(int, p)) for p in pairs] == expected, layout
        parents = [None] + SEQUENCE_1_TO_12[:2]
        for i, (hi, lo) in enumerate(expected):
            assert hashing.positional_lineage_hash(SEQUENCE_1_TO_12[i], parents[i], i,
                                                   layout=layout) == (hi << 64) | lo
    with pytest.raises(kvtrace.UsageError, match="layout"):
        hashing.positional_lineage_hashes(tokens, 4, layout="g3")
    with pytest.raises(kvtrace.UsageError):
        hashing.positional_lineage_hash(1, 2, 2**24)


def test_rolling_hasher_and_stable_hashes():
    # tests/hashing/rolling_hasher_test.cpp
    assert hashing.stable_hash("hello") == 3238736544897475342
    assert hashing.stable_hash_tuple([5]) == 7379888476817013010 == hashing.stable_hash("(5,)")
    h = hashing.RollingHasher(4)
    assert h.block_size == 4 and h.stats() == (0, -1)
    assert h.hash_blocks(["a", "b", "c"]).tolist() == [0, 1, 2]
    assert h.hash_blocks(["a", "b", "c"]).tolist() == [0, 1, 2]
    assert h.hash_blocks(["x", "y"]).tolist() == [3, 4]
    assert h.stats() == (5, 4)
    first = h.hash_token_blocks([[1, 2, 3, 4], [5, 6]])
    assert first.dtype == np.uint64 and first.tolist() == [5, 6]
    assert h.hash_token_blocks([[1, 2, 3, 4], [7]]).tolist() == [5, 7]
    h.reset()
    assert h.stats() == (8, 7)
    with pytest.raises(kvtrace.UsageError):
        hashing.RollingHasher(0)


def test_hashing_matches_kvtrace_hash_of_the_same_tokens(tmp_path):
    # `kvtrace hash --emit-raw-hashes` hashes token prompts with the same rules.
    import json
    from conftest import kvtrace_cli
    rng = np.random.default_rng(1)
    prompts = [rng.integers(0, 150000, size=n, dtype=np.uint32) for n in (40, 64, 7)]
    path = tmp_path / "conv.jsonl"
    path.write_text("".join(json.dumps({"tokens": p.tolist()}) + "\n" for p in prompts))
    out = kvtrace_cli("hash", path, "-b", "16", "--emit-raw-hashes", "-o", "-")
    for p, line in zip(prompts, out.splitlines()):
        raw = json.loads(line)["sequence_hashes"]
        assert hashing.sequence_hashes(p, 16).tolist() == raw[:len(p) // 16]
