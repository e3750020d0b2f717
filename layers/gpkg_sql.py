"""The SQL side of GeoPackage tables written with sqlite3 inside a caller's transaction:
creating a table with GDAL's bookkeeping rows, spatial index and triggers, dropping one, the
geometry blobs assembled from WKB, content digests recorded beside a table, and the ST_
functions GDAL's triggers call.  Split from ``layers.gpkg_table`` (which turns frames into
rows and re-exports these) so that the process storing results beside a command
(``layers.store_worker``) imports no pandas or shapely.  Imports numpy,
``layers.gpkg_rtree``, ``layers.sqlite_rows`` and the standard library (shapely only to read
a point blob's bounds, when a trigger asks).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable

import numpy as np

from layers import gpkg_rtree, sqlite_rows

SRS_WGS84 = 4326
RTREE_EXTENSION = ("gpkg_rtree_index", "http://www.geopackage.org/spec120/#extension_rtree",
                   "write-only")
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
_MULTI_OF = {0: 4, 1: 5, 3: 6}  # WKB type of the multi geometry of a point, line, polygon


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
    import shapely  # a point blob has no envelope: only GDAL's triggers ask for its bounds

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


def touch(con: sqlite3.Connection, table: str) -> None:
    con.execute(f"UPDATE gpkg_contents SET last_change = {_NOW} WHERE lower(table_name) = "
                "lower(?)", (table,))


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
