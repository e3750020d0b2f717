"""Text of table cells and figures: numbers, years, shares, gap and enum labels, wrapping cells.
Imports ilp_gis.i18n and reports.styles only.
"""

from __future__ import annotations

import math

import pandas as pd
from reportlab.platypus import Paragraph

from ilp_gis.i18n import format_number, has, register_catalog, tr
from reports.styles import FONT, esc
from reports.tables import enum_label

# the labels of network problem kinds live with the network checks; a report built from a
# stored analysis never imports that module, so the catalogue is named here as well
register_catalog("ilp_gis", "network")


def num_text(v, decimals: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "–"
    try:
        return format_number(float(v), decimals)
    except (TypeError, ValueError):
        return str(v)


def year_text(v) -> str:
    """A year without a thousands separator (2027, never 2.027)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "–" if v is None else str(v)
    return "–" if math.isnan(f) else str(int(f))


def gap_label(kind) -> str:
    return tr(f"gap.{kind}") if isinstance(kind, str) else "–"


def table_cell(text, style):
    """A table cell: short text as a plain string (fast), longer text as a wrapping Paragraph."""
    text = "" if text is None else str(text)
    if len(text) <= 16 and style.fontName == FONT and style.alignment == 0:
        return text
    return Paragraph(esc(text), style)


def enum_text(enum_cls, value) -> str:
    """The label of an enum value for a table cell ("–" when missing)."""
    text = enum_label(enum_cls, value)
    return "–" if text is None else text


def problem_label(kind) -> str:
    key = f"network.kind.{kind}"
    return tr(key) if has(key) else str(kind).replace("_", " ")
