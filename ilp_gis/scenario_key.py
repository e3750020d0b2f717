"""The data key of a scenario comparison: a fingerprint of what a comparison with the baseline
depends on (facilities, desa, roads, settlements, rules), stored with each comparison so that
one made on other data says so; and the value helpers the scenario tables use.  Imports numpy,
pandas, shapely and ``ilp_gis.model``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ilp_gis.model import WGS84


def _f(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or (
        isinstance(v, str) and not v.strip())



_KEY_COLUMNS = {
    "facilities": ("fac_id", "type", "precursor", "desa_code", "location_quality", "nakes",
                   "nurses", "midwives", "kader"),
    "desa": ("code", "population", "dusun_count"),
    "roads": ("road_class",),
    "settlements": ("population",),
}


KEY_LAYERS = tuple(_KEY_COLUMNS)
"""The layers :func:`baseline_key` reads."""


def baseline_key(project) -> str:
    """A fingerprint of what a comparison with the baseline depends on: the facilities (kind,
    place, staff, kader), the desa (population, dusun), the roads, the settlements and the
    rules.  A comparison stored with another key was made on other data."""
    import hashlib

    import shapely

    h = hashlib.sha256()
    for name, cols in _KEY_COLUMNS.items():
        frame = project.layers.get(name)
        if frame is None or not len(frame):
            h.update(f"{name}:none;".encode())
            continue
        part = pd.DataFrame({c: _key_text(frame[c]) for c in cols if c in frame.columns})
        if "geometry" in frame and frame.crs is not None:
            g = frame.geometry.to_crs(WGS84)
            if name in ("desa", "roads"):  # outlines and lines: a point of each suffices
                g = g.representative_point()
            xy = shapely.get_coordinates(g.values)
            if len(xy) == len(frame):
                part["_x"] = np.round(xy[:, 0], 6).astype(str)
                part["_y"] = np.round(xy[:, 1], 6).astype(str)
        h.update(f"{name}:{len(frame)};".encode())
        h.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
    for r in project.rules.all():
        h.update(f"{r.name}={_f(r.value)};".encode())
    return h.hexdigest()[:16]


def _key_one(v: Any) -> str:
    """One value as :func:`_key_text` writes it."""
    if _missing(v):
        return ""
    t = str(v).strip()
    t = {"true": "1", "false": "0"}.get(t.lower(), t)
    f = _f(t)
    return repr(round(f, 6)) if np.isfinite(f) else t


def _float_key(f: float) -> str:
    """:func:`_key_one` of a float (its text reads back as the same float)."""
    if f != f:
        return ""
    return repr(round(f, 6)) if math.isfinite(f) else str(f)


_EXACT_TYPES = (str, int, bool, type(None))
"""Types whose equal values always read the same (:func:`_key_one` once per distinct value)."""


def _key_text(series: pd.Series) -> pd.Series:
    """A column as text that reads the same after a round trip through the project file:
    numbers (yes/no as 1/0) rounded, missing as empty (:func:`_key_one` of each value).

    Each distinct value is written once (a national facility list repeats a few types and
    desa codes over hundreds of thousands of rows): values are grouped by their Python type
    first, so that values equal across types yet written apart (``True`` and ``1``) stay
    apart, and floats by their bits (``0.0`` and ``-0.0``)."""
    values = series.astype(object).to_numpy()
    out = np.empty(len(values), dtype=object)
    if len(values):
        t_codes, types = pd.factorize(pd.Series(list(map(type, values)), dtype=object))
        for i, kind in enumerate(types):
            at = np.flatnonzero(t_codes == i) if len(types) > 1 else slice(None)
            part = values[at]
            if kind is float or kind is np.float64:
                codes, bits = pd.factorize(np.asarray(part, dtype=np.float64).view(np.int64))
                texts = [_float_key(f) for f in bits.view(np.float64).tolist()]
            elif kind in _EXACT_TYPES:
                codes, uniques = pd.factorize(part, use_na_sentinel=False)
                texts = [_key_one(u) for u in uniques]
            else:  # anything else, value by value
                out[at] = [_key_one(v) for v in part]
                continue
            out[at] = np.asarray(texts, dtype=object)[codes]
    return pd.Series(out, index=series.index, dtype=object)
