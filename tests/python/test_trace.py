"""kvtrace.read_trace / write_trace (python/kvtrace/trace.py, src/python/trace_arrays.cpp)."""
import gzip
import json

import numpy as np
import pytest

import kvtrace
from conftest import SAMPLE, SOURCE


def test_columns_hold_every_request_of_the_sample():
    t = kvtrace.read_trace(SAMPLE)
    lines = [json.loads(x) for x in SAMPLE.read_text().splitlines()]
    assert len(t) == len(lines) == 1000
    assert t.input_length.dtype == np.int64 and t.ids.dtype == np.uint64
    assert t.offsets[0] == 0 and t.offsets[-1] == len(t.ids)
    for i in (0, 1, 500, 999):
        assert t.timestamp[i] == lines[i]["timestamp"]
        assert t.input_length[i] == lines[i]["input_length"]
        assert t.output_length[i] == lines[i]["output_length"]
        assert t.hash_ids(i).tolist() == lines[i]["hash_ids"]
    assert t.line.tolist() == list(range(1, 1001))
    assert t.block_size == 512 and t.format == "Mooncake JSONL"


def test_64_bit_ids_and_missing_fields(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"timestamp": 1.5, "input_length": 3, "hash_ids": [18446744073709551615],'
                    ' "session_id": "s", "model": "m"}\n'
                    '{"input_length": 0, "output_length": 2, "hash_ids": []}\n')
    t = kvtrace.read_trace(path)
    assert t.ids.tolist() == [2**64 - 1]
    assert t.timestamp[0] == 1.5 and np.isnan(t.timestamp[1])
    assert t.output_length.tolist() == [-1, 2]
    assert t.session_id == ["s", None]
    assert t.extra == ['{"model": "m"}', None]


def test_written_back_the_trace_reads_the_same(tmp_path):
    t = kvtrace.read_trace(SAMPLE)
    out = tmp_path / "out.jsonl"
    kvtrace.write_trace(out, t)
    assert out.read_text() == SAMPLE.read_text()


def test_columns_that_do_not_fit_together_are_refused(tmp_path):
    t = kvtrace.read_trace(SAMPLE)
    t.delay = np.zeros(3)
    with pytest.raises(kvtrace.UsageError, match="delay: needs one value per request"):
        kvtrace.write_trace(tmp_path / "o.jsonl", t)
    t.delay = None
    t.offsets = t.offsets.copy()
    t.offsets[5] = t.offsets[4] - 1
    with pytest.raises(kvtrace.UsageError, match="offsets: must rise from 0 to len.ids., at request 4"):
        kvtrace.write_trace(tmp_path / "o.jsonl", t)


def test_other_formats_and_compression(tmp_path):
    dynamo = kvtrace.read_trace(SOURCE / "tests/data/formats/dynamo_sample.jsonl")
    assert dynamo.format == "Dynamo request trace" and dynamo.block_size == 4
    assert dynamo.hash_ids(0).tolist() == [0]
    gz = tmp_path / "s.jsonl.gz"
    gz.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert np.array_equal(kvtrace.read_trace(gz).ids, kvtrace.read_trace(SAMPLE).ids)


def test_errors_carry_file_line_field_problem(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input_length": 5, "hash_ids": [1]}\n{"input_length": -1}\n')
    with pytest.raises(kvtrace.InputError, match=r"bad.jsonl:2: input_length: must be >= 0"):
        kvtrace.read_trace(bad)
    with pytest.raises(ValueError):  # an InputError is a ValueError too
        kvtrace.read_trace(bad)
    assert len(kvtrace.read_trace(bad, skip_invalid=True)) == 1
    with pytest.raises(kvtrace.IoError):
        kvtrace.read_trace(tmp_path / "missing.jsonl")
    with pytest.raises(kvtrace.UsageError, match="block_size"):
        kvtrace.read_trace(SAMPLE, block_size="big")
    with pytest.raises(kvtrace.UsageError, match="format_in"):
        kvtrace.read_trace(SAMPLE, format_in="csv")
