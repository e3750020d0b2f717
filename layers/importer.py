"""The import pipeline: files as Dinkes hands them over → a checked :class:`Project`.

:func:`import_files` reads boundaries (kabupaten, kecamatan, desa), facility lists and roads,
detects columns, normalises area codes and coordinates, repairs what can be repaired, places
every facility in its desa and kecamatan (vectorised point-in-polygon on a spatial index) and
writes one import-report line per input row — nothing is dropped without a line.

Updating a project: a boundary role given again replaces that layer; facility files replace
the facilities of the types they contain (other types stay); roads replace roads.  Facilities
are placed again whenever the desa or kecamatan layer changes.  Report lines of a re-imported
file replace its old lines.

Area-code key: ``code`` holds the Kemendagri code when the source has one; otherwise the BPS code
as written (never converted; the two are told apart by their shape, ``PP.KK.CC.DDDD`` against
ten plain digits); otherwise a generated ``TANPA-KODE-<role>-<row>`` reported as doubtful.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import itertools
import json
import math
import re
import threading
from collections import Counter
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ilp_gis import codes, coords, model
from ilp_gis.errors import Cancelled, InputError
from ilp_gis.i18n import language, register_catalog, tr
from ilp_gis.jobs import checkpoint, in_background
from ilp_gis.model import FacilityType, PosyanduLevel
from ilp_gis.project import Project
from layers import readers
from layers.columns import ColumnMapping, detect_columns, require

_RANK = {"imported": 0, "fixed": 1, "doubtful": 2, "skipped": 3}
AREA_ROLES = ("kabupaten", "kecamatan", "desa")
_LEVEL_OF_ROLE = {"kabupaten": codes.KABUPATEN, "kecamatan": codes.KECAMATAN,
                  "desa": codes.DESA}


# --- the report ---------------------------------------------------------------------------------
class _FileLog:
    """Problems of one input file, by positional row of its frame."""

    def __init__(self, file: str, role: str, row_numbers) -> None:
        self.file = file
        self.role = role
        self.rows = np.asarray(row_numbers, dtype=int)
        self.entries: dict[int, list[tuple[str, str, str, str]]] = {}
        self.file_lines: list[tuple[str, str, str]] = []  # (status, problem, message)

    def add(self, i: int, status: str, problem: str, message: str, original: object = "") -> None:
        self.entries.setdefault(int(i), []).append(
            (status, problem, message, "" if original is None else str(original)))

    def add_file(self, status: str, problem: str, message: str) -> None:
        self.file_lines.append((status, problem, message))

    def status_of(self, i: int) -> str:
        found = self.entries.get(int(i))
        if not found:
            return "imported"
        return max((e[0] for e in found), key=_RANK.__getitem__)

    def frame(self) -> pd.DataFrame:
        n = len(self.rows)
        lines = self.file_lines
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


@dataclass
class ImportReport:
    """The outcome of an import: one line per input row (``frame``, model.IMPORT_REPORT; row 0
    is a line about the whole file), the column mappings used and the project's layer counts."""

    frame: pd.DataFrame
    mappings: dict[str, dict] = field(default_factory=dict)
    layer_counts: dict[str, int] = field(default_factory=dict)
    facility_counts: dict[str, int] = field(default_factory=dict)
    lang: str = "id"

    def counts(self) -> pd.DataFrame:
        """Rows per file and status (file-level lines, row 0, not counted)."""
        rows = self.frame[self.frame["row"] > 0]
        table = rows.groupby(["file", "status"], sort=False).size().unstack(fill_value=0)
        table = table.reindex(list(dict.fromkeys(rows["file"])))
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
                lines.append(tr("import.summary.file", file=file, role=role,
                                total=int(row.sum()), imported=int(row["imported"]),
                                fixed=int(row["fixed"]), doubtful=int(row["doubtful"]),
                                skipped=int(row["skipped"])))
            notes = self.frame[self.frame["row"] == 0]
            for _, r in notes.iterrows():
                lines.append(f"  {r['file']}: {r['message']}")
            top = self.top_problems()
            if top:
                lines.append(tr("import.summary.top"))
                for kind, k in top:
                    label = tr(f"import.kind.{kind}") if _has(f"import.kind.{kind}") else kind
                    lines.append(f"  - {label} ({kind}): {k}")
            layers = ", ".join(f"{tr('import.layer.' + name)} {n}"
                               for name, n in self.layer_counts.items())
            lines.append(tr("import.summary.layers", layers=layers or "–"))
            if self.facility_counts:
                lines.append(tr("import.summary.facilities", counts=", ".join(
                    f"{FacilityType(t).label} {n}" for t, n in self.facility_counts.items())))
        return "\n".join(lines)

    def write(self, path: str | Path) -> Path:
        """Write the report as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
        path = Path(path)
        frame = self.frame.copy()
        with language(self.lang):
            frame["status_label"] = frame["status"].map(
                lambda s: tr(f"import_status.{s}") if isinstance(s, str) else s)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            tmp = path.with_name(path.name + ".tmp")
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
            tmp.replace(path)
        elif suffix in (".xlsx", ".xlsm"):
            _write_xlsx(frame, self, path)
        else:
            raise InputError(tr("import.report_format", suffix=suffix or "–"), file=path.name)
        return path


def _has(key: str) -> bool:
    from ilp_gis.i18n import has

    return has(key)


XLSX_MAX_ROWS = 1_000_000
"""Rows per sheet of the XLSX report (Excel holds 1,048,576 rows a sheet); longer reports
continue on further sheets."""


def _write_xlsx(frame: pd.DataFrame, report: ImportReport, path: Path) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook(write_only=True)  # streamed: fast and small for long reports
    headers = list(frame.columns)
    status_col = headers.index("status")
    widths = {"file": 28, "role": 12, "row": 7, "status": 10, "problem": 26, "message": 80,
              "original": 30, "status_label": 12}
    fills = {k: PatternFill("solid", start_color=c) for k, c in
             (("fixed", "FFF2CC"), ("doubtful", "FCE4D6"), ("skipped", "F4CCCC"))}
    bold = Font(bold=True)
    with language(report.lang):
        ws2 = wb.create_sheet(tr("import.xlsx.summary")[:31])
        ws2.column_dimensions["A"].width = 120
        for line in report.summary().splitlines():
            ws2.append([line])
        title = tr("import.xlsx.sheet")
        labels = [tr(f"import.xlsx.col.{h}") if _has(f"import.xlsx.col.{h}") else h
                  for h in headers]
        columns = [frame[h].to_numpy(dtype=object) for h in headers]
        n = len(frame)
        for part, start in enumerate(range(0, max(n, 1), XLSX_MAX_ROWS)):
            name = title if part == 0 else f"{title} ({part + 1})"
            ws = wb.create_sheet(name[:31])
            ws.freeze_panes = "A2"
            for i, h in enumerate(headers):
                ws.column_dimensions[get_column_letter(i + 1)].width = widths.get(h, 14)
            head = []
            for label in labels:
                c = WriteOnlyCell(ws, value=label)
                c.font = bold
                head.append(c)
            ws.append(head)
            for r in range(start, min(n, start + XLSX_MAX_ROWS)):
                values = [_xlsx_value(col[r]) for col in columns]
                fill = fills.get(values[status_col])
                if fill is None:
                    ws.append(values)
                else:
                    cells = []
                    for v in values:
                        c = WriteOnlyCell(ws, value=v)
                        c.fill = fill
                        cells.append(c)
                    ws.append(cells)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


def _xlsx_value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    return v


# --- small value readers ------------------------------------------------------------------------
def _text(v: object) -> str | None:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else str(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def _distinct_texts(column: pd.Series) -> tuple[list, np.ndarray]:
    """:func:`_text` of each distinct value of ``column`` and, per row, the position of its
    value in that list (missing values at position 0, as None)."""
    index, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = [None] + [_text(v) for v in (uniques.tolist() if hasattr(uniques, "tolist")
                                         else list(uniques))]
    return texts, np.asarray(index, dtype=np.int64) + 1


def _texts(values) -> list:
    """:func:`_text` for a column: strings stripped, empty → None (fast for text columns)."""
    out = list(values)
    for i, v in enumerate(out):
        if v.__class__ is str:
            if v and not v[0].isspace() and not v[-1].isspace():
                continue
            v = v.strip()
            out[i] = v or None
        else:
            out[i] = _text(v)
    return out


def _cached(fn):
    """Apply a per-value reader once per distinct value (logging stays per row); returns an
    object array."""
    def run(values, log, *args):
        values = _object_array(values)
        try:  # distinct values found in one pass; missing ones (None, NaN) read row by row
            index, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable cells
            return _object_array(by_row(values, np.arange(len(values)), log, args))
        hits = [fn(u, *args) for u in uniques]
        out = np.empty(len(values), dtype=object)
        if hits:
            at = np.maximum(index, 0)
            out[:] = _object_array([h[0] for h in hits])[at]
            bad = np.array([h[1] is not None for h in hits], dtype=bool)
            for i in np.flatnonzero((index >= 0) & bad[at]):
                log.add(i, *hits[index[i]][1])
        na = np.flatnonzero(index < 0)
        if len(na):
            out[na] = _object_array(by_row(values[na], na, log, args))
        return out

    def by_row(values, rows, log, args):
        cache: dict = {}
        out = []
        for i, v in zip(rows.tolist(), values, strict=True):
            try:
                hit = cache.get(v, _MISS) if v.__hash__ is not None else _MISS
            except TypeError:
                hit = _MISS
            if hit is _MISS:
                hit = fn(v, *args)
                try:
                    cache[v] = hit
                except TypeError:
                    pass
            value, problem = hit
            if problem is not None:
                log.add(i, *problem)
            out.append(value)
        return out
    return run


_MISS = object()


def _numbers(values, log: _FileLog, label: str, *, percent: bool = False) -> np.ndarray:
    """Numbers from a raw column; bad values stay missing and are reported (fixed)."""
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype) and \
            not pd.api.types.is_bool_dtype(values.dtype):  # a numeric GIS field: no text
        raw = values.reset_index(drop=True)
        out = np.array(raw.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        todo = np.empty(0, dtype=np.int64)
    else:
        raw = pd.Series(values if not isinstance(values, pd.Series) else values.tolist(),
                        dtype=object).reset_index(drop=True)
        out = _plain_numbers(raw)
        if out is None:  # some cell is not a plain number (or not text): the general reader
            out = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
        present = raw.notna().to_numpy()
        todo = np.flatnonzero(np.isnan(out) & present)
    for i in todo:
        v = raw.iat[i]
        text = str(v).strip().replace(" ", "")
        if not text or text in ("-", "–"):
            continue
        try:
            if text.count(",") == 1 and "." not in text:
                out[i] = float(text.replace(",", "."))
            elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.234.567 thousands
                out[i] = float(text.replace(".", ""))
            else:
                raise ValueError
        except ValueError:
            log.add(i, "fixed", "bad_number",
                    tr("import.problem.bad_number", value=str(v), column=label), v)
    neg = np.flatnonzero(out < 0)
    for i in neg:
        log.add(i, "fixed", "negative_number",
                tr("import.problem.negative_number", value=_show(out[i]), column=label),
                raw.iat[i])
        out[i] = np.nan
    if percent:
        valid = out[np.isfinite(out)]
        says_percent = bool(re.search(r"persen|pct|percent|%", label.lower()))
        if len(valid) and (says_percent or valid.max() > 1):
            log.add_file("fixed", "percent_scaled",
                         tr("import.problem.percent_column", column=label))
            for i in np.flatnonzero(out > 100):
                log.add(i, "fixed", "bad_number",
                        tr("import.problem.bad_share", value=_show(out[i]), column=label),
                        raw.iat[i])
                out[i] = np.nan
            out = out / 100.0
    return out


def _plain_numbers(raw: pd.Series) -> np.ndarray | None:
    """A text column whose every cell is a plain number (or empty) read in one vectorised
    pass; ``None`` when any cell is something else."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(raw.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        out = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return np.array(out, dtype=float)


def _show(x: float) -> str:
    return f"{x:g}"


_TRUE = {"ya", "y", "yes", "true", "1", "benar", "v", "x", "iya", "ada", "t", "sudah"}
_FALSE = {"tidak", "tdk", "no", "n", "false", "0", "bukan", "belum", "f", "tak"}


def _boolean(v, label):
    t = _text(v)
    if t is None:
        return None, None
    k = t.lower().rstrip(".")
    if k in _TRUE:
        return True, None
    if k in _FALSE:
        return False, None
    return None, ("fixed", "bad_boolean", tr("import.problem.bad_boolean", value=t, column=label),
                  t)


def _date(v, label):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None, None
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    t = str(v).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(t[:10], fmt).date(), None
        except ValueError:
            continue
    return None, ("fixed", "bad_date", tr("import.problem.bad_date", value=t, column=label), t)


_LEVELS = {"pratama": PosyanduLevel.PRATAMA, "madya": PosyanduLevel.MADYA,
           "purnama": PosyanduLevel.PURNAMA, "mandiri": PosyanduLevel.MANDIRI,
           "1": PosyanduLevel.PRATAMA, "2": PosyanduLevel.MADYA, "3": PosyanduLevel.PURNAMA,
           "4": PosyanduLevel.MANDIRI, "i": PosyanduLevel.PRATAMA, "ii": PosyanduLevel.MADYA,
           "iii": PosyanduLevel.PURNAMA, "iv": PosyanduLevel.MANDIRI}


def _level(v):
    t = _text(v)
    if t is None:
        return None, None
    k = re.sub(r"^(posyandu|strata|tingkat)\s+", "", t.lower().strip())
    k = k.split()[0] if k.split() else k
    lvl = _LEVELS.get(k)
    if lvl is None:
        return None, ("fixed", "bad_level", tr("import.problem.bad_level", value=t), t)
    return lvl.value, None


_booleans = _cached(_boolean)
_dates = _cached(_date)
_levels = _cached(_level)


# --- facility types -----------------------------------------------------------------------------
def facility_type(text: object) -> tuple[FacilityType | None, bool]:
    """Read a facility type as written (``"PKM"``, ``"Puskesmas Pembantu"``, ``"Poskesdes"``...).

    Returns ``(type, precursor)``; ``(None, False)`` when the text names no ILP facility type
    (a hospital, a clinic, a Posbindu...) — those are never guessed.
    """
    t = _text(text)
    if t is None:
        return None, False
    s = " " + re.sub(r"[^a-z0-9]+", " ", t.lower()).strip() + " "
    if " puskesmas pembantu " in s or " pustu " in s or " pusban " in s or s.strip() == "pp":
        return FacilityType.PUSTU, False
    if any(f" {w} " in s for w in model.PUSTU_PRECURSORS) or " pos kesehatan desa " in s \
            or " pondok bersalin desa " in s:
        return FacilityType.PUSTU, True
    if " posyandu " in s or " pos pelayanan terpadu " in s or " pos yandu " in s:
        return FacilityType.POSYANDU, False
    if " puskesmas " in s or " pkm " in s or " pusk " in s or s.strip() in ("pusk", "pkm"):
        return FacilityType.PUSKESMAS, False
    return None, False


def facility_types(values) -> tuple[np.ndarray, np.ndarray]:
    """:func:`facility_type` for a whole column at once (vectorised string matching).
    Returns (type values or None, precursor flags)."""
    ser = pd.Series(list(values), dtype=object)
    index, uniques = pd.factorize(ser, use_na_sentinel=True)
    if len(uniques) < len(ser) // 2:  # names repeat ("Posyandu Mawar"): each read once
        out, pre = facility_types(np.concatenate([np.array([None], dtype=object),
                                                  np.asarray(uniques, dtype=object)]))
        return out[index + 1], pre[index + 1]
    text = ser.where(ser.notna(), "").astype(str).str.lower()
    text = " " + text.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip() + " "
    bare = text.str.strip()

    def has(*words):
        m = np.zeros(len(text), dtype=bool)
        for w in words:
            m |= text.str.contains(f" {w} ", regex=False).to_numpy()
        return m

    pustu = has("puskesmas pembantu", "pustu", "pusban") | (bare == "pp").to_numpy()
    pre = has(*model.PUSTU_PRECURSORS, "pos kesehatan desa", "pondok bersalin desa") & ~pustu
    posy = has("posyandu", "pos pelayanan terpadu", "pos yandu") & ~pustu & ~pre
    pusk = has("puskesmas", "pkm", "pusk") & ~pustu & ~pre & ~posy
    out = np.full(len(text), None, dtype=object)
    out[pusk] = FacilityType.PUSKESMAS.value
    out[posy] = FacilityType.POSYANDU.value
    out[pustu | pre] = FacilityType.PUSTU.value
    return out, pre


_TYPE_ALIASES = {"puskesmas": FacilityType.PUSKESMAS, "pustu": FacilityType.PUSTU,
                 "posyandu": FacilityType.POSYANDU}


def parse_facility_type_option(text: str) -> tuple[FacilityType, bool]:
    """The TYPE of ``--facilities TYPE=FILE`` (any spelling :func:`facility_type` reads)."""
    ftype, precursor = facility_type(text)
    if ftype is None:
        raise InputError(tr("import.bad_type_option", value=text))
    return ftype, precursor


# OSM type columns carry generic values; the facility name then tells the type.
_GENERIC_TYPE_COLUMNS = {"amenity", "healthcare"}


# --- areas --------------------------------------------------------------------------------------
def _polygonal(geom):
    """The polygonal part of a geometry (None when there is none)."""
    if geom is None or geom.is_empty:
        return None
    gt = geom.geom_type
    if gt in ("Polygon", "MultiPolygon"):
        return geom
    if gt == "GeometryCollection":
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polys:
            return None
        u = shapely.union_all(polys)
        return u if u.geom_type in ("Polygon", "MultiPolygon") else None
    return None


def _read_areas(path: Path, role: str, overrides: dict | None, log_holder: list,
                lang_file: str) -> tuple[gpd.GeoDataFrame, ColumnMapping, _FileLog]:
    res = readers.read_vector(path, prefer=(role,))
    gdf = res.frame
    mapping = detect_columns([c for c in gdf.columns if c != gdf.geometry.name], role,
                             overrides, file=path.name)
    require(mapping, list(gdf.columns), file=path.name)
    log = _FileLog(lang_file, role, res.row_numbers)
    log_holder.append(log)
    for note in res.notes:
        log.add_file("fixed" if res.crs_assumed else "imported", "file_note", note)
    n = len(gdf)
    keep = np.ones(n, dtype=bool)

    # geometry
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    out_geoms = np.empty(n, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    valid = np.zeros(n, dtype=bool)
    valid[~empty] = shapely.is_valid(geoms[~empty])
    tid = shapely.get_type_id(geoms)
    clean = ~empty & valid & ((tid == 3) | (tid == 6))  # valid (Multi)Polygon: as they are
    out_geoms[clean] = geoms[clean]
    for i in np.flatnonzero(~clean):
        g = geoms[i]
        if empty[i]:
            keep[i] = False
            log.add(i, "skipped", "empty_geometry", tr("import.problem.empty_geometry"))
            continue
        if not valid[i]:
            why = shapely.is_valid_reason(g)
            g = _polygonal(shapely.make_valid(g))
            if g is None or g.is_empty:
                keep[i] = False
                log.add(i, "skipped", "invalid_geometry",
                        tr("import.problem.invalid_geometry_unrepairable", why=why))
                continue
            log.add(i, "fixed", "invalid_geometry_repaired",
                    tr("import.problem.invalid_geometry_repaired", why=why))
        else:
            pg = _polygonal(g)
            if pg is None:
                keep[i] = False
                log.add(i, "skipped", "not_polygon",
                        tr("import.problem.not_polygon", kind=g.geom_type))
                continue
            g = pg
        out_geoms[i] = g

    cols = {}
    name_col = mapping.get("name")
    names = _texts(gdf[name_col].tolist())
    for i, nm in enumerate(names):
        if nm is None and keep[i]:
            log.add(i, "doubtful", "missing_name", tr("import.problem.missing_area_name"))
    # codes
    level = _LEVEL_OF_ROLE[role]
    kem = [None] * n
    bps = [None] * n
    original = [None] * n
    for fld in ("code", "code_bps"):
        col = mapping.get(fld)
        if col is None:
            continue
        system = mapping.systems.get(fld)
        values = gdf[col].tolist()
        clean = codes.clean_mask(values, system=system, level=level)
        target = bps if system == codes.BPS else kem
        for i in np.flatnonzero(clean):  # already clean codes: kept as written
            v = values[i]
            original[i] = v if original[i] is None else f"{original[i]} | {v}"
            if target[i] is None:
                target[i] = v
        rest = np.flatnonzero(~clean)
        results = codes.normalize_many([values[i] for i in rest], system=system, level=level)
        for i, r in zip(rest, results, strict=True):
            if r.original is not None and original[i] is None:
                original[i] = r.original
            elif r.original is not None:
                original[i] = f"{original[i]} | {r.original}"
            if r.problems and r.problems != ("empty",) and keep[i]:
                st = r.status if r.ok else "doubtful"
                log.add(i, st, "code_" + r.problems[0], r.message(), r.original)
            if not r.ok:
                continue
            if r.system == codes.KEMENDAGRI and kem[i] is None:
                kem[i] = r.code
            elif r.system == codes.BPS and bps[i] is None:
                bps[i] = r.code
    has_code_col = mapping.get("code") is not None or mapping.get("code_bps") is not None
    key = []
    for i in range(n):
        k = kem[i] or bps[i]
        if k is None:
            k = f"TANPA-KODE-{role}-{log.rows[i]}"
            if keep[i] and has_code_col:
                log.add(i, "doubtful", "missing_code",
                        tr("import.problem.missing_code", key=k))
        key.append(k)
    if not has_code_col and n:
        log.add_file("doubtful", "no_code_column", tr("import.problem.no_code_column"))
    # duplicate codes
    seen: dict[str, int] = {}
    for i in range(n):
        if not keep[i] or key[i].startswith("TANPA-KODE"):
            continue
        if key[i] in seen:
            log.add(i, "doubtful", "duplicate_code",
                    tr("import.problem.duplicate_code", code=key[i],
                       row=int(log.rows[seen[key[i]]])), key[i])
        else:
            seen[key[i]] = i
    cols["code"] = key
    cols["code_bps"] = bps
    cols["code_original"] = original
    cols["name"] = [nm if nm is not None else k for nm, k in zip(names, key, strict=False)]

    def parent_of(i: int, lvl: str) -> str | None:
        if kem[i] is not None and codes.LEVELS.index(level) > codes.LEVELS.index(lvl):
            return codes.parent_code(kem[i], codes.KEMENDAGRI, lvl)
        if bps[i] is not None and codes.LEVELS.index(level) > codes.LEVELS.index(lvl):
            return codes.parent_code(bps[i], codes.BPS, lvl)
        return None

    if role in ("kabupaten", "desa"):
        pass
    if role == "kecamatan":
        col = mapping.get("kabupaten_code")
        given = codes.normalize_many(gdf[col].tolist()) if col else [None] * n
        cols["kabupaten_code"] = [(g.code if g is not None and g.ok else None)
                                  or parent_of(i, codes.KABUPATEN) for i, g in enumerate(given)]
    if role == "desa":
        col = mapping.get("kecamatan_code")
        given = codes.normalize_many(gdf[col].tolist(), system=mapping.systems.get(
            "kecamatan_code")) if col else [None] * n
        cols["kecamatan_code"] = [(g.code if g is not None and g.ok else None)
                                  or parent_of(i, codes.KECAMATAN) for i, g in enumerate(given)]
        col = mapping.get("kecamatan_name")
        cols["kecamatan_name"] = _texts(gdf[col].tolist()) if col else [None] * n
        kinds = []
        kcol = mapping.get("kind")
        kind_values = gdf[kcol].tolist() if kcol is not None else [None] * n
        for i in range(n):
            k = None
            kc = kem[i]
            if kc is not None and len(kc) == 13:  # Kemendagri desa: 1xxx kelurahan, 2xxx desa
                k = model.DesaKind.KELURAHAN.value if kc[9] == "1" else model.DesaKind.DESA.value
            elif kcol is not None:
                t = (_text(kind_values[i]) or "").lower()
                if "kel" in t:
                    k = model.DesaKind.KELURAHAN.value
                elif "desa" in t or "kampung" in t or "nagari" in t or "gampong" in t:
                    k = model.DesaKind.DESA.value
            kinds.append(k)
        cols["kind"] = kinds
        for fld in ("population", "dusun_count", "aki", "akb"):
            c = mapping.get(fld)
            cols[fld] = _numbers(gdf[c], log, c) if c else np.full(n, np.nan)
        c = mapping.get("stunting")
        cols["stunting"] = _numbers(gdf[c], log, c, percent=True) if c else \
            np.full(n, np.nan)
    if role == "kabupaten":
        c = mapping.get("population")
        cols["population"] = _numbers(gdf[c], log, c) if c else np.full(n, np.nan)
    if role == "kecamatan":
        pass
    frame = pd.DataFrame({k: _objects(v) for k, v in cols.items()})
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(out_geoms, crs=model.WGS84),
                           crs=model.WGS84)
    out = out[keep].reset_index(drop=True)
    return out, mapping, log


# --- facilities ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1_000_000)
def _norm_name(text: str | None) -> str:
    """A name reduced for matching: lower case, letters and digits only, type words dropped."""
    if not text:
        return ""
    return _norm_text(text if text.__class__ is str else str(text))


@functools.lru_cache(maxsize=1 << 18)
def _norm_text(text: str) -> str:  # names repeat a lot ("Posyandu Mawar"): read each once
    s = re.sub(r"[^a-z0-9]+", " ", text.lower())
    s = re.sub(r"\b(upt|uptd|puskesmas pembantu|puskesmas|pkm|pustu|posyandu|poskesdes|"
               r"polindes|desa|kelurahan|kel|ds)\b", " ", s)
    return " ".join(s.split())


def _norm_names(values) -> list[str]:
    """:func:`_norm_name` of each value, each distinct value read once."""
    index, uniques = pd.factorize(pd.Series(_object_array(values), dtype=object),
                                  use_na_sentinel=True)
    normed = [_norm_name(v) for v in uniques] + [_norm_name(None)]  # -1: missing
    return np.array(normed, dtype=object)[index].tolist()


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return a == b
    if a == b:
        return True
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    if a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _read_facilities(path: Path, declared: tuple[FacilityType, bool] | None,
                     overrides: dict | None, area_bbox, logs: list,
                     sheet: str | None = None) -> tuple[gpd.GeoDataFrame, ColumnMapping]:
    vector = readers.is_vector(path)
    res = readers.read_vector(path) if vector else readers.read_table(path, sheet=sheet)
    raw = res.frame
    headers = [c for c in raw.columns if not (vector and c == raw.geometry.name)]
    mapping = detect_columns(headers, "facilities", overrides, file=path.name)
    require(mapping, headers, file=path.name)
    if not vector and ("lat" not in mapping.fields or "lon" not in mapping.fields):
        require(mapping, headers, file=path.name, need=("lat", "lon"))
    if declared is None and "type" not in mapping.fields:
        # the name may still say the type: only allowed when every row's name does
        pass
    texts = list if res.clean_text else _texts  # CSV cells are already clean text
    log = _FileLog(path.name, "facilities", res.row_numbers)
    logs.append(log)
    for note in res.notes:
        log.add_file("fixed" if res.crs_assumed else "imported", "file_note", note)
    for row, msg in res.bad_rows.items():
        idx = np.flatnonzero(log.rows == row)
        if len(idx):
            log.add(idx[0], "fixed", "too_many_fields", msg)
    n = len(raw)
    keep = np.ones(n, dtype=bool)

    # coordinates
    if vector:
        geoms = np.asarray(raw.geometry.values, dtype=object)
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        gtypes = np.array([g.geom_type if g is not None else "" for g in geoms], dtype=object)
        not_point = ~missing & (gtypes != "Point")
        pts = geoms.copy()
        for i in np.flatnonzero(not_point):
            pts[i] = geoms[i].point_on_surface() if gtypes[i] != "MultiPoint" else \
                shapely.get_geometry(geoms[i], 0)
            log.add(i, "fixed", "not_point", tr("import.problem.not_point", kind=gtypes[i]))
        xs = np.full(n, np.nan)
        ys = np.full(n, np.nan)
        ok = ~missing
        if ok.any():
            xy = shapely.get_coordinates(pts[ok])
            xs[ok], ys[ok] = xy[:, 0], xy[:, 1]
        lon_raw, lat_raw = xs, ys
    else:
        lon_raw = raw[mapping.fields["lon"]].tolist()
        lat_raw = raw[mapping.fields["lat"]].tolist()
    if not vector:  # columns of plain numbers (the usual case) parsed in one pass
        lon_num = _plain_numbers(pd.Series(lon_raw, dtype=object))
        lat_num = _plain_numbers(pd.Series(lat_raw, dtype=object))
        fixed = coords.fix_points(lon_raw if lon_num is None else lon_num,
                                  lat_raw if lat_num is None else lat_num, area_bbox=area_bbox)
    else:
        fixed = coords.fix_points(lon_raw, lat_raw, area_bbox=area_bbox)
    lon = fixed["lon"].to_numpy()
    lat = fixed["lat"].to_numpy()
    st = fixed["status"].to_numpy().copy()
    probs = fixed["problems"].tolist()
    comma_rows = [i for i in range(n) if "comma_decimal" in probs[i]]
    if n and len(comma_rows) >= 0.5 * n:  # the whole file is written with comma decimals
        log.add_file("imported", "comma_decimal", tr("import.comma_file"))
        for i in comma_rows:
            probs[i] = tuple(p for p in probs[i] if p != "comma_decimal")
            if not probs[i]:
                st[i] = coords.OK
    flagged = np.flatnonzero(st != coords.OK)
    lon_l = lon_raw if isinstance(lon_raw, list) else list(lon_raw)
    lat_l = lat_raw if isinstance(lat_raw, list) else list(lat_raw)
    c = mapping.get("declared_desa")
    declared_desa = texts(raw[c].tolist()) if c else [None] * n
    c = mapping.get("declared_desa_code")
    decl_code = texts(raw[c].tolist()) if c else [None] * n
    coord_problem = np.full(n, None, dtype=object)
    for i in flagged:
        orig = f"{_text(lon_l[i]) or ''}, {_text(lat_l[i]) or ''}"
        status = {"fixed": "fixed", "doubtful": "doubtful", "rejected": "skipped"}[st[i]]
        msg = coords.problems_message(probs[i], lon=lon[i], lat=lat[i], original=orig)
        if status == "skipped" and (declared_desa[i] is not None or decl_code[i] is not None):
            # kept for now: placed in its declared desa later, or skipped then
            coord_problem[i] = (";".join(probs[i]), msg, orig)
            continue
        log.add(i, status, ";".join(probs[i]), msg, orig)
        if status == "skipped":
            keep[i] = False

    # names
    name_col = mapping.fields["name"]
    names = texts(raw[name_col].tolist())

    # types
    type_col = mapping.get("type")
    generic = type_col is not None and type_col.strip().lower() in _GENERIC_TYPE_COLUMNS
    type_values = raw[type_col].tolist() if type_col else [None] * n
    types = np.full(n, None, dtype=object)
    precursor = np.zeros(n, dtype=bool)
    type_original = texts(type_values)
    row_types, row_pre = facility_types(type_original)
    has_tv = np.array([t is not None for t in type_original], dtype=bool) & (not generic)
    unknown = has_tv & pd.isna(row_types)
    for i in np.flatnonzero(unknown & keep):
        log.add(i, "skipped", "unknown_type",
                tr("import.problem.unknown_type", value=type_original[i]), type_original[i])
    keep &= ~unknown
    known = has_tv & ~unknown
    types[known] = row_types[known]
    precursor[known] = row_pre[known]
    if declared is not None:
        conflict = known & (row_types != declared[0].value)
        for i in np.flatnonzero(conflict):
            log.add(i, "doubtful", "type_conflict",
                    tr("import.problem.type_conflict", value=type_original[i],
                       declared=declared[0].label), type_original[i])
        rest = ~has_tv
        types[rest] = declared[0].value
        precursor[rest] = declared[1]
        from_name = 0
    else:
        # no type in the row: the name may say it ("Posyandu Mawar", "Pustu Sukamaju")
        rest = np.flatnonzero(~has_tv)
        name_types, name_pre = facility_types([names[i] for i in rest])
        found = ~pd.isna(name_types)
        for k in np.flatnonzero(~found):
            i = rest[k]
            if keep[i]:
                log.add(i, "skipped", "unknown_type",
                        tr("import.problem.no_type", name=names[i] or "–"),
                        type_original[i] or "")
            keep[i] = False
        ok = rest[found]
        types[ok] = name_types[found]
        precursor[ok] = name_pre[found]
        if type_col is not None and not generic:  # a type column with empty cells
            for i in ok:
                log.add(i, "fixed", "type_from_name",
                        tr("import.problem.type_from_name", name=names[i],
                           type=FacilityType(types[i]).label))
            from_name = 0
        else:
            from_name = len(ok)
        for i in ok[np.equal(_object_array(type_original)[ok], None)]:
            type_original[i] = names[i]
    for i in np.flatnonzero(precursor & keep):
        log.add(i, "fixed", "pustu_precursor",
                tr("import.problem.pustu_precursor", value=type_original[i] or
                   (declared[0].value if declared else "")), type_original[i] or "")
    if from_name:
        log.add_file("imported", "type_from_name", tr("import.types_from_names", n=from_name))
    for i in np.flatnonzero(np.equal(_object_array(names), None) & keep):
        label = FacilityType(types[i]).label
        names[i] = tr("import.unnamed", type=label, row=int(log.rows[i]))
        log.add(i, "doubtful", "missing_name", tr("import.problem.missing_name",
                                                  name=names[i]))

    cols: dict[str, object] = {
        "code": texts(raw[mapping.fields["code"]].tolist()) if "code" in
        mapping.fields else [None] * n,
        "name": names, "type": types, "type_original": type_original,
        "precursor": precursor,
    }
    c = mapping.get("parent")
    cols["parent_name"] = texts(raw[c].tolist()) if c else [None] * n
    cols["declared_desa"] = [d if d is not None else k for d, k in
                             zip(declared_desa, decl_code, strict=True)]
    cols["_decl_code"] = decl_code
    c = mapping.get("declared_kecamatan")
    cols["_decl_kec"] = texts(raw[c].tolist()) if c else [None] * n
    cols["_coord_problem"] = coord_problem
    for fld in ("nurses", "midwives", "nakes", "kader", "sessions_per_year", "capacity"):
        c = mapping.get(fld)
        cols[fld] = _numbers(raw[c], log, c) if c else np.full(n, np.nan)
    for fld in model.COE_COLUMNS:
        c = mapping.get(fld)
        cols[fld] = _numbers(raw[c], log, c, percent=True) if c else np.full(n, np.nan)
    c = mapping.get("level")
    cols["level"] = _levels(raw[c].tolist(), log) if c else [None] * n
    for fld in ("ilp_lokus", "coe"):
        c = mapping.get(fld)
        cols[fld] = _booleans(raw[c].tolist(), log, c) if c else [None] * n
    c = mapping.get("ilp_start")
    cols["ilp_start"] = _dates(raw[c].tolist(), log, c) if c else [None] * n
    # the kept rows only, each column built once (no copy of the whole frame to drop rows)
    sel = slice(None) if keep.all() else np.flatnonzero(keep)
    data = {}
    for k, v in cols.items():
        # (a view when every row is kept: nothing changes these arrays any more)
        arr = (v if isinstance(v, np.ndarray) else _object_array(v))[sel]
        if k in ("precursor", "ilp_lokus", "coe"):
            data[k] = pd.array(arr, dtype="boolean")
        elif arr.dtype == object:  # text columns stay object (no inferred string dtype)
            data[k] = pd.Series(arr, dtype=object, copy=False)
        else:
            data[k] = arr
    lon, lat = lon[sel], lat[sel]
    data["_lon"] = lon
    data["_lat"] = lat
    data["_pos"] = np.arange(n)[sel]
    data["_file"] = np.full(len(lon), len(logs) - 1, dtype=np.int64)
    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs=model.WGS84)
    return gdf, mapping


def _desa_lookup(desa: gpd.GeoDataFrame):
    """``find(code, name, kecamatan) -> (row or None, notes)``: the desa a facility row declares,
    by its code (either system, any spelling; plain digits tried as Kemendagri too) or else by
    its name (narrowed by the kecamatan name when several desa share it).  ``notes`` are
    ``(status, kind, message, original)`` about how the code was read."""
    pairs = np.column_stack([desa["code"].to_numpy(dtype=object),
                             desa["code_bps"].to_numpy(dtype=object)]).ravel()
    ok = np.fromiter((isinstance(v, str) and v != "" for v in pairs), dtype=bool,
                     count=len(pairs))
    # reversed, so the first desa holding a code is the one kept
    by_code: dict[str, int] = dict(zip(pairs[ok][::-1].tolist(),
                                       np.repeat(np.arange(len(desa)), 2)[ok][::-1].tolist(),
                                       strict=True))
    by_name: dict[str, list[int]] = {}
    for i, nm in enumerate(desa["name"]):
        by_name.setdefault(_norm_name(nm), []).append(i)
    kec_names = [_norm_name(v) for v in desa["kecamatan_name"]]

    def find(code: str | None, name: str | None = None, kecamatan: str | None = None):
        notes: list[tuple[str, str, str, str]] = []
        if code is not None:
            for system in (None, codes.KEMENDAGRI):
                r = codes.normalize_code(code, system=system, level=codes.DESA)
                if r.ok and r.code in by_code:
                    fixes = [p for p in r.problems if p in codes.FIXED_PROBLEMS]
                    if fixes:
                        notes.append(("fixed", "code_" + fixes[0], r.message(), code))
                    return by_code[r.code], notes
            notes.append(("doubtful", "declared_code_unknown",
                          tr("import.problem.declared_code_unknown", code=code), code))
        if name is not None:
            found = by_name.get(_norm_name(name), [])
            if len(found) > 1 and kecamatan:
                found = [i for i in found if kec_names[i] == _norm_name(kecamatan)]
            if len(found) == 1:
                return found[0], notes
        return None, notes

    return find


def _shared_lookup(desa: gpd.GeoDataFrame, holder: list | None):
    """:func:`_desa_lookup` built once per import (``holder`` keeps it between the steps)."""
    if holder is None:
        return _desa_lookup(desa)
    if not holder or holder[0][0] is not desa:
        holder[:] = [(desa, _desa_lookup(desa))]
    return holder[0][1]


def _place_by_declared_desa(fac: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None,
                            logs: list[_FileLog], lookup: list | None = None
                            ) -> gpd.GeoDataFrame:
    """Rows whose coordinates were rejected but that name their desa: placed at the desa's
    inner point (doubtful), else skipped.  Every such row gets its report line here."""
    todo = np.flatnonzero(pd.notna(fac["_coord_problem"]).to_numpy())
    if not len(todo):
        return fac
    keep = np.ones(len(fac), dtype=bool)
    find = _shared_lookup(desa, lookup) if desa is not None and len(desa) else None
    inner = None
    dnames = desa["name"].to_numpy(dtype=object) if desa is not None else None
    geoms = fac.geometry.to_numpy().copy()
    lon = fac["_lon"].to_numpy().copy()
    lat = fac["_lat"].to_numpy().copy()
    cp, dd, dk, dkec = (_obj_rows(fac, c, todo) for c in ("_coord_problem", "declared_desa",
                                                          "_decl_code", "_decl_kec"))
    dgeoms = np.asarray(desa.geometry.values, dtype=object) if desa is not None else None
    files, poss = fac["_file"].to_numpy(), fac["_pos"].to_numpy()
    for k, i in enumerate(todo):
        kind, msg, orig = cp[k]
        declared = dd[k]
        dcode = dk[k]
        log = logs[int(files[i])]
        pos = int(poss[i])
        j, notes = find(dcode, declared, dkec[k]) if find is not None else \
            (None, [])
        for note in notes:
            log.add(pos, *note)
        if j is None:
            declared = declared or dcode
            log.add(pos, "skipped", kind, msg + "; " + tr("import.problem.desa_not_found",
                                                          desa=declared), orig)
            keep[i] = False
            continue
        if inner is None:
            inner = {}
        if j not in inner:
            from ilp_gis.geo import inner_points

            inner[j] = inner_points(dgeoms[j:j + 1])[0]
        pt = inner[j]
        geoms[i] = pt
        lon[i], lat[i] = pt.x, pt.y
        log.add(pos, "doubtful", kind + ";located_by_desa",
                msg + "; " + tr("import.problem.located_by_desa", desa=dnames[j]),
                orig)
    fac = fac.copy(deep=False)  # columns replaced below, the rest shared
    fac["_lon"], fac["_lat"] = lon, lat
    fac = fac.set_geometry(gpd.GeoSeries(geoms, crs=model.WGS84, index=fac.index))
    return fac if keep.all() else fac[keep].reset_index(drop=True)


def _fac_ids(fac: gpd.GeoDataFrame, logs: list[_FileLog], taken: set[str]) -> list[str]:
    """Source codes where present and unique, else stable generated ids
    (``TYP-`` + a hash of type, name and position rounded to about a metre)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts, index = _distinct_texts(pd.Series(_obj(fac, "code"), dtype=object))
    base = np.array(texts, dtype=object)[index]
    need = np.array([t is None for t in texts], dtype=bool)[index]
    if need.any():
        rows = np.flatnonzero(need)
        types = [str(t) for t in _obj(fac, "type")[rows]]
        # lower case as Arrow does it (the ids were always made that way); for ASCII text
        # Python's lower() is the same
        names = [str(v) for v in _obj(fac, "name")[rows]]
        other = [k for k, v in enumerate(names) if not v.isascii()]
        lowered = pc.utf8_lower(pa.array([names[k] for k in other], type=pa.string())
                                ).to_pylist() if other else []
        names = [v.lower() for v in names]
        for k, v in zip(other, lowered, strict=True):
            names[k] = v
        xs = np.round(fac["_lon"].to_numpy() * 1e5).astype(np.int64)[rows].tolist()
        ys = np.round(fac["_lat"].to_numpy() * 1e5).astype(np.int64)[rows].tolist()
        sha1 = hashlib.sha1
        prefixes = {t: t[:3].upper() + "-" for t in set(types)}
        base[rows] = [prefixes[t] + sha1(f"{t}|{nm}|{x}|{y}".encode()).hexdigest()[:10]
                      for t, nm, x, y in zip(types, names, xs, ys, strict=True)]
    ids = base.copy()
    clash = np.zeros(len(base), dtype=bool)  # used before: an earlier row's or a kept id
    seen = set(taken)
    for i, b in enumerate(base.tolist()):
        if b in seen:
            clash[i] = True
        else:
            seen.add(b)
    if clash.any():
        used = set(taken) | set(base[~clash])
        files = fac["_file"].to_numpy()
        poss = fac["_pos"].to_numpy()
        for i in np.flatnonzero(clash):
            k = 2
            fid = f"{base[i]}-{k}"
            while fid in used:
                k += 1
                fid = f"{base[i]}-{k}"
            used.add(fid)
            ids[i] = fid
            if not need[i]:
                logs[int(files[i])].add(int(poss[i]), "doubtful", "duplicate_code",
                                        tr("import.problem.duplicate_fac_code", code=base[i],
                                           fac_id=fid), base[i])
    return list(ids)


def _metric_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTM easting/northing of each point in its own zone, and the zone's EPSG code."""
    zone = (np.floor((lon + 180.0) / 6.0).astype(int) % 60) + 1
    epsg = np.where(lat >= 0, 32600, 32700) + zone
    x = np.full(len(lon), np.nan)
    y = np.full(len(lon), np.nan)
    for code in np.unique(epsg):
        m = epsg == code
        tf = Transformer.from_crs(4326, int(code), always_xy=True)
        x[m], y[m] = tf.transform(lon[m], lat[m])
    return x, y, epsg


def _duplicates(fac: gpd.GeoDataFrame, logs: list[_FileLog], dist_m: float) -> np.ndarray:
    """Flag facilities of one type within ``dist_m`` with similar names; returns a keep mask
    (exact duplicates — same name — are skipped, similar ones kept as doubtful)."""
    from scipy.spatial import cKDTree

    keep = np.ones(len(fac), dtype=bool)
    if len(fac) < 2 or dist_m <= 0:
        return keep
    lon = fac["_lon"].to_numpy()
    lat = fac["_lat"].to_numpy()
    x, y, epsg = _metric_xy(lon, lat)
    types = _obj(fac, "type")
    raw_names = _obj(fac, "name")
    files = fac["_file"].to_numpy()
    poss = fac["_pos"].to_numpy()
    group = pd.Series(types).factorize()[0] * 1000 + (epsg - 32600)
    order = np.argsort(group, kind="stable")  # rows of a group together, in row order
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    for idx in np.split(order, bounds):
        if len(idx) < 2:
            continue
        tree = cKDTree(np.column_stack([x[idx], y[idx]]))
        pairs = tree.query_pairs(dist_m, output_type="ndarray")
        if len(pairs):
            pairs = np.sort(idx[pairs], axis=1)
            pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        for i, j in pairs:
            if not keep[i] or not keep[j]:
                continue
            ni, nj = _norm_name(raw_names[i]), _norm_name(raw_names[j])
            if not _similar(ni, nj):
                continue
            d = math.hypot(x[i] - x[j], y[i] - y[j])
            fi, fj = int(files[i]), int(files[j])
            first = f"{logs[fi].file} {tr('import.row_word')} {int(logs[fi].rows[poss[i]])}"
            if ni == nj:
                keep[j] = False
                logs[fj].add(int(poss[j]), "skipped", "duplicate_facility",
                             tr("import.problem.duplicate_exact", first=first, d=round(d, 1)),
                             raw_names[j])
            else:
                logs[fj].add(int(poss[j]), "doubtful", "possible_duplicate",
                             tr("import.problem.duplicate_similar", first=first,
                                name=raw_names[i], d=round(d, 1)), raw_names[j])
    return keep


def locate_facilities(fac: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None,
                      kecamatan: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Desa and kecamatan code of each facility point (vectorised point-in-polygon on an STR
    tree); ``None`` where a point lies in no polygon.  Points on a shared border take the
    first polygon."""
    n = len(fac)
    desa_code = np.full(n, None, dtype=object)
    kec_code = np.full(n, None, dtype=object)
    pts = np.asarray(fac.geometry.values, dtype=object)
    if desa is not None and len(desa):
        # asked the other way round — which points does each desa contain — every polygon is
        # prepared once: the same pairs as points within polygons, found about twice as fast
        tree = shapely.STRtree(pts)
        dst, src = tree.query(np.asarray(desa.geometry.values, dtype=object),
                              predicate="contains")
        if len(src):
            order = np.lexsort((dst, src))
            src, dst = src[order], dst[order]
            first = np.unique(src, return_index=True)[1]
            src, dst = src[first], dst[first]
            desa_code[src] = desa["code"].to_numpy()[dst]
            if "kecamatan_code" in desa.columns:
                kec_code[src] = desa["kecamatan_code"].to_numpy()[dst]
    if kecamatan is not None and len(kecamatan):
        todo = np.flatnonzero(pd.isna(kec_code))
        if len(todo):
            tree = shapely.STRtree(np.asarray(kecamatan.geometry.values, dtype=object))
            src, dst = tree.query(pts[todo], predicate="within")
            if len(src):
                first = np.unique(src, return_index=True)[1]
                src, dst = src[first], dst[first]
                kec_code[todo[src]] = kecamatan["code"].to_numpy()[dst]
    return desa_code, kec_code


def _check_locations(fac: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None,
                     kecamatan: gpd.GeoDataFrame | None, kabupaten, logs: list[_FileLog],
                     new: np.ndarray, lookup: list | None = None) -> None:
    """Point-outside and declared-desa checks for the newly imported rows (``new`` mask)."""
    has_bounds = any(x is not None and len(x) for x in (desa, kecamatan, kabupaten))
    if not has_bounds:
        return
    dc = _obj(fac, "desa_code")
    kc = _obj(fac, "kecamatan_code")
    files = fac["_file"].to_numpy()
    poss = fac["_pos"].to_numpy()
    if desa is not None and len(desa):
        outside = pd.isna(dc)
    elif kecamatan is not None and len(kecamatan):
        outside = pd.isna(kc)
    else:
        tree = shapely.STRtree(np.asarray(kabupaten.geometry.values, dtype=object))
        src, _ = tree.query(np.asarray(fac.geometry.values, dtype=object), predicate="within")
        outside = np.ones(len(fac), dtype=bool)
        outside[src] = False
    lon = fac["_lon"].to_numpy()
    lat = fac["_lat"].to_numpy()
    for i in np.flatnonzero(outside & new):
        log = logs[int(files[i])]
        found = log.entries.get(int(poss[i]), [])
        if any("outside_study_area" in e[1] for e in found):
            continue  # already reported as outside the study area
        log.add(int(poss[i]), "doubtful", "outside_boundaries",
                tr("import.problem.outside_boundaries", lon=f"{lon[i]:.6f}", lat=f"{lat[i]:.6f}"))
    if desa is None or not len(desa):
        return
    dnames = dict(zip(desa["code"], desa["name"], strict=False))
    dcode_arr = desa["code"].to_numpy(dtype=object)

    def find(code, name):
        return _shared_lookup(desa, lookup)(code, name)
    declared = _obj(fac, "declared_desa")
    dcodes = _obj(fac, "_decl_code")
    placed = ~pd.isna(_obj(fac, "_coord_problem"))
    todo = new & ~pd.isna(dc) & (~pd.isna(declared) | ~pd.isna(dcodes)) & ~placed
    # declared names: compared in bulk with the name of the desa the point lies in
    by_name = todo & pd.isna(dcodes)
    if by_name.any():
        dnorm = {c: _norm_name(nm) for c, nm in dnames.items()}
        idx = np.flatnonzero(by_name)
        index, uniques = pd.factorize(pd.Series(declared[idx], dtype=object))
        said = np.array([_norm_name(str(v)) for v in uniques] + [None],
                        dtype=object)[index]  # each distinct name once
        there = pd.Series(dc[idx], dtype=object).map(dnorm).to_numpy(dtype=object)
        agree_name = said == there
        todo = todo & ~by_name
        todo[idx[~agree_name]] = True  # only the disagreeing rows go on
    # declared codes already clean (Kemendagri, desa level) that name a known desa: compared in
    # bulk; only other spellings and the disagreeing rows go through the general reader
    with_code = np.flatnonzero(todo & ~pd.isna(dcodes))
    if len(with_code):
        said = dcodes[with_code]
        clean = codes.clean_mask(said, level=codes.DESA)
        first_code = pd.Index(dcode_arr).drop_duplicates()
        known = clean & first_code.get_indexer(
            pd.Index(np.where(clean, said, None).astype(object))) >= 0
        agree = known & (said == dc[with_code])
        todo[with_code[agree]] = False
    code_cache: dict[str, tuple] = {}
    for i in np.flatnonzero(todo):
        code = dcodes[i]
        if code is not None:
            code = str(code)
            if code not in code_cache:
                code_cache[code] = find(code, None)
            j, notes = code_cache[code]
            for note in notes:
                logs[int(files[i])].add(int(poss[i]), *note)
            if j is None:
                continue
            agree = dcode_arr[j] == dc[i]
            shown = code
        else:
            shown = str(declared[i])
            agree = False  # found above
        if not agree:
            logs[int(files[i])].add(
                int(poss[i]), "doubtful", "declared_desa_mismatch",
                tr("import.problem.declared_desa_mismatch", declared=shown,
                   found=f"{dnames.get(dc[i]) or '–'} ({dc[i]})"), shown)


def _objects(values, index=None):
    """Text columns as object Series (the layers' dtype): pandas would otherwise infer its
    string dtype, which every later row access and the final conform convert back."""
    if isinstance(values, list) or (isinstance(values, np.ndarray) and values.dtype == object):
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return pd.Series(arr, index=index, dtype=object)
    return values


def _object_array(values) -> np.ndarray:
    """A 1-D object array of ``values`` (tuples stay elements)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _obj_rows(frame, col: str, rows: np.ndarray) -> np.ndarray:
    """:func:`_obj` of some rows only."""
    if col not in frame.columns:
        return np.full(len(rows), None, dtype=object)
    arr = frame[col].to_numpy(dtype=object)[rows]
    return np.where(pd.isna(arr), None, arr)


def _obj(frame, col: str) -> np.ndarray:
    """A column as a numpy object array with None for missing (fast per-row access)."""
    if col not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    arr = frame[col].to_numpy(dtype=object)
    return np.where(pd.isna(arr), None, arr)


def _resolve_parents(fac: gpd.GeoDataFrame, logs: list[_FileLog], new: np.ndarray) -> list:
    """``parent_id`` from the parent written in the row: a facility id/code, else the name of a
    facility of a parent tier — the one in the same kecamatan, else the nearest, when several
    share the name (vectorised joins; the name match ignores case, punctuation and type words)."""
    n = len(fac)
    ids = _obj(fac, "fac_id")
    out = _obj(fac, "parent_id").copy()
    pn = _obj(fac, "parent_name")
    todo = np.flatnonzero(new & ~pd.isna(pn))
    if not len(todo):
        return list(out)
    files = fac["_file"].to_numpy()
    poss = fac["_pos"].to_numpy()
    codes_ = _obj(fac, "code")
    with_code = np.flatnonzero(pd.notna(codes_))[::-1]  # reversed: the first row keeps a code
    by_key: dict[str, int] = dict(zip(map(str, codes_[with_code]), with_code.tolist(),
                                      strict=True))
    by_key.update(zip(map(str, ids), range(n), strict=True))
    pstr = [str(p).strip() for p in pn[todo]]
    hit = np.fromiter(map(by_key.get, pstr, itertools.repeat(-1)), dtype=np.int64,
                      count=len(pstr))
    direct = (hit >= 0) & (hit != todo)
    out[todo[direct]] = ids[hit[direct]]

    types = _obj(fac, "type")
    kec = _obj(fac, "kecamatan_code")
    xs = fac.geometry.x.to_numpy()
    ys = fac.geometry.y.to_numpy()
    rest = todo[~direct]
    tiers = {"pustu": ("puskesmas",), "posyandu": ("pustu", "puskesmas")}
    parent_rows = np.flatnonzero(np.isin(types, ["puskesmas", "pustu"]))
    # names and kecamatan joined as integer codes of one factorisation (equal text, equal
    # code; a missing kecamatan matches a missing one, as a join on the text does)
    nc = len(rest)
    keys, _ = pd.factorize(pd.Series(_norm_names([pstr[k] for k in np.flatnonzero(~direct)])
                                     + _norm_names(_obj(fac, "name")[parent_rows]),
                                     dtype=object))
    kecs, _ = pd.factorize(pd.Series(np.concatenate([kec[rest], kec[parent_rows]]),
                                     dtype=object), use_na_sentinel=True)
    child = pd.DataFrame({"c": rest, "key": keys[:nc], "ctype": types[rest], "kec": kecs[:nc]})
    cand = pd.DataFrame({"p": parent_rows, "key": keys[nc:], "ptype": types[parent_rows],
                         "kec": kecs[nc:]})
    resolved = np.full(n, -1, dtype=np.int64)
    ambiguous = np.zeros(n, dtype=bool)
    for step in (0, 1):
        for ctype, ptypes in tiers.items():
            for pt in ptypes:
                ch = child[(child["ctype"] == ctype) & (resolved[child["c"].to_numpy()] < 0)]
                if not len(ch):
                    continue
                cd = cand[cand["ptype"] == pt]
                on = ["key", "kec"] if step == 0 else ["key"]
                m = ch.merge(cd.drop(columns="kec") if step else cd, on=on, how="inner")
                if not len(m):
                    continue
                ci = m["c"].to_numpy()
                pi = m["p"].to_numpy()
                d2 = (xs[ci] - xs[pi]) ** 2 + (ys[ci] - ys[pi]) ** 2
                m = m.assign(d2=d2).sort_values(["c", "d2"], kind="stable")
                counts = m.groupby("c", sort=False).size()
                best = m.drop_duplicates("c", keep="first")
                resolved[best["c"].to_numpy()] = best["p"].to_numpy()
                if step == 0:
                    multi = counts[counts > 1].index.to_numpy()
                    ambiguous[multi] = True
    found = (resolved[rest] >= 0) & (resolved[rest] != rest)
    out[rest[found]] = ids[resolved[rest[found]]]
    out[rest[~found]] = None
    for i in rest[(found & ambiguous[rest]) | ~found]:  # only these rows get a report line
        p = str(pn[i]).strip()
        if resolved[i] >= 0 and resolved[i] != i:
            logs[int(files[i])].add(int(poss[i]), "doubtful", "parent_ambiguous",
                                    tr("import.problem.parent_ambiguous", parent=p), p)
        else:
            logs[int(files[i])].add(int(poss[i]), "doubtful", "parent_not_found",
                                    tr("import.problem.parent_not_found", parent=p), p)
    return list(out)


# --- roads --------------------------------------------------------------------------------------
_ROAD_CLASSES = {
    "arteri": "arteri", "jalan arteri": "arteri", "trunk": "arteri", "primary": "arteri",
    "motorway": "arteri", "jalan nasional": "arteri", "nasional": "arteri",
    "kolektor": "kolektor", "jalan kolektor": "kolektor", "secondary": "kolektor",
    "provinsi": "kolektor", "jalan provinsi": "kolektor",
    "lokal": "lokal", "jalan lokal": "lokal", "tertiary": "lokal", "kabupaten": "lokal",
    "jalan kabupaten": "lokal", "unclassified": "lokal",
    "lingkungan": "lingkungan", "jalan lingkungan": "lingkungan", "residential": "lingkungan",
    "jalan desa": "lingkungan", "desa": "lingkungan", "service": "lingkungan",
    "setapak": "setapak", "jalan setapak": "setapak", "path": "setapak", "footway": "setapak",
    "track": "setapak", "jalan setapak jalan tanah": "setapak",
    "ferry": "ferry", "penyeberangan": "ferry", "kapal": "ferry", "perahu": "ferry",
}


def _read_roads(path: Path, overrides: dict | None, logs: list, stop=None):
    res = readers.read_vector(path, prefer=("roads", "jalan"))
    if stop is not None and stop.is_set():
        raise Cancelled()
    gdf = res.frame
    mapping = detect_columns([c for c in gdf.columns if c != gdf.geometry.name], "roads",
                             overrides, file=path.name)
    log = _FileLog(path.name, "roads", res.row_numbers)
    logs.append(log)
    for note in res.notes:
        log.add_file("fixed" if res.crs_assumed else "imported", "file_note", note)
    n = len(gdf)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    tid = shapely.get_type_id(geoms)
    line = (tid == 1) | (tid == 5)  # LineString, MultiLineString
    keep = ~empty & line
    for i in np.flatnonzero(empty):
        log.add(i, "skipped", "empty_geometry", tr("import.problem.empty_geometry"))
    for i in np.flatnonzero(~empty & ~line):
        log.add(i, "skipped", "not_line", tr("import.problem.not_line",
                                             kind=geoms[i].geom_type))
    c = mapping.get("road_class")
    # each distinct value read once (a national road file has about a million rows)
    texts, index = _distinct_texts(gdf[c]) if c else ([None], np.zeros(n, dtype=np.int64))
    known = [_ROAD_CLASSES.get(re.sub(r"[^a-z ]+", " ", t.lower()).strip()) if t else None
             for t in texts]
    unknown = np.array([k is None for k in known], dtype=bool)
    for i in np.flatnonzero(unknown[index] & keep):
        t = texts[index[i]]
        log.add(i, "doubtful", "unknown_road_class",
                tr("import.problem.unknown_road_class", value=t or "–"), t or "")
    classes = np.array([k if k is not None else (t.lower() if t else None)
                        for k, t in zip(known, texts, strict=True)], dtype=object)[index]
    c = mapping.get("name")
    if c:
        texts, index = _distinct_texts(gdf[c])
        names = np.array(texts, dtype=object)[index]
    else:
        names = [None] * n
    c = mapping.get("crossing_minutes")
    crossing = _numbers(gdf[c], log, c) if c else np.full(n, np.nan)
    if not keep.all():
        classes, names, crossing, geoms = (np.asarray(a, dtype=a_t)[keep] for a, a_t in (
            (classes, object), (names, object), (crossing, float), (geoms, object)))
    out = gpd.GeoDataFrame({"road_class": _objects(classes), "name": _objects(names),
                            "crossing_minutes": crossing},
                           geometry=gpd.GeoSeries(geoms, crs=model.WGS84), crs=model.WGS84)
    return out, mapping


class _RoadsReader:
    """The roads file read in a background thread while the facility files are read (a
    national road file is the largest input and needs nothing from the others).  Started at
    the roads' turn, after the boundaries: most of the reading holds the GIL, and measured on
    two cores this overlaps best with the facility tables (whose CSV parsing releases it).

    :meth:`result` waits for it and returns ``(frame, mapping, log)`` or raises the reader's
    own error (the same :class:`InputError` the sequential read would raise).  :meth:`stop`
    asks it to give up at its next step and waits for it; the import never returns while the
    roads are still being read.  Messages are made in the import's language (languages are
    per thread).
    """

    def __init__(self, path: Path, overrides: dict | None, lang: str) -> None:
        self.path = path
        self._args = (overrides, lang)
        self._stop = threading.Event()
        self._future: Future | None = None

    def start(self) -> None:
        self._future = in_background(self.roads, *self._args)  # thread "ilp-roads"

    def roads(self, overrides, lang) -> tuple:
        with language(lang):
            holder: list = []
            frame, mapping = _read_roads(self.path, overrides, holder, self._stop)
            return frame, mapping, holder[0]

    def result(self) -> tuple:
        return self._future.result()

    def failed(self) -> BaseException | None:
        """Wait for the thread; its error, if any."""
        return self._future.exception()

    def stop(self) -> None:
        self._stop.set()
        if self._future is not None:
            wait_futures([self._future])


# --- the pipeline -------------------------------------------------------------------------------
def import_files(project: Project | None = None, *, kabupaten=None, kecamatan=None, desa=None,
                 facilities=(), roads=None, budget=None,
                 mappings: dict[str, dict[str, str]] | None = None, lang: str | None = None,
                 sheet: str | None = None, progress=None, is_cancelled=None) -> ImportReport:
    """Import files into ``project`` (a new one when ``None``; the project is updated in place)
    and return the :class:`ImportReport` (also stored in ``project``).

    Parameters
    ----------
    kabupaten, kecamatan, desa, roads
        Paths of GIS layers.
    facilities
        ``[(type_or_None, path), ...]``; ``type`` (``"puskesmas"``, ``"pustu"``,
        ``"posyandu"``, or any spelling such as ``"Poskesdes"``) applies to every row of the
        file, ``None`` reads each row's type column.
    budget
        A budget table; read by ``layers.budget_import.read_budget`` when that module exists.
    mappings
        Column overrides ``{role: {field: column}}`` (see :mod:`layers.columns`).
    sheet
        XLSX sheet to read for facility tables (default: the first sheet with data).
    """
    from ilp_gis.i18n import get_language, normalize_language

    lang = normalize_language(lang) if lang else get_language()
    project = project if project is not None else Project()
    mappings = mappings or {}
    with language(lang):
        # the roads file is read alongside the facility files (see _RoadsReader); its place
        # in the progress, the report and the project stays where a sequential read puts it
        road_reader = _RoadsReader(Path(roads), mappings.get("roads"), lang) \
            if roads is not None else None
        state: dict = {}
        try:
            return _import(project, kabupaten, kecamatan, desa, list(facilities or ()), roads,
                           budget, mappings, lang, sheet, progress, is_cancelled, road_reader,
                           state)
        except BaseException as exc:
            if road_reader is None or state.get("roads_done"):
                raise
            if isinstance(exc, Cancelled) or not isinstance(exc, Exception) \
                    or not state.get("roads_started"):
                road_reader.stop()  # cancelled/interrupted, or failed before the roads' turn
                raise
            # a later file failed: as in a sequential read, a roads error comes first, else
            # the roads are in the project when the later error is raised
            error = road_reader.failed()
            if error is not None:
                raise error from None
            state["set_roads"]()
            raise


def _import(project, kabupaten, kecamatan, desa, facilities, roads, budget, mappings, lang,
            sheet, progress, is_cancelled, road_reader=None, state=None) -> ImportReport:
    state = {} if state is None else state
    logs: list[_FileLog] = []
    used_mappings: dict[str, dict] = {}
    area_inputs = [(r, p) for r, p in (("kabupaten", kabupaten), ("kecamatan", kecamatan),
                                       ("desa", desa)) if p is not None]
    steps = len(area_inputs) + len(facilities) + (1 if roads else 0) + (1 if budget else 0) + 2
    step = 0

    def tick(msg_key: str, **kw) -> None:
        nonlocal step
        checkpoint(progress, is_cancelled, step / max(steps, 1), tr(msg_key, **kw))
        step += 1

    names_seen: Counter[str] = Counter()
    lookup: list = []  # the desa lookup, built once

    def file_key(path: Path) -> str:
        names_seen[path.name] += 1
        return path.name if names_seen[path.name] == 1 else f"{path.name} ({names_seen[path.name]})"

    changed_areas = False
    for role, p in area_inputs:
        path = Path(p)
        tick("import.progress.reading", file=path.name)
        frame, mapping, log = _read_areas(path, role, mappings.get(role), logs, file_key(path))
        used_mappings[log.file] = mapping.to_dict()
        if len(frame) == 0:
            raise InputError(tr("import.no_usable_features"), file=path.name)
        project.set_layer(role, frame)
        changed_areas = True
    # names of kecamatan on desa rows
    if project.has("desa") and project.has("kecamatan") and changed_areas:
        d = project.desa.copy()
        kn = dict(zip(project.kecamatan["code"], project.kecamatan["name"], strict=False))
        miss = d["kecamatan_name"].isna()
        if miss.any():
            d.loc[miss, "kecamatan_name"] = d.loc[miss, "kecamatan_code"].map(kn)
        # desa without a kecamatan code (no code column): place by location
        nocode = d["kecamatan_code"].isna()
        if nocode.any():
            pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries(
                shapely.point_on_surface(np.asarray(d.geometry[nocode].values, dtype=object)),
                crs=model.WGS84))
            _, kc = locate_facilities(pts, None, project.kecamatan)
            d.loc[nocode, "kecamatan_code"] = kc
            d.loc[nocode, "kecamatan_name"] = pd.Series(kc, index=d.index[nocode]).map(kn)
        project.set_layer("desa", d)

    area_bbox = None
    for role in ("desa", "kecamatan", "kabupaten"):
        if project.has(role):
            area_bbox = tuple(project.layer(role).total_bounds)
            break

    def set_roads() -> None:
        # the roads read in the background: placed where the sequential read put them
        frame, mapping, log = road_reader.result()
        logs[road_slot] = log
        used_mappings[log.file] = mapping.to_dict()
        project.set_layer("roads", frame)
        state["roads_done"] = True

    if roads is not None:
        path = Path(roads)
        tick("import.progress.reading", file=path.name)
        if road_reader is None:
            frame, mapping = _read_roads(path, mappings.get("roads"), logs)
            used_mappings[logs[-1].file] = mapping.to_dict()
            project.set_layer("roads", frame)
            state["roads_done"] = True
        else:
            road_reader.start()
            road_slot = len(logs)
            logs.append(None)  # the roads' report lines come here
            used_mappings[path.name] = None
            state["set_roads"] = set_roads
            state["roads_started"] = True

    new_fac = []
    for declared, p in facilities:
        path = Path(p)
        tick("import.progress.reading", file=path.name)
        dtype_ = None
        if declared is not None and str(declared).strip():
            dtype_ = parse_facility_type_option(str(declared))
        frame, mapping = _read_facilities(path, dtype_, mappings.get("facilities"), area_bbox,
                                          logs, sheet=sheet)
        logs[-1].file = file_key(path)
        used_mappings[logs[-1].file] = mapping.to_dict()
        new_fac.append(frame)
    if state.get("roads_started") and not state.get("roads_done"):
        set_roads()

    tick("import.progress.placing")
    if new_fac or changed_areas:
        old = project.facilities if project.has("facilities") else None
        if new_fac:
            fresh = pd.concat(new_fac, ignore_index=True)
            fresh = gpd.GeoDataFrame(fresh, geometry="geometry", crs=model.WGS84)
            fresh = _place_by_declared_desa(fresh, project.desa if project.has("desa")
                                            else None, logs, lookup)
            new_types = set(fresh["type"].dropna())
            if old is not None:
                kept_old = old[~old["type"].isin(new_types)]
            else:
                kept_old = None
            checkpoint(progress, is_cancelled, step / max(steps, 1),
                       tr("import.progress.duplicates"))
            dist = float(project.rules.value("import.duplicate_distance_m", 30.0))
            keep = _duplicates(fresh, logs, dist)
            fresh = fresh[keep].reset_index(drop=True)
            taken = set(kept_old["fac_id"]) if kept_old is not None and len(kept_old) else set()
            fresh["fac_id"] = _objects(_fac_ids(fresh, logs, taken), fresh.index)
            fresh["parent_id"] = _objects([None] * len(fresh), fresh.index)
        else:
            fresh = None
            kept_old = old
        parts = [x for x in (kept_old, fresh) if x is not None and len(x)]
        if parts:
            fac = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                                   crs=model.WGS84)
            n_old = len(kept_old) if kept_old is not None else 0
            new_mask = np.zeros(len(fac), dtype=bool)
            new_mask[n_old:] = fresh is not None
            if fresh is None:
                new_mask[:] = False
            checkpoint(progress, is_cancelled, step / max(steps, 1),
                       tr("import.progress.locating"))
            dc, kc = locate_facilities(fac, project.desa if project.has("desa") else None,
                                       project.kecamatan if project.has("kecamatan") else None)
            fac["desa_code"] = _objects(dc, fac.index)
            fac["kecamatan_code"] = _objects(kc, fac.index)
            if fresh is not None:
                for col in ("_file", "_pos", "_lon", "_lat", "_decl_code", "_coord_problem"):
                    if col not in fac.columns:
                        fac[col] = np.nan
                checkpoint(progress, is_cancelled, step / max(steps, 1),
                           tr("import.progress.checking"))
                _check_locations(fac, project.desa if project.has("desa") else None,
                                 project.kecamatan if project.has("kecamatan") else None,
                                 project.kabupaten if project.has("kabupaten") else None,
                                 logs, new_mask, lookup)
                checkpoint(progress, is_cancelled, step / max(steps, 1),
                           tr("import.progress.parents"))
                fac["parent_id"] = _objects(_resolve_parents(fac, logs, new_mask), fac.index)
            fac = fac.drop(columns=[c for c in ("_file", "_pos", "_lon", "_lat", "_decl_kec",
                                                "_coord_problem", "_decl_code")
                                    if c in fac.columns])
            project.set_layer("facilities", fac)

    if budget is not None:  # after the facilities: budget targets name desa and facilities
        path = Path(budget)
        tick("import.progress.reading", file=path.name)
        _import_budget(project, path, logs, used_mappings, mappings.get("budget"), lang)

    tick("import.progress.report")
    parts = [lg.frame() for lg in logs]
    report_frame = pd.concat(parts, ignore_index=True) if parts else \
        model.empty_frame(model.IMPORT_REPORT)
    old_report = project.layers.get("import_report")
    if old_report is not None and len(old_report):
        files = set(report_frame["file"].unique())
        report_frame = model.conform(report_frame, model.IMPORT_REPORT)
        old_report = old_report[~old_report["file"].isin(files)]
        project.set_layer("import_report", pd.concat([old_report, report_frame],
                                                     ignore_index=True))
    else:  # built to the spec (_FileLog.frame; other readers' reports conformed there)
        project.set_layer("import_report", report_frame, conformed=True)
    stored = project.meta_json(model.META_MAPPINGS, {}) or {}
    stored.update(used_mappings)
    project.set_meta_json(model.META_MAPPINGS, stored)
    _record_sources(project, {"kabupaten": [kabupaten], "kecamatan": [kecamatan], "desa": [desa],
                              "facilities": [f[1] if isinstance(f, tuple) else f
                                             for f in facilities or ()],
                              "roads": [roads], "budget": [budget]})
    checkpoint(progress, is_cancelled, 1.0, tr("import.progress.done"))

    layer_counts = {name: len(project.layers[name]) for name in
                    ("kabupaten", "kecamatan", "desa", "facilities", "roads", "budget")
                    if name in project.layers}
    fac_counts = {}
    if project.has("facilities"):
        vc = project.facilities["type"].value_counts()
        fac_counts = {t.value: int(vc.get(t.value, 0)) for t in FacilityType}
    return ImportReport(report_frame, used_mappings, layer_counts, fac_counts, lang)


class _ReportLog(_FileLog):
    """A report another reader already made (one line per row, model.IMPORT_REPORT)."""

    def __init__(self, file: str, role: str, report: pd.DataFrame) -> None:
        super().__init__(file, role, [])
        self._report = model.conform(report, model.IMPORT_REPORT)

    def frame(self) -> pd.DataFrame:
        return self._report


def _import_budget(project, path: Path, logs, used_mappings, mapping, lang) -> None:
    """Budget lines through the planning module's reader (``layers.budget_import``)."""
    from layers import budget_import

    frame, report = budget_import.read_budget(
        path, mapping=mapping or None, lang=lang,
        desa=project.desa if project.has("desa") else None,
        facilities=project.facilities if project.has("facilities") else None)
    project.set_layer("budget", frame)
    logs.append(_ReportLog(path.name, "budget", report))
    used_mappings[path.name] = {"role": "budget", "fields": dict(mapping or {})}


def preview_columns(path, role: str, overrides: dict[str, str] | None = None, *,
                    sheet: str | None = None, rows: int = 5):
    """What the importer would read from ``path`` as ``role``: the detected
    :class:`~layers.columns.ColumnMapping` (after ``overrides``) and the first ``rows`` rows —
    for a mapping editor that lets the planner check and change the guesses before importing."""
    path = Path(path)
    if role == "facilities" and not readers.is_vector(path):
        res = readers.read_table(path, sheet=sheet)
        headers = list(res.frame.columns)
    else:
        res = readers.read_vector(path, prefer=(role,))
        headers = [c for c in res.frame.columns if c != res.frame.geometry.name]
    mapping = detect_columns(headers, role, overrides, file=path.name)
    return mapping, pd.DataFrame(res.frame[headers].head(rows))


def _record_sources(project: Project, files: dict[str, list]) -> None:
    """Keep meta ``sources_json`` up to date: one entry per imported file with its role, name,
    the file's own date (what the reports call the data date) and when it was imported."""
    now = dt.datetime.now().isoformat(timespec="seconds")
    entries = [e for e in (project.meta_json(model.META_SOURCES, []) or [])
               if isinstance(e, dict)]
    for role, paths in files.items():
        for p in paths:
            if p is None:
                continue
            path = Path(p)
            try:
                date = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
            except OSError:
                date = None
            entries = [e for e in entries if not (e.get("role") == role
                                                  and e.get("file") == path.name)]
            entries.append({"role": role, "file": path.name, "date": date, "imported": now})
    project.set_meta_json(model.META_SOURCES, entries)


def mapping_json(report: ImportReport) -> str:
    return json.dumps(report.mappings, ensure_ascii=False, indent=1)


register_catalog("layers", "importer")
