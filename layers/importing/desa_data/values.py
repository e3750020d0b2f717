"""Figures of a per-desa table read cell by cell: counts (whole numbers, never negative, a
blank, "-", "2 buah" or "dua" left missing with a report line — a count is 0 only when the
cell says 0), figures summed from several columns (PODES families) and the typed columns of the
desa layer.  May import ``ilp_gis`` (i18n) and ``..cells``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from layers.importing.cells import _numbers, _plain_numbers, _show

COUNT_FIELDS = ("families", "dusun_count", "rw_count", "rt_count", "area_heads",
                "count_pustu", "count_poskesdes", "count_polindes", "count_posyandu",
                "posyandu_pratama_n", "posyandu_madya_n", "posyandu_purnama_n",
                "posyandu_mandiri_n", "gizi_buruk", "aki", "akb")
"""Fields read as counts (:func:`counts`)."""

PEOPLE_FIELDS = ("population", "pop_male", "pop_female", "pop_ibu_hamil", "pop_bayi",
                 "pop_balita", "pop_anak_sekolah", "pop_remaja", "pop_usia_produktif",
                 "pop_lansia")
"""Fields read as numbers of people (thousands dots and comma decimals understood)."""

SHARE_FIELDS = ("stunting",)
"""Fields read as shares 0..1 (a column of percentages is scaled)."""


def counts(values, log, label: str) -> np.ndarray:
    """Whole non-negative numbers from a raw column; everything else stays NaN with a line on
    its row (status ``fixed``: the row is joined, the figure is missing)."""
    raw = pd.Series(list(values), dtype=object).reset_index(drop=True)
    out = _plain_numbers(raw)
    if out is None:
        out = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
    bad = ~np.isfinite(out)
    for i in np.flatnonzero(bad):
        v = raw.iat[i]
        text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        if not text:
            log.add(i, "fixed", "count_blank", tr("desa_data.count.blank", column=label))
        elif text in ("-", "–", "—"):
            log.add(i, "fixed", "count_dash", tr("desa_data.count.dash", column=label), text)
        else:
            log.add(i, "fixed", "count_text",
                    tr("desa_data.count.text", value=text, column=label), text)
    neg = np.flatnonzero(np.isfinite(out) & (out < 0))
    for i in neg:
        log.add(i, "fixed", "count_negative",
                tr("desa_data.count.negative", value=_show(out[i]), column=label), raw.iat[i])
    frac = np.flatnonzero(np.isfinite(out) & (out >= 0) & (out != np.round(out)))
    for i in frac:
        log.add(i, "fixed", "count_fraction",
                tr("desa_data.count.fraction", value=_show(out[i]), column=label), raw.iat[i])
    out[neg] = np.nan
    out[frac] = np.nan
    return out


def summed(parts: list[np.ndarray]) -> np.ndarray:
    """The sum of several count columns; missing when any part is missing (never a part
    taken for 0)."""
    total = np.zeros(len(parts[0]))
    for p in parts:
        total = total + p  # NaN stays NaN
    return total


def read_field(field: str, values, log, label: str) -> np.ndarray:
    """The figures of one model field from its raw column."""
    if field in COUNT_FIELDS:
        return counts(values, log, label)
    if field in SHARE_FIELDS:
        return _numbers(pd.Series(list(values), dtype=object), log, label, percent=True)
    return _numbers(pd.Series(list(values), dtype=object), log, label)


register_catalog("layers", "importing.desa_data.values")
