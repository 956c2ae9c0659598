"""AIPerf's RollingHasher on kvtrace's C++ one, and texts_to_hashes / hashes_to_texts.

Ids are dense integers in first-seen order; two blocks share an id iff they have the same
content and the same preceding chain (SHA-256 of the same reprs as AIPerf's).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kvtrace import _kvtrace
from kvtrace.aiperf.models import BLOCK_SIZE


def _stable_hash(data: str | tuple) -> int:
    """AIPerf's stable hash: big-endian u64 of SHA-256's first 8 bytes of str(data)."""
    return _kvtrace.aiperf_stable_hash(data if isinstance(data, str) else str(data))


class RollingHasher:
    """Converts sequences of blocks (texts or token tuples) into globally unique hash ids."""

    def __init__(self, block_size: int = BLOCK_SIZE) -> None:
        self.block_size = block_size
        self._impl = _kvtrace.AiperfRollingHasher(block_size)

    def hash_blocks(self, blocks: Sequence[str]) -> list[int]:
        """Hash ids of text blocks, one chain starting at 0 (a block that is not a str is
        hashed as its str(), as AIPerf does)."""
        return self._impl.hash_blocks([b if isinstance(b, str) else str(b) for b in blocks])

    def hash_token_blocks(self, blocks: Sequence[Sequence[int]]) -> list[int]:
        """Hash ids of token blocks (each hashed as the repr of its tuple), one chain."""
        return self._impl.hash_token_blocks([list(b) for b in blocks])

    def reset(self) -> None:
        """Restart the chain; ids already handed out are kept (globally unique)."""
        self._impl.reset()

    def get_stats(self) -> dict[str, int]:
        """{'total_hashes': distinct chain hashes, 'max_id': highest id or -1}."""
        total, max_id = self._impl.stats()
        return {"total_hashes": total, "max_id": max_id}


def texts_to_hashes(
    tokenizer: Any, texts: list[str], block_size: int = BLOCK_SIZE
) -> list[list[int]]:
    """Tokenize each text, cut it into block_size chunks (the last partial one included) and
    hash them with one hasher for all texts; an empty text gives []."""
    hasher = RollingHasher(block_size=block_size)
    results: list[list[int]] = []
    for text in texts:
        tokens = list(tokenizer.encode(text))
        blocks = [tokens[i : i + block_size] for i in range(0, len(tokens), block_size)]
        results.append(hasher.hash_token_blocks(blocks) if blocks else [])
    return results


def hashes_to_texts(
    prompt_generator: Any,
    hash_ids_list: list[list[int]],
    input_lengths: list[int],
    block_size: int = BLOCK_SIZE,
) -> list[str]:
    """Texts for hash-id sequences through AIPerf's PromptGenerator.generate().

    Raises ValueError when a non-empty sequence has too few ids for its input length.
    """
    results: list[str] = []
    for hash_ids, input_len in zip(hash_ids_list, input_lengths, strict=True):
        if hash_ids and len(hash_ids) * block_size < input_len:
            raise ValueError(
                f"Constraint violation: len(hash_ids) * block_size "
                f"({len(hash_ids) * block_size}) < input_len ({input_len})"
            )
        if hash_ids:
            results.append(prompt_generator.generate(mean=input_len, hash_ids=hash_ids))
        else:
            results.append(prompt_generator.generate(mean=input_len))
    return results
