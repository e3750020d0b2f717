"""Which rows of a table changed between the frame a project file holds and the one the
project holds now, so a save writes only those rows.

Rows keep their place in a project's frames: an edit changes rows in place, appends, or drops
rows (undo puts a dropped row back where it was).  :func:`row_changes` compares the two frames
column by column (vectorised; a value counts as unchanged only when it is stored identically)
and returns the rows to delete and insert with the row ids (GeoPackage fids, increasing in frame
order) they get, or None when rewriting the whole table is simpler (other columns or dtypes,
many changes, rows moved).  Imports numpy, pandas and shapely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

MAX_SHARE = 0.2
"""Above this share of changed rows the whole table is rewritten instead."""


@dataclass(frozen=True)
class RowChanges:
    delete_fids: np.ndarray  # fids of stored rows that go
    insert_positions: np.ndarray  # positions in the new frame of the rows written
    insert_fids: np.ndarray  # the fids those rows get
    fids: np.ndarray  # the fid of every row of the new frame


def _geom_name(frame) -> str | None:
    name = getattr(frame, "_geometry_column_name", None)
    return name if name is not None and name in frame.columns else None


def same_layout(old: pd.DataFrame, new: pd.DataFrame) -> bool:
    """Same columns in the same order with the same dtypes (and geometry column and CRS)."""
    if list(old.columns) != list(new.columns) or _geom_name(old) != _geom_name(new):
        return False
    if not all(str(a) == str(b) for a, b in zip(old.dtypes, new.dtypes, strict=True)):
        return False
    return _geom_name(old) is None or old.crs == new.crs


def _shared(a: pd.Series, b: pd.Series) -> bool:
    """Both columns view the very same memory (an edit that copied the frame shallowly and
    changed other columns): equal without looking at a value."""
    if a.array is b.array:
        return True
    try:
        x, y = np.asarray(a.values), np.asarray(b.values)
    except (TypeError, ValueError):
        return False
    return (x.dtype == y.dtype and x.shape == y.shape and x.strides == y.strides
            and x.__array_interface__["data"][0] == y.__array_interface__["data"][0])


def _equal_values(a: pd.Series, b: pd.Series, geometry: bool) -> np.ndarray:
    if _shared(a, b):
        return np.ones(len(a), dtype=bool)
    if geometry:
        x, y = np.asarray(a.values, dtype=object), np.asarray(b.values, dtype=object)
        return shapely.equals_identical(x, y) | (shapely.is_missing(x) & shapely.is_missing(y))
    av, bv = a.to_numpy(), b.to_numpy()
    if av.dtype.kind == "f" and bv.dtype.kind == "f" and av.dtype == bv.dtype:
        # bit for bit: -0.0 is not 0.0, and NaN is NaN
        width = {8: np.int64, 4: np.int32, 2: np.int16}[av.dtype.itemsize]
        return np.ascontiguousarray(av).view(width) == np.ascontiguousarray(bv).view(width)
    if av.dtype.kind in "iub" and av.dtype == bv.dtype:
        return av == bv
    if a.reset_index(drop=True).equals(b.reset_index(drop=True)):
        return np.ones(len(a), dtype=bool)  # the usual case: an untouched column, in C
    x, y = a.to_numpy(dtype=object, copy=True), b.to_numpy(dtype=object, copy=True)
    x_na, y_na = a.isna().to_numpy(), b.isna().to_numpy()
    x[x_na], y[y_na] = None, None
    try:
        eq = np.asarray(x == y, dtype=bool)
    except (TypeError, ValueError):  # values that do not compare one to one
        eq = np.fromiter((_same(p, q) for p, q in zip(x, y, strict=True)), bool, len(x))
    return (eq & ~x_na & ~y_na) | (x_na & y_na)


def _same(p, q) -> bool:
    if p is None or q is None:
        return p is q
    try:
        return bool(p == q)
    except (TypeError, ValueError):
        return False


def equal_rows(old: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """Row i of ``old`` stored exactly as row i of ``new`` (same layout, same length)."""
    geom = _geom_name(old)
    same = np.ones(len(old), dtype=bool)
    for col in old.columns:
        same &= _equal_values(old[col], new[col], col == geom)
    return same


def _common_prefix(old: pd.DataFrame, new: pd.DataFrame, limit: int) -> int:
    """How many leading rows (at most ``limit``) the two frames share; each further column is
    compared only up to the first difference found so far (geometry first: a move or a deleted
    row shows there)."""
    geom = _geom_name(old)
    prefix = limit
    for col in ([geom] if geom else []) + [c for c in old.columns if c != geom]:
        if prefix == 0:
            break
        same = _equal_values(old[col].iloc[:prefix], new[col].iloc[:prefix], col == geom)
        bad = np.flatnonzero(~same)
        if len(bad):
            prefix = int(bad[0])
    return prefix


def row_changes(old: pd.DataFrame, new: pd.DataFrame, fids: np.ndarray) -> RowChanges | None:
    """The row-level changes turning ``old`` (stored with ``fids``) into ``new``, or None when
    the table is better rewritten whole."""
    fids = np.asarray(fids, dtype=np.int64)
    if len(fids) != len(old) or not same_layout(old, new):
        return None
    n, m = len(old), len(new)
    if n == 0:
        return None
    if n == m:
        changed = np.flatnonzero(~equal_rows(old, new))
        if len(changed) > MAX_SHARE * max(n, 1):
            return None
        return RowChanges(fids[changed], changed, fids[changed], fids)
    prefix = _common_prefix(old, new, min(n, m))
    room = min(n, m) - prefix
    suffix = _common_prefix(old.iloc[n - room:].iloc[::-1], new.iloc[m - room:].iloc[::-1],
                            room) if room else 0
    gone = np.arange(prefix, n - suffix)
    added = np.arange(prefix, m - suffix)
    if len(gone) + len(added) > MAX_SHARE * max(n, m):
        return None
    low = int(fids[prefix - 1]) if prefix else 0
    high = int(fids[n - suffix]) if suffix else None
    if high is not None and len(added) > high - low - 1:
        return None  # no free fids between the neighbours: rewrite
    new_fids = np.arange(low + 1, low + 1 + len(added), dtype=np.int64)
    all_fids = np.concatenate([fids[:prefix], new_fids, fids[n - suffix:]])
    return RowChanges(fids[gone], added, new_fids, all_fids)
