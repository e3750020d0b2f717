"""Cell values as the sources write them: text, numbers (comma decimals, thousands dots,
percentages), booleans, dates and Posyandu levels, each distinct value read once, and the
object-array helpers the readers share.  May import ``ilp_gis`` (model, i18n) only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import PosyanduLevel

if TYPE_CHECKING:
    from layers.importing.report import _FileLog


def _text(v: object) -> str | None:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else str(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def _distinct_texts(column: pd.Series) -> tuple[list, np.ndarray]:
    """:func:`_text` of each distinct value of ``column`` and, per row, the position of its
    value in that list (missing values at position 0, as None)."""
    index, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = [None] + [_text(v) for v in (uniques.tolist() if hasattr(uniques, "tolist")
                                         else list(uniques))]
    return texts, np.asarray(index, dtype=np.int64) + 1


def _texts(values) -> list:
    """:func:`_text` for a column: strings stripped, empty → None (fast for text columns)."""
    out = list(values)
    for i, v in enumerate(out):
        if v.__class__ is str:
            if v and not v[0].isspace() and not v[-1].isspace():
                continue
            v = v.strip()
            out[i] = v or None
        else:
            out[i] = _text(v)
    return out


def _cached(fn):
    """Apply a per-value reader once per distinct value (logging stays per row); returns an
    object array."""
    def run(values, log, *args):
        values = _object_array(values)
        try:  # distinct values found in one pass; missing ones (None, NaN) read row by row
            index, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable cells
            return _object_array(by_row(values, np.arange(len(values)), log, args))
        hits = [fn(u, *args) for u in uniques]
        out = np.empty(len(values), dtype=object)
        if hits:
            at = np.maximum(index, 0)
            out[:] = _object_array([h[0] for h in hits])[at]
            bad = np.array([h[1] is not None for h in hits], dtype=bool)
            for i in np.flatnonzero((index >= 0) & bad[at]):
                log.add(i, *hits[index[i]][1])
        na = np.flatnonzero(index < 0)
        if len(na):
            out[na] = _object_array(by_row(values[na], na, log, args))
        return out

    def by_row(values, rows, log, args):
        cache: dict = {}
        out = []
        for i, v in zip(rows.tolist(), values, strict=True):
            try:
                hit = cache.get(v, _MISS) if v.__hash__ is not None else _MISS
            except TypeError:
                hit = _MISS
            if hit is _MISS:
                hit = fn(v, *args)
                try:
                    cache[v] = hit
                except TypeError:
                    pass
            value, problem = hit
            if problem is not None:
                log.add(i, *problem)
            out.append(value)
        return out
    return run


_MISS = object()


def _numbers(values, log: _FileLog, label: str, *, percent: bool = False) -> np.ndarray:
    """Numbers from a raw column; bad values stay missing and are reported (fixed)."""
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype) and \
            not pd.api.types.is_bool_dtype(values.dtype):  # a numeric GIS field: no text
        raw = values.reset_index(drop=True)
        out = np.array(raw.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        todo = np.empty(0, dtype=np.int64)
    else:
        raw = pd.Series(values if not isinstance(values, pd.Series) else values.tolist(),
                        dtype=object).reset_index(drop=True)
        out = _plain_numbers(raw)
        if out is None:  # some cell is not a plain number (or not text): the general reader
            out = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
        present = raw.notna().to_numpy()
        todo = np.flatnonzero(np.isnan(out) & present)
    for i in todo:
        v = raw.iat[i]
        text = str(v).strip().replace(" ", "")
        if not text or text in ("-", "–"):
            continue
        try:
            if text.count(",") == 1 and "." not in text:
                out[i] = float(text.replace(",", "."))
            elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.234.567 thousands
                out[i] = float(text.replace(".", ""))
            else:
                raise ValueError
        except ValueError:
            log.add(i, "fixed", "bad_number",
                    tr("import.problem.bad_number", value=str(v), column=label), v)
    neg = np.flatnonzero(out < 0)
    for i in neg:
        log.add(i, "fixed", "negative_number",
                tr("import.problem.negative_number", value=_show(out[i]), column=label),
                raw.iat[i])
        out[i] = np.nan
    if percent:
        valid = out[np.isfinite(out)]
        says_percent = bool(re.search(r"persen|pct|percent|%", label.lower()))
        if len(valid) and (says_percent or valid.max() > 1):
            log.add_file("fixed", "percent_scaled",
                         tr("import.problem.percent_column", column=label))
            for i in np.flatnonzero(out > 100):
                log.add(i, "fixed", "bad_number",
                        tr("import.problem.bad_share", value=_show(out[i]), column=label),
                        raw.iat[i])
                out[i] = np.nan
            out = out / 100.0
    return out


def _plain_numbers(raw: pd.Series) -> np.ndarray | None:
    """A text column whose every cell is a plain number (or empty) read in one vectorised
    pass; ``None`` when any cell is something else."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(raw.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        out = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return np.array(out, dtype=float)


def _show(x: float) -> str:
    return f"{x:g}"


_TRUE = {"ya", "y", "yes", "true", "1", "benar", "v", "x", "iya", "ada", "t", "sudah"}
_FALSE = {"tidak", "tdk", "no", "n", "false", "0", "bukan", "belum", "f", "tak"}


def _boolean(v, label):
    t = _text(v)
    if t is None:
        return None, None
    k = t.lower().rstrip(".")
    if k in _TRUE:
        return True, None
    if k in _FALSE:
        return False, None
    return None, ("fixed", "bad_boolean", tr("import.problem.bad_boolean", value=t, column=label),
                  t)


def _date(v, label):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None, None
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    t = str(v).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(t[:10], fmt).date(), None
        except ValueError:
            continue
    return None, ("fixed", "bad_date", tr("import.problem.bad_date", value=t, column=label), t)


_LEVELS = {"pratama": PosyanduLevel.PRATAMA, "madya": PosyanduLevel.MADYA,
           "purnama": PosyanduLevel.PURNAMA, "mandiri": PosyanduLevel.MANDIRI,
           "1": PosyanduLevel.PRATAMA, "2": PosyanduLevel.MADYA, "3": PosyanduLevel.PURNAMA,
           "4": PosyanduLevel.MANDIRI, "i": PosyanduLevel.PRATAMA, "ii": PosyanduLevel.MADYA,
           "iii": PosyanduLevel.PURNAMA, "iv": PosyanduLevel.MANDIRI}


def _level(v):
    t = _text(v)
    if t is None:
        return None, None
    k = re.sub(r"^(posyandu|strata|tingkat)\s+", "", t.lower().strip())
    k = k.split()[0] if k.split() else k
    lvl = _LEVELS.get(k)
    if lvl is None:
        return None, ("fixed", "bad_level", tr("import.problem.bad_level", value=t), t)
    return lvl.value, None


_booleans = _cached(_boolean)
_dates = _cached(_date)
_levels = _cached(_level)


def _objects(values, index=None):
    """Text columns as object Series (the layers' dtype): pandas would otherwise infer its
    string dtype, which every later row access and the final conform convert back."""
    if isinstance(values, list) or (isinstance(values, np.ndarray) and values.dtype == object):
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return pd.Series(arr, index=index, dtype=object)
    return values


def _object_array(values) -> np.ndarray:
    """A 1-D object array of ``values`` (tuples stay elements)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _obj(frame, col: str, rows: np.ndarray | None = None) -> np.ndarray:
    """A column (of ``rows`` only, when given) as a numpy object array with None for missing
    (fast per-row access)."""
    if col not in frame.columns:
        return np.full(len(frame) if rows is None else len(rows), None, dtype=object)
    arr = frame[col].to_numpy(dtype=object)
    if rows is not None:
        arr = arr[rows]
    return np.where(pd.isna(arr), None, arr)


register_catalog("layers", "importing.cells")
