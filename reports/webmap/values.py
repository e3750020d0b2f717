"""Table values as the web map's popup text: missing-aware text, counts, yes/no and figures.

May import ``ilp_gis`` (i18n), numpy and pandas; nothing else of the web map package.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ilp_gis.i18n import format_number, format_percent, register_catalog, tr

register_catalog("reports", "webmap.values")


def format_value(value: Any, kind: str) -> str:
    """``value`` as a figure of ``kind`` ("share" | "km" | "min" | "score" | "number")."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return tr("common.missing")
    if not math.isfinite(v):
        return tr("common.missing")
    if kind == "share":
        return format_percent(v, 0 if abs(v) >= 0.995 or v == 0 else 1)
    if kind == "km":
        return format_number(v, 1) + " km"
    if kind == "min":
        return format_number(v, 0) + " " + tr("webmap.unit.min")
    if kind == "score":
        return format_number(v, 2)
    return plain_number(v)


def plain_number(v: float) -> str:
    """A whole number without decimals, any other with one."""
    return format_number(v, 0 if float(v).is_integer() else 1)


def clean_text(value: Any) -> str | None:
    """``value`` as stripped text, or None when it is missing or blank."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    s = str(value).strip()
    return s or None


def count_text(value: Any) -> str | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return plain_number(v) if math.isfinite(v) else None


def yes_no(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return tr("webmap.yes") if bool(value) else tr("webmap.no")


def is_finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def number_or_zero(v: Any) -> float:
    return float(v) if is_finite(v) else 0.0


def number_or_inf(v: Any) -> float:
    return float(v) if is_finite(v) else math.inf


# ---- the same texts a column at a time (a national page: ~300,000 rows per layer) ----

_ID_MARKS = str.maketrans({",": ".", ".": ","})


def objects(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` of ``frame`` as Python objects (what ``tolist()`` gives: missing as
    the column's own missing value), all None where the frame has no such column."""
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    return frame[name].to_numpy(dtype=object)


def objects_of(values) -> np.ndarray:
    """A list as a 1-d object array (its items may be lists themselves)."""
    return np.fromiter(values, dtype=object, count=len(values))


def names_by(frame: pd.DataFrame, key: str, value: str) -> dict:
    """``dict(zip(frame[key].astype(str), frame[value]))`` without stepping through Arrow
    columns a value at a time (a national facility table: ~335,000 rows)."""
    return dict(zip(frame[key].astype(str).to_numpy(dtype=object),
                    frame[value].to_numpy(dtype=object), strict=False))


def clean_texts(values) -> list:
    """:func:`clean_text` of each value (texts, the usual case, without the general checks)."""
    return [(v.strip() or None) if type(v) is str else clean_text(v) for v in values]


def memo_texts(func, values) -> list:
    """``func(v)`` of each value, worked out once per distinct number or text (counts and codes
    repeat: a national Posyandu layer holds a few dozen distinct staff counts)."""
    cache: dict = {}
    out = []
    for v in values:
        if type(v) in (int, float, str) and v == v:  # hashable and equal to itself (not NaN)
            t = cache.get(v, cache)
            if t is cache:
                t = cache[v] = func(v)
            out.append(t)
        else:
            out.append(func(v))
    return out


def count_texts(values) -> list:
    """:func:`count_text` of each value."""
    return memo_texts(count_text, values)


def looked_up(keys, names: dict) -> list:
    """``clean_text(names.get(str(k)))`` of each key."""
    return memo_texts(lambda k: clean_text(names.get(str(k))), keys)


def number_texts(values: np.ndarray, decimals: int) -> list[str]:
    """``format_number(v, decimals)`` of each finite float of ``values`` (one language look-up,
    one format per value; Indonesian marks swapped as ``format_number`` swaps them)."""
    from ilp_gis.i18n import get_language

    spec = f",.{decimals}f"
    texts = [format(v, spec) for v in np.asarray(values, dtype=float).tolist()]
    if get_language() == "id":
        texts = [t.translate(_ID_MARKS) for t in texts]
    return texts


def value_texts(values, kind: str) -> list:
    """``format_value(v, kind)`` of each finite value and None where it is not (``kind``: "km"
    or "min", as the network links show them)."""
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(v)
    out = np.full(len(v), None, dtype=object)
    if ok.any():
        if kind == "km":
            texts = [t + " km" for t in number_texts(v[ok], 1)]
        elif kind == "min":
            unit = " " + tr("webmap.unit.min")
            texts = [t + unit for t in number_texts(v[ok], 0)]
        else:
            raise ValueError(kind)
        out[ok] = texts
    return out.tolist()
