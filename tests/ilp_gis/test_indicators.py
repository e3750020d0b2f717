"""The one share rule: missing, non-finite or non-positive wholes give NaN; the scalar equals
the vectorised form; Series keep their index."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.indicators import DESA_SHARES, column_share, share, shares


def _plain(part, whole) -> float:
    try:
        p, w = float(part), float(whole)
    except (TypeError, ValueError):
        return math.nan
    if not (math.isfinite(p) and math.isfinite(w)) or w <= 0:
        return math.nan
    return p / w


values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-10**6, 10**6), st.sampled_from(["3", "x", "", "2.5"]))


@given(values, values)
def test_share_matches_the_plain_rule(part, whole):
    got, want = share(part, whole), _plain(part, whole)
    assert (math.isnan(got) and math.isnan(want)) or got == want


@given(st.lists(st.tuples(values, values), max_size=30))
def test_vectorised_equals_scalar(pairs):
    parts = [p for p, _ in pairs]
    wholes = [w for _, w in pairs]
    got = shares(parts, wholes)
    want = np.array([share(p, w) for p, w in pairs], dtype="float64")
    np.testing.assert_array_equal(got, want)


def test_worked_examples():
    assert share(3, 4) == 0.75
    assert math.isnan(share(3, 0))
    assert math.isnan(share(None, 4))
    assert math.isnan(share(3, float("nan")))
    s = shares(pd.Series([1, 2, None], index=[7, 8, 9]), pd.Series([2, 0, 5], index=[7, 8, 9]))
    assert list(s.index) == [7, 8, 9]
    assert s.iloc[0] == 0.5 and s.iloc[1:].isna().all()


def test_column_share_treats_a_missing_column_as_missing():
    frame = pd.DataFrame({"pop_within_pustu_km": [50.0, 10.0], "population": [100.0, 0.0]})
    got = column_share(frame, *DESA_SHARES["pustu_coverage"])
    assert got.iloc[0] == 0.5 and math.isnan(got.iloc[1])
    assert column_share(frame, *DESA_SHARES["posyandu_coverage"]).isna().all()
