"""What the Python tests share: where the repository, the sample and the CLI are."""
import os
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("KVTRACE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SAMPLE = SOURCE / "examples/fast25-conversation-1k.jsonl"
FAST25 = SOURCE.parent / "shared/data/traces/mooncake-conversation_trace.jsonl"


def kvtrace_cli(*args) -> str:
    """The CLI's stdout (KVTRACE_BINARY, set by CTest; else build/kvtrace)."""
    binary = os.environ.get("KVTRACE_BINARY", str(SOURCE / "build/kvtrace"))
    return subprocess.run([binary, *map(str, args)], check=True, capture_output=True,
                          text=True).stdout


def need_defaults():
    """Skips a test of materialize when the tokenizer and corpus scripts/setup installs are
    absent."""
    import kvtrace
    from kvtrace import prompt
    try:
        prompt._installed(kvtrace._kvtrace.INSTALLED_TOKENIZER, "tokenizer")
        prompt._installed(kvtrace._kvtrace.INSTALLED_CORPUS, "corpus")
    except kvtrace.UsageError:
        pytest.skip("the tokenizer and corpus scripts/setup installs are absent")


@pytest.fixture
def fast25():
    if not FAST25.exists():
        pytest.skip("../shared/data is absent: the FAST25 conversation trace is not available")
    return FAST25
