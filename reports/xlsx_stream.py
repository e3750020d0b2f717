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
    "pct": "0.0%",
    "rp": '"Rp" #,##0',
    "year": "0",
}
WIDTHS = {"text": 18, "int": 12, "float1": 12, "float2": 12, "float3": 10, "pct": 11, "rp": 18,
          "year": 8, "bool": 10}
HEAD_FILL = "#D6EAF8"

# (column, header text, kind) — kind: text, int, float1, float2, float3, pct, rp, year, bool
Column = tuple[str, str, str]


class StreamingBook:
    """One XLSX file being written sheet after sheet; ``close()`` finishes it.

    ``yes``/``no`` are the words written for the ``bool`` kind.
    """

    def __init__(self, path: str | Path, *, yes: str, no: str) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True,
            # every cell goes through write_number/write_string; these keep write() honest too
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        self.yes, self.no = yes, no
        self.head = self.wb.add_format({"bold": True, "bg_color": HEAD_FILL, "pattern": 1,
                                        "text_wrap": True, "valign": "top"})
        self.quoted = self.wb.add_format({"quote_prefix": True})
        self.number = {kind: self.wb.add_format({"num_format": f}) for kind, f in FORMATS.items()}

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
        order = range(len(columns))
        for r, row in enumerate(zip(*values, strict=True)):
            xr = r + 1
            for c in order:
                v = row[c]
                if v is not None:
                    methods[c](xr, c, v, formats[c])
            if care and r in care:
                for c, method, v, fmt in care[r]:
                    method(xr, c, v, fmt)
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

