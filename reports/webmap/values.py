"""Table values as the web map's popup text: missing-aware text, counts, yes/no and figures.

May import ``ilp_gis`` (i18n) and pandas; nothing else of the web map package.
"""

from __future__ import annotations

import math
from typing import Any

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
