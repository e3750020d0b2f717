"""Reading budget lines from the XLSX/CSV sheets budget offices keep.

:func:`read_budget` finds the header row (titles above it are common), maps the columns
(Indonesian and English headers in many spellings, or an explicit ``mapping``), parses every
cell with :mod:`ilp_gis.budget` and returns the budget table (``model.BUDGET``) plus an import
report with exactly one row per input row: imported, fixed, skipped or doubtful, with a message
naming the file and the spreadsheet row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from ilp_gis import budget as B
from ilp_gis import model
from ilp_gis.errors import InputError
from ilp_gis.i18n import language, register_catalog, tr
from ilp_gis.model import ImportStatus
from ilp_gis.rules import Rules, default_rules
from layers import csv_text

# our column -> header spellings (compared after lower-casing and squeezing non-alphanumerics)
ALIASES: dict[str, tuple[str, ...]] = {
    "budget_id": ("budget id", "id", "no", "nomor", "kode", "kode kegiatan", "kode anggaran",
                  "id anggaran", "no urut"),
    "source": ("source", "sumber dana", "sumber", "sumber anggaran", "sumber pendanaan",
               "funding source", "dana"),
    "year": ("year", "tahun", "ta", "tahun anggaran", "thn", "budget year"),
    "activity": ("activity", "kegiatan", "uraian", "uraian kegiatan", "sub kegiatan",
                 "nama kegiatan", "rincian kegiatan", "menu", "menu kegiatan", "jenis kegiatan"),
    "target_desa": ("target desa", "desa", "kode desa", "desa kelurahan", "kelurahan",
                    "lokasi", "lokasi desa", "nama desa", "desa code"),
    "target_facility": ("target facility", "fasilitas", "kode fasilitas", "faskes",
                        "kode faskes", "fac id", "facility", "nama fasilitas"),
    "amount": ("amount", "jumlah", "nilai", "anggaran", "pagu", "jumlah rp", "nilai rp",
               "pagu anggaran", "anggaran rp", "pagu rp", "total", "biaya", "jumlah anggaran"),
    "status": ("status", "status anggaran", "tahap"),
    "note": ("note", "keterangan", "catatan", "ket"),
}
REQUIRED = ("source", "year", "activity", "amount")
_TOTAL_WORDS = re.compile(r"^\s*(sub ?total|total|jumlah|grand total)\b", re.I)


def _norm(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def _read_raw(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str | None]:
    """Every row of the file as read (no header yet) and the CSV delimiter (``None`` for a
    workbook).  CSV goes through the one CSV reader of every table (``layers.csv_text``)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None,
                                 dtype=object, engine="openpyxl" if suffix != ".xls" else None
                                 ), None
        except (ValueError, IndexError, KeyError) as exc:
            if sheet is not None:  # unknown sheet name or index
                raise InputError(tr("budget_import.bad_sheet", sheet=str(sheet),
                                    why=_short(exc)), file=path) from exc
            raise InputError(tr("budget_import.unreadable", why=_short(exc)),
                             file=path) from exc
        except Exception as exc:  # noqa: BLE001 - a damaged workbook: zip, XML, styles...
            raise InputError(tr("budget_import.unreadable", why=_short(exc)),
                             file=path) from exc
    if suffix in (".csv", ".txt", ".tsv"):
        src = csv_text.read_csv_text(path)
        rows = csv_text.csv_rows(src.text, src.delimiter, path)
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [None] * (width - len(r)) for r in rows],
                            dtype=object), src.delimiter
    raise InputError(tr("budget_import.bad_format", suffix=suffix or "-"), file=path)


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _find_header(raw: pd.DataFrame, mapping: dict[str, str] | None) -> tuple[int, dict[str, int]]:
    wanted = {k: {_norm(a) for a in v} for k, v in ALIASES.items()}
    if mapping:
        for ours, theirs in mapping.items():
            wanted[ours] = {_norm(theirs)}
    best_row, best_cols = -1, {}
    for r in range(min(len(raw), 25)):
        cells = [_norm(v) if v is not None and str(v) != "nan" else "" for v in raw.iloc[r]]
        cols: dict[str, int] = {}
        for ours, names in wanted.items():
            for c, cell in enumerate(cells):
                if cell and cell in names and c not in cols.values():
                    cols[ours] = c
                    break
        if len(cols) > len(best_cols):
            best_row, best_cols = r, cols
        if all(k in cols for k in REQUIRED):
            return r, cols
    return best_row, best_cols


def read_budget(path: str | Path, *, sheet: str | int | None = None,
                mapping: dict[str, str] | None = None, lang: str | None = None,
                desa: pd.DataFrame | None = None,
                facilities: pd.DataFrame | None = None,
                rules: Rules | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read budget lines from an XLSX or CSV file.

    Parameters
    ----------
    path
        The workbook or CSV file.
    sheet
        Sheet name or index (XLSX; default the first sheet).
    mapping
        ``{our column: their header}`` for headers the aliases do not know, e.g.
        ``{"amount": "Pagu Indikatif 2026"}``.
    lang
        Language of the report messages (default: the UI language).
    desa, facilities
        Optional project layers: ``target_desa`` written as a name, a BPS code or a code without
        dots is resolved to the desa ``code``; unknown targets are reported as doubtful.

    Returns
    -------
    (budget, report)
        ``budget`` conforms to :data:`ilp_gis.model.BUDGET`; ``report`` to
        :data:`ilp_gis.model.IMPORT_REPORT` with one row per data row of the file.
    """
    path = Path(path)
    limit = (rules or default_rules()).value(B.MAX_LINE_AMOUNT_RULE,
                                             B.default_max_line_amount())
    with language(lang):
        return _read_budget(path, sheet, mapping, desa, facilities, limit)


def _read_budget(path, sheet, mapping, desa, facilities, limit):
    if not path.exists():
        raise InputError(tr("budget_import.missing"), file=path)
    if path.is_dir():
        raise InputError(tr("budget_import.unreadable", why=tr("budget_import.is_dir")),
                         file=path)
    raw, delim = _read_raw(path, sheet)
    if raw.empty:
        raise InputError(tr("budget_import.empty"), file=path)
    header_row, cols = _find_header(raw, mapping)
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        found = ", ".join(str(v) for v in raw.iloc[max(header_row, 0)].dropna().tolist())
        raise InputError(tr("budget_import.no_columns", missing=", ".join(missing),
                            found=found or "-"), file=path)
    resolver = _DesaResolver(desa)
    fac_ids = set(facilities["fac_id"].astype(str)) if facilities is not None and len(
        facilities) else None
    fac_names = ({_norm(n): str(i) for i, n in zip(facilities["fac_id"], facilities["name"],
                                                    strict=True) if isinstance(n, str)}
                 if fac_ids else {})

    out_rows: list[dict[str, Any]] = []
    report: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    fname = path.name
    width = sum(1 for v in raw.iloc[header_row].tolist() if not B.is_missing(v))
    for r in range(header_row + 1, len(raw)):
        excel_row = r + 1  # the row number a person sees in the spreadsheet
        cells = {k: raw.iat[r, c] for k, c in cols.items()}
        original = "; ".join(f"{k}={v}" for k, v in cells.items() if not B.is_missing(v))

        def rep(status: ImportStatus, problem: str, message: str,
                _row=excel_row, _orig=original) -> None:
            report.append({"file": fname, "role": "budget", "row": _row, "status": status.value,
                           "problem": problem,
                           "message": tr("budget_import.where", file=fname, row=str(_row),
                                         message=message) if message else "",
                           "original": _orig})

        if all(B.is_missing(v) for v in raw.iloc[r].tolist()):
            rep(ImportStatus.SKIPPED, "empty_row", tr("budget_import.empty_row"))
            continue
        values = [v for v in raw.iloc[r].tolist() if not B.is_missing(v)]
        other = (csv_text.mixed_delimiter([str(values[0])], delim, width)
                 if delim is not None and len(values) == 1
                 and not B.is_missing(raw.iat[r, 0]) else None)
        if other is not None:
            rep(ImportStatus.SKIPPED, "mixed_delimiter",
                tr("budget_import.mixed_delimiter", rows=csv_text.delimiter_name(other),
                   header=csv_text.delimiter_name(delim)))
            continue
        first_text = " ".join(str(v) for v in raw.iloc[r].tolist()[:4] if not B.is_missing(v))
        if _TOTAL_WORDS.match(first_text) and B.is_missing(cells.get("activity")) or \
                _TOTAL_WORDS.match(str(cells.get("activity") or "")) and \
                B.is_missing(cells.get("source")):
            rep(ImportStatus.SKIPPED, "total_row", tr("budget_import.total_row"))
            continue
        problems: list[tuple[str, str, str]] = []  # (severity, problem, message)

        amount = B.parse_amount(cells.get("amount"), max_amount=limit)
        year = B.parse_year(cells.get("year"))
        if amount.status == "error":
            rep(ImportStatus.SKIPPED, "bad_amount", amount.message)
            continue
        if year.status in ("error", "empty"):
            rep(ImportStatus.SKIPPED, "bad_year",
                year.message or tr("budget_import.no_year"))
            continue
        source = B.parse_source(cells.get("source"))
        activity = B.parse_activity(cells.get("activity"))
        status = B.parse_status(cells.get("status"))
        for field_name, parsed in (("amount", amount), ("year", year), ("source", source),
                                   ("activity", activity), ("status", status)):
            if parsed.status in ("fixed", "doubtful"):
                problems.append((parsed.status, f"{field_name}_{parsed.status}", parsed.message))
        if amount.status == "empty":
            problems.append(("doubtful", "no_amount", tr("budget_import.no_amount")))
        if source.status == "empty":
            source = B.Parsed(model.FundingSource.OTHER.value)
            problems.append(("doubtful", "no_source", tr("budget_import.no_source")))
        if activity.status == "empty":
            activity = B.Parsed(model.Activity.OTHER.value)
            problems.append(("doubtful", "no_activity", tr("budget_import.no_activity")))

        # ids
        bid = cells.get("budget_id")
        bid = None if B.is_missing(bid) else str(bid).strip()
        if isinstance(bid, str) and re.fullmatch(r"\d+\.0", bid):
            bid = bid[:-2]
        if bid is None:
            bid = f"{path.stem}-{excel_row}"
            problems.append(("fixed", "id_generated", tr("budget_import.id_generated", id=bid)))
        elif bid in seen_ids:
            new = f"{bid}-{excel_row}"
            problems.append(("doubtful", "duplicate_id",
                             tr("budget_import.duplicate_id", id=bid,
                                first=str(seen_ids[bid]), new=new)))
            bid = new
        seen_ids.setdefault(bid, excel_row)

        # targets
        target_desa = cells.get("target_desa")
        target_desa = None if B.is_missing(target_desa) else str(target_desa).strip()
        if target_desa is not None:
            code, how = resolver.resolve(target_desa)
            if how == "unknown":
                problems.append(("doubtful", "unknown_desa",
                                 tr("budget_import.unknown_desa", value=target_desa)))
            elif how != "exact":
                problems.append(("fixed", "desa_resolved",
                                 tr("budget_import.desa_resolved", value=target_desa, code=code)))
            target_desa = code
        target_fac = cells.get("target_facility")
        target_fac = None if B.is_missing(target_fac) else str(target_fac).strip()
        if target_fac is not None and fac_ids is not None and target_fac not in fac_ids:
            by_name = fac_names.get(_norm(target_fac))
            if by_name:
                problems.append(("fixed", "facility_resolved",
                                 tr("budget_import.facility_resolved", value=target_fac,
                                    id=by_name)))
                target_fac = by_name
            else:
                problems.append(("doubtful", "unknown_facility",
                                 tr("budget_import.unknown_facility", value=target_fac)))
        if target_desa is None and target_fac is None:
            problems.append(("doubtful", "no_target", tr("budget_import.no_target")))

        note = cells.get("note")
        out_rows.append({
            "budget_id": bid, "source": source.value, "year": year.value,
            "activity": activity.value, "target_desa": target_desa,
            "target_facility": target_fac, "amount": amount.value, "status": status.value,
            "note": None if B.is_missing(note) else str(note).strip(),
        })
        if any(sev == "doubtful" for sev, _, _ in problems):
            st = ImportStatus.DOUBTFUL
        elif problems:
            st = ImportStatus.FIXED
        else:
            st = ImportStatus.IMPORTED
        rep(st, ";".join(p for _, p, _ in problems),
            "; ".join(m for _, _, m in problems if m))

    frame = model.conform(pd.DataFrame(out_rows, columns=model.BUDGET.column_names),
                          model.BUDGET)
    rep_frame = model.conform(pd.DataFrame(report, columns=model.IMPORT_REPORT.column_names),
                              model.IMPORT_REPORT)
    return frame, rep_frame


class _DesaResolver:
    """Resolve a desa written as a code (with or without dots), a BPS code or a name."""

    def __init__(self, desa: pd.DataFrame | None) -> None:
        self.codes: set[str] = set()
        self.by_digits: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        if desa is None or not len(desa):
            self.active = False
            return
        self.active = True
        for _, row in desa.iterrows():
            code = row.get("code")
            if not isinstance(code, str):
                continue
            self.codes.add(code)
            self.by_digits.setdefault(re.sub(r"\D", "", code), code)
            bps = row.get("code_bps")
            if isinstance(bps, str) and bps:
                self.by_digits.setdefault("bps:" + re.sub(r"\D", "", bps), code)
            name = row.get("name")
            if isinstance(name, str):
                self.by_name.setdefault(_norm(name), []).append(code)
                if _strip_kind(name) != _norm(name):
                    self.by_name.setdefault(_strip_kind(name), []).append(code)

    def resolve(self, text: str) -> tuple[str, str]:
        if not self.active:
            return text, "exact"
        if text in self.codes:
            return text, "exact"
        digits = re.sub(r"\D", "", text)
        if re.fullmatch(r"\d+(\.0)?", text):  # a number from Excel
            digits = re.sub(r"\D", "", text[:-2] if text.endswith(".0") else text)
        for cand in (digits, "0" + digits):
            if cand in self.by_digits:
                return self.by_digits[cand], "code"
            if "bps:" + cand in self.by_digits:
                return self.by_digits["bps:" + cand], "bps"
        for key in (_norm(text), _strip_kind(text)):
            names = self.by_name.get(key)
            if names and len(set(names)) == 1:
                return names[0], "name"
        return text, "unknown"


def _strip_kind(text: str) -> str:
    """``Desa Sumberejo`` / ``Kel. Kauman`` → ``sumberejo`` / ``kauman``."""
    return _norm(re.sub(r"^\s*(desa|kel(urahan)?)\.?\s+", "", str(text), flags=re.I))


register_catalog("layers", "budget_import")
