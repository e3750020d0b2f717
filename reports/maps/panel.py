"""The text blocks of a map sheet's side panel: key figures (label and value per line) and a
small table (the desa of an atlas page's kecamatan).  Drawing only: the texts come from the
report.  Imports reports.styles and the map labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors

from reports.maps.labels import split_lines
from reports.styles import FONT, FONT_BOLD, INK, MUTED

RULE = colors.HexColor("#aab7b8")
SHADE = colors.HexColor("#eef2f3")


@dataclass
class PanelTable:
    """A small table: a title, column headers, rows of cell texts (first column text, the
    others numbers, right-aligned), an optional totals row and a note under it."""

    title: str
    header: list[str]
    rows: list[list[str]]
    totals: list[str] | None = None
    note: str | None = None
    widths: list[float] = field(default_factory=list)  # shares of the width, first column text


def draw_figures(canv, x: float, top: float, width: float, title: str,
                 lines: list[tuple[str, str]], size: float) -> float:
    """A heading and one line per figure (label left, value right, a label that does not fit
    wraps above its value); returns the height used."""
    y = top
    canv.saveState()
    canv.setFont(FONT_BOLD, size * 1.15)
    canv.setFillColor(INK)
    y -= size * 1.4
    canv.drawString(x, y, title)
    y -= size * 0.5
    for label, value in lines:
        vw = canv.stringWidth(value, FONT_BOLD, size)
        parts = split_lines(canv, width - vw - size, label, FONT, size)
        for part in parts:
            y -= size * 1.3
            canv.setFont(FONT, size)
            canv.setFillColor(INK)
            canv.drawString(x, y, part)
        canv.setFont(FONT_BOLD, size)
        canv.setFillColor(INK)
        canv.drawRightString(x + width, y, value)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.25)
        canv.line(x, y - size * 0.35, x + width, y - size * 0.35)
    canv.restoreState()
    return top - y + size * 0.4


def figures_height(canv, width: float, lines: list[tuple[str, str]], size: float) -> float:
    """The height :func:`draw_figures` uses for ``lines``."""
    n = 0
    for label, value in lines:
        vw = canv.stringWidth(value, FONT_BOLD, size)
        n += len(split_lines(canv, width - vw - size, label, FONT, size)) or 1
    return size * 1.9 + n * size * 1.3 + size * 0.4


def table_height(table: PanelTable, size: float, rows: int | None = None) -> float:
    """Height of ``table`` with its first ``rows`` rows (all when None)."""
    n = len(table.rows) if rows is None else rows
    extra = (1 if table.totals else 0) + (1 if table.note else 0)
    return size * 1.4 + size * 1.6 + (n + extra) * size * 1.3 + size * 0.6


def rows_that_fit(table: PanelTable, size: float, height: float) -> int:
    """How many rows of ``table`` fit in ``height`` (the totals row and note always shown)."""
    n = len(table.rows)
    while n > 0 and table_height(table, size, n) > height:
        n -= 1
    return n


def draw_table(canv, x: float, top: float, width: float, table: PanelTable, size: float,
               rows: int | None = None) -> float:
    """Draw ``table`` (its first ``rows`` rows) downwards from ``top``; returns the height
    used.  Long first-column texts are cut with an ellipsis to keep one line per row."""
    n = len(table.rows) if rows is None else rows
    shares = table.widths or [0.4] + [0.6 / max(len(table.header) - 1, 1)] * (
        len(table.header) - 1)
    cols = [width * s for s in shares]
    edges = [x]
    for c in cols:
        edges.append(edges[-1] + c)
    y = top
    canv.saveState()
    canv.setFont(FONT_BOLD, size * 1.15)
    canv.setFillColor(INK)
    y -= size * 1.4
    canv.drawString(x, y, table.title)
    # header
    y -= size * 1.6
    canv.setFillColor(SHADE)
    canv.rect(x, y - size * 0.4, width, size * 1.5, stroke=0, fill=1)
    canv.setFillColor(INK)
    canv.setFont(FONT_BOLD, size * 0.92)
    for i, text in enumerate(table.header):
        _cell(canv, edges[i], edges[i + 1], y, text, FONT_BOLD, size * 0.92, i == 0)
    body = table.rows[:n] + ([table.totals] if table.totals else [])
    for r, row in enumerate(body):
        y -= size * 1.3
        bold = table.totals is not None and r == len(body) - 1
        font = FONT_BOLD if bold else FONT
        if bold:
            canv.setStrokeColor(INK)
            canv.setLineWidth(0.4)
            canv.line(x, y + size * 1.0, x + width, y + size * 1.0)
        canv.setFillColor(INK)
        for i, text in enumerate(row):
            _cell(canv, edges[i], edges[i + 1], y, text, font, size, i == 0)
    if table.note:
        y -= size * 1.3
        canv.setFont(FONT, size * 0.9)
        canv.setFillColor(MUTED)
        canv.drawString(x, y, _fit(canv, table.note, FONT, size * 0.9, width))
    canv.restoreState()
    return top - y + size * 0.6


def _cell(canv, x0: float, x1: float, y: float, text: str, font: str, size: float,
          left: bool) -> None:
    canv.setFont(font, size)
    pad = size * 0.25
    text = _fit(canv, str(text), font, size, x1 - x0 - 2 * pad)
    if left:
        canv.drawString(x0 + pad, y, text)
    else:
        canv.drawRightString(x1 - pad, y, text)


def _fit(canv, text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to ``width``."""
    if canv.stringWidth(text, font, size) <= width:
        return text
    while text and canv.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
