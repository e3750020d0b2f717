"""Reading the files planners hand over: GIS layers and facility tables.

* GIS layers (boundaries, point layers, roads): GeoPackage, Shapefile (also zipped ``.zip``),
  GeoJSON, KML and KMZ, through pyogrio/GDAL.  The CRS comes from the file; when a file has none
  and its coordinates fit degrees, EPSG:4326 is assumed and reported.
* Tables (facilities, lists): CSV (decoded by :mod:`layers.csv_text`: comma, semicolon, tab
  or bar; UTF-8, UTF-16 or Windows-1252; any line ending; rows written with another delimiter
  than the header are named) and XLSX (a chosen sheet, else the first sheet with data; formulas
  are read as their last computed values, formulas without one are named).

Cells are returned as read (text for CSV; numbers/text/dates for XLSX); an empty cell is
``None``.  Every problem raises :class:`~ilp_gis.errors.InputError` naming the file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import WGS84
from layers import safe_open
from layers.csv_text import csv_rows, delimiter_name, maybe_mixed, mixed_delimiter, read_csv_text

VECTOR_SUFFIXES = {".gpkg", ".shp", ".zip", ".geojson", ".json", ".kml", ".kmz", ".fgb"}
TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}


@dataclass
class ReadResult:
    """What a reader returns: the frame plus notes about how it was read."""

    frame: pd.DataFrame  # GeoDataFrame for vector files
    notes: list[str] = field(default_factory=list)  # sentences for the import report/summary
    crs_assumed: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    layer: str | None = None
    bad_rows: dict[int, str] = field(default_factory=dict)  # 1-based row -> message
    # row numbers of frame rows: a table's spreadsheet row (header row 1), a layer's feature
    row_numbers: np.ndarray | None = None
    clean_text: bool = False  # every cell is stripped text or None (CSV)
    # 1-based data row -> the delimiter the row is written with when it differs from the
    # header's (CSV: a tab-separated row under a semicolon header reads as one field)
    mixed_rows: dict[int, str] = field(default_factory=dict)
    # 1-based data row -> columns whose cell is a formula without a saved value (XLSX)
    unsaved_formulas: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # when no row of known column names was found: a sentence naming the sheets and options
    header_hint: str | None = None


def is_vector(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VECTOR_SUFFIXES


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError(tr("readers.missing", file=str(path)), file=path.name)
    if path.is_dir():
        raise InputError(tr("readers.is_dir", file=str(path)), file=path.name)


# --- GIS layers ---------------------------------------------------------------------------------
def _gdal_path(path: Path) -> tuple[str, str | None]:
    """The name GDAL should open, checked by :func:`layers.safe_open.gdal_source` (format from
    the content, driver forced, no virtual paths), and a note when a container was looked into."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.startswith("__MACOSX")]
        except zipfile.BadZipFile as exc:
            raise InputError(tr("readers.bad_zip", why=str(exc)), file=path.name) from exc
        inner = [n for n in names if Path(n).suffix.lower() in (".shp", ".gpkg", ".geojson",
                                                                ".json", ".kml")]
        if not inner:
            raise InputError(tr("readers.zip_empty", names=", ".join(names[:10]) or "–"),
                             file=path.name)
        for name in inner:
            safe_open.check_member(name, path)
        if len(inner) > 1:
            note = tr("readers.zip_many", used=inner[0], others=", ".join(inner[1:]))
        else:
            note = None
        return safe_open.gdal_source(path, member=inner[0]), note
    if suffix == ".kmz":
        try:
            with zipfile.ZipFile(path) as zf:
                kmls = [n for n in zf.namelist() if n.lower().endswith(".kml")]
        except zipfile.BadZipFile as exc:
            raise InputError(tr("readers.bad_zip", why=str(exc)), file=path.name) from exc
        if not kmls:
            raise InputError(tr("readers.kmz_empty"), file=path.name)
        first = "doc.kml" if "doc.kml" in kmls else kmls[0]
        return safe_open.gdal_source(path, member=first), None
    return safe_open.gdal_source(path), None


def list_layers(path: str | Path) -> list[str]:
    safe_open.check_location(path)
    path = Path(path)
    _check_exists(path)
    src, _ = _gdal_path(path)
    try:
        return [str(x[0]) for x in pyogrio.list_layers(src)]
    except Exception as exc:  # GDAL cannot open it
        raise InputError(tr("readers.cannot_open", why=_short(exc)), file=path.name) from exc


def read_vector(path: str | Path, *, layer: str | None = None,
                prefer: tuple[str, ...] = ()) -> ReadResult:
    """Read a GIS layer into a GeoDataFrame in EPSG:4326.

    ``layer`` picks a layer by name; otherwise the first layer named like one of ``prefer``
    (e.g. ``("desa",)``), else the first layer with features.  KML files with several folders
    are read folder by folder and combined.
    """
    safe_open.check_location(path)
    path = Path(path)
    _check_exists(path)
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        raise InputError(tr("readers.unknown_format", suffix=path.suffix or "–",
                            known=", ".join(sorted(VECTOR_SUFFIXES | TABLE_SUFFIXES))),
                         file=path.name)
    src, note = _gdal_path(path)
    notes = [note] if note else []
    single = path.suffix.lower() in (".geojson", ".json", ".shp", ".fgb") or (
        path.suffix.lower() == ".zip" and src.lower().endswith((".shp", ".geojson", ".json")))
    try:
        if single:  # one layer: do not make GDAL scan the file twice
            layers = [(None, None)]
        else:
            layers = [(str(x[0]), x[1]) for x in pyogrio.list_layers(src)]
    except Exception as exc:
        raise InputError(tr("readers.cannot_open", why=_short(exc)), file=path.name) from exc
    if not layers:
        raise InputError(tr("readers.no_layers"), file=path.name)
    names = [n for n, _ in layers if n is not None]
    kml = path.suffix.lower() in (".kml", ".kmz")
    if single:
        chosen = [None]
    elif layer is not None:
        if layer not in names:
            raise InputError(tr("readers.no_such_layer", layer=layer, layers=", ".join(names)),
                             file=path.name)
        chosen = [layer]
    elif kml and len(names) > 1:
        chosen = names  # KML folders: combine
    else:
        chosen = [n for n in names if n.lower() in prefer][:1]
        if not chosen:
            chosen = [names[0]]
            if len(names) > 1:
                for n in names:
                    try:
                        info = pyogrio.read_info(src, layer=n)
                    except Exception:  # noqa: BLE001 - skip unreadable layers
                        continue
                    if info.get("features", 0) and info.get("geometry_type"):
                        chosen = [n]
                        break
        if len(names) > 1:
            notes.append(tr("readers.layer_chosen", layer=chosen[0], layers=", ".join(names)))
    frames = []
    for name in chosen:
        try:
            frame = pyogrio.read_dataframe(src, layer=name, use_arrow=True)
        except Exception as exc:
            raise InputError(tr("readers.cannot_read_layer", layer=name or path.stem,
                                why=_short(exc)),
                             file=path.name) from exc
        if not isinstance(frame, gpd.GeoDataFrame):
            raise InputError(tr("readers.no_geometry", layer=name or path.stem), file=path.name)
        frames.append(frame)
    if len(frames) == 1:
        gdf = frames[0]
    else:
        crs = next((f.crs for f in frames if f.crs is not None), None)
        gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                               crs=crs)
    gdf, assumed = _ensure_wgs84(gdf, path)
    if assumed:
        notes.append(tr("readers.crs_assumed"))
    gdf = gdf.reset_index(drop=True)
    return ReadResult(gdf, notes, crs_assumed=assumed,
                      layer=",".join(c for c in chosen if c) or None,
                      row_numbers=np.arange(1, len(gdf) + 1))


def _ensure_wgs84(gdf: gpd.GeoDataFrame, path: Path) -> tuple[gpd.GeoDataFrame, bool]:
    if gdf.crs is None:
        valid = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        if len(valid):
            minx, miny, maxx, maxy = valid.total_bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                raise InputError(tr("readers.no_crs_projected"), file=path.name)
        return gdf.set_crs(WGS84), True
    try:
        if gdf.crs.to_epsg() == 4326:
            return gdf, False
        return gdf.to_crs(WGS84), False
    except Exception as exc:
        raise InputError(tr("readers.bad_crs", crs=str(gdf.crs)[:80], why=_short(exc)),
                         file=path.name) from exc


# --- tables -------------------------------------------------------------------------------------
def read_table(path: str | Path, *, sheet: str | None = None,
               header_row: int | None = None) -> ReadResult:
    """Read a CSV or XLSX file into a DataFrame of raw cells (object columns).

    ``row_numbers`` follow one rule for every table: the row as a spreadsheet shows it (the
    header row is row 1 and the first data row row 2 in a CSV file; the sheet's own row in a
    workbook, whose header row may be found lower, see :func:`_read_xlsx`).
    """
    path = Path(path)
    _check_exists(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet, header_row)
    if suffix in (".csv", ".txt", ".tsv"):
        if header_row not in (None, 1):
            raise InputError(tr("readers.header_row_csv"), file=path.name)
        res = _read_csv(path)
        # the CSV readers count data rows from 1; the header is the spreadsheet's row 1
        res.row_numbers = np.asarray(res.row_numbers, dtype=int) + 1
        res.bad_rows = {k + 1: v for k, v in res.bad_rows.items()}
        res.mixed_rows = {k + 1: v for k, v in res.mixed_rows.items()}
        return res
    if suffix == ".xls":
        raise InputError(tr("readers.xls_old"), file=path.name)
    raise InputError(tr("readers.unknown_format", suffix=suffix or "–",
                        known=", ".join(sorted(VECTOR_SUFFIXES | TABLE_SUFFIXES))),
                     file=path.name)


def _read_csv(path: Path) -> ReadResult:
    src = read_csv_text(path)
    text, encoding, delim, notes = src.text, src.encoding, src.delimiter, src.notes
    fast = None
    if not maybe_mixed(text, delim):  # the fast readers cannot tell such rows apart
        fast = _read_csv_arrow(text, delim, path) or _read_csv_fast(text, delim, path)
    if fast is not None:
        frame, numbers = fast
        return ReadResult(frame, notes, encoding=encoding, delimiter=delim,
                          row_numbers=numbers, clean_text=True)
    rows = csv_rows(text, delim, path)
    # header = first non-empty row
    start = 0
    while start < len(rows) and not any(c.strip() for c in rows[start]):
        start += 1
    if start >= len(rows):
        raise InputError(tr("readers.empty"), file=path.name)
    header = _clean_headers(rows[start], path)
    width = len(header)
    data: list[list[str | None]] = []
    numbers: list[int] = []
    bad: dict[int, str] = {}
    mixed: dict[int, str] = {}
    for k, row in enumerate(rows[start + 1:], start=1):
        if not any(c.strip() for c in row):
            continue  # blank line: not a data row
        other = mixed_delimiter(row, delim, width)
        if other is not None:
            mixed[k] = other
        if len(row) > width and any(c.strip() for c in row[width:]):
            bad[k] = tr("readers.too_many_fields", n=len(row), width=width)
            row = row[:width]
        elif len(row) < width:
            row = row + [""] * (width - len(row))
        data.append([c.strip() if c.strip() else None for c in row[:width]])
        numbers.append(k)
    if mixed:
        first = next(iter(mixed.values()))
        notes.append(tr("readers.mixed_delimiter_file", n=len(mixed), header=delimiter_name(delim),
                        rows=delimiter_name(first)))
    frame = pd.DataFrame(data, columns=header, dtype=object) if data else \
        pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    return ReadResult(frame, notes, encoding=encoding, delimiter=delim, bad_rows=bad,
                      row_numbers=np.array(numbers, dtype=int), clean_text=True,
                      mixed_rows=mixed)


_BLANK_LINE = re.compile(r"\n[ \t]+\r?\n")


def _has_blank_line(text: str) -> bool:
    body = text.rstrip("\r\n \t")
    return (not body or body.lstrip(" \t").startswith(("\n", "\r")) or "\n\n" in body
            or "\n\r\n" in body or _BLANK_LINE.search(body) is not None)


def _read_csv_arrow(text: str, delim: str, path: Path):
    """pyarrow's CSV reader (the fastest) for files without blank lines or ragged rows;
    ``None`` sends the file to the next reader."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if _has_blank_line(text):
        return None
    try:
        first = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r")),
                                delimiter=delim), [])
    except csv.Error:
        return None
    width = len(first)
    if width == 0:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pcsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None
    if table.num_rows < 1:
        return None
    cols = []
    for n in names:
        arr = np.array(pc.utf8_trim_whitespace(table[n]).to_numpy(zero_copy_only=False),
                       dtype=object)
        arr[arr == ""] = None
        cols.append(arr)
    header_cells = [c[0] or "" for c in cols]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
        if any(v is not None for v in cols[len(header_cells)][1:]):
            return None  # values under an empty header: the careful reader reports them
    if not header_cells:
        return None
    header = _clean_headers(header_cells, path)
    frame = pd.DataFrame({h: c[1:] for h, c in zip(header, cols, strict=False)}, dtype=object)
    return frame, np.arange(1, len(frame) + 1)


def _read_csv_fast(text: str, delim: str, path: Path):
    """pandas' C parser for well-formed files; ``None`` (use the careful row-by-row reader)
    when a row has more fields than the first one or the parser gives up."""
    try:
        raw = pd.read_csv(io.StringIO(text), sep=delim, header=None, dtype=str,
                          keep_default_na=False, skip_blank_lines=False, engine="c",
                          on_bad_lines="error")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error):
        return None
    if raw.empty:
        return None
    stripped = {c: raw[c].fillna("").str.strip() for c in raw.columns}
    blank = np.ones(len(raw), dtype=bool)
    for col in stripped.values():
        blank &= (col == "").to_numpy()
    nonblank = np.flatnonzero(~blank)
    if not len(nonblank):
        return None
    start = int(nonblank[0])
    header_cells = [stripped[c].iat[start] for c in raw.columns]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    width = len(header_cells)
    if width == 0:
        return None
    rows = nonblank[nonblank > start]
    extra = [c for c in list(raw.columns)[width:]]
    if extra and any((stripped[c].iloc[rows] != "").any() for c in extra):
        return None  # fields beyond the header: the careful reader reports them
    header = _clean_headers(header_cells, path)
    data = {}
    for h, c in zip(header, list(raw.columns)[:width], strict=True):
        col = np.array(stripped[c].iloc[rows].astype(object).to_numpy(), dtype=object)
        col[col == ""] = None
        data[h] = col
    frame = pd.DataFrame(data, dtype=object)
    return frame, (rows - start).astype(int)


def _clean_headers(cells, path: Path) -> list[str]:
    header = []
    seen: dict[str, int] = {}
    for i, c in enumerate(cells):
        name = str(c).strip() if c is not None else ""
        if not name:
            name = f"kolom_{i + 1}"
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name}_{seen[key]}"
        else:
            seen[key] = 1
        header.append(name)
    return header


HEADER_SEARCH_ROWS = 30
"""Rows of a sheet searched for the header row (title and instruction rows come above it)."""


def _find_header(rows: list[list]) -> int | None:
    """Index of the first of the top non-empty rows whose cells are known column names."""
    from layers.columns import HEADER_MIN_KNOWN, header_score

    seen = 0
    for i, row in enumerate(rows):
        cells = [_cell(c) for c in row]
        if not any(c is not None for c in cells):
            continue
        if header_score(cells) >= HEADER_MIN_KNOWN:
            return i
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return None


def _first_filled(rows: list[list]) -> int | None:
    return next((i for i, r in enumerate(rows) if any(_cell(c) is not None for c in r)), None)


def _read_xlsx(path: Path, sheet: str | None, header_row: int | None = None) -> ReadResult:
    """The data sheet and its header row: ``sheet``/``header_row`` (1-based sheet row) when
    given; else the first sheet with a row of known column names in its top rows (title and
    instruction rows above it are skipped); else the first sheet with data and its first row,
    with a hint naming the sheets and ``--sheet``/``--header-row``.  Row numbers are the sheet's
    own (header row 1 and first data row 2 when the header is the top row)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise InputError(tr("readers.bad_xlsx", why=_short(exc)), file=path.name) from exc
    found = None  # (sheet name, rows, header index, known header)
    fallback = None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError(tr("readers.no_such_sheet", sheet=sheet,
                                sheets=", ".join(names)), file=path.name)
        for name in [sheet] if sheet is not None else names:
            rows = [list(r) for r in wb[name].iter_rows(min_row=1, values_only=True)]
            if header_row is not None:
                if header_row > len(rows) or not any(_cell(c) is not None
                                                     for c in rows[header_row - 1]):
                    raise InputError(tr("readers.header_row_empty", row=header_row,
                                        sheet=name), file=path.name)
                found = (name, rows, header_row - 1, True)
                break
            start = _find_header(rows)
            if start is not None:
                found = (name, rows, start, True)
                break
            first = _first_filled(rows)
            if fallback is None and first is not None and (
                    sheet is not None or any(any(_cell(c) is not None for c in r)
                                             for r in rows[first + 1:])):
                fallback = (name, rows, first, False)
        found = found or fallback
        unsaved = _unsaved_formulas(wb[found[0]]) if found is not None else set()
    finally:
        wb.close()
    if found is None:
        raise InputError(tr("readers.xlsx_no_data", sheets=", ".join(names)), file=path.name)
    name, rows, start, known = found
    header_cells = rows[start]
    # drop trailing empty header cells
    while header_cells and _cell(header_cells[-1]) is None:
        header_cells = header_cells[:-1]
    header = _clean_headers(header_cells, path)
    width = len(header)
    data, numbers = [], []
    bad: dict[int, str] = {}
    for k, row in enumerate(rows[start + 1:], start=start + 2):  # k: the sheet's row number
        cells = [_cell(c) for c in row]
        if not any(c is not None for c in cells):
            continue
        if len(cells) > width and any(c is not None for c in cells[width:]):
            bad[k] = tr("readers.too_many_fields", n=len(cells), width=width)
        cells = (cells + [None] * width)[:width]
        data.append(cells)
        numbers.append(k)
    frame = pd.DataFrame(data, columns=header, dtype=object) if data else \
        pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    notes = []
    if sheet is None and len(names) > 1:
        notes.append(tr("readers.sheet_chosen", sheet=name, sheets=", ".join(names)))
    if start > 0 and header_row is None and known:
        notes.append(tr("readers.header_found", row=start + 1, sheet=name))
    hint = None if known else tr("readers.header_hint", sheet=name, row=start + 1,
                                 sheets=", ".join(names))
    formulas = _formula_rows(unsaved, start, header, notes)
    return ReadResult(frame, notes, sheet=name, bad_rows=bad,
                      row_numbers=np.array(numbers, dtype=int), header_hint=hint,
                      unsaved_formulas=formulas)


_CELL_REF = re.compile(rb"<c\b([^>]*)>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?"
                       rb"\s*</c>")
_REF_ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')


def _unsaved_formulas(ws) -> set[tuple[int, int]]:
    """0-based (row, column) of the cells of a read-only sheet that hold a formula but no saved
    value (a file written by a program that does not compute formulas): read as empty, they
    would pass for empty cells.  The sheet's XML is scanned in pieces (bounded memory)."""
    cells: set[tuple[int, int]] = set()
    try:
        with ws._get_source() as src:  # the sheet's XML inside the workbook
            rest = b""
            while chunk := src.read(1 << 22):
                buf = rest + chunk
                end = buf.rfind(b"</c>") + 4 if b"</c>" in buf else 0
                if b"<f" in buf[:end]:
                    _scan_formulas(buf[:end], cells)
                rest = buf[end:]
    except Exception:  # noqa: BLE001 - a sheet openpyxl could read but we cannot: no notes
        return set()
    return cells


def _scan_formulas(xml: bytes, cells: set[tuple[int, int]]) -> None:
    for m in _CELL_REF.finditer(xml):
        ref = _REF_ATTR.search(m.group(1))
        if ref is None:
            continue
        col = 0
        for ch in ref.group(1):
            col = col * 26 + ch - 64
        cells.add((int(ref.group(2)) - 1, col - 1))


def _formula_rows(cells: set[tuple[int, int]], start: int, header: list[str],
                  notes: list[str]) -> dict[int, tuple[str, ...]]:
    """The sheet's row number (as ``row_numbers``) -> header names of its unsaved formula
    cells below the header row ``start`` (0-based), and one note naming the first of them."""
    out: dict[int, list[str]] = {}
    for r, c in sorted(cells):
        if r > start and c < len(header):
            out.setdefault(r + 1, []).append(header[c])
    if out:
        first = min(out)
        notes.append(tr("readers.unsaved_formulas", n=sum(len(v) for v in out.values()),
                        row=str(first), column=out[first][0]))
    return {k: tuple(v) for k, v in out.items()}


def _cell(value):
    if value is None:
        return None
    if isinstance(value, str):
        v = value.strip()
        if not v:
            return None
        if v.startswith("#") and v.endswith(("!", "?", "A")) and v.upper() in (
                "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"):
            return None  # spreadsheet error values are missing
        return v
    return value


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


register_catalog("layers", "readers")
