"""ilp_gis.speed.distinct gives what a plain list comprehension gives, calling fn less."""

from __future__ import annotations

import math
import struct

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.speed.distinct import per_float, per_text, per_value


class Counting:
    """``fn`` that remembers how often it ran (and answers things that are not scalars)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, v):
        self.calls += 1
        return self.fn(v)


def _float_key(v: float):
    return ("nan",) if math.isnan(v) else (v, math.copysign(1.0, v))


@given(st.lists(st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1.5, float("nan")])),
                max_size=40))
def test_per_float_equals_plain(values):
    fn = Counting(lambda v: ("x", _float_key(v)))
    got = per_float(fn, values)
    assert got == [("x", _float_key(v)) for v in values]
    assert fn.calls == len({struct.pack("<d", v) for v in values})  # once per bit pattern


@given(st.lists(st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA),
                          st.text(max_size=4)), max_size=40))
def test_per_text_equals_plain(values):
    fn = Counting(lambda v: [v.upper()])
    got = per_text(fn, values, "–")
    assert got == ["–" if pd.isna(v) else [v.upper()] for v in values]
    assert fn.calls == len({v for v in values if not pd.isna(v)})


@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(),
                          st.text(max_size=3), st.lists(st.integers(), max_size=2)),
                max_size=40))
def test_per_value_equals_plain(values):
    fn = Counting(lambda v: (type(v).__name__, repr(v)))
    assert per_value(fn, values) == [(type(v).__name__, repr(v)) for v in values]
    hashable = [v for v in values if not isinstance(v, list)]
    # per_value tells 0.0 from -0.0 (codes read them differently), so the sign is in the key
    keys = {"nan" if isinstance(v, float) and math.isnan(v) else
            (type(v), v, math.copysign(1.0, v) if isinstance(v, float) else None)
            for v in hashable}
    assert fn.calls == len(keys) + (len(values) - len(hashable))


def test_per_value_tells_zero_from_negative_zero():
    import numpy as np

    from ilp_gis.speed.distinct import per_value

    values = [0.0, -0.0, np.float64(0.0), np.float64(-0.0), 0.0]
    assert per_value(repr, values) == [repr(v) for v in values]
