"""ilp_gis.lookup gives the same answers as pandas' get_indexer / map."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.lookup import map_values, positions

TEXT = st.one_of(st.none(), st.sampled_from(["35.07.01.2001", "35.07.01.2002", "a", "", "ä"]))


@given(st.lists(TEXT, max_size=30), st.lists(TEXT.filter(lambda v: v is not None), max_size=8,
                                             unique=True))
def test_text_keys_match_get_indexer(keys, index):
    want = pd.Index(index, dtype=object).get_indexer(np.asarray(keys, dtype=object))
    np.testing.assert_array_equal(positions(np.asarray(keys, dtype=object), pd.Index(index)),
                                  want)
    np.testing.assert_array_equal(positions(pd.Series(keys, dtype="str"), pd.Index(index)),
                                  want)


def test_duplicated_index_answers_the_first_occurrence():
    assert positions(pd.Series(["b", "a", "z"]), pd.Index(["a", "b", "a"])).tolist() == [1, 0, -1]
    assert positions(pd.Series([2, 1, 9]), pd.Index([1, 2, 1])).tolist() == [1, 0, -1]


def test_mixed_and_numeric_keys():
    idx = pd.Index([1, "1", 2.5], dtype=object)
    assert positions(pd.Series([1, "1", 2.5, None], dtype=object), idx).tolist() == [0, 1, 2, -1]


def test_map_values_keeps_values_and_dtype():
    lookup = pd.Series(pd.array([1, None, 3], dtype="Int64"), index=["a", "b", "c"])
    keys = pd.Series(["c", "x", "a", None, "b"], index=[10, 11, 12, 13, 14])
    got = map_values(keys, lookup)
    assert got.dtype == "Int64"
    assert got.index.tolist() == [10, 11, 12, 13, 14]
    assert got.tolist() == [3, pd.NA, 1, pd.NA, pd.NA]
