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
    find = _desa_lookup(desa)
    codes = desa["code"].to_numpy(object)
    out: list[tuple] = []
    cache: dict[tuple, int | None] = {}
    for i, rec in enumerate(raw.to_dict("records")):
        said = rec.get(desa_col)
        kec = rec.get(kec_col) if kec_col else None
        key = (str(said), str(kec))
        if key not in cache:
            text = None if said is None else str(said).strip()
            j, notes = find(text, text, None if kec is None else str(kec)) if text else (None, [])
            cache[key] = j
        j = cache[key]
        if j is None:
            log.add(i, "skipped", "unknown_desa",
                    tr("pws_import.unknown_desa", desa=str(said) if said is not None else "–"),
                    said)
            continue
        ind_key = fixed_ind
        if ind_key is None:
            try:
                ind_key = inds.get(rec.get(ind_col)).key
            except InputError:
                log.add(i, "skipped", "unknown_indicator",
                        tr("pws_import.unknown_indicator", value=str(rec.get(ind_col)),
                           known=", ".join(inds.items)), rec.get(ind_col))
                continue
        row_year = year
        if year_col is not None and rec.get(year_col) is not None:
            y, _ = _number(rec.get(year_col))
            row_year = int(y) if y is not None else year
        cells: list[tuple[str, object, object]] = []  # (month code, value cell, denominator)
        if months:
            denom = rec.get(denom_col) if denom_col else None
            cells = [(code, rec.get(col), denom) for col, code in months.items()]
        else:
            text = rec.get(period_col)
            try:
                p = parse_period(text if row_year is None or _has_year(text)
                                 else f"{text} {row_year}")
                if p.kind != MONTH:
                    raise InputError(tr("pws.need_month", value=str(text)))
            except InputError as exc:
                log.add(i, "skipped", "bad_period", str(exc), text)
                continue
            cells = [(p.code, rec.get(value_col), rec.get(denom_col) if denom_col else None)]
        problems = []
        kept = 0
        for code, cell, dcell in cells:
            v, prob = _number(cell)
            d, dprob = _number(dcell)
            if prob:
                problems.append(tr(f"pws_import.value_{prob}", month=code, value=str(cell)))
                continue
            if dprob:
                problems.append(tr(f"pws_import.value_{dprob}", month=code, value=str(dcell)))
                d = None
            if v is None:
                continue
            out.append((code, codes[j], ind_key, v, d, path.name))
            kept += 1
        if problems:
            log.add(i, "doubtful" if kept else "skipped", "bad_value", "; ".join(problems))
        elif not kept:
            log.add(i, "skipped", "no_values", tr("pws_import.no_values"))
    frame = pd.DataFrame(out, columns=list(VALUE_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    frame["denominator"] = pd.to_numeric(frame["denominator"], errors="coerce").astype(float)
    dup = frame.duplicated(["period", "desa_code", "indicator"], keep=False)
    if dup.any():
        n = int(frame.loc[dup, ["period", "desa_code", "indicator"]].drop_duplicates().shape[0])
        log.add_file("doubtful", "duplicate_values", tr("pws_import.duplicates", n=n))
        frame = frame.groupby(["period", "desa_code", "indicator"], as_index=False, sort=False
                              ).agg(value=("value", "sum"), denominator=("denominator", "max"),
                                    source_file=("source_file", "first"))
        frame = frame[list(VALUE_COLUMNS)]
    return frame, log.frame()


def _has_year(text) -> bool:
    return bool(re.search(r"\d{4}", str(text)))


register_catalog("layers", "pws_import")
