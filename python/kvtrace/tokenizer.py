"""Tokenizer: kvtrace's model tokenizers (Hugging Face tokenizer.json, tiktoken, SentencePiece)
with NumPy ids."""
# numpy is imported where first needed, so that `import kvtrace` stays quick.
from __future__ import annotations

from typing import TYPE_CHECKING

from kvtrace import _kvtrace
from kvtrace.prompt import _installed

if TYPE_CHECKING:
    import numpy as np


class Tokenizer:
    """A model tokenizer. ``Tokenizer()`` loads the Qwen3 tokenizer scripts/setup installs
    beside the kvtrace binary; ``Tokenizer(path)`` a tokenizer.json (with its
    tokenizer_config.json beside it for BOS/EOS), a tiktoken rank file, a SentencePiece
    .model, or a directory holding one. Ids are uint32. Calls release the GIL; the batch
    calls run on kvtrace's threads (``threads``: 0, one per core)."""

    def __init__(self, path=None):
        if path is None:
            path = _installed(_kvtrace.INSTALLED_TOKENIZER, "a tokenizer path")
        self._tok = _kvtrace.Tokenizer(str(path))

    def encode(self, text: str) -> np.ndarray:
        """The ids of ``text`` (uint32 array) without BOS/EOS; special tokens written in the
        text are recognised."""
        return self._tok.encode(text)

    def encode_batch(self, texts, *, threads=0, as_list=False):
        """The ids of every text: a CSR pair ``(ids, offsets)`` (uint32, int64; text i's ids
        are ``ids[offsets[i]:offsets[i + 1]]``), or with as_list a list of arrays (views of
        one buffer)."""
        ids, offsets = self._tok.encode_batch(list(texts), threads=threads)
        if as_list:
            return [ids[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
        return ids, offsets

    def decode(self, ids, skip_special_tokens=False) -> str:
        """The text of ``ids`` (any integer array or sequence); bytes that do not form UTF-8
        become U+FFFD. An id that names no token is a kvtrace.UsageError."""
        return self._tok.decode(ids, skip_special_tokens)

    def decode_batch(self, ids, offsets=None, *, skip_special_tokens=False, threads=0):
        """The texts of a CSR pair ``(ids, offsets)``, or of a list of id arrays when
        ``offsets`` is None."""
        if offsets is not None:
            return self._tok.decode_csr(ids, offsets, skip_special_tokens=skip_special_tokens,
                                        threads=threads)
        return self._tok.decode_list(list(ids), skip_special_tokens=skip_special_tokens,
                                     threads=threads)

    @property
    def bos_token_id(self):
        return self._tok.bos_token_id

    @property
    def eos_token_id(self):
        return self._tok.eos_token_id

    @property
    def vocab_size(self) -> int:
        """One past the largest id."""
        return self._tok.vocab_size

    @property
    def fingerprint(self) -> int:
        """A stable 64-bit identity of the tokenizer's files."""
        return self._tok.fingerprint


def load_tokenizer(path=None) -> Tokenizer:
    """Tokenizer(path)."""
    return Tokenizer(path)
