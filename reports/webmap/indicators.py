"""The coverage figures the desa can be coloured by: their formulas, labels and formats.

May import ``ilp_gis`` (errors, i18n), pandas/numpy and ``reports.webmap.values``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.indicators import DESA_SHARES, column_share
from reports.webmap.values import format_value

register_catalog("reports", "webmap.indicators")

DEFAULT_COLOUR_BY = "pustu_coverage"


@dataclass(frozen=True)
class ColourField:
    key: str
    label_key: str
    higher_is_better: bool
    kind: str  # "share" | "km" | "min" | "number" | "score"
    compute: Callable[[pd.DataFrame], pd.Series]

    @property
    def label(self) -> str:
        return tr(self.label_key) if self.label_key else self.key

    def format(self, value: float) -> str:
        return format_value(value, self.kind)


def _numeric_column(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[col], errors="coerce").astype("float64")


def _ratio(num: str, den: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: column_share(frame, num, den)


def _column(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: _numeric_column(frame, col)


_COLUMNS = {  # key = the desa column: (higher is better, kind)
    "kader_ok_share": (True, "share"),
    "dist_pustu_km": (False, "km"),
    "dist_puskesmas_km": (False, "km"),
    "travel_pustu_min": (False, "min"),
    "travel_puskesmas_min": (False, "min"),
    "posyandu_deficit": (False, "number"),
    "priority_score": (False, "score"),
}
COLOUR_FIELDS: dict[str, ColourField] = {
    **{key: ColourField(key, f"webmap.colour.{key}", True, "share", _ratio(num, den))
       for key, (num, den) in DESA_SHARES.items()},
    **{key: ColourField(key, f"webmap.colour.{key}", better, kind, _column(key))
       for key, (better, kind) in _COLUMNS.items()},
}


def colour_field(key: str, desa: pd.DataFrame | None = None) -> ColourField:
    """The coverage figure named ``key``: one of :data:`COLOUR_FIELDS` or any numeric column of
    the analysis' desa table (coloured light = low … dark = high)."""
    if key in COLOUR_FIELDS:
        return COLOUR_FIELDS[key]
    if desa is not None and key in desa.columns and key != "geometry":
        values = pd.to_numeric(desa[key], errors="coerce")
        if values.notna().any() or desa[key].isna().all():
            return ColourField(key, "", True, "number", _column(key))
    raise InputError(tr("webmap.unknown_colour_by", field=key,
                        choices=", ".join(COLOUR_FIELDS)))
