"""kvtrace.dask on a LocalCluster of 2 worker processes: the sharded analyze equals one pass,
the sharded materialization's union is the single-process output byte for byte, the sweep's
points are kvtrace.simulate's runs."""
import json

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:tornado")

distributed = pytest.importorskip(
    "distributed", reason="Dask's distributed is absent (Debian: python3-distributed)")

import kvtrace
import kvtrace.dask
from conftest import SAMPLE, need_defaults


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def split(path, tmp_path, cuts):
    """The lines of `path` cut before each 0-based line of `cuts`, as shard files."""
    lines = path.read_bytes().splitlines(keepends=True)
    bounds = [0, *cuts, len(lines)]
    shards = []
    for k, (begin, end) in enumerate(zip(bounds, bounds[1:])):
        shard = tmp_path / f"shard-{k}.jsonl"
        shard.write_bytes(b"".join(lines[begin:end]))
        shards.append(shard)
    return shards


def without_file(report):
    d = report.to_dict()
    del d["input"]["file"]
    return d


def test_sharded_analyze_equals_one_pass(client, tmp_path):
    shards = split(SAMPLE, tmp_path, [1, 400, 400, 999])
    report = kvtrace.dask.analyze(shards, client=client)
    assert without_file(report) == without_file(kvtrace.analyze(SAMPLE))
    assert report.input.file == ", ".join(map(str, shards))


def test_sharded_analyze_of_raw_hash_ids_equals_one_pass(client, tmp_path):
    # The sample's ids scrambled into 64-bit hashes: the id table's path in both phases.
    whole = tmp_path / "raw.jsonl"
    with open(SAMPLE) as src, open(whole, "w") as out:
        for line in src:
            r = json.loads(line)
            r["hash_ids"] = [(i * 0x9E3779B97F4A7C15 + 12345) % 2**64 for i in r["hash_ids"]]
            out.write(json.dumps(r) + "\n")
    shards = split(whole, tmp_path, [250, 500, 750])
    assert (without_file(kvtrace.dask.analyze(shards, client=client))
            == without_file(kvtrace.analyze(whole)))


def test_sharded_analyze_of_the_real_trace(client, tmp_path, fast25):
    shards = split(fast25, tmp_path, [3000, 6000, 9000])
    assert (without_file(kvtrace.dask.analyze(shards, client=client, hash_id_check="ignore"))
            == without_file(kvtrace.analyze(fast25, hash_id_check="ignore")))


def test_a_bad_shard_is_the_readers_error(client, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"input_length": 10, "hash_ids": [1]}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input_length": 10, "hash_ids": [1]}\n{"input_length": "x"}\n')
    with pytest.raises(kvtrace.InputError, match=rf"{bad}:2: input_length"):
        kvtrace.dask.analyze([good, bad], client=client)


def test_one_path_instead_of_a_list_is_a_usage_error(client):
    with pytest.raises(kvtrace.UsageError, match="a list of shard files"):
        kvtrace.dask.analyze(str(SAMPLE), client=client)


def test_sharded_materialize_is_byte_identical(client, tmp_path):
    need_defaults()
    one = tmp_path / "one.jsonl"
    kvtrace.materialize(SAMPLE, one, threads=1)
    merged = tmp_path / "merged.jsonl"
    assert kvtrace.dask.materialize(SAMPLE, merged, shards=3, client=client, threads=1) == 1000
    assert merged.read_bytes() == one.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged.jsonl", "one.jsonl"]


def test_materialize_keep_parts_leaves_the_shards(client, tmp_path):
    need_defaults()
    out = tmp_path / "out.jsonl"
    parts = kvtrace.dask.materialize(SAMPLE, out, shards=2, client=client, keep_parts=True,
                                     threads=1)
    assert parts == [kvtrace.dask.part_path(out, i, 2) for i in range(2)]
    assert not out.exists()
    assert kvtrace.dask.merge_parts(parts, out) == 1000


def test_simulate_sweep_is_simulate_at_each_point(client):
    runs = kvtrace.dask.simulate_sweep(SAMPLE, [300, 1200], policies=["lru", "lineage"],
                                       routers=["round-robin", "kv-aware"], workers=[1, 2],
                                       client=client)
    assert len(runs) == 16
    for w in (1, 2):
        want = kvtrace.simulate(SAMPLE, [300, 1200], policy=["lru", "lineage"],
                                router=["round-robin", "kv-aware"], workers=w).runs
        got = [r for r in runs if r.workers == w]
        assert [r.to_dict() for r in got] == [r.to_dict() for r in want]


def test_simulate_sweep_options_reach_every_point(client):
    runs = kvtrace.dask.simulate_sweep(SAMPLE, 500, timing=True, concurrency=4, client=client)
    (run,) = runs
    want = kvtrace.simulate(SAMPLE, 500, timing=True, concurrency=4).runs[0]
    assert run.to_dict() == want.to_dict()
    assert run.timing is not None
