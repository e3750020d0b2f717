"""The one guard for every cell ilp-gis writes to CSV or XLSX: text that a spreadsheet would
read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) stays text, and control characters
that XLSX cannot hold are shown as visible escapes (``\\x07``) instead of crashing the writer.
Imports only the standard library, numpy, pandas and (for XLSX cells) openpyxl.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take as the start of a formula (OWASP CSV-injection guidance)."""

_CONTROL_CLASS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
CONTROL_CHARACTERS = re.compile(_CONTROL_CLASS)
"""Characters an XLSX cell cannot hold (tab, LF and CR can), and the code points that make
its XML unreadable or cannot be encoded in a UTF-8 CSV (lone surrogates, U+FFFE, U+FFFF)."""

XLSX_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                              "#N/A"})
"""Text openpyxl would store as an error cell rather than as text."""

XLSX_MAX_TEXT = 32_767
"""Characters an XLSX cell holds."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_NEEDS_CARE = re.compile(r"[=+\-@\t\r]|.*" + _CONTROL_CLASS, re.DOTALL)


def clean_text(text: str) -> str:
    """``text`` with every :data:`CONTROL_CHARACTERS` character shown as an escape (BEL becomes
    the four characters ``\\x07``, U+FFFE ``\\ufffe``); everything else kept."""
    if text.isprintable() or CONTROL_CHARACTERS.search(text) is None:  # the first is cheaper
        return text
    return CONTROL_CHARACTERS.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with one of
    :data:`FORMULA_PREFIXES` and is not a plain number such as ``-7.96``."""
    return text.startswith(FORMULA_PREFIXES) and _NUMBER.fullmatch(text) is None


def csv_text(value):
    """A CSV field for ``value``: text cleaned of control characters and, when it looks like
    a formula, prefixed with ``'`` (so Excel shows it as text); anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if looks_like_formula(text) else text


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` ready for ``to_csv``: :func:`csv_text` on every text value and column name.
    Numbers stay numbers; ``frame`` itself is not changed (a copy is returned only if needed)."""
    out = frame
    for j in range(frame.shape[1]):
        series = frame.iloc[:, j]
        if not (series.dtype == object
                or isinstance(series.dtype, pd.StringDtype | pd.CategoricalDtype)):
            continue
        values = series.to_numpy(dtype=object)
        bad = _needing_care(values)
        if not bad:
            continue
        care = _isin(values, bad)
        fixed = values.copy()
        fixed[care] = [csv_text(v) for v in values[care]]
        if out is frame:
            out = frame.copy()
        out.isetitem(j, pd.Series(fixed, index=frame.index, dtype=object))
    names = [csv_text(c) if isinstance(c, str) else c for c in out.columns]
    if names != list(out.columns):
        out = out.copy() if out is frame else out
        out.columns = names
    return out


def _needing_care(values: np.ndarray) -> list[str]:
    """The distinct texts among ``values`` that :func:`csv_text` would change (a report column
    often holds one file name a million times: each distinct value is looked at once)."""
    match = _NEEDS_CARE.match
    return [v for v in _distinct(values)
            if isinstance(v, str) and match(v) is not None and csv_text(v) != v]


def _isin(values: np.ndarray, bad: list[str]) -> np.ndarray:
    bad_set = set(bad)
    try:
        return pd.Series(values, copy=False).isin(bad_set).to_numpy()
    except TypeError:
        return np.fromiter((isinstance(v, str) and v in bad_set for v in values), dtype=bool,
                           count=len(values))


def _distinct(values: np.ndarray):
    try:
        return pd.unique(values)
    except TypeError:  # unhashable values (lists): every value then
        return values


def text_cell(ws, text: str):
    """An openpyxl cell of ``ws`` (write-only or normal worksheet) holding ``text`` as text,
    whatever it starts with: cleaned of control characters, never a formula or error cell,
    and quote-prefixed when it :func:`looks_like_formula` so Excel keeps it text on editing.
    Called for every text cell of a national workbook, so the common case is kept short."""
    text = clean_text(text)
    if len(text) > XLSX_MAX_TEXT:
        text = text[:XLSX_MAX_TEXT]
    cell = _write_only_cell()(ws, text)
    cell.data_type = "s"
    if text[:1] in _FORMULA_STARTS and looks_like_formula(text):
        cell.quotePrefix = True
    return cell


_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)


def _write_only_cell():
    global _WRITE_ONLY_CELL
    if _WRITE_ONLY_CELL is None:
        from openpyxl.cell import WriteOnlyCell

        _WRITE_ONLY_CELL = WriteOnlyCell
    return _WRITE_ONLY_CELL


_WRITE_ONLY_CELL = None


def xlsx_value(ws, value):
    """``value`` ready for ``ws.append``: text that needs care becomes a :func:`text_cell`,
    plain text and numbers are returned as they are (cheap for long sheets)."""
    return text_cell(ws, value) if _needs_text_cell(value) else value


def xlsx_text_mask(values) -> np.ndarray:
    """Which of ``values`` (one column) must be written as a :func:`text_cell` — the same
    rule as :func:`xlsx_value`, each distinct value looked at once."""
    values = np.asarray(values, dtype=object)
    bad = [v for v in _distinct(values) if _needs_text_cell(v)]
    if not bad:
        return np.zeros(len(values), dtype=bool)
    return _isin(values, bad)


def _needs_text_cell(value) -> bool:
    if not isinstance(value, str):
        return False
    if _NEEDS_CARE.match(value) is not None:
        return looks_like_formula(value) or CONTROL_CHARACTERS.search(value) is not None
    return value in XLSX_ERROR_CODES
