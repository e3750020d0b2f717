"""The coverage figures the desa can be coloured by: their formulas, labels and formats.

May import ``ilp_gis`` (errors, i18n), pandas/numpy and ``reports.webmap.values``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.indicators import DESA_SHARES, column_share
from reports.webmap.values import format_value

register_catalog("reports", "webmap.indicators")

AUTO = "auto"
DEFAULT_COLOUR_BY = AUTO
"""The desa are coloured by the first of :data:`AUTO_ORDER` that tells the desa apart."""
AUTO_ORDER = ("pustu_coverage", "priority_score", "dist_pustu_km", "puskesmas_coverage",
              "travel_puskesmas_min", "dist_puskesmas_km", "population")
"""The figures ``auto`` tries, in order: the ILP target first, then what ranks the desa."""
AUTO_MAX_SHARE = 0.8
"""``auto`` passes over a figure whose largest class holds more than this share of the desa
with data (e.g. "100%" almost everywhere: a map of one colour says nothing)."""
AUTO_MIN_DATA = 0.5
"""... or that is known for fewer than this share of the desa."""


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
    "population": (True, "number"),
}
COLOUR_FIELDS: dict[str, ColourField] = {
    **{key: ColourField(key, f"webmap.colour.{key}", True, "share", _ratio(num, den))
       for key, (num, den) in DESA_SHARES.items()},
    **{key: ColourField(key, f"webmap.colour.{key}", better, kind, _column(key))
       for key, (better, kind) in _COLUMNS.items()},
}


class UnknownColourBy(InputError):
    """``--colour-by`` names no figure: a usage error (the CLI exits 2)."""


def _norm(text: str) -> str:
    """Text as compared with the names of the figures: case, spaces, ``_`` and ``-`` ignored."""
    return " ".join(str(text).replace("_", " ").replace("-", " ").casefold().split())


def colour_names() -> dict[str, str]:
    """Every name a figure is known by (normalised) -> its key: the key, its label and its
    short name in both languages, and ``auto``."""
    names = {_norm(AUTO): AUTO, _norm(tr("webmap.colour.auto", lang="id")): AUTO,
             _norm(tr("webmap.colour.auto", lang="en")): AUTO}
    for key, field in COLOUR_FIELDS.items():
        names[_norm(key)] = key
        for lang in ("id", "en"):
            names.setdefault(_norm(tr(field.label_key, lang=lang)), key)
            names.setdefault(_norm(tr(f"webmap.colour_short.{key}", lang=lang)), key)
    return names


def colour_choices() -> str:
    """The figures as the planner names them (the short name in the UI language, the key)."""
    rows = [f"{tr('webmap.colour.auto')} ({AUTO})"]
    rows += [f"{tr(f'webmap.colour_short.{key}')} ({key})" for key in COLOUR_FIELDS]
    return ", ".join(rows)


def resolve_colour_by(text: str | None, columns=()) -> str:
    """The key of the figure ``text`` names: a key, a label or a short name of
    :data:`COLOUR_FIELDS` in either language (case and spaces ignored), ``auto``, or one of
    ``columns`` (the desa result's own column names).  :class:`UnknownColourBy` lists the
    choices otherwise."""
    if text is None or not str(text).strip():
        return DEFAULT_COLOUR_BY
    raw = str(text).strip()
    if raw in columns and raw not in COLOUR_FIELDS:
        return raw
    # a choice copied whole from the list of choices: "penduduk (population)"
    copied = re.fullmatch(r".*\((\w+)\)", raw)
    if copied and _norm(copied.group(1)) in colour_names():
        return colour_names()[_norm(copied.group(1))]
    key = colour_names().get(_norm(raw))
    if key is not None:
        return key
    by_norm = {_norm(c): c for c in columns if c != "geometry"}
    if _norm(raw) in by_norm:
        return by_norm[_norm(raw)]
    raise UnknownColourBy(tr("webmap.unknown_colour_by", field=raw, choices=colour_choices()))


def colour_field(key: str, desa: pd.DataFrame | None = None) -> ColourField:
    """The coverage figure named ``key`` (see :func:`resolve_colour_by`): one of
    :data:`COLOUR_FIELDS` or any numeric column
    of the analysis' desa table (coloured light = low … dark = high)."""
    columns = list(desa.columns) if desa is not None else []
    key = resolve_colour_by(key, columns)
    if key == AUTO:  # the export picks with ``classify.auto_colour_key``
        key = AUTO_ORDER[0]
    if key in COLOUR_FIELDS:
        return COLOUR_FIELDS[key]
    values = pd.to_numeric(desa[key], errors="coerce")
    if values.notna().any() or desa[key].isna().all():
        return ColourField(key, "", True, "number", _column(key))
    raise UnknownColourBy(tr("webmap.unknown_colour_by", field=key, choices=colour_choices()))
