"""Row comparison of two columns (``ilp_gis.column_compare``): ``same_at`` compares rows
matched by position slice by slice where they run in step, and gives what comparing the taken
rows gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ilp_gis.column_compare import MAX_RUNS, same_at, same_values


def _columns():
    """Pairs of columns (new, old) of several dtypes; the new one is the old one with its row
    3 deleted, a value changed at new row 5, a missing value put at new row 6, and new row 7
    (old row 8) missing in both."""
    old_num = pd.Series([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan, 9.0])
    old_obj = pd.Series(["a", "b", None, "d", "e", "f", "g", "h", None, "j"], dtype=object)
    old_txt = old_obj.astype(pd.StringDtype(na_value=np.nan))
    old_int = pd.Series([0, 1, 2, 3, 4, 5, 6, 7, None, 9], dtype="Int64")
    out = []
    for old in (old_num, old_obj, old_txt, old_int):
        new = old.drop(index=3).reset_index(drop=True).astype(old.dtype)
        values = new.astype(object).tolist()
        values[5] = 99.0 if old is old_num else ("z" if old.dtype != "Int64" else 99)
        values[6] = None
        new = pd.Series(values, dtype=old.dtype)
        out.append((new, old))
    return out


@pytest.mark.parametrize("pair", range(4))
def test_same_at_matches_rows_across_a_deleted_row(pair):
    new, old = _columns()[pair]
    rows = np.arange(len(new))
    at = np.r_[0, 1, 2, np.arange(4, 10)]  # old row 3 deleted: the rows after it move up
    got = same_at(new, old, rows, at)
    want = np.array([True, True, True, True, True, False, False, True, True])
    np.testing.assert_array_equal(got, want)
    # and it equals the comparison of the rows taken one by one
    taken = same_values(new.iloc[rows].reset_index(drop=True),
                        old.iloc[at].reset_index(drop=True))
    np.testing.assert_array_equal(got, taken)


def test_same_at_with_rows_out_of_step_takes_them():
    """More pieces in step than ``MAX_RUNS`` (a shuffled layer): the same answer."""
    rng = np.random.default_rng(3)
    n = 4 * MAX_RUNS
    old = pd.Series(rng.integers(0, 5, n).astype(float))
    order = rng.permutation(n)
    new = old.iloc[order].reset_index(drop=True).copy()
    new.iloc[[1, 10]] = -1.0
    got = same_at(new, old, np.arange(n), order)
    want = np.ones(n, dtype=bool)
    want[[1, 10]] = False
    np.testing.assert_array_equal(got, want)
    assert not len(same_at(new, old, np.zeros(0, int), np.zeros(0, int)))


def test_same_values_of_objects_with_pd_na():
    """Object columns holding ``pd.NA`` (no truth value): equal values, two missing values
    (``pd.NA``, None or NaN) equal, a missing against a value not."""
    a = pd.Series(["a", pd.NA, None, 1.5, pd.NA, "b", np.nan], dtype=object)
    b = pd.Series(["a", pd.NA, pd.NA, 1.5, "x", "c", None], dtype=object)
    np.testing.assert_array_equal(same_values(a, b),
                                  [True, True, True, True, False, False, True])
