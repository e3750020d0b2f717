"""Row-by-row comparison of two columns in their own dtype (``ilp_gis.incremental``), also
of rows matched by position (:func:`same_at`: by slices where the rows run in step, so an
edit of a national layer compares its columns without copying them).
Imports numpy and pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def same_values(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Per row: is ``a`` equal to ``b`` (two missing values are equal)?  By the columns' own
    dtype (numbers, Arrow text and masked arrays compare without a Python object each); the
    missing values are looked up only where the values differ."""
    if isinstance(a.dtype, np.dtype) and a.dtype != object:
        eq = a.to_numpy() == b.to_numpy()
    elif isinstance(a.dtype, pd.api.extensions.ExtensionDtype):
        eq = pd.array(a.array == b.array, dtype="boolean").fillna(False).to_numpy(bool)
    else:
        x, y = a.to_numpy(object), b.to_numpy(object)
        try:
            eq = np.array(x == y, dtype=bool)
        except TypeError:  # pd.NA among the objects: no truth value; compared without them
            eq = _equal_present(x, y)
    eq = np.array(eq, dtype=bool)  # a writable copy
    rest = np.flatnonzero(~eq)
    if len(rest):
        eq[rest] = a.iloc[rest].isna().to_numpy(bool) & b.iloc[rest].isna().to_numpy(bool)
    return eq


MAX_RUNS = 64  # rows in step in more pieces than this: one take per column instead


def same_at(a: pd.Series, b: pd.Series, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Per position ``k``: is ``a``'s row ``rows[k]`` equal to ``b``'s row ``at[k]`` (by
    :func:`same_values`)?  Where both run in step (an edit deletes or adds a few rows of a
    long layer) the columns are compared slice by slice, without taking their rows."""
    rows = np.asarray(rows, dtype=np.int64)
    at = np.asarray(at, dtype=np.int64)
    if not len(rows):
        return np.zeros(0, dtype=bool)
    breaks = np.flatnonzero((np.diff(rows) != 1) | (np.diff(at) != 1)) + 1
    if len(breaks) >= MAX_RUNS:
        return same_values(a.iloc[rows].reset_index(drop=True),
                           b.iloc[at].reset_index(drop=True))
    starts = np.r_[0, breaks]
    ends = np.r_[breaks, len(rows)]
    out = np.empty(len(rows), dtype=bool)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        r, t = int(rows[s]), int(at[s])
        out[s:e] = same_values(a.iloc[r:r + e - s].reset_index(drop=True),
                               b.iloc[t:t + e - s].reset_index(drop=True))
    return out


def _equal_present(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x == y`` per row of two object arrays holding ``pd.NA``: the rows where neither is
    missing compared at once (missing ones are False here, told apart by the caller), one
    row at a time only when those still hold values without a truth value."""
    both = ~(pd.isna(x) | pd.isna(y))
    eq = np.zeros(len(x), dtype=bool)
    try:
        eq[both] = np.array(x[both] == y[both], dtype=bool)
    except TypeError:
        eq = np.fromiter((_equal(u, v) for u, v in zip(x.tolist(), y.tolist(), strict=True)),
                         bool, len(x))
    return eq


def _equal(u, v) -> bool:
    try:
        return bool(u == v)
    except TypeError:
        return False  # NA against anything: told apart by the missing-value check
