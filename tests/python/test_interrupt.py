"""Ctrl-C stops a long call (src/python/bindings.hpp run_interruptible): the trace reader
sees the stop flag at its next request and the call raises KeyboardInterrupt."""
import contextlib
import os
import signal
import threading
import time

import pytest

import kvtrace
from conftest import need_defaults

LINE = '{"timestamp": 0, "input_length": 512, "output_length": 1, "hash_ids": [1]}\n'


def feed(path, stop):
    """Writes 100 requests to the fifo every 5 ms until `stop` is set: the reading never ends
    by itself. (A read blocked on a pipe waits for its data: Ctrl-C takes effect at the next
    request read.)"""
    try:
        with open(path, "w") as fifo:
            while not stop.is_set():
                fifo.write(LINE * 100)
                fifo.flush()
                time.sleep(0.005)
    except BrokenPipeError:
        pass


@contextlib.contextmanager
def ctrl_c_while_reading(tmp_path):
    """A fifo that never ends, and a SIGINT to this process 0.3 s in; yields the fifo's path.
    Cleans up whatever the call did: the timer is cancelled first (a call that failed
    otherwise is reported as its own error) and a writer still waiting for a reader is
    released."""
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()
    writer = threading.Thread(target=feed, args=(fifo, stop), daemon=True)
    writer.start()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        yield fifo
    finally:
        timer.cancel()
        stop.set()
        if writer.is_alive():
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=5)
    assert time.monotonic() - started < 3


CALLS = {
    "analyze": kvtrace.analyze,
    "read_trace": kvtrace.read_trace,
    "lru_curve": kvtrace.lru_curve,
    "simulate": lambda path: kvtrace.simulate(path, [10, 20], policy=["lru", "fifo"]),
    "synthesize": lambda path: kvtrace.synthesize(path, speedup_ratio=2),
    "materialize": lambda path: kvtrace.materialize(path, path.parent / "out.jsonl", scope="s",
                                                    no_cache=True),
    # Without a scope, the digest of the trace file (never ending here) is what Ctrl-C stops.
    "materialize default scope": lambda path: kvtrace.materialize(
        path, path.parent / "out.jsonl", no_cache=True),
}


@pytest.mark.parametrize("name", CALLS)
def test_ctrl_c_interrupts_a_call_reading_a_trace(tmp_path, name):
    if name.startswith("materialize"):
        need_defaults()
    with ctrl_c_while_reading(tmp_path) as fifo:
        with pytest.raises(KeyboardInterrupt):
            CALLS[name](fifo)


def test_ctrl_c_interrupts_waiting_for_materialized_bodies(tmp_path):
    need_defaults()
    with ctrl_c_while_reading(tmp_path) as fifo:
        bodies = kvtrace.materialize(fifo, scope="s", no_cache=True)
        with pytest.raises(KeyboardInterrupt):
            next(bodies)
        del bodies  # stops the build: its reader at the next request


def test_ctrl_c_interrupts_the_later_runs_of_a_sweep(tmp_path):
    # 100,000 requests of 10 blocks and 400 runs: the file is read and the first run done
    # within the 2 s before Ctrl-C (a debug build included); the 399 runs replayed from
    # memory after it would take far longer than the second allowed after it.
    trace = tmp_path / "trace.jsonl"
    with open(trace, "w") as out:
        for i in range(100_000):
            ids = ", ".join(str((i % 97) * 10 + k if k < 5 else i * 10 + k) for k in range(10))
            out.write(f'{{"timestamp": {i}, "input_length": 5120, "output_length": 1, '
                      f'"hash_ids": [{ids}]}}\n')
    timer = threading.Timer(2, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            kvtrace.simulate(trace, list(range(50, 10_050, 50)), policy=["lru", "fifo"])
    finally:
        timer.cancel()
    assert time.monotonic() - started < 3
