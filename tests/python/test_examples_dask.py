"""The scripts of examples/dask/ (docs/scale-out.md), run as a user runs them, each on its
own LocalCluster of 2 worker processes."""
import csv
import io
import json
import subprocess
import sys

import pytest

pytest.importorskip("distributed",
                    reason="Dask's distributed is absent (Debian: python3-distributed)")

import kvtrace
from conftest import SAMPLE, SOURCE, need_defaults

EXAMPLES = SOURCE / "examples/dask"


def run(script, *args) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_analyze_shards_prints_the_whole_traces_report(tmp_path):
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    shards = []
    for k in range(3):
        shards.append(tmp_path / f"part-{k}")
        shards[-1].write_bytes(b"".join(lines[k * 334:(k + 1) * 334]))
    got = json.loads(run("analyze_shards.py", *shards))
    want = kvtrace.analyze(SAMPLE).to_dict()
    del got["input"]["file"], want["input"]["file"]
    assert got == want


def test_materialize_shards_writes_the_single_process_bytes(tmp_path):
    need_defaults()
    out = tmp_path / "requests.jsonl"
    assert run("materialize_shards.py", SAMPLE, out, "--shards", 4, "--threads", 1) == \
        f"1000 requests written to {out}\n"
    one = tmp_path / "one.jsonl"
    kvtrace.materialize(SAMPLE, one, threads=1)
    assert out.read_bytes() == one.read_bytes()


def test_simulate_sweep_prints_a_row_per_point():
    rows = list(csv.DictReader(io.StringIO(run(
        "simulate_sweep.py", SAMPLE, "--capacities", "500,2000", "--policies", "lru,fifo",
        "--workers", "1,2"))))
    assert len(rows) == 8
    want = kvtrace.simulate(SAMPLE, 2000, policy="fifo", workers=2).runs[0]
    last = rows[-1]
    assert (last["capacity_blocks"], last["policy"], last["workers"]) == ("2000", "fifo", "2")
    assert float(last["block_hit_rate"]) == want.block_hit_rate
