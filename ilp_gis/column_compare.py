"""Row-by-row comparison of two columns in their own dtype (``ilp_gis.incremental``).
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
        except TypeError:  # pd.NA among the objects: no truth value
            eq = np.fromiter((_equal(u, v) for u, v in zip(x.tolist(), y.tolist(),
                                                           strict=True)), bool, len(x))
    eq = np.array(eq, dtype=bool)  # a writable copy
    rest = np.flatnonzero(~eq)
    if len(rest):
        eq[rest] = a.iloc[rest].isna().to_numpy(bool) & b.iloc[rest].isna().to_numpy(bool)
    return eq


def _equal(u, v) -> bool:
    try:
        return bool(u == v)
    except TypeError:
        return False  # NA against anything: told apart by the missing-value check
