"""The streaming XLSX sheet writer behind ``reports.xlsx_tables``: XlsxWriter in constant-memory
mode, each sheet written row by row (a national workbook never sits in memory), with a styled
frozen header, an auto-filter, column widths, one number format per column kind, a totals row
under the data ("Jumlah") and the print set-up of every ilp-gis sheet (``layers.xlsx_style``).

Each column is turned into Python values once, vectorised (missing values are skipped, so they
stay empty cells, never 0); the cells that need care (text a spreadsheet could read as a formula,
control characters, over-long text, text in a number column) are the only ones looked at one by
one, through the one cell guard ``layers.safe_cells``.  Imports xlsxwriter, numpy, pandas,
ilp_gis.i18n, layers.safe_cells and layers.xlsx_style.
"""

from __future__ import annotations

import re
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
import xlsxwriter.workbook

from ilp_gis.i18n import tr
from layers.safe_cells import XLSX_MAX_TEXT, clean_text, looks_like_formula, xlsx_text_mask
from layers.xlsx_style import (
    FORMATS,
    FRACTION_FORMAT,
    SUMMED_KINDS,
    WIDTHS,
    column_total,
    head_format,
    print_setup,
    ratio,
    total_formats,
    total_label,
)

# (column, header text, kind) or (column, header text, kind, summed) — kind: text, int, rank,
# num, float1, float2, float3, pct, rp, year, bool; summed overrides whether the totals row
# adds the column up (default: the kinds in layers.xlsx_style.SUMMED_KINDS).
Column = tuple


ZIP_LEVEL = 1
"""The deflate level the workbook is zipped at: a national workbook's ~330 MB of sheet XML
zips ~3x faster than at zlib's default level 6, for a file about a third larger."""

_ZIP_LOCK = threading.Lock()


class _FastZipWorkbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, zipped at :data:`ZIP_LEVEL`.  XlsxWriter opens its zip file
    itself without a level; while this workbook is stored, the name it opens it by is the
    same ZipFile with the level given (under a lock; without that name it stores as is)."""

    def _store_workbook(self) -> None:
        module = xlsxwriter.workbook
        if getattr(module, "ZipFile", None) is not zipfile.ZipFile:
            return super()._store_workbook()
        with _ZIP_LOCK:
            module.ZipFile = _leveled_zip
            try:
                return super()._store_workbook()
            finally:
                module.ZipFile = zipfile.ZipFile


def _leveled_zip(*args, **kwargs) -> zipfile.ZipFile:
    kwargs.setdefault("compresslevel", ZIP_LEVEL)
    return zipfile.ZipFile(*args, **kwargs)


class StreamingBook:
    """One XLSX file being written sheet after sheet; ``close()`` finishes it.

    ``yes``/``no`` are the words written for the ``bool`` kind; ``title`` (the project's
    name) heads every printed page.  ``fast`` writes the rows'
    XML straight into XlsxWriter's constant-memory row stream (:func:`_rows_xml`, the same
    bytes XlsxWriter writes, ~0.5 µs a cell instead of ~5); ``fast=False`` is its plain twin.
    """

    def __init__(self, path: str | Path, *, yes: str, no: str, fast: bool = True,
                 title: str | None = None) -> None:
        self.wb = _FastZipWorkbook(str(path), {
            "constant_memory": True,
            # every cell goes through write_number/write_string; these keep write() honest too
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        self.yes, self.no = yes, no
        self.title = title  # the project's name in every printed page's header
        self.fast = fast  # False: every cell through XlsxWriter's public API (the plain twin)
        self.head = head_format(self.wb)
        self.quoted = self.wb.add_format({"quote_prefix": True})
        self.number = {kind: self.wb.add_format({"num_format": f}) for kind, f in FORMATS.items()}
        self.fraction = self.wb.add_format({"num_format": FRACTION_FORMAT})
        self.total = total_formats(self.wb)
        _number_styles([self.head, self.quoted, *self.number.values(), self.fraction])

    def close(self) -> None:
        self.wb.close()

    def sheet(self, title: str, columns: list[Column], frame: pd.DataFrame | None, *,
              totals: bool | None = None, ratios: dict[str, tuple[str, str]] | None = None,
              label: str | None = None, freeze_cols: int = 0) -> int:
        """Write one sheet: ``columns`` of ``frame`` under their header texts, then a totals
        row when a column adds up (``totals=None``; ``False``: never, ``True``: always).
        ``ratios`` maps a share column to the (part, whole) columns of ``frame`` whose totals
        give its weighted total; ``label`` names the totals row ("Jumlah (n baris)").
        Returns the number of data rows written."""
        ws = self.wb.add_worksheet(title[:31])
        frame = frame if frame is not None else pd.DataFrame()
        n = len(frame)
        columns = [tuple(c) for c in columns]
        for i, (col, head, kind, *_s) in enumerate(columns):
            ws.set_column(i, i, _width(head, kind, frame[col] if col in frame else None))
        print_setup(ws, header_row=0, freeze_cols=freeze_cols, title=self.title)
        ws.autofilter(0, 0, max(n, 0), len(columns) - 1)
        for i, (_col, head, *_rest) in enumerate(columns):
            ws.write_string(0, i, clean_text(str(head)), self.head)
        if not n:
            return 0
        values, methods, formats, distinct = [], [], [], []
        care: dict[int, list] = {}  # row -> [(column, method, value, format)]
        first_text: dict[int, str] = {}  # column -> its first text cell (a missing-data note)
        for c, (col, _head, kind, *_s) in enumerate(columns):
            vals, special, *known = self._column(frame[col] if col in frame else None, kind,
                                                 n, ws)
            values.append(vals)
            distinct.append(known[0] if known else None)
            methods.append(ws.write_number if kind in FORMATS else ws.write_string)
            formats.append(self._cell_formats(vals) if kind == "num" else self.number.get(kind))
            for r, cell in special:
                care.setdefault(r, []).append((c, *cell))
                first_text.setdefault(c, cell[1])
        fast = self.fast and _row_stream_open(ws)
        if fast:
            _rows_xml(ws, values, methods, formats, care, distinct)
        else:
            _rows_public(ws, values, methods, formats, care)
        summed = [_summed(c) for c in columns]
        if totals or (totals is None and any(summed)):
            self._totals_row(ws, n + 1, columns, summed, values, first_text, frame,
                             ratios or {}, label or total_label(n))
        return n

    def _cell_formats(self, vals: list) -> list:
        """Per row of a "num" column: whole numbers as integers, others with decimals."""
        whole, frac = self.number["num"], self.fraction
        return [whole if v is None or float(v).is_integer() else frac for v in vals]

    def _totals_row(self, ws, row: int, columns, summed, values, first_text, frame, ratios,
                    label: str) -> None:
        """The totals row: each summed column's known values added up (a column whose
        figures are all missing says so, never 0), each share in ``ratios`` as the ratio of
        its part and whole totals, the label in the first column that is not a figure."""
        by_name = {col: c for c, (col, *_r) in enumerate(columns)}

        def total_of(col: str):
            if col in by_name and summed[by_name[col]]:
                return column_total(values[by_name[col]])
            return column_total(frame[col]) if col in frame else None

        cells: dict[int, tuple] = {}
        for c, (col, _head, kind, *_s) in enumerate(columns):
            if summed[c] or col in ratios:
                if col in ratios:
                    part, whole = ratios[col]
                    value = ratio(total_of(part), total_of(whole))
                    note = first_text.get(by_name.get(part, -1)) or first_text.get(c)
                else:
                    value, note = column_total(values[c]), first_text.get(c)
                if value is not None:
                    cells[c] = ("number", value, self.total.get(kind, self.total["int"]))
                else:
                    cells[c] = ("string", clean_text(note or tr("common.missing")),
                                self.total["text"])
        free = [c for c in range(len(columns)) if c not in cells]
        if free:
            cells[free[0]] = ("string", label, self.total["text"])
        for c in range(len(columns)):
            how, value, fmt = cells.get(c, ("blank", None, self.total["text"]))
            if how == "number":
                ws.write_number(row, c, value, fmt)
            elif how == "string":
                ws.write_string(row, c, value, fmt)
            else:
                ws.write_blank(row, c, None, fmt)

    def _column(self, series: pd.Series | None, kind: str, n: int, ws):
        """``(values, special[, distinct])``: one value per row (None = empty cell), the cells
        written apart as ``(row, (method, value, format))`` and, for text, the column's
        ``(codes, texts)`` (per row the index of its text, -1: empty; the distinct texts)."""
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
        if plain.any() and pd.api.types.infer_dtype(arr[plain], skipna=False) != "string":
            not_str = np.fromiter((not isinstance(v, str) for v in arr), dtype=bool,
                                  count=len(arr)) & plain
            if not_str.any():
                out[not_str] = [str(v) for v in arr[not_str]]
        codes, uniques = pd.factorize(out, use_na_sentinel=True)
        texts = uniques.tolist()
        # the distinct texts that need care: the cell guard decides on the few that might
        care = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) > XLSX_MAX_TEXT
        maybe = _texts_matching(texts, _MAYBE_CARE, "\n")
        if len(maybe):
            care[maybe] |= xlsx_text_mask(np.array([texts[j] for j in maybe], dtype=object))
        special = []
        if care.any():
            codes = np.asarray(codes, dtype=np.int64).copy()
            for r in np.flatnonzero((codes >= 0) & care[codes]):
                special.append((int(r), self._text_cell(out[r], ws)))
                out[r] = None
                codes[r] = -1
        return out.tolist(), special, (np.asarray(codes, dtype=np.int64), texts)

    def _text_cell(self, text: str, ws):
        """A text cell that must stay text: cleaned of control characters, cut to what a cell
        holds, quote-prefixed when a spreadsheet would read it as a formula."""
        text = clean_text(text)[:XLSX_MAX_TEXT]
        return ws.write_string, text, self.quoted if looks_like_formula(text) else None


def _summed(column: Column) -> bool:
    """Whether the totals row adds ``column`` up: its own flag, else by its kind."""
    if len(column) > 3 and column[3] is not None:
        return bool(column[3])
    return column[2] in SUMMED_KINDS


def _width(head: str, kind: str, series: pd.Series | None) -> float:
    """A column's width from its header and, for text, the first rows' text."""
    width = max(WIDTHS.get(kind, 12), min(len(head) + 2, 28))
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
                f = formats[c]
                methods[c](xr, c, v, f[r] if isinstance(f, list) else f)
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
_NEEDS_ESCAPE = re.compile(r"[_&<>\x00-\x1f\ufffe\uffff]")  # none: the text goes as it is


def _number_styles(formats) -> None:
    """Give ``formats`` their style numbers now, in this order (XlsxWriter numbers a format
    when a cell first uses it), so both row writers name the same styles."""
    for f in formats:
        getter = getattr(f, "_get_xf_index", None)
        if callable(getter):
            getter()


def _style_attr(fmt) -> str:
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""


def _row_stream_open(ws) -> bool:
    """True when ``ws`` is a constant-memory sheet whose row stream can be written to."""
    return (getattr(ws, "constant_memory", False) and getattr(ws, "fh", None) is not None
            and ws.fh is getattr(ws, "row_data_fh", None)
            and callable(getattr(ws, "_write_single_row", None))
            and callable(getattr(ws, "_check_dimensions", None)))


def _inline_text(text: str) -> str:
    """The ``<is>`` content of a text cell, as XlsxWriter writes it in constant-memory mode."""
    if _NEEDS_ESCAPE.search(text) is None and _WHITESPACE_EDGE.search(text) is None:
        return f"<is><t>{text}</t></is>"  # most texts: nothing to escape
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


def _rows_xml(ws, values, methods, formats, care, distinct=None) -> None:
    """The data rows (sheet rows 2…) written as XML into ``ws``'s row stream, chunk by chunk.
    Each column's distinct values are turned into their cell XML once (:func:`_coded`).  A
    chunk is laid out as a table of string pieces — per row its opening tag, per cell its
    opening, row number and tail (empty strings where a cell is empty), the closing tag —
    filled a whole column at a time and joined once: no string is built per cell.
    ``distinct`` holds per column its ``(codes, texts)`` when already known (text columns)."""
    ws._write_single_row(1)  # the header row goes out first; the stream continues at row 2
    n = len(values[0]) if values else 0
    letters = [_column_letters(c) for c in range(len(values))]
    is_number = [m.__name__ == "write_number" for m in methods]
    distinct = distinct or [None] * len(values)
    coded = [_coded(values[c], is_number[c], formats[c], distinct[c])
             for c in range(len(values))]
    opening = [f'<c r="{letter}' for letter in letters]
    width = 3 * len(values) + 2
    fh = ws.fh
    last = 0  # the last sheet row holding a cell (0: the header)
    for a in range(0, n, ROW_CHUNK):
        b = min(n, a + ROW_CHUNK)
        rnum = np.array([str(r) for r in range(a + 2, b + 2)], dtype=object)  # sheet rows
        pieces = np.full((b - a, width), "", dtype=object)
        pieces[:, 0] = '<row r="' + rnum + '">'
        pieces[:, -1] = "</row>"
        held = np.zeros(b - a, dtype=bool)  # the rows of the chunk with a cell
        for r in (r for r in care if a <= r < b):
            for c, _method, v, fmt in care[r]:  # cells written apart: one piece each
                pieces[r - a, 1 + 3 * c] = (f'<c r="{letters[c]}{r + 2}"{_style_attr(fmt)} '
                                            f't="inlineStr">{_inline_text(v)}</c>')
                held[r - a] = True
        for c, (codes, tails) in enumerate(coded):
            k = codes[a:b]
            filled = k >= 0
            col = 1 + 3 * c
            if filled.all():
                pieces[:, col] = opening[c]
                pieces[:, col + 1] = rnum
                pieces[:, col + 2] = tails[k]
                held[:] = True
            elif filled.any():
                pieces[filled, col] = opening[c]
                pieces[filled, col + 1] = rnum[filled]
                pieces[filled, col + 2] = tails[k[filled]]
                held |= filled
        if held.any():
            last = int(np.flatnonzero(held)[-1]) + a + 1
            fh.write("".join(pieces[held].ravel().tolist()))
    if last:
        ws._check_dimensions(last, 0)
        ws.previous_row = last


def _coded(vals: list, is_number: bool, fmt, known=None) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, tails)`` of one column: per row the index of its value among the column's
    distinct values (-1: an empty cell), and per distinct value the XML of its cell after the
    row number (style, value, closing tag) as XlsxWriter writes it."""
    n = len(vals)
    if is_number:
        arr = np.array([np.nan if v is None else v for v in vals], dtype="float64")
        if ((arr == 0) & np.signbit(arr)).any():  # -0 and 0 hash alike: each cell apart
            codes = np.where(np.isnan(arr), -1, np.arange(n))
            uniques = arr
        else:
            codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        per_cell = isinstance(fmt, list)
        styles = _first_styles(codes, len(uniques), fmt) if per_cell else None
        st = None if per_cell else _style_attr(fmt)
        tails = [f'"{styles[j] if per_cell else st}><v>{u:.16G}</v></c>'
                 for j, u in enumerate(uniques.tolist())]
    else:
        if known is not None:  # a text column's codes and texts (StreamingBook._texts)
            codes, texts = known
        else:
            codes, uniques = pd.factorize(np.array(vals, dtype=object), use_na_sentinel=True)
            texts = uniques.tolist()
        st = _style_attr(fmt)
        tails = [f'"{st} t="inlineStr"><is><t>{u}</t></is></c>' for u in texts]
        for j in _needing_escape(texts):  # the few texts with something to escape
            tails[j] = f'"{st} t="inlineStr">{_inline_text(texts[j])}</c>'

    out = np.empty(len(tails), dtype=object)
    out[:] = tails
    return np.asarray(codes, dtype=np.int64), out


_SEPARATOR = "\x7f"
_ESCAPE_OR_EDGE = re.compile(r"[_&<>\x00-\x1f\ufffe\uffff]|\x7f(?=\s)|\s(?=\x7f)")
"""In the joined texts: a character to escape, a separator before a text's leading
whitespace, a text's trailing whitespace (lookaheads: a separator is shared by two texts)."""


_MAYBE_CARE = re.compile(r"\n[=+\-@\t\r#]|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""In texts joined by newlines: a text starting as a formula or error code might, a control
character or a code point a cell cannot hold (``layers.safe_cells``) would need care."""


def _needing_escape(texts: list[str]) -> np.ndarray:
    """The indices of the ``texts`` whose cell :func:`_inline_text` writes otherwise than as
    they are (a character to escape, whitespace at an edge), and maybe a few more (which
    :func:`_inline_text` writes right all the same)."""
    return _texts_matching(texts, _ESCAPE_OR_EDGE, _SEPARATOR)


def _texts_matching(texts: list[str], pattern: re.Pattern, sep: str) -> np.ndarray:
    """The indices of the ``texts`` where ``pattern`` matches in ``sep + sep.join(texts) +
    sep``, found by one search over them all: a match inside a text, at its last character
    or on the separator just before it picks that text (a text holding ``sep`` itself may be
    picked needlessly, never missed)."""
    if not texts:
        return np.zeros(0, dtype=np.int64)
    hits = [m.start() for m in pattern.finditer(sep + sep.join(texts) + sep)]
    if not hits:
        return np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([1], 1 + np.cumsum(lengths + 1)[:-1]))  # each text's offset
    picked = np.unique(np.searchsorted(starts, np.asarray(hits, dtype=np.int64) + 1,
                                       side="right") - 1)
    return picked[(picked >= 0) & (picked < len(texts))]


def _first_styles(codes: np.ndarray, m: int, fmt: list) -> list[str]:
    """The style attribute of each distinct value of a column with a format per cell (the
    format follows the value, so its first cell's format is every cell's)."""
    pos = np.flatnonzero(codes >= 0)
    _, first = np.unique(codes[pos], return_index=True)
    return [_style_attr(fmt[int(pos[i])]) for i in first[:m]]
