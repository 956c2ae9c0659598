"""Ctrl-C stops a long call (src/python/bindings.hpp run_interruptible): the trace reader
sees the stop flag at its next request and the call raises KeyboardInterrupt."""
import os
import signal
import threading
import time

import pytest

import kvtrace

LINE = '{"timestamp": 0, "input_length": 512, "output_length": 1, "hash_ids": [1]}\n'


def feed(path, stop):
    """Writes 100 requests to the fifo every 5 ms until `stop` is set: the reading never ends
    by itself. (A read blocked on a pipe waits for its data: Ctrl-C takes effect at the next
    request read.)"""
    with open(path, "w") as fifo:
        while not stop.is_set():
            try:
                fifo.write(LINE * 100)
                fifo.flush()
            except BrokenPipeError:
                return
            time.sleep(0.005)


@pytest.mark.parametrize("call", [
    kvtrace.analyze, kvtrace.read_trace, kvtrace.lru_curve,
    lambda path: kvtrace.simulate(path, [10, 20], policy=["lru", "fifo"]),
    lambda path: kvtrace.synthesize(path, speedup_ratio=2),
    lambda path: kvtrace.materialize(path, path.parent / "out.jsonl", scope="s", no_cache=True),
])
def test_ctrl_c_interrupts_a_call_reading_a_trace(tmp_path, call):
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()
    writer = threading.Thread(target=feed, args=(fifo, stop))
    writer.start()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            call(fifo)
    finally:
        stop.set()
        writer.join(timeout=5)
        timer.cancel()
    assert time.monotonic() - started < 3


def test_ctrl_c_interrupts_waiting_for_materialized_bodies(tmp_path):
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()
    writer = threading.Thread(target=feed, args=(fifo, stop))
    writer.start()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        bodies = kvtrace.materialize(fifo, scope="s", no_cache=True)
        with pytest.raises(KeyboardInterrupt):
            next(bodies)
        del bodies  # stops the build: its reader at the next request
    finally:
        stop.set()
        writer.join(timeout=5)
        timer.cancel()
    assert time.monotonic() - started < 3
