"""The one look of every XLSX workbook ilp-gis writes (plan tables, action plan, Monev, import
report): the header and totals styles, one number format per column kind, which kinds add up
in a totals row, and the print set-up of a sheet — A4 landscape, one page wide, the header row
repeated on every printed page and frozen on screen, gridlines printed, a footer with the sheet
name and "Halaman 1 dari 3" in the workbook's language, a header naming the project.  For
XlsxWriter workbooks.  Imports ilp_gis.i18n, layers.safe_cells and pandas.
"""

from __future__ import annotations

import math

import pandas as pd

from ilp_gis.i18n import format_number, register_catalog, tr
from layers.safe_cells import clean_text

# Number formats by column kind (Excel shows the separators of the reader's locale:
# "1.500.000" in an Indonesian Excel).  "num" is a figure of any size: whole numbers as
# integers, others with up to three decimals (the cell's format is chosen per value).
FORMATS = {
    "int": "#,##0",
    "rank": "#,##0",
    "num": "#,##0",
    "float1": "#,##0.0",
    "float2": "#,##0.00",
    "float3": "0.000",
    "float6": "0.000000",
    "pct": "0.0%",
    "rp": '"Rp" #,##0',
    "year": "0",
}
FRACTION_FORMAT = "#,##0.0##"
"""The format of a "num" cell whose value is not a whole number."""

SUMMED_KINDS = frozenset({"int", "rp"})
"""Kinds a totals row adds up by default: people, counts and money.  Ranks, years, scores,
distances and shares never (a share's total is a weighted ratio, given by the sheet)."""

WIDTHS = {"text": 18, "int": 12, "rank": 10, "num": 14, "float1": 12, "float2": 12,
          "float3": 10, "float6": 12, "pct": 11, "rp": 18, "year": 8, "bool": 10}
HEAD_FILL = "#D6EAF8"
TOTAL_FILL = "#EBF5FB"
HEAD_STYLE = {"bold": True, "bg_color": HEAD_FILL, "pattern": 1, "text_wrap": True,
              "valign": "top", "border": 1}
TOTAL_STYLE = {"bold": True, "bg_color": TOTAL_FILL, "pattern": 1, "top": 1}
A4 = 9
"""XlsxWriter's paper code for A4."""


def head_format(wb):
    """The header cell format of ``wb`` (one per workbook)."""
    return wb.add_format(dict(HEAD_STYLE))


def total_formats(wb) -> dict:
    """The totals-row formats of ``wb``: ``"text"`` for the label, one per number kind."""
    out = {"text": wb.add_format(dict(TOTAL_STYLE))}
    for kind, num in FORMATS.items():
        out[kind] = wb.add_format(dict(TOTAL_STYLE, num_format=num))
    return out


def footer() -> str:
    """The page footer: the sheet name on the left, "Halaman &P dari &N" on the right (the
    XlsxWriter/Excel footer codes; the sheet name's own "&" is Excel's to escape)."""
    return f"&L&A&R{tr('xlsx.print.page')}"


def page_header(title: str) -> str:
    """The page header naming the project (district) on the left of every printed page, its
    "&" doubled (a single "&" starts an Excel header code)."""
    return "&L" + clean_text(title).replace("&", "&&")[:200]


def print_setup(ws, *, header_row: int | None = 0, freeze_cols: int = 0,
                title: str | None = None) -> None:
    """The print set-up of one sheet whose table header is row ``header_row`` (0-based;
    ``None``: a sheet of text lines without a table header): A4 landscape, fitted to one page
    wide (as many pages long as it needs), the header row repeated on every page and frozen on
    screen with the first ``freeze_cols`` columns, gridlines printed, page numbers in the
    footer and, given a ``title``, the project's name in the page header."""
    ws.set_paper(A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, freeze_cols)
    ws.hide_gridlines(0)  # shown on screen and printed: a long table stays readable on paper
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.set_footer(footer())
    if title:
        ws.set_header(page_header(title))


def total_label(n: int) -> str:
    """The label of a totals row under ``n`` rows ("Jumlah (12 baris)")."""
    return tr("xlsx.total_rows", n=format_number(n))


def column_total(values) -> float | None:
    """The total of a column's figures: the sum of the known values (missing is never 0;
    ``None`` when no value is known).  Text cells ("tidak ada data") are not figures."""
    num = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    total = num.sum(min_count=1)
    return None if pd.isna(total) or not math.isfinite(float(total)) else float(total)


def ratio(part: float | None, whole: float | None) -> float | None:
    """A weighted share for a totals row: the total of the part over the total of the whole
    (``None`` when either is unknown or the whole is 0)."""
    if part is None or whole is None or not whole:
        return None
    return part / whole


register_catalog("layers", "xlsx_style")
