"""Coverage figures as shares: the one rule for a share (missing, non-finite or non-positive
whole gives NaN, never 0) and the population shares of a desa table.  The dashboard, the PDF,
the XLSX tables and the web map all compute their shares here.

May import numpy and pandas only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# figure -> (numerator column, denominator column) of an analysed desa table
DESA_SHARES: dict[str, tuple[str, str]] = {
    "pustu_coverage": ("pop_within_pustu_km", "population"),
    "puskesmas_coverage": ("pop_within_puskesmas_km", "population"),
    "pustu_travel_coverage": ("pop_within_pustu_min", "population"),
    "puskesmas_travel_coverage": ("pop_within_puskesmas_min", "population"),
    "posyandu_coverage": ("n_posyandu", "posyandu_needed"),
}


def _floats(values) -> np.ndarray:
    if not isinstance(values, pd.Series):
        values = pd.Series(list(np.atleast_1d(np.asarray(values, dtype=object))), dtype=object)
    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype="float64")


def shares(part, whole):
    """``part / whole`` element by element; NaN where either is missing or not a finite number,
    or the whole is not positive.  A Series in gives a Series (the index of ``part``, else of
    ``whole``); anything else gives a float array."""
    p, w = _floats(part), _floats(whole)
    ok = np.isfinite(p) & np.isfinite(w) & (w > 0)
    out = np.full(np.broadcast_shapes(p.shape, w.shape), np.nan)
    np.divide(p, w, out=out, where=ok)
    for values in (part, whole):
        if isinstance(values, pd.Series):
            return pd.Series(out, index=values.index, dtype="float64")
    return out


def share(part, whole) -> float:
    """One share by the same rule as :func:`shares`."""
    return float(shares([part], [whole])[0])


def pustu_base(frame: pd.DataFrame) -> pd.Series:
    """The desa total behind "desa dengan Pustu" of a kecamatan or district roll-up: the desa
    that need a Pustu (``desa_pustu_required``; a desa whose Puskesmas serves it needs none),
    else — a roll-up stored before that column — every desa (``desa_total``)."""
    col = "desa_pustu_required" if "desa_pustu_required" in frame.columns else "desa_total"
    return frame[col]


def pustu_share(frame: pd.DataFrame) -> pd.Series:
    """Per row: desa that need a Pustu and have one, over the desa that need one."""
    return shares(frame["desa_with_pustu"], pustu_base(frame))


def column_share(frame: pd.DataFrame, part: str, whole: str) -> pd.Series:
    """The share of two columns of ``frame``; a column the frame lacks counts as missing."""
    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name]
        return pd.Series(np.nan, index=frame.index, dtype="float64")

    return shares(column(part), column(whole))
