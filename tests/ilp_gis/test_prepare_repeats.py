"""The repeat checks of ilp_gis.prepare equal pandas' duplicated on the same texts."""

from __future__ import annotations

import pandas as pd

from ilp_gis.prepare import has_repeats, repeats_of_sorted


def test_repeats_of_sorted_texts():
    ids = pd.Series(["A", "A", "B", "C", "C", "C"], dtype="str")
    assert repeats_of_sorted(ids).tolist() == [False, True, False, False, True, True]
    assert repeats_of_sorted(ids).tolist() == ids.duplicated(keep="first").tolist()
    assert repeats_of_sorted(pd.Series(["x"], dtype=object)).tolist() == [False]
    assert repeats_of_sorted(pd.Series([], dtype=object)).tolist() == []


def test_has_repeats():
    assert has_repeats(pd.Series(["35.01", "35.02", "35.01"], dtype="str"))
    assert not has_repeats(pd.Series(["35.01", "35.02"], dtype=object))
    assert not has_repeats(pd.Series([], dtype="str"))
