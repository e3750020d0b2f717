"""The streaming XLSX sheet writer behind ``reports.xlsx_tables``: XlsxWriter in constant-memory
mode, each sheet written row by row (a national workbook never sits in memory), with a styled
frozen header, an auto-filter, column widths and one number format per column kind.

Each column is turned into Python values once, vectorised (missing values are skipped, so they
stay empty cells, never 0); the cells that need care (text a spreadsheet could read as a formula,
control characters, over-long text, text in a number column) are the only ones looked at one by
one, through the one cell guard ``layers.safe_cells``.  Imports xlsxwriter, numpy, pandas and
layers.safe_cells.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from layers.safe_cells import XLSX_MAX_TEXT, clean_text, looks_like_formula, xlsx_text_mask

# Number formats (Excel shows the separators of the reader's locale).
FORMATS = {
    "int": "#,##0",
    "float1": "#,##0.0",
    "float2": "#,##0.00",
    "float3": "0.000",
    "float6": "0.000000",
    "pct": "0.0%",
    "rp": '"Rp" #,##0',
    "year": "0",
}
WIDTHS = {"text": 18, "int": 12, "float1": 12, "float2": 12, "float3": 10, "float6": 12,
          "pct": 11, "rp": 18, "year": 8, "bool": 10}
HEAD_FILL = "#D6EAF8"

# (column, header text, kind) — kind: text, int, float1, float2, float3, float6, pct, rp, year,
# bool
Column = tuple[str, str, str]


class StreamingBook:
    """One XLSX file being written sheet after sheet; ``close()`` finishes it.

    ``yes``/``no`` are the words written for the ``bool`` kind.  ``fast`` writes the rows'
    XML straight into XlsxWriter's constant-memory row stream (:func:`_rows_xml`, the same
    bytes XlsxWriter writes, ~0.5 µs a cell instead of ~5); ``fast=False`` is its plain twin.
    """

    def __init__(self, path: str | Path, *, yes: str, no: str, fast: bool = True) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True,
            # every cell goes through write_number/write_string; these keep write() honest too
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        self.yes, self.no = yes, no
        self.fast = fast  # False: every cell through XlsxWriter's public API (the plain twin)
        self.head = self.wb.add_format({"bold": True, "bg_color": HEAD_FILL, "pattern": 1,
                                        "text_wrap": True, "valign": "top"})
        self.quoted = self.wb.add_format({"quote_prefix": True})
        self.number = {kind: self.wb.add_format({"num_format": f}) for kind, f in FORMATS.items()}
        _number_styles([self.head, self.quoted, *self.number.values()])

    def close(self) -> None:
        self.wb.close()

    def sheet(self, title: str, columns: list[Column], frame: pd.DataFrame | None) -> int:
        """Write one sheet: ``columns`` of ``frame`` under their header texts.  Returns the
        number of data rows written."""
        ws = self.wb.add_worksheet(title[:31])
        frame = frame if frame is not None else pd.DataFrame()
        n = len(frame)
        for i, (col, head, kind) in enumerate(columns):
            ws.set_column(i, i, _width(head, kind, frame[col] if col in frame else None))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(n, 0), len(columns) - 1)
        for i, (_col, head, _kind) in enumerate(columns):
            ws.write_string(0, i, clean_text(str(head)), self.head)
        if not n:
            return 0
        values, methods, formats = [], [], []
        care: dict[int, list] = {}  # row -> [(column, method, value, format)]
        for c, (col, _head, kind) in enumerate(columns):
            vals, special = self._column(frame[col] if col in frame else None, kind, n, ws)
            values.append(vals)
            methods.append(ws.write_number if kind in FORMATS else ws.write_string)
            formats.append(self.number.get(kind))
            for r, cell in special:
                care.setdefault(r, []).append((c, *cell))
        fast = self.fast and _row_stream_open(ws)
        (_rows_xml if fast else _rows_public)(ws, values, methods, formats, care)
        return n

    def _column(self, series: pd.Series | None, kind: str, n: int, ws):
        """``(values, special)``: one value per row (None = empty cell) and the cells written
        apart as ``(row, (method, value, format))``."""
        if series is None:
            return [None] * n, []
        missing = pd.isna(series).to_numpy(dtype=bool)
        if kind == "bool":
            flags = series.to_numpy(dtype=object)
            return [None if m else (self.yes if bool(v) else self.no)
                    for v, m in zip(flags, missing, strict=True)], []
        if kind in FORMATS:
            return self._numbers(series, missing, kind, ws)
        return self._texts(series, missing, ws)

    def _numbers(self, series, missing, kind, ws):
        num = pd.to_numeric(series, errors="coerce")
        arr = np.asarray(num, dtype="float64")
        finite = np.isfinite(arr)
        out = arr.astype(object)
        out[~finite] = None
        special = []
        for r in np.flatnonzero(~finite & ~missing):  # text in a number column stays text
            raw = series.iloc[r]
            try:
                float(raw)  # "nan", "inf": a number that is no figure → empty
            except (TypeError, ValueError):
                special.append((int(r), self._text_cell(str(raw), ws)))
        return out.tolist(), special

    def _texts(self, series, missing, ws):
        arr = series.to_numpy(dtype=object)
        out = arr.copy()
        out[missing] = None
        plain = ~missing
        if plain.any():
            not_str = np.fromiter((not isinstance(v, str) for v in arr), dtype=bool,
                                  count=len(arr)) & plain
            if not_str.any():
                out[not_str] = [str(v) for v in arr[not_str]]
        text = pd.Series(out, dtype=object)
        care = xlsx_text_mask(out) | (text.str.len().fillna(0).to_numpy() > XLSX_MAX_TEXT)
        special = []
        for r in np.flatnonzero(care):
            special.append((int(r), self._text_cell(out[r], ws)))
            out[r] = None
        return out.tolist(), special

    def _text_cell(self, text: str, ws):
        """A text cell that must stay text: cleaned of control characters, cut to what a cell
        holds, quote-prefixed when a spreadsheet would read it as a formula."""
        text = clean_text(text)[:XLSX_MAX_TEXT]
        return ws.write_string, text, self.quoted if looks_like_formula(text) else None


def _width(head: str, kind: str, series: pd.Series | None) -> float:
    """A column's width from its header and, for text, the first rows' text."""
    width = max(WIDTHS[kind], min(len(head) + 2, 28))
    if kind == "text" and series is not None and len(series):
        sample = series.head(200).dropna().astype(str)
        if len(sample):
            width = max(width, min(int(sample.str.len().quantile(0.9)) + 2, 60))
    return width



def _rows_public(ws, values, methods, formats, care) -> None:
    """The data rows through XlsxWriter's public API, cell by cell."""
    order = range(len(values))
    for r, row in enumerate(zip(*values, strict=True)):
        xr = r + 1
        for c in order:
            v = row[c]
            if v is not None:
                methods[c](xr, c, v, formats[c])
        if care and r in care:
            for c, method, v, fmt in care[r]:
                method(xr, c, v, fmt)


# --- The fast path: XlsxWriter's row stream, written directly ---------------------------------
# In constant-memory mode XlsxWriter writes each finished row as XML to a temporary file and
# copies it into the sheet on close.  _rows_xml writes the data rows to that file itself, with
# the markup of XlsxWriter's own cell writer (<row r>, <c r s><v>, inline strings with its
# escapes), then tells the sheet how far its data reaches.  The one place that touches
# XlsxWriter's internals; _row_stream_open says whether they are there.

ROW_CHUNK = 5000
"""Rows turned into XML at a time (bounded memory whatever the sheet's length)."""

_XLSX_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # literal escapes are escaped in turn
_XLSX_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_WHITESPACE_EDGE = re.compile(r"^\s|\s$")


def _number_styles(formats) -> None:
    """Give ``formats`` their style numbers now, in this order (XlsxWriter numbers a format
    when a cell first uses it), so both row writers name the same styles."""
    for f in formats:
        getter = getattr(f, "_get_xf_index", None)
        if callable(getter):
            getter()


def _row_stream_open(ws) -> bool:
    """True when ``ws`` is a constant-memory sheet whose row stream can be written to."""
    return (getattr(ws, "constant_memory", False) and getattr(ws, "fh", None) is not None
            and ws.fh is getattr(ws, "row_data_fh", None)
            and callable(getattr(ws, "_write_single_row", None))
            and callable(getattr(ws, "_check_dimensions", None)))


def _inline_text(text: str) -> str:
    """The ``<is>`` content of a text cell, as XlsxWriter writes it in constant-memory mode."""
    text = _XLSX_ESCAPED.sub(r"_x005F\1", text)
    text = _XLSX_CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if _WHITESPACE_EDGE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<is><t{preserve}>{text}</t></is>"


def _column_letters(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _rows_xml(ws, values, methods, formats, care) -> None:
    """The data rows (sheet rows 2…) written as XML into ``ws``'s row stream, chunk by chunk:
    each column's cells built in one comprehension, each distinct text escaped once."""
    ws._write_single_row(1)  # the header row goes out first; the stream continues at row 2
    n = len(values[0]) if values else 0
    letters = [_column_letters(c) for c in range(len(values))]
    is_number = [m.__name__ == "write_number" for m in methods]
    style = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in formats]
    texts: dict[str, str] = {}

    def text_xml(v: str) -> str:
        x = texts.get(v)
        if x is None:
            x = texts[v] = _inline_text(v)
        return x

    def cells(c: int, a: int, b: int) -> list[str]:
        vals = values[c][a:b]
        head, st = f'<c r="{letters[c]}', style[c]
        if is_number[c]:
            return ["" if v is None else f"{head}{r}\"{st}><v>{v:.16G}</v></c>"
                    for r, v in zip(range(a + 2, b + 2), vals, strict=True)]
        return ["" if v is None else f'{head}{r}"{st} t="inlineStr">{text_xml(v)}</c>'
                for r, v in zip(range(a + 2, b + 2), vals, strict=True)]

    fh = ws.fh
    last = 0  # the last sheet row holding a cell (0: the header)
    for a in range(0, n, ROW_CHUNK):
        b = min(n, a + ROW_CHUNK)
        cols = [cells(c, a, b) for c in range(len(values))]
        for r in (r for r in care if a <= r < b):
            for c, _method, v, fmt in care[r]:
                st = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
                cols[c][r - a] = f'<c r="{letters[c]}{r + 2}"{st} t="inlineStr">{text_xml(v)}</c>'
        rows = [(r, row) for r, row in zip(range(a + 1, b + 1), map(
            "".join, zip(*cols, strict=True)), strict=True) if row]
        if rows:
            last = rows[-1][0]
            fh.write("".join(f'<row r="{r + 1}">{row}</row>' for r, row in rows))
    if last:
        ws._check_dimensions(last, 0)
        ws.previous_row = last
