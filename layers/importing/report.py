"""The import report: problems logged per input row of each file (:class:`_FileLog`), the
:class:`ImportReport` an import returns, its summary and its CSV/XLSX writer.
May import ``ilp_gis`` (model, errors, i18n), ``layers.atomic``, ``layers.safe_cells`` (every
cell written as text, never as a formula) and ``layers.xlsx_style`` (the look of every workbook).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.errors import InputError
from ilp_gis.i18n import has, language, register_catalog, tr
from ilp_gis.model import FacilityType
from layers import xlsx_style
from layers.atomic import atomic_write
from layers.safe_cells import (
    XLSX_MAX_TEXT,
    clean_text,
    csv_frame,
    looks_like_formula,
    xlsx_text_mask,
)

_RANK = {"imported": 0, "fixed": 1, "doubtful": 2, "skipped": 3}


def role_label(role) -> str:
    """What an input file was, for people ("fasilitas", "batas desa"); unknown roles as
    written."""
    key = f"import.role.{role}"
    return tr(key) if has(key) else str(role)


def problem_label(kind) -> str:
    """A problem kind for people; a kind without a label reads as words, never as a key."""
    key = f"import.kind.{kind}"
    return tr(key) if has(key) else str(kind).replace("_", " ")


ROWLESS_ROLES = frozenset({"population_raster", "population_total"})
"""Inputs that are not tables of rows: the summary gives their notes, not a row count."""


class _FileLog:
    """Problems of one input file, by positional row of its frame."""

    def __init__(self, file: str, role: str, row_numbers, *, expects_rows: bool = True) -> None:
        self.file = file
        self.role = role
        self.expects_rows = expects_rows  # False: a raster or typed-in totals, no table rows
        self.rows = np.asarray(row_numbers, dtype=int)
        self.entries: dict[int, list[tuple[str, str, str, str]]] = {}
        self.file_lines: list[tuple[str, str, str]] = []  # (status, problem, message)

    def add(self, i: int, status: str, problem: str, message: str, original: object = "") -> None:
        self.entries.setdefault(int(i), []).append(
            (status, problem, message, "" if original is None else str(original)))

    def add_file(self, status: str, problem: str, message: str) -> None:
        self.file_lines.append((status, problem, message))

    def add_notes(self, res) -> None:
        """File-level lines for a reader's notes (``fixed`` when the CRS was assumed)."""
        for note in res.notes:
            self.add_file("fixed" if res.crs_assumed else "imported", "file_note", note)

    def frame(self) -> pd.DataFrame:
        n = len(self.rows)
        lines = self.file_lines
        if n == 0 and self.expects_rows and not any(p == "no_rows" for _, p, _ in lines):
            # a file of headings only: said in the report and the summary, never just absent
            lines = [("skipped", "no_rows", tr("import.problem.no_rows")), *lines]
        k = len(lines)

        def column(head: list, fill) -> np.ndarray:
            # object columns as the report keeps them (no inferred string dtype to convert
            # back); filled by slices (np.full of a str is many times slower)
            out = np.empty(k + n, dtype=object)  # None
            out[:k] = head
            if fill is not None:
                out[k:] = fill
            return out

        status = column([s for s, _, _ in lines], "imported")
        problem = column([p for _, p, _ in lines], None)
        message = column([m for _, _, m in lines], None)
        original = column([None] * k, None)
        for i, found in self.entries.items():
            j = k + i
            status[j] = max((e[0] for e in found), key=_RANK.__getitem__)
            problem[j] = ";".join(dict.fromkeys(e[1] for e in found))
            message[j] = "; ".join(dict.fromkeys(e[2] for e in found if e[2]))
            origs = [e[3] for e in found if e[3]]
            original[j] = "; ".join(dict.fromkeys(origs)) if origs else None
        rows = np.concatenate([np.zeros(k, dtype=np.int64), self.rows.astype(np.int64)])
        return pd.DataFrame({
            "file": pd.Series(column([self.file] * k, self.file), dtype=object, copy=False),
            "role": pd.Series(column([self.role] * k, self.role), dtype=object, copy=False),
            "row": pd.arrays.IntegerArray(rows, np.zeros(len(rows), dtype=bool)),
            "status": pd.Series(status, dtype=object, copy=False),
            "problem": pd.Series(problem, dtype=object, copy=False),
            "message": pd.Series(message, dtype=object, copy=False),
            "original": pd.Series(original, dtype=object, copy=False)}, copy=False)


SUMMARY_NOTES_PER_KIND = 10
"""File lines of one kind (e.g. a desa without a row in a per-desa table) the summary prints;
the rest are counted there and all are in the report itself."""


@dataclass
class ImportReport:
    """The outcome of an import: one line per input row (``frame``, model.IMPORT_REPORT; row 0
    is a line about the whole file), the column mappings used and the project's layer counts."""

    frame: pd.DataFrame
    mappings: dict[str, dict] = field(default_factory=dict)
    layer_counts: dict[str, int] = field(default_factory=dict)
    facility_counts: dict[str, int] = field(default_factory=dict)
    lang: str = "id"
    location_counts: dict[str, int] = field(default_factory=dict)  # location quality -> n
    checklist: list[str] = field(default_factory=list)
    """What the project now holds and lacks for a full ILP analysis (``ilp_gis.inputs``)."""

    def counts(self) -> pd.DataFrame:
        """Rows per file and status (file-level lines, row 0, not counted)."""
        rows = self.frame[self.frame["row"] > 0]
        table = rows.groupby(["file", "status"], sort=False).size().unstack(fill_value=0)
        # every file, also one without data rows (0 rows, and its file line says why)
        table = table.reindex(list(dict.fromkeys(self.frame["file"])), fill_value=0)
        for s in _RANK:
            if s not in table.columns:
                table[s] = 0
        return table[list(_RANK)]

    def top_problems(self, n: int = 8) -> list[tuple[str, int]]:
        kinds: Counter[str] = Counter()
        for p in self.frame.loc[self.frame["row"] > 0, "problem"].dropna():
            kinds.update(k for k in str(p).split(";") if k)
        return kinds.most_common(n)

    def summary(self, *, lang: str | None = None) -> str:
        """A readable summary in the UI language."""
        lang = lang or self.lang
        with language(lang):
            lines = [tr("import.summary.title")]
            counts = self.counts()
            for file, row in counts.iterrows():
                role = self.frame.loc[self.frame["file"] == file, "role"].iloc[0]
                if not int(row.sum()) and role in ROWLESS_ROLES:
                    continue  # a raster or typed-in totals: no rows to count, its notes follow
                lines.append(tr("import.summary.file", file=file, role=role_label(role),
                                total=int(row.sum()), imported=int(row["imported"]),
                                fixed=int(row["fixed"]), doubtful=int(row["doubtful"]),
                                skipped=int(row["skipped"])))
            notes = self.frame[self.frame["row"] == 0]
            shown: Counter[tuple] = Counter()
            for file, problem, message in zip(notes["file"], notes["problem"], notes["message"],
                                              strict=True):
                shown[(file, problem)] += 1  # many lines of one kind: the first few, then a count
                if shown[(file, problem)] <= SUMMARY_NOTES_PER_KIND:
                    lines.append(f"  {file}: {message}")
            for (file, _problem), k in shown.items():
                if k > SUMMARY_NOTES_PER_KIND:
                    lines.append(tr("import.summary.more_notes", file=file,
                                    n=k - SUMMARY_NOTES_PER_KIND))
            top = self.top_problems()
            if top:
                lines.append(tr("import.summary.top"))
                for kind, k in top:
                    lines.append(f"  - {problem_label(kind)}: {k}")
            layers = ", ".join(f"{tr('import.layer.' + name)} {n}"
                               for name, n in self.layer_counts.items())
            lines.append(tr("import.summary.layers", layers=layers or "–"))
            if any(self.facility_counts.values()):  # a type never loaded is not "0"
                lines.append(tr("import.summary.facilities", counts=", ".join(
                    f"{FacilityType(t).label} {n}" for t, n in self.facility_counts.items()
                    if n)))
            if any(n for q, n in self.location_counts.items() if q not in ("exact", "fixed")):
                lines.append(tr("import.summary.locations", counts=", ".join(
                    f"{n} {tr('location_quality.' + q)}"
                    for q, n in self.location_counts.items() if n)))
            if self.checklist:
                lines.append(tr("inputs.check.heading"))
                lines += [f"  {line}" for line in self.checklist]
                if not any(line.startswith("[ ]") for line in self.checklist):
                    lines.append("  " + tr("inputs.check.complete"))
        return "\n".join(lines)

    def people_frame(self) -> pd.DataFrame:
        """The report as people read it, in the report's language: roles, statuses and
        problem kinds as words; the machine codes of status and problem kept in the last two
        columns (for filtering and for tools)."""
        frame = self.frame
        with language(self.lang):
            roles = {r: role_label(r) for r in frame["role"].dropna().unique()}
            statuses = {s: tr(f"import_status.{s}") for s in frame["status"].dropna().unique()}
            problems = {p: "; ".join(problem_label(k) for k in str(p).split(";") if k)
                        for p in frame["problem"].dropna().unique()}
        return pd.DataFrame({
            "file": frame["file"], "role": frame["role"].map(roles), "row": frame["row"],
            "status": frame["status"].map(statuses), "problem": frame["problem"].map(problems),
            "message": frame["message"], "original": frame["original"],
            "status_code": frame["status"], "problem_code": frame["problem"]})

    def write(self, path: str | Path) -> Path:
        """Write the report as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
        path = Path(path)
        frame = self.people_frame()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            with language(self.lang):
                safe = csv_frame(frame.rename(columns=_column_labels(frame.columns)))
            atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False, encoding="utf-8-sig"))
        elif suffix in (".xlsx", ".xlsm"):
            _write_xlsx(frame, self, path)
        else:
            raise InputError(tr("import.report_format", suffix=suffix or "–"), file=path.name)
        return path


XLSX_MAX_ROWS = 1_000_000
"""Rows per sheet of the XLSX report (Excel holds 1,048,576 rows a sheet); longer reports
continue on further sheets."""


def _write_xlsx(frame: pd.DataFrame, report: ImportReport, path: Path) -> None:
    """The report as a workbook styled like every ilp-gis workbook (``layers.xlsx_style``:
    header, widths, print set-up): a summary sheet, then the rows, coloured by status, on as
    many sheets as they need.  Streamed row by row (XlsxWriter's constant-memory mode)."""
    import xlsxwriter

    headers = list(frame.columns)
    status_col = headers.index("status_code")
    widths = {"file": 28, "role": 12, "row": 7, "status": 10, "problem": 26, "message": 80,
              "original": 30, "status_code": 10, "problem_code": 24}
    columns = [frame[h].to_numpy(dtype=object) for h in headers]
    as_text = [xlsx_text_mask(col) for col in columns]  # formula-like or control characters
    n = len(frame)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False,
                                            "strings_to_urls": False})
        head = xlsx_style.head_format(wb)
        fills = {k: wb.add_format({"bg_color": c, "pattern": 1}) for k, c in
                 (("fixed", "#FFF2CC"), ("doubtful", "#FCE4D6"), ("skipped", "#F4CCCC"))}
        quoted = {k: wb.add_format({"bg_color": c, "pattern": 1, "quote_prefix": True})
                  for k, c in (("fixed", "#FFF2CC"), ("doubtful", "#FCE4D6"),
                               ("skipped", "#F4CCCC"))}
        quoted[None] = wb.add_format({"quote_prefix": True})
        with language(report.lang):
            ws = wb.add_worksheet(tr("import.xlsx.summary")[:31])
            xlsx_style.print_setup(ws, header_row=None)
            ws.set_column(0, 0, 120)
            for r, line in enumerate(report.summary().splitlines()):
                _text(ws, r, 0, line, None, quoted[None])
            title = tr("import.xlsx.sheet")
            labels = list(_column_labels(headers).values())
            for part, start in enumerate(range(0, max(n, 1), XLSX_MAX_ROWS)):
                name = title if part == 0 else f"{title} ({part + 1})"
                ws = wb.add_worksheet(name[:31])
                stop = min(n, start + XLSX_MAX_ROWS)
                xlsx_style.print_setup(ws)
                ws.autofilter(0, 0, max(stop - start, 1), len(headers) - 1)
                for i, (h, label) in enumerate(zip(headers, labels, strict=True)):
                    ws.set_column(i, i, widths.get(h, 14))
                    _text(ws, 0, i, label, head, head)
                for r in range(start, stop):
                    xr = r - start + 1
                    status = columns[status_col][r]
                    fill = fills.get(status)
                    for c, col in enumerate(columns):
                        v = _xlsx_value(col[r])
                        if v is None:
                            if fill is not None:
                                ws.write_blank(xr, c, None, fill)
                        elif isinstance(v, int | float) and not isinstance(v, bool):
                            ws.write_number(xr, c, v, fill)  # row numbers: no separators
                        elif as_text[c][r]:
                            _text(ws, xr, c, str(v), fill, quoted.get(status, quoted[None]))
                        else:
                            ws.write_string(xr, c, str(v), fill)
        wb.close()

    atomic_write(path, write)


def _text(ws, row: int, col: int, text: str, fmt, quoted) -> None:
    """A text cell that stays text: cleaned of control characters, cut to what a cell holds,
    quote-prefixed when a spreadsheet would read it as a formula."""
    text = clean_text(text)[:XLSX_MAX_TEXT]
    ws.write_string(row, col, text, quoted if looks_like_formula(text) else fmt)


def _column_labels(headers) -> dict[str, str]:
    return {h: tr(f"import.xlsx.col.{h}") if has(f"import.xlsx.col.{h}") else h
            for h in headers}


def _xlsx_value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    return v


class _ReportLog(_FileLog):
    """A report another reader already made (one line per row, model.IMPORT_REPORT)."""

    def __init__(self, file: str, role: str, report: pd.DataFrame) -> None:
        super().__init__(file, role, [])
        self._report = model.conform(report, model.IMPORT_REPORT)

    def frame(self) -> pd.DataFrame:
        return self._report


register_catalog("layers", "importing.report")
register_catalog("ilp_gis", "inputs")  # the checklist heading
