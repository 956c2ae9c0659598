"""AIPerf's own unit tests of aiperf.dataset.synthesis (tests/unit/dataset/synthesis at
main @ 03140740), unchanged, run against kvtrace.aiperf (docs/python.md, "kvtrace.aiperf");
and AIPerf's synthesis code beside kvtrace.aiperf on the bundled sample (parity.py).

They need AIPerf's git repository and a Python 3.11 with pydantic 2 and orjson (pyenv's);
numpy and pytest come from this Python's site directories when that one lacks them. The test
skips, saying which, when either is missing. Every upstream test must pass.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE

sys.path.insert(0, str(Path(__file__).parent / "aiperf_upstream"))
import locate  # noqa: E402


@pytest.fixture
def aiperf(tmp_path):
    """AIPerf's extracted tree and the environment for its Python, or a skip saying why."""
    why = locate.problem()
    if why:
        pytest.skip(f"AIPerf's tests cannot run here: {why}")
    tree = locate.extract(tmp_path / "aiperf")
    build_python = os.environ.get("PYTHONPATH", "")
    path = [str(Path(p).resolve()) for p in build_python.split(os.pathsep) if p]
    path += [str(Path(__file__).parent / "aiperf_upstream"), str(tree / "src")]
    path += locate.site_dirs("numpy", "pytest")
    return tree, dict(os.environ, PYTHONPATH=os.pathsep.join(path))


def test_aiperf_synthesis_unit_tests_pass_on_kvtrace_aiperf(aiperf):
    tree, env = aiperf
    tests = tree / "tests/unit/dataset/synthesis"
    run = subprocess.run(
        [str(locate.PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "kvtrace_aiperf_swap", f"--confcutdir={tests}", "-rfE", str(tests)],
        env=env, cwd=tree, capture_output=True, text=True)
    print(run.stdout[-20000:], run.stderr[-5000:])
    swapped = re.search(r"aiperf\.dataset\.synthesis -> (\S+)", run.stdout)
    assert swapped and "/kvtrace/aiperf/" in swapped[1], "the swap plugin did not load"
    assert run.returncode == 0, run.stdout[-5000:]
    assert re.search(r"\d+ passed", run.stdout) and "skipped" not in run.stdout


def test_same_results_as_aiperfs_code_on_the_sample(aiperf):
    # Synthesizer (5 parameter sets, 40 and all 1000 requests: results or AIPerf's error),
    # analyze_traces, analyze_file and EmpiricalSampler, each result compared exactly.
    tree, env = aiperf
    run = subprocess.run(
        [str(locate.PYTHON), str(Path(__file__).parent / "aiperf_upstream/parity.py"),
         str(SAMPLE)], env=env, cwd=tree, capture_output=True, text=True)
    print(run.stdout, run.stderr[-5000:])
    assert run.returncode == 0, run.stdout + run.stderr[-5000:]
    assert "parity: 16 cases, all same" in run.stdout
