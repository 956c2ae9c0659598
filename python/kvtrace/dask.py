"""kvtrace on a Dask cluster (docs/scale-out.md): the work split into Dask tasks, each one call
of kvtrace's library, so that Dask's scheduler places them on any cluster Dask runs on (a
LocalCluster, dask-jobqueue's batch queues, Kubernetes).

- analyze(paths): a trace split into time-ordered shards, one task per shard reads it, one
  task merges them: exactly the report of the whole trace.
- materialize(path, output, shards=N): request bodies built shard i/N on task i, merged by
  index into one file, byte for byte the single-process output.
- simulate_sweep(path, capacities, policies, routers, workers): one task per point.

Every function takes the client to use (default: the current one, ``distributed.get_client``).
Files are named by path: every worker must see them at the same path (a shared file system).

    >>> from distributed import Client, LocalCluster
    >>> import kvtrace.dask
    >>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
    >>> report = kvtrace.dask.analyze(["day1.jsonl", "day2.jsonl"], client=client)
"""
import functools
import heapq
import itertools
import json
import os
from typing import Iterable, List, Optional, Sequence

from distributed import Client, get_client

import kvtrace
from kvtrace.analysis import Report, merge_shards, read_shard

__all__ = ["analyze", "connect", "materialize", "merge_parts", "part_path", "simulate_sweep"]


def connect(scheduler: Optional[str] = None, *, workers: int = 2) -> Client:
    """A client of the Dask cluster whose scheduler is at ``scheduler`` (e.g.
    "tcp://10.0.0.5:8786", or a dask-jobqueue / dask-kubernetes cluster's
    ``scheduler_address``); None: a new LocalCluster of ``workers`` processes, one thread
    each, closed with the client. Call it under ``if __name__ == "__main__":`` in a script:
    worker processes import the script's module."""
    if scheduler is not None:
        return Client(scheduler)
    return Client(n_workers=workers, threads_per_worker=1, processes=True,
                  dashboard_address=None)


def _client(client: Optional[Client]) -> Client:
    return client if client is not None else get_client()


def _paths(paths) -> List[str]:
    if isinstance(paths, (str, os.PathLike)):
        raise kvtrace.UsageError("paths: give a list of shard files, earliest first, not one "
                                 "path")
    out = [os.fspath(p) for p in paths]
    if not out:
        raise kvtrace.UsageError("paths: no shard files")
    return out


def analyze(paths: Sequence, *, client: Optional[Client] = None, **read_options) -> Report:
    """kvtrace.analyze of a trace split into time-ordered shards (files of consecutive
    requests, earliest first, e.g. ``split -n l/8 trace.jsonl part-``): each shard is read by a
    task of its own (kvtrace.read_shard), then one task merges them (kvtrace.merge_shards).
    The report equals kvtrace.analyze of the concatenated files in every field but
    ``input.file``, which lists the shards.

    read_options: read_trace's (block_size, format_in, skip_invalid, start_ms, end_ms,
    hash_id_check), the same for every shard.
    """
    c = _client(client)
    read = functools.partial(read_shard, **read_options)
    shards = c.map(read, _paths(paths), pure=False)
    return c.submit(merge_shards, shards, pure=False).result()


def part_path(output, index: int, count: int) -> str:
    """Where materialize's shard ``index`` of ``count`` is written: beside ``output``."""
    return f"{os.fspath(output)}.part-{index}-of-{count}"


def _index_of(line: bytes) -> int:
    # Bodies start with {"index":N, (docs/materialize.md); any other line is parsed whole.
    prefix = b'{"index":'
    if line.startswith(prefix):
        end = line.find(b",", len(prefix))
        if end > 0:
            return int(line[len(prefix):end])
    return json.loads(line)["index"]


def merge_parts(parts: Iterable, output) -> int:
    """Merges materialize's part files (each in trace order) by request index into
    ``output``; returns the number of lines written. The union of the shards of one trace,
    merged, is the unsharded output byte for byte."""
    files = [open(p, "rb") for p in parts]
    try:
        lines = 0
        with open(output, "wb") as out:
            for line in heapq.merge(*files, key=_index_of):
                out.write(line)
                lines += 1
        return lines
    finally:
        for f in files:
            f.close()


def _materialize_part(path, output, index, count, options) -> str:
    part = part_path(output, index, count)
    kvtrace.materialize(path, part, shard=f"{index}/{count}", **options)
    return part


def _merge_and_remove(parts, output) -> int:
    lines = merge_parts(parts, output)
    for p in parts:
        os.remove(p)
    return lines


def materialize(path, output, *, shards: int, client: Optional[Client] = None,
                keep_parts: bool = False, **options) -> int:
    """kvtrace.materialize of ``path`` into ``output``, shard i of ``shards`` on task i (each
    writes ``part_path(output, i, shards)``), then one task merges the parts by request index
    into ``output`` and removes them (keep_parts: leave them, and do not merge). Returns the
    number of lines written (with keep_parts: the part files' paths).

    options: kvtrace.materialize's (tokenizer, corpus, seed, scope, model, api,
    prompt_format, threads per task, the reading options...). The tokenizer and corpus
    default to the ones installed beside kvtrace, on each worker.
    """
    if shards < 1:
        raise kvtrace.UsageError(f"shards: {shards}: at least 1")
    if "shard" in options:
        raise kvtrace.UsageError("shard: kvtrace.dask.materialize chooses each task's shard")
    c = _client(client)
    parts = [c.submit(_materialize_part, os.fspath(path), os.fspath(output), i, shards, options,
                      pure=False) for i in range(shards)]
    if keep_parts:
        return c.gather(parts)
    return c.submit(_merge_and_remove, parts, os.fspath(output), pure=False).result()


def _as_list(value) -> list:
    return [value] if isinstance(value, str) or hasattr(value, "__index__") else list(value)


def _simulate_point(path, capacity, policy, router, workers, options):
    return kvtrace.simulate(path, capacity, policy=policy, router=router, workers=workers,
                            **options).runs[0]


def simulate_sweep(path, capacities: Sequence[int], *, policies=("lru",),
                   routers=("round-robin",), workers=(1,), client: Optional[Client] = None,
                   **options) -> List[Report]:
    """kvtrace.simulate at every point of capacities x policies x routers x workers, one task
    per point. Returns the runs (as kvtrace.simulate's ``runs``) in that order: capacities
    outermost, worker counts innermost.

    policies, routers: names, or one name; workers: cluster sizes, or one. options:
    kvtrace.simulate's other keyword arguments (overlap_weight, seed, timing, concurrency,
    prefill_tps, decode_tps, cache_output, the reading options), the same for every point.
    """
    if "capacity" in options or "policy" in options or "router" in options:
        raise kvtrace.UsageError("simulate_sweep: give capacities, policies and routers")
    grid = list(itertools.product(_as_list(capacities), _as_list(policies), _as_list(routers),
                                  _as_list(workers)))
    if not grid:
        raise kvtrace.UsageError("simulate_sweep: the grid has no point")
    c = _client(client)
    runs = [c.submit(_simulate_point, os.fspath(path), int(cap), policy, router, int(w), options,
                     pure=False) for cap, policy, router, w in grid]
    return c.gather(runs)
