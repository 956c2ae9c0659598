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
}


@pytest.mark.parametrize("name", CALLS)
def test_ctrl_c_interrupts_a_call_reading_a_trace(tmp_path, name):
    if name == "materialize":
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
