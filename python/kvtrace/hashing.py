"""Dynamo-compatible block hashes over NumPy token arrays, and AIPerf's rolling hasher.

The rule set is Dynamo's router ("public XXH3 path", docs/hashing.md): each complete block
of ``block_size`` u32 tokens is hashed with XXH3-64 seeded by the salt; sequence hashes
chain them, ``seq[i] = XXH3-64(LE64(seq[i-1]) || LE64(block[i]), chain_seed)``; a trailing
partial block gets no hash.
"""
from kvtrace import _kvtrace
from kvtrace._kvtrace import (
    BASE_SEED,
    CHAIN_SEED,
    RollingHasher,
    positional_lineage_hash,
    positional_lineage_hashes,
    positional_sequence_hash,
    positional_sequence_hashes,
    salt_hash,
    stable_hash,
    stable_hash_tuple,
    xxh3_64,
)

__all__ = [
    "BASE_SEED",
    "CHAIN_SEED",
    "RollingHasher",
    "block_hashes",
    "hash_blocks",
    "positional_lineage_hash",
    "positional_lineage_hashes",
    "positional_sequence_hash",
    "positional_sequence_hashes",
    "salt_hash",
    "sequence_hashes",
    "stable_hash",
    "stable_hash_tuple",
    "xxh3_64",
]


def hash_blocks(tokens, block_size, *, salt=None, lora_name="", cache_namespace="",
                chain_seed=CHAIN_SEED, block_out=None, sequence_out=None):
    """(block hashes, sequence hashes) of every complete block of ``tokens``: two uint64
    arrays of ``len(tokens) // block_size`` values.

    tokens: a one-dimensional integer array (or a sequence numpy.asarray takes). A
        contiguous uint32 array, or int32 without negative values, is read in place; other
        integer arrays are copied, and a value outside u32 is a kvtrace.UsageError.
    salt: the block-hash seed; None: ``salt_hash(lora_name, cache_namespace)`` (1337 when
        both are empty: Dynamo's base model).
    chain_seed: the seed of each chain step (Dynamo: 1337).
    block_out, sequence_out: writable contiguous uint64 arrays of the right length to fill
        instead of new ones (to reuse memory across calls).

    Runs without the GIL.
    """
    return _kvtrace.hash_blocks(tokens, block_size, salt=salt, lora_name=lora_name,
                                cache_namespace=cache_namespace, chain_seed=chain_seed,
                                block_out=block_out, sequence_out=sequence_out)


def block_hashes(tokens, block_size, *, salt=None, lora_name="", cache_namespace=""):
    """The block hash of every complete block (uint64 array); see hash_blocks."""
    return hash_blocks(tokens, block_size, salt=salt, lora_name=lora_name,
                       cache_namespace=cache_namespace)[0]


def sequence_hashes(tokens, block_size, *, salt=None, lora_name="", cache_namespace="",
                    chain_seed=CHAIN_SEED):
    """The sequence hash of every complete block (uint64 array): what Dynamo's router keys
    its radix tree on; see hash_blocks."""
    return hash_blocks(tokens, block_size, salt=salt, lora_name=lora_name,
                       cache_namespace=cache_namespace, chain_seed=chain_seed)[1]
