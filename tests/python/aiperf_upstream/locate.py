"""Where AIPerf's sources and a Python that can run its tests are, on this machine.

Shared by tests/python/test_aiperf_upstream.py and bench/python_aiperf_bench.py.
KVTRACE_AIPERF_REPO: a git repository of AIPerf (default: the local mirror);
KVTRACE_AIPERF_PYTHON: a Python 3.11 with pydantic 2 and orjson (default: pyenv's 3.11.7).
"""
import io
import os
import subprocess
import sys
import tarfile
import types
from pathlib import Path

AIPERF_COMMIT = "03140740"
REPO = Path(os.environ.get("KVTRACE_AIPERF_REPO", "/work/.mirror/sqjian+aiperf/repo"))
PYTHON = Path(os.environ.get("KVTRACE_AIPERF_PYTHON",
                             Path.home() / ".pyenv/versions/3.11.7/bin/python3"))
# What the tests and the benchmark need of AIPerf: its package roots, the random generator,
# the config it may import, the synthesis package (for the benchmark) and its unit tests.
PATHS = ["src/aiperf/__init__.py", "src/aiperf/common", "src/aiperf/config",
         "src/aiperf/plugin", "src/aiperf/dataset/__init__.py", "src/aiperf/dataset/synthesis",
         "tests/__init__.py", "tests/unit/__init__.py", "tests/unit/dataset/__init__.py",
         "tests/unit/dataset/synthesis"]


def problem() -> str | None:
    """Why AIPerf's tests cannot run here, or None."""
    if not (REPO / "HEAD").exists() and not (REPO / ".git").exists():
        return f"AIPerf's git repository is not at {REPO} (set KVTRACE_AIPERF_REPO)"
    if not PYTHON.exists():
        return f"no Python at {PYTHON} (set KVTRACE_AIPERF_PYTHON to a 3.11 with pydantic 2)"
    check = subprocess.run(
        [str(PYTHON), "-c", "import sys, pydantic, orjson; "
         "assert sys.version_info[:2] == (3, 11) and pydantic.VERSION[0] >= '2'"],
        capture_output=True)
    if check.returncode != 0:
        return f"{PYTHON} is not a Python 3.11 with pydantic 2 and orjson"
    return None


def extract(dest: Path) -> Path:
    """AIPerf's files of PATHS at HEAD of REPO, written under dest; returns dest."""
    present = [p for p in PATHS if subprocess.run(
        ["git", "-C", str(REPO), "ls-tree", "--name-only", "HEAD", "--", p],
        capture_output=True, text=True, check=True).stdout.strip()]
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD", "--", *present],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest)
    return dest


def site_dirs(*modules: str) -> list[str]:
    """The directories this Python imports `modules` from (numpy and pytest for a Python
    that lacks them; same minor version, same ABI)."""
    dirs = []
    for name in modules:
        module = __import__(name)
        d = str(Path(module.__file__).resolve().parents[1])
        if d not in dirs:
            dirs.append(d)
    return dirs


def stand_ins():
    """Stand-ins for the AIPerf modules that aiperf.dataset.synthesis imports and that cannot
    be imported on this machine (AIPerf's package needs ruamel.yaml, ...): its logging mixin,
    base model and two config modules. The synthesis code itself stays AIPerf's."""
    from pydantic import BaseModel, ConfigDict

    class AIPerfBaseModel(BaseModel):
        model_config = ConfigDict(arbitrary_types_allowed=True, extra="allow")

    class AIPerfLoggerMixin:
        def __init__(self, **_kwargs):
            pass

        def info(self, *_args, **_kwargs):
            pass

    class InputTokensDefaults:
        BLOCK_SIZE = 512

    modules = {
        "aiperf.common.models": {"AIPerfBaseModel": AIPerfBaseModel},
        "aiperf.common.mixins": {"AIPerfLoggerMixin": AIPerfLoggerMixin},
        "aiperf.config": {}, "aiperf.config.dataset": {},
        "aiperf.config.dataset.defaults": {"InputTokensDefaults": InputTokensDefaults},
        "aiperf.config.dataset.trace": {"SynthesisConfig": object},
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
