"""Reading monthly PWS indicator tables (CSV/XLSX) per desa, in the two layouts Dinkes keep:

* long: one row per desa, month and indicator — columns desa (code or name), optionally
  kecamatan, a month (``bulan``/``periode``, with ``tahun`` when the month is a name or
  number), the indicator (``indikator``; or ``--indicator`` for a file of one indicator), the
  value (``nilai``/``jumlah``/``capaian``) and optionally its denominator (``sasaran``,
  ``penyebut``, ``d``);
* wide: one row per desa (and indicator), one column per month ("Jan", "Januari", "2026-01",
  "Sep 2026"; plain month names take ``tahun`` or ``--year``).

Every data row becomes values or a line in the import report naming the file, row and problem:
unknown desa, unknown indicator, a month that is no month, a value that is text or negative.
Blank cells are missing values (never 0).  Imports ``ilp_gis`` and ``layers``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.monitoring.periods import MONTH, parse_period
from ilp_gis.monitoring.pws import VALUE_COLUMNS, Indicators, default_indicators
from layers.importing.placement import _desa_lookup
from layers.importing.report import _FileLog
from layers.readers import read_table

_DESA = ("desa", "nama desa", "desa kelurahan", "kelurahan", "kode desa", "kode wilayah",
         "kode", "desa code", "village")
_KEC = ("kecamatan", "nama kecamatan", "kec")
_PERIOD = ("bulan", "periode", "period", "month", "bln")
_YEAR = ("tahun", "year", "thn")
_INDICATOR = ("indikator", "indicator", "program")
_VALUE = ("nilai", "jumlah", "capaian", "value", "hasil", "realisasi")
_DENOM = ("sasaran", "penyebut", "denominator", "target sasaran")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _norm(text) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def _pick(headers: dict[str, str], names: tuple[str, ...]) -> str | None:
    for n in names:
        if n in headers:
            return headers[n]
    return None


def _number(cell) -> tuple[float | None, str | None]:
    """(value, problem): a count or rate; blank/"-" is missing without a problem."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None, None
    if isinstance(cell, bool):
        return None, "text"
    if isinstance(cell, int | float | np.integer | np.floating):
        v = float(cell)
    else:
        t = str(cell).strip().replace("\u00a0", "")
        if t in ("", "-", "–", "—"):
            return None, None
        pct = t.endswith("%")
        t = t.rstrip("%").strip()
        if not _NUMBER.match(t):
            return None, "text"
        v = float(t.replace(",", "."))
        if pct:
            v = v / 100.0
    if v < 0:
        return None, "negative"
    return v, None


def _month_columns(columns, year: int | None) -> dict[str, str]:
    """{column: month code} for the columns that name a month."""
    out = {}
    for c in columns:
        text = str(c).strip()
        try:
            p = parse_period(text)
        except InputError:
            if year is None:
                continue
            try:
                p = parse_period(f"{text} {year}")
            except InputError:
                continue
        if p.kind == MONTH:
            out[c] = p.code
    return out


def read_pws(path: str | Path, desa: pd.DataFrame, *, indicator: str | None = None,
             year: int | None = None, sheet: str | None = None,
             indicators: Indicators | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(values, report)``: the values (columns ``pws.VALUE_COLUMNS``) and one import-report
    line per data row.  Raises :class:`InputError` when no desa column or no value/month
    column is found (nothing is read then)."""
    path = Path(path)
    inds = indicators or default_indicators()
    if desa is None or not len(desa):
        raise InputError(tr("pws_import.no_desa"), file=path.name)
    fixed_ind = inds.get(indicator).key if indicator else None
    res = read_table(path, sheet=sheet)
    raw = res.frame
    headers = {_norm(c): c for c in raw.columns}
    desa_col = _pick(headers, _DESA)
    if desa_col is None:
        raise InputError(tr("pws_import.no_desa_column", columns=", ".join(map(str, raw.columns))),
                         file=path.name)
    kec_col = _pick(headers, _KEC)
    ind_col = _pick(headers, _INDICATOR)
    year_col = _pick(headers, _YEAR)
    period_col = _pick(headers, _PERIOD)
    value_col = _pick(headers, _VALUE)
    denom_col = _pick(headers, _DENOM)
    months = _month_columns([c for c in raw.columns if c not in (
        desa_col, kec_col, ind_col, year_col, period_col, value_col, denom_col)], year)
    if ind_col is None and fixed_ind is None:
        raise InputError(tr("pws_import.no_indicator", known=", ".join(inds.items)),
                         file=path.name)
    if not months and (period_col is None or value_col is None):
        raise InputError(tr("pws_import.no_layout"), file=path.name)
    log = _FileLog(path.name, "pws", res.row_numbers if res.row_numbers is not None
                   else np.arange(2, len(raw) + 2))
    codes = desa["code"].to_numpy(object)
    n = len(raw)
    # Column by column, each distinct cell read once: a province's five years are millions
    # of cells but few distinct desa, indicators, months and counts.
    j = _desa_rows(raw, desa_col, kec_col, desa, log)
    ok = j >= 0
    if fixed_ind is not None:
        ind = np.full(n, fixed_ind, dtype=object)
    else:
        ind = _indicator_keys(raw[ind_col].to_numpy(object), inds, ok, log)
        ok &= ind != None  # noqa: E711  (object array: element-wise)
    if months:
        month_cols = list(months)
        period = np.array([months[c] for c in month_cols], dtype=object)
        cells = np.empty((n, len(month_cols)), dtype=object)
        v = np.empty((n, len(month_cols)))
        prob = np.empty((n, len(month_cols)), dtype=np.int8)
        for k, c in enumerate(month_cols):
            cells[:, k] = raw[c].to_numpy(object)
            v[:, k], prob[:, k] = _numbers(raw[c])
    else:
        row_period = _row_periods(raw, period_col, year_col, year, ok, log)
        ok &= row_period != None  # noqa: E711
        period = None
        cells = raw[value_col].to_numpy(object).reshape(-1, 1)
        v1, p1 = _numbers(raw[value_col])
        v, prob = v1.reshape(-1, 1), p1.reshape(-1, 1)
    if denom_col is not None:
        dcells = raw[denom_col].to_numpy(object)
        d, dprob = _numbers(raw[denom_col])
    else:
        dcells = np.full(n, None, dtype=object)
        d, dprob = np.full(n, np.nan), np.zeros(n, dtype=np.int8)
    keep = ok[:, None] & (prob == 0) & np.isfinite(v)
    # rows with a bad value or denominator: their report line, month by month as read
    bad_rows = np.flatnonzero(ok & ((prob != 0).any(axis=1) | (dprob != 0)))
    month_codes = (lambda i: period) if period is not None else (lambda i: [row_period[i]])
    for i in bad_rows:
        problems = []
        for code, cell, pr in zip(month_codes(i), cells[i], prob[i], strict=True):
            if pr:
                problems.append(tr(f"pws_import.value_{_PROBLEMS[pr]}", month=code,
                                   value=str(cell)))
                continue
            if dprob[i]:
                problems.append(tr(f"pws_import.value_{_PROBLEMS[dprob[i]]}", month=code,
                                   value=str(dcells[i])))
        log.add(i, "doubtful" if keep[i].any() else "skipped", "bad_value", "; ".join(problems))
    d = np.where(dprob == 0, d, np.nan)
    for i in np.flatnonzero(ok & ~keep.any(axis=1) & (prob == 0).all(axis=1) & (dprob == 0)):
        log.add(i, "skipped", "no_values", tr("pws_import.no_values"))
    rows, cols = np.nonzero(keep)  # row by row, month by month: the order of the file
    # the text columns are taken from their few distinct values (not built cell by cell)
    p_codes, p_uniq = pd.factorize(period if period is not None else row_period[ok])
    p_idx = p_codes[cols] if period is not None else \
        _spread(p_codes, ok)[rows]
    i_codes, i_uniq = pd.factorize(ind[ok])
    i_idx = _spread(i_codes, ok)[rows]
    d_uniq = np.unique(j[ok]) if ok.any() else np.empty(0, dtype=np.int64)
    d_idx = np.searchsorted(d_uniq, j[rows])
    frame = pd.DataFrame({
        "period": _texts(p_uniq, p_idx), "desa_code": _texts(codes[d_uniq], d_idx),
        "indicator": _texts(i_uniq, i_idx), "value": v[rows, cols].astype(float),
        "denominator": d[rows].astype(float),
        "source_file": _texts(np.array([path.name], dtype=object), np.zeros(len(rows), int))},
        columns=list(VALUE_COLUMNS))
    key = (p_idx.astype(np.int64) * max(len(d_uniq), 1) + d_idx) * max(len(i_uniq), 1) + i_idx
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        n = int(len(np.unique(key[dup])))
        log.add_file("doubtful", "duplicate_values", tr("pws_import.duplicates", n=n))
        frame = frame.groupby(["period", "desa_code", "indicator"], as_index=False, sort=False
                              ).agg(value=("value", "sum"), denominator=("denominator", "max"),
                                    source_file=("source_file", "first"))
        frame = frame[list(VALUE_COLUMNS)]
    return frame, log.frame()


def _spread(row_codes: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Codes of the rows where ``ok`` put back in place (-1 elsewhere)."""
    out = np.full(len(ok), -1, dtype=np.int64)
    out[ok] = row_codes
    return out


def _texts(uniques, idx: np.ndarray) -> pd.Series:
    """A text column holding ``uniques[idx]``, taken in one step from the distinct values."""
    return pd.Series(pd.array(np.asarray(uniques, dtype=object), dtype="str").take(idx))


_PROBLEMS = {1: "text", 2: "negative"}
_PROBLEM_CODE = {None: 0, "text": 1, "negative": 2}


def _numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_number` over a whole column: (values, NaN where missing or bad; problem codes
    0 none, 1 text, 2 negative).  A numeric column is read at once; any other is read one
    distinct cell at a time."""
    if column.dtype.kind in "iuf":
        v = column.to_numpy(dtype=float)
        neg = v < 0
        return np.where(neg, np.nan, v), neg.astype(np.int8)
    cells = column.to_numpy(object)
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)  # None/NaN: -1 (missing)
    uv = np.full(len(uniques) + 1, np.nan)
    up = np.zeros(len(uniques) + 1, dtype=np.int8)
    for k, cell in enumerate(uniques):
        if isinstance(cell, bool | np.bool_):
            up[k] = 1
            continue
        value, problem = _number(cell)
        uv[k] = np.nan if value is None else value
        up[k] = _PROBLEM_CODE[problem]
    return uv[codes], up[codes]  # code -1 reads the last slot: missing, no problem


def _desa_rows(raw: pd.DataFrame, desa_col, kec_col, desa: pd.DataFrame,
               log: _FileLog) -> np.ndarray:
    """The desa row of every data row (-1 and a report line when unknown), each distinct
    (desa, kecamatan) pair looked up once."""
    find = _desa_lookup(desa)
    said = raw[desa_col].to_numpy(object)
    kec = raw[kec_col].to_numpy(object) if kec_col else np.full(len(raw), None, dtype=object)
    keys = pd.Series([f"{a}\x00{b}" for a, b in zip(said, kec, strict=True)], dtype=object)
    codes, uniques = pd.factorize(keys)
    first = np.full(len(uniques), -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the first row of each pair
    found = np.full(len(uniques), -1, dtype=np.int64)
    for k, i in enumerate(first):
        text = None if said[i] is None else str(said[i]).strip()
        j, _notes = find(text, text, None if kec[i] is None else str(kec[i])) if text \
            else (None, [])
        found[k] = -1 if j is None else j
    rows = found[codes] if len(codes) else np.empty(0, dtype=np.int64)
    for i in np.flatnonzero(rows < 0):
        log.add(i, "skipped", "unknown_desa",
                tr("pws_import.unknown_desa", desa=str(said[i]) if said[i] is not None else "–"),
                said[i])
    return rows


def _indicator_keys(cells: np.ndarray, inds: Indicators, ok: np.ndarray,
                    log: _FileLog) -> np.ndarray:
    """The indicator key of every row (``None`` and a report line, for the rows of a known
    desa, when unknown), each distinct cell read once."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    keys = np.full(len(uniques), None, dtype=object)
    for k, cell in enumerate(uniques):
        try:
            keys[k] = inds.get(cell).key
        except InputError:
            pass
    out = keys[codes] if len(codes) else np.empty(0, dtype=object)
    for i in np.flatnonzero(ok & (out == None)):  # noqa: E711
        log.add(i, "skipped", "unknown_indicator",
                tr("pws_import.unknown_indicator", value=str(cells[i]),
                   known=", ".join(inds.items)), cells[i])
    return out


def _row_periods(raw: pd.DataFrame, period_col, year_col, year: int | None, ok: np.ndarray,
                 log: _FileLog) -> np.ndarray:
    """The month code of every row of a long table (``None`` and a report line, for rows
    still read, when it is no month), each distinct (period, year) read once."""
    texts = raw[period_col].to_numpy(object)
    years = raw[year_col].to_numpy(object) if year_col is not None else \
        np.full(len(raw), None, dtype=object)
    cache: dict[tuple, tuple[str | None, str | None]] = {}
    out = np.full(len(raw), None, dtype=object)
    for i in np.flatnonzero(ok):
        text, cell = texts[i], years[i]
        key = (type(text), str(text), type(cell), str(cell))
        if key not in cache:
            row_year = year
            if year_col is not None and cell is not None:
                y, _ = _number(cell)
                row_year = int(y) if y is not None else year
            try:
                p = parse_period(text if row_year is None or _has_year(text)
                                 else f"{text} {row_year}")
                if p.kind != MONTH:
                    raise InputError(tr("pws.need_month", value=str(text)))
                cache[key] = (p.code, None)
            except InputError as exc:
                cache[key] = (None, str(exc))
        code, problem = cache[key]
        if code is None:
            log.add(i, "skipped", "bad_period", problem, text)
        out[i] = code
    return out


def _has_year(text) -> bool:
    return bool(re.search(r"\d{4}", str(text)))


register_catalog("layers", "pws_import")
