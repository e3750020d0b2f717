"""The memory of the frames the desktop app holds: a text column read from a file holds one
Python string per cell, even where a nation's 335,000 facilities repeat a few hundred type,
level or kecamatan-code values; :func:`share_texts` makes equal texts one object (the values,
the dtype and every missing cell stay as they are).  Plain pandas; no Qt."""

from __future__ import annotations

import numpy as np
import pandas as pd

SHARE_BELOW = 0.5
"""A column is shared when it holds fewer distinct texts than this share of its rows (names
and ids, all distinct, gain nothing)."""
_MIN_ROWS = 1_000  # smaller frames hold too little to be worth the pass
_SAMPLE = 2_000  # rows looked at first to tell a column of distinct texts cheaply


def share_texts(frame: pd.DataFrame, min_rows: int = _MIN_ROWS) -> int:
    """Make equal texts of the object columns of ``frame`` one Python object each, in place;
    returns the number of columns shared."""
    if frame is None or len(frame) < min_rows:
        return 0
    shared = 0
    for name in frame.columns:
        col = frame[name]
        if col.dtype != object:
            continue
        values = col.to_numpy()
        sample = values[:_SAMPLE]
        if len(pd.unique(sample)) > SHARE_BELOW * len(sample) and len(sample) >= 100:
            continue  # names, ids: all distinct
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) > SHARE_BELOW * len(values):
            continue
        if not all(isinstance(u, str) for u in uniques[:64]):
            continue  # not a text column (numbers or objects kept as they are)
        out = values.copy()  # missing cells keep their own None/NaN
        present = codes >= 0
        out[present] = np.asarray(uniques, dtype=object)[codes[present]]
        frame[name] = pd.Series(out, index=frame.index, dtype=object, name=name)
        shared += 1
    return shared
