"""GeoPackage tables written with sqlite3 inside a caller's transaction: the schema, geometry
blobs, spatial index, triggers and bookkeeping rows (``gpkg_contents``,
``gpkg_geometry_columns``, ``gpkg_ogr_contents``, ``gpkg_extensions``) GDAL itself writes, so
GDAL/QGIS read such a table as one of their own and pyogrio reads back the dtypes it would have
written.  Used by ``layers.project_file`` to save only what changed, in place and atomically
(one SQLite transaction instead of a copy of the whole file).  A table's ``gpkg_contents``
description may hold the content digest of the frame it was written from (:func:`set_digest`),
valid while its ``last_change`` is the one recorded with it.

A frame this writer cannot store the way GDAL would (another CRS, Z coordinates, dates, mixed
objects) raises :class:`Unsupported`; the caller then writes the whole file through GDAL.
Imports numpy, pandas, shapely, ``layers.gpkg_rtree``, ``layers.sqlite_rows`` and the standard
library.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pandas.api import types as ptypes

from layers import gpkg_rtree, sqlite_rows

SRS_WGS84 = 4326
RTREE_EXTENSION = ("gpkg_rtree_index", "http://www.geopackage.org/spec120/#extension_rtree",
                   "write-only")
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"


class Unsupported(Exception):
    """The frame holds something this writer would store differently from GDAL."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- values ------------------------------------------------------------------------------------
def _sql_type(series: pd.Series) -> str:
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "BOOLEAN"
    if ptypes.is_integer_dtype(dtype):
        size = np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype).itemsize
        unsigned = ptypes.is_unsigned_integer_dtype(dtype)
        size = size * 2 if unsigned else size
        return "SMALLINT" if size <= 2 else "MEDIUMINT" if size <= 4 else "INTEGER"
    if ptypes.is_float_dtype(dtype):
        itemsize = np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype).itemsize
        return "FLOAT" if itemsize == 4 else "REAL"
    if ptypes.is_string_dtype(dtype) or ptypes.is_object_dtype(dtype):
        return "TEXT"
    raise Unsupported(f"column {series.name!r}: dtype {dtype}")


def _values(series: pd.Series) -> list:
    """The column as Python values sqlite3 binds, None for every missing value."""
    dtype = series.dtype
    missing = series.isna().to_numpy()
    if isinstance(dtype, pd.StringDtype):  # only text and missing values, by its dtype
        return series.to_numpy(dtype=object, na_value=None).tolist()
    if ptypes.is_float_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        out = series.to_numpy().tolist()
    elif isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
            ptypes.is_integer_dtype(dtype) or ptypes.is_bool_dtype(dtype)):
        out = series.to_numpy(dtype="int64" if ptypes.is_integer_dtype(dtype) else bool,
                              na_value=0).tolist()
    elif isinstance(dtype, pd.api.extensions.ExtensionDtype) and not (
            ptypes.is_string_dtype(dtype) or ptypes.is_object_dtype(dtype)):
        out = series.to_numpy(dtype=object, na_value=None).tolist()
    elif ptypes.is_bool_dtype(dtype) or ptypes.is_integer_dtype(dtype):
        return series.to_numpy().tolist()
    else:  # text
        values = series.to_numpy(dtype=object)
        present = values[~missing]
        if len(present) and pd.api.types.infer_dtype(present, skipna=False) != "string":
            raise Unsupported(f"column {series.name!r}: not all text")
        out = values.tolist()
    for i in np.flatnonzero(missing).tolist():
        out[i] = None
    return out


# --- geometry ----------------------------------------------------------------------------------
def geometry_type_name(geoms: np.ndarray, declared: str | None, promote: bool) -> str:
    """The ``gpkg_geometry_columns`` type: the declared one, else the one type of all
    (promoted) geometries, else GEOMETRY (what GDAL infers)."""
    if declared:
        return declared.upper()
    present = geoms[~shapely.is_missing(geoms)]
    kinds = set(shapely.get_type_id(present).tolist())
    names = {shapely.GeometryType(k).name for k in kinds}
    if promote:
        names = {_MULTI_UPPER.get(n, n) for n in names}
    if len(names) == 1:
        return _GPKG_NAMES.get(names.pop(), "GEOMETRY")
    return "GEOMETRY"


_MULTI_UPPER = {"POINT": "MULTIPOINT", "LINESTRING": "MULTILINESTRING", "POLYGON": "MULTIPOLYGON"}
_GPKG_NAMES = {n: n for n in ("POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
                              "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION")}


def promoted(geoms: np.ndarray) -> np.ndarray:
    """Single geometries as one-part multi geometries (GDAL's ``promote_to_multi``)."""
    out = np.array(geoms, dtype=object, copy=True)
    ids = shapely.get_type_id(out)
    for single_id, make in ((0, shapely.multipoints), (1, shapely.multilinestrings),
                            (3, shapely.multipolygons)):
        where = np.flatnonzero(ids == single_id)
        if len(where):
            made = make(out[where], indices=np.arange(len(where)))
            out[where] = np.asarray(made, dtype=object).reshape(-1)
    return out


_MULTI_OF = {0: 4, 1: 5, 3: 6}  # WKB type of the multi geometry of a point, line, polygon


def geometry_parts(geoms: np.ndarray, *, promote: bool = False,
                   bounds: np.ndarray | None = None) -> GeometryParts:
    """The vectorised part of :func:`blobs`: each geometry's ISO WKB (little-endian; None when
    missing), type id (empty single geometries promoted as GEOS makes them when ``promote``),
    whether it is empty, and its (n, 4) bounds minx, miny, maxx, maxy (NaN for missing and
    empty; ``bounds``: those the caller has already).  ``wkb`` is also the WKB of the
    geometries as given (before any promotion) where ``raw_wkb`` says so."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) and shapely.has_z(geoms).any():
        raise Unsupported("Z coordinates")
    ids = shapely.get_type_id(geoms)
    missing = ids < 0
    empty = shapely.is_empty(geoms) & ~missing
    raw = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    wkb = raw
    if promote:
        odd = empty & np.isin(ids, list(_MULTI_OF))
        if odd.any():  # empty single geometries: promoted as GEOS makes them
            made = promoted(geoms[odd])
            wkb = raw.copy()
            wkb[odd] = shapely.to_wkb(made, byte_order=1, flavor="iso")
            ids = ids.copy()
            ids[odd] = shapely.get_type_id(made)
    if bounds is None:
        bounds = shapely.bounds(geoms)
    return GeometryParts(wkb, ids, empty, np.asarray(bounds, dtype=np.float64), raw)


@dataclass(frozen=True)
class GeometryParts:
    wkb: np.ndarray  # objects: bytes, None when missing
    ids: np.ndarray  # shapely type ids (-1 missing)
    empty: np.ndarray  # bool
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy
    raw_wkb: np.ndarray  # the WKB of the geometries as given (content digests)


def assemble_blobs(wkb: list, ids: np.ndarray, empty: np.ndarray, bounds: np.ndarray,
                   srs_id: int = SRS_WGS84, *, promote: bool = False) -> list:
    """GeoPackage blobs of the parts of :func:`geometry_parts` (any slice of them): points
    without an envelope, other geometries with their XY envelope, empties flagged; a single
    geometry stored promoted gets the multi head before its WKB (no geometry is built)."""
    ids = np.array(ids, copy=True)
    missing = ids < 0
    if promote:
        wkb = list(wkb)
        for single, multi in _MULTI_OF.items():
            where = np.flatnonzero(ids == single)
            if len(where):
                head = struct.pack("<BII", 1, multi, 1)
                for i in where.tolist():
                    wkb[i] = head + wkb[i]
                ids[where] = multi
    points = ids == 0
    srs = struct.pack("<i", srs_id)
    head_point, head_env, head_empty = (b"GP\x00\x01" + srs, b"GP\x00\x03" + srs,
                                        b"GP\x00\x11" + srs)
    env = np.ascontiguousarray(np.asarray(bounds)[:, [0, 2, 1, 3]], dtype="<f8").tobytes()
    out: list = []
    for i, (w, m, e, p) in enumerate(zip(wkb, missing.tolist(), np.asarray(empty).tolist(),
                                         points.tolist(), strict=True)):
        if m:
            out.append(None)
        elif e:
            out.append(head_empty + w)
        elif p:
            out.append(head_point + w)
        else:
            out.append(head_env + env[i * 32:(i + 1) * 32] + w)
    return out


def blobs(geoms: np.ndarray, srs_id: int = SRS_WGS84, *,
          promote: bool = False, bounds: np.ndarray | None = None) -> tuple[list, np.ndarray]:
    """GeoPackage geometry blobs of ``geoms`` (None stays None) as GDAL writes them: points
    without an envelope, other geometries with their XY envelope, empties flagged; and the
    (n, 4) bounds minx, miny, maxx, maxy (NaN for missing and empty; ``bounds``: those the
    caller has already, ``shapely.bounds(geoms)``).  ``promote``: single geometries stored as
    one-part multi geometries, the blobs of :func:`promoted` (its WKB is the single one's
    behind a multi head: no geometry is built)."""
    parts = geometry_parts(geoms, promote=promote, bounds=bounds)
    return assemble_blobs(parts.wkb.tolist(), parts.ids, parts.empty, parts.bounds, srs_id,
                          promote=promote), parts.bounds


def blob_bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """minx, maxx, miny, maxy of a GeoPackage blob (None when missing or empty)."""
    if blob is None or len(blob) < 8:
        return None
    flags = blob[3]
    if flags & 0x10:
        return None
    order = "<" if flags & 1 else ">"
    code = (flags >> 1) & 7
    if code:
        return struct.unpack_from(order + "4d", blob, 8)
    offset = 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get(code, 0)
    geom = shapely.from_wkb(bytes(blob[offset:]))
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def register_functions(con: sqlite3.Connection) -> None:
    """The ST_ functions GDAL's spatial-index triggers call (GDAL, QGIS and SpatiaLite define
    them; a plain sqlite3 connection needs them to insert into a table that has those
    triggers)."""
    def part(i):
        return lambda blob: (lambda b: None if b is None else b[i])(blob_bounds(blob))

    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, part(i), deterministic=True)
    con.create_function("ST_IsEmpty", 1, lambda b: None if b is None else int(
        blob_bounds(b) is None), deterministic=True)


# --- tables ------------------------------------------------------------------------------------
def geometry_column(con: sqlite3.Connection, table: str) -> str | None:
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = "
                      "lower(?)", (table,)).fetchone()
    return row[0] if row else None


def columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({quote(table)})")]


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (name,)).fetchone() is not None


def drop_table(con: sqlite3.Connection, table: str) -> None:
    """Remove ``table``, its spatial index and every bookkeeping row that names it."""
    geom = geometry_column(con, table)
    con.execute(f"DROP TABLE IF EXISTS {quote(table)}")
    if geom:
        con.execute(f"DROP TABLE IF EXISTS {quote(f'rtree_{table}_{geom}')}")
    for meta in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_ogr_contents",
                 "gpkg_data_columns", "gpkg_contents"):
        if _has_table(con, meta):
            con.execute(f"DELETE FROM {meta} WHERE lower(table_name) = lower(?)", (table,))
    if _has_table(con, "sqlite_sequence"):
        con.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))


_ROWS_PER_BATCH = 50_000  # Python values of a whole national table at once cost ~0.5 GB


def _batches(frame: pd.DataFrame, geom_name: str | None, fids: np.ndarray,
             geoms: np.ndarray | None, promote: bool,
             bounds: np.ndarray | None = None) -> Iterable[list[list]]:
    """The rows to insert as columns (fid, geometry blob of ``geoms``, columns), a batch of
    rows at a time (the blobs too: a whole national table of them at once costs memory);
    ``bounds``: ``shapely.bounds(geoms)`` when the caller has them."""
    names = [c for c in frame.columns if c != geom_name]
    for start in range(0, len(frame), _ROWS_PER_BATCH):
        stop = start + _ROWS_PER_BATCH
        part = frame.iloc[start:stop]
        yield [fids[start:stop].tolist()] + (
            [blobs(geoms[start:stop], promote=promote,
                   bounds=None if bounds is None else bounds[start:stop])[0]]
            if geom_name else []) + [
            _values(part[c]) for c in names]


def write_table(con: sqlite3.Connection, table: str, frame: pd.DataFrame, *,
                geometry_type: str | None = None, promote: bool = True) -> np.ndarray:
    """Create ``table`` (dropped first when present) holding ``frame`` and return its fids
    (1..n, in frame order).  A GeoDataFrame gets a ``geom`` column, a spatial index and GDAL's
    triggers; its CRS must be WGS 84."""
    geom_name = _geom_name(frame)
    fids = np.arange(1, len(frame) + 1, dtype=np.int64)
    names, types = column_types(frame)
    geoms = bounds = None
    gtype = None
    if geom_name:
        _check_crs(frame)
        geoms = np.asarray(frame[geom_name].values, dtype=object)
        if len(geoms) and shapely.has_z(geoms).any():
            raise Unsupported("Z coordinates")
        gtype = geometry_type_name(geoms, geometry_type, promote)
        bounds = shapely.bounds(geoms)
    create_table(con, table, names, types, gtype, len(frame),
                 _batches(frame, geom_name, fids, geoms, promote, bounds), bounds)
    return fids


def column_types(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The names of ``frame``'s columns other than its geometry and their SQL types."""
    geom_name = _geom_name(frame)
    names = [c for c in frame.columns if c != geom_name]
    if len({n.lower() for n in names} | {"fid", "geom"}) != len(names) + 2:
        raise Unsupported("column names")
    return names, [_sql_type(frame[c]) for c in names]


def create_table(con: sqlite3.Connection, table: str, names: list[str], types: list[str],
                 gtype: str | None, rows: int, batches: Iterable[list[list]],
                 bounds: np.ndarray | None) -> None:
    """Create ``table`` (dropped first when present) with the columns ``names`` of SQL
    ``types`` (and a ``geom`` column of type ``gtype`` unless None), insert ``rows`` rows from
    ``batches`` (columns fid 1..n, geometry blob, the columns) and write GDAL's bookkeeping,
    spatial index (``bounds``: (n, 4) minx, miny, maxx, maxy) and triggers."""
    drop_table(con, table)
    defs = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    defs += [f'"geom" {gtype}'] if gtype else []
    defs += [f"{quote(n)} {t}" for n, t in zip(names, types, strict=True)]
    con.execute(f"CREATE TABLE {quote(table)} ( {', '.join(defs)})")
    sqlite_rows.insert_columns(con, f"INSERT INTO {quote(table)} VALUES", batches)
    extent = _extent(bounds) if gtype else (None,) * 4
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                f"last_change, min_x, min_y, max_x, max_y, srs_id) VALUES (?, ?, ?, '', {_NOW}, "
                "?, ?, ?, ?, ?)", (table, "features" if gtype else "attributes", table,
                                   *extent, SRS_WGS84 if gtype else 0))
    if _has_table(con, "gpkg_ogr_contents"):
        con.execute("INSERT INTO gpkg_ogr_contents VALUES (?, ?)", (table, rows))
    if gtype:
        con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
                    (table, gtype, SRS_WGS84))
        _spatial_index(con, table, np.arange(1, rows + 1, dtype=np.int64), bounds)
    _count_triggers(con, table)


def _geom_name(frame) -> str | None:
    import geopandas as gpd

    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        return frame.geometry.name
    return None


def _check_crs(frame) -> None:
    crs = frame.crs
    if crs is not None and crs.to_epsg() != SRS_WGS84:
        raise Unsupported(f"CRS {crs}")


def _extent(bounds: np.ndarray) -> tuple:
    ok = ~np.isnan(bounds).any(axis=1)
    if not ok.any():
        return (None,) * 4
    b = bounds[ok]
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
            float(b[:, 3].max()))


def _spatial_index(con: sqlite3.Connection, table: str, fids: np.ndarray,
                   bounds: np.ndarray) -> None:
    rtree = quote(f"rtree_{table}_geom")
    con.execute(f"CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy)")
    ok = ~np.isnan(bounds).any(axis=1)
    gpkg_rtree.bulk_load(con, f"rtree_{table}_geom", fids[ok], bounds[ok][:, [0, 2, 1, 3]])
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,"
                "extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,"
                "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
    con.execute("INSERT INTO gpkg_extensions VALUES (?, 'geom', ?, ?, ?)",
                (table, *RTREE_EXTENSION))
    t, r, g = quote(table), rtree, '"geom"'
    new = f"NEW.{g}"
    env = f"ST_MinX({new}), ST_MaxX({new}),ST_MinY({new}), ST_MaxY({new})"
    name = f"rtree_{table}_geom"
    for suffix, sql in (
            ("insert", f"AFTER INSERT ON {t} WHEN (new.{g} NOT NULL AND NOT ST_IsEmpty({new})) "
                       f"BEGIN INSERT OR REPLACE INTO {r} VALUES (NEW.\"fid\",{env}); END"),
            ("update6", f"AFTER UPDATE OF {g} ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND "
                        f"({new} NOTNULL AND NOT ST_IsEmpty({new})) AND (OLD.{g} NOTNULL AND "
                        f"NOT ST_IsEmpty(OLD.{g})) BEGIN UPDATE {r} SET minx = ST_MinX({new}), "
                        f"maxx = ST_MaxX({new}),miny = ST_MinY({new}), maxy = ST_MaxY({new}) "
                        "WHERE id = NEW.\"fid\";END"),
            ("update7", f"AFTER UPDATE OF {g} ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND "
                        f"({new} NOTNULL AND NOT ST_IsEmpty({new})) AND (OLD.{g} ISNULL OR "
                        f"ST_IsEmpty(OLD.{g})) BEGIN INSERT INTO {r} VALUES (NEW.\"fid\",{env}); "
                        "END"),
            ("update2", f"AFTER UPDATE OF {g} ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND "
                        f"({new} ISNULL OR ST_IsEmpty({new})) BEGIN DELETE FROM {r} WHERE id = "
                        "OLD.\"fid\"; END"),
            ("update5", f"AFTER UPDATE ON {t} WHEN OLD.\"fid\" != NEW.\"fid\" AND ({new} NOTNULL "
                        f"AND NOT ST_IsEmpty({new})) BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; "
                        f"INSERT OR REPLACE INTO {r} VALUES (NEW.\"fid\",{env}); END"),
            ("update4", f"AFTER UPDATE ON {t} WHEN OLD.\"fid\" != NEW.\"fid\" AND ({new} ISNULL "
                        f"OR ST_IsEmpty({new})) BEGIN DELETE FROM {r} WHERE id IN (OLD.\"fid\", "
                        "NEW.\"fid\"); END"),
            ("delete", f"AFTER DELETE ON {t} WHEN old.{g} NOT NULL BEGIN DELETE FROM {r} WHERE "
                       "id = OLD.\"fid\"; END")):
        con.execute(f"CREATE TRIGGER {quote(f'{name}_{suffix}')} {sql}")


def _count_triggers(con: sqlite3.Connection, table: str) -> None:
    if not _has_table(con, "gpkg_ogr_contents"):
        return
    lit = "'" + table.replace("'", "''") + "'"
    for what, op in (("insert", "+"), ("delete", "-")):
        con.execute(f"CREATE TRIGGER {quote(f'trigger_{what}_feature_count_{table}')} AFTER "
                    f"{what.upper()} ON {quote(table)} BEGIN UPDATE gpkg_ogr_contents SET "
                    f"feature_count = feature_count {op} 1 WHERE lower(table_name) = "
                    f"lower({lit}); END")


def delete_rows(con: sqlite3.Connection, table: str, fids: np.ndarray) -> None:
    con.executemany(f'DELETE FROM {quote(table)} WHERE "fid" = ?',
                    ((int(f),) for f in fids))


def insert_rows(con: sqlite3.Connection, table: str, frame: pd.DataFrame, fids: np.ndarray, *,
                promote: bool = True) -> None:
    """Insert ``frame``'s rows with the given fids into an existing table with the same
    columns (its triggers keep the spatial index and feature count); the layer's extent in
    ``gpkg_contents`` grows to cover them."""
    geom_name = _geom_name(frame)
    geoms = None
    if geom_name:
        _check_crs(frame)
        geoms = np.asarray(frame[geom_name].values, dtype=object)
        if len(geoms) and shapely.has_z(geoms).any():
            raise Unsupported("Z coordinates")
        bounds = shapely.bounds(geoms)
        extent = _extent(bounds)
        if extent[0] is not None:
            con.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
                        "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
                        "max_y = max(coalesce(max_y, ?), ?) WHERE lower(table_name) = lower(?)",
                        (extent[0], extent[0], extent[1], extent[1], extent[2], extent[2],
                         extent[3], extent[3], table))
    names = ['"fid"'] + (['"geom"'] if geom_name else [])
    names += [quote(c) for c in frame.columns if c != geom_name]
    sqlite_rows.insert_columns(con, f"INSERT INTO {quote(table)} ({', '.join(names)}) VALUES",
                               _batches(frame, geom_name, np.asarray(fids), geoms, promote,
                                        None if geoms is None else bounds))


def touch(con: sqlite3.Connection, table: str) -> None:
    con.execute(f"UPDATE gpkg_contents SET last_change = {_NOW} WHERE lower(table_name) = "
                "lower(?)", (table,))


# --- content digests ---------------------------------------------------------------------------
DIGEST_PREFIX = "content-digest:"


def set_digest(con: sqlite3.Connection, table: str, digest: str | None) -> None:
    """Record in the table's ``gpkg_contents`` description the digest of the frame it now
    holds (``layers.frame_digest``), bound to its current ``last_change``: any later write
    that updates ``last_change`` (this writer's, GDAL's, QGIS') makes the record invalid."""
    con.execute("UPDATE gpkg_contents SET description = CASE WHEN ? IS NULL THEN '' ELSE "
                "? || ? || '@' || coalesce(last_change, '') END WHERE lower(table_name) = "
                "lower(?)", (digest, DIGEST_PREFIX, digest, table))


def digests(con: sqlite3.Connection) -> dict[str, str]:
    """The valid recorded digest of each table (lower-case name → digest)."""
    out = {}
    for name, description, last_change in con.execute(
            "SELECT table_name, description, last_change FROM gpkg_contents"):
        text = str(description or "")
        if not text.startswith(DIGEST_PREFIX):
            continue
        value, _, when = text[len(DIGEST_PREFIX):].rpartition("@")
        if value and when == str(last_change or ""):
            out[str(name).lower()] = value
    return out


def stored_fids(con: sqlite3.Connection, table: str) -> np.ndarray:
    """The fids of ``table`` in increasing order (the order its rows are read in)."""
    n, low, high = con.execute(f'SELECT count(*), min("fid"), max("fid") FROM {quote(table)}'
                               ).fetchone()
    if not n:
        return np.zeros(0, dtype=np.int64)
    if low == 1 and high == n:
        return np.arange(1, n + 1, dtype=np.int64)
    return np.fromiter((r[0] for r in con.execute(
        f'SELECT "fid" FROM {quote(table)} ORDER BY "fid"')), dtype=np.int64, count=n)
