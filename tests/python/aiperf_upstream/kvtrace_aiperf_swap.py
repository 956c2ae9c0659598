"""pytest plugin: runs AIPerf's own tests of aiperf.dataset.synthesis against kvtrace.aiperf.

Loaded with `-p kvtrace_aiperf_swap` (tests/python/test_aiperf_upstream.py does): before the
test files are imported, `aiperf.dataset.synthesis` and each of its submodules are made
aliases of kvtrace.aiperf's, so `from aiperf.dataset.synthesis... import X` gives kvtrace's X.
The test files themselves are AIPerf's, unchanged. Two more pieces of AIPerf's test setup:
- tests/unit/conftest.py's autouse fixture (rng.reset(); rng.init(42)), which this plugin
  repeats because AIPerf's top-level conftest imports half of AIPerf and is not loaded;
- aiperf.config.dataset.trace.SynthesisConfig, used by one test to build SynthesisParams: when
  AIPerf's config package cannot be imported here (it needs packages this machine lacks), a
  stand-in with SynthesisConfig's fields and defaults.
"""
import sys
import types

import pytest

import kvtrace.aiperf

SUBMODULES = ("cli", "empirical_sampler", "graph_utils", "models", "prefix_analyzer",
              "radix_tree", "rolling_hasher", "synthesizer")

import aiperf.dataset  # noqa: E402  (AIPerf's own package, as the tests import it)

sys.modules["aiperf.dataset.synthesis"] = kvtrace.aiperf
aiperf.dataset.synthesis = kvtrace.aiperf
for name in SUBMODULES:
    module = __import__(f"kvtrace.aiperf.{name}", fromlist=[name])
    sys.modules[f"aiperf.dataset.synthesis.{name}"] = module

try:
    import aiperf.config.dataset.trace  # noqa: F401
    STANDIN_CONFIG = False
except ImportError:
    from pydantic import BaseModel

    class SynthesisConfig(BaseModel):
        """Stand-in: AIPerf's SynthesisConfig fields and defaults."""

        speedup_ratio: float = 1.0
        prefix_len_multiplier: float = 1.0
        prefix_root_multiplier: int = 1
        prompt_len_multiplier: float = 1.0
        output_len_multiplier: float = 1.0
        max_isl: int | None = None
        max_osl: int | None = None

    for name in ("aiperf.config", "aiperf.config.dataset", "aiperf.config.dataset.trace"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["aiperf.config.dataset.trace"].SynthesisConfig = SynthesisConfig
    STANDIN_CONFIG = True


def pytest_terminal_summary(terminalreporter):
    module = sys.modules["aiperf.dataset.synthesis"]
    terminalreporter.write_line(f"aiperf.dataset.synthesis -> {module.__file__}")
    if STANDIN_CONFIG:
        terminalreporter.write_line("aiperf.config.dataset.trace: stand-in SynthesisConfig")


@pytest.fixture(autouse=True)
def reset_random_generator():
    from aiperf.common import random_generator as rng

    rng.reset()
    rng.init(42)
    yield
    rng.reset()
