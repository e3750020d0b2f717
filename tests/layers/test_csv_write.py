"""The column-at-a-time CSV writer writes the bytes pandas' ``to_csv`` writes."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pytest

from layers.csv_write import write_frame

HOSTILE = ["a,b", 'q"u', "n\nl", "r\rx", "", " x", "é ü", "=1+2", None, "x\r\ny", '"', ",",
           "tab\t", "🙂", "plain"]


def _frame(n: int = 3000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    floats = rng.standard_normal(n) * 10.0 ** rng.integers(-9, 20, n)
    floats[rng.random(n) < 0.1] = np.nan
    floats[:12] = [np.inf, -np.inf, -0.0, 0.0, 1.0, 1e16, 9.999e15, 1e-4, 9.9e-5, 1e-5,
                   123456789.0, 0.30000000000000004]
    texts = np.array(HOSTILE, dtype=object)
    return pd.DataFrame({
        "f": floats,
        "whole": np.round(rng.standard_normal(n) * 1000),
        "i": rng.integers(-10**12, 10**12, n),
        "b": rng.random(n) < 0.5,
        "I": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 99, n)),
                      dtype="Int64"),
        "B": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n) < 0.5),
                      dtype="boolean"),
        "s": pd.array(rng.choice(texts, n), dtype="str"),
        "o": pd.Series(rng.choice(texts, n), dtype=object),
        "f32": rng.standard_normal(n).astype(np.float32),
        "F": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n)), dtype="Float64"),
        'kolom "aneh", ya': rng.integers(0, 3, n),
    })


def _written(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    write_frame(frame, buf)
    return buf.getvalue()


@pytest.mark.parametrize("seed", [3, 4])
def test_every_kind_of_column_is_written_as_pandas_writes_it(seed):
    frame = _frame(seed=seed)
    for cols in (list(frame.columns), ["s", "f"], ["o", "i", "b"], ["F", "B", "I"]):
        part = frame[cols]
        assert _written(part) == part.to_csv(index=False).encode(), cols
    empty = frame.iloc[:0]
    assert _written(empty) == empty.to_csv(index=False).encode()


def test_windows_line_ends_and_their_quoting(monkeypatch):
    monkeypatch.setattr(os, "linesep", "\r\n")
    frame = _frame(500)
    assert _written(frame) == frame.to_csv(index=False, lineterminator="\r\n").encode()
    assert b"\r\n" in _written(frame) and b'"r\rx"' in _written(frame)  # a CR is quoted there


def test_other_columns_and_single_columns_go_through_pandas():
    frame = pd.DataFrame({"d": pd.to_datetime(["2026-01-02", None]), "x": [1.5, 2.0],
                          "c": pd.Categorical(["a", "b"])})
    assert _written(frame) == frame.to_csv(index=False).encode()
    one = pd.DataFrame({"s": ["", "a"]})  # an empty text alone on its line is quoted
    assert _written(one) == one.to_csv(index=False).encode() == b's\n""\na\n'
    mixed = pd.DataFrame({"m": ["a", 1, None], "n": [1, 2, 3]}, dtype=object)
    assert _written(mixed) == mixed.to_csv(index=False).encode()


def test_many_rows_are_written_in_chunks_with_nothing_lost():
    n = 120_001
    frame = pd.DataFrame({"k": np.arange(n), "t": pd.array([f"d{i}" for i in range(n)],
                                                           dtype="str")})
    got = _written(frame)
    assert got == frame.to_csv(index=False).encode()
    assert got.count(b"\n") == n + 1
