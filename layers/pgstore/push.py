"""Push a whole project into the shared store, in one transaction: one table per layer and
stored table, with the GeoPackage's columns (typed), a PostGIS geometry column ``geom`` with
its SRID and a spatial index (what QGIS reads), and the store's own columns ``_rid``,
``_row_version`` and ``_kab`` (the kabupaten whose team may edit the row), row-level security
and the row-version and audit triggers.  Rows travel by ``COPY`` as CSV that Arrow writes a
batch at a time from whole columns (geometries as hex EWKB); the primary key, the indexes and
the rights come after the load.  Nothing is ever formatted into SQL text.  Imports ``psycopg``,
``pyarrow``, ``layers.project_file`` and ``layers.pgstore``."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
from psycopg import sql

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.project import Project
from layers.pgstore.connection import StoreError
from layers.pgstore.schema import check_version
from layers.project_file import _storable

_GEOMETRY = {"Polygon": "MultiPolygon", "Point": "Point", "LineString": "MultiLineString"}
_KAB_SOURCES = {  # layer -> columns whose first "PP.KK" names the kabupaten, first found wins
    "kabupaten": ("code",),
    "kecamatan": ("kabupaten_code", "code"),
    "desa": ("code", "kecamatan_code"),
    "facilities": ("desa_code", "kecamatan_code", "declared_kecamatan_code"),
    "settlements": ("desa_code",),
    "budget": ("target_desa",),
}
_BY_FACILITY = {"budget": "target_facility"}  # then: the kabupaten of the facility named
KABUPATEN_SCOPED = frozenset(_KAB_SOURCES)
"""Layers whose rows belong to one kabupaten; the others are province-level, read whole."""
META_TABLE = "meta"
STORE_COLUMNS = ("_rid", "_row_version", "_kab", "geom")
CHECKOUT_TABLE = "store_checkout"
"""The table of a checked-out project: each row's store id, version and values when taken."""
ROW_ID = "store_rid"
"""The column of a checked-out layer holding each row's store id."""
"""Columns every stored table has besides the project's own."""
_MAX_NAME = 63  # bytes of a PostgreSQL identifier
COPY_BATCH = 50_000
"""Rows sent to COPY at a time (bounds the memory of the text of one batch)."""


def kabupaten_codes(layer: str, frame, facility_kabupaten: dict | None = None) -> pd.Series:
    """The kabupaten code (``PP.KK``) of every row of ``layer``; missing (province-level) where
    none of the layer's area columns names one.  A budget line aimed at a facility only
    belongs to that facility's kabupaten (``facility_kabupaten``: fac_id → code)."""
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for col in _KAB_SOURCES.get(layer, ()):
        if col not in frame.columns:
            continue
        codes = frame[col].astype("string").str.slice(0, 5)
        ok = codes.str.fullmatch(r"\d{2}\.\d{2}").fillna(False).astype(bool)
        fill = out.isna() & ok
        out[fill] = codes[fill].astype(object)
    by_facility = _BY_FACILITY.get(layer)
    if facility_kabupaten and by_facility in frame.columns:
        found = frame[by_facility].map(lambda f: facility_kabupaten.get(f))
        fill = out.isna() & found.notna()
        out[fill] = found[fill].astype(object)
    return out


def facility_kabupaten(project: Project) -> dict:
    """fac_id → kabupaten code of every facility of ``project`` that has both."""
    fac = project.layers.get("facilities")
    if fac is None or "fac_id" not in fac.columns:
        return {}
    codes = kabupaten_codes("facilities", fac)
    return {f: c for f, c in zip(fac["fac_id"], codes, strict=True)
            if c is not None and isinstance(f, str)}


def column_type(series: pd.Series) -> tuple[str, str]:
    """(PostgreSQL type, pandas dtype to restore on pull) of a storable column."""
    dtype = series.dtype
    if isinstance(dtype, pd.BooleanDtype) or pd.api.types.is_bool_dtype(dtype):
        return "boolean", str(dtype)
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint", str(dtype)
    if pd.api.types.is_float_dtype(dtype):
        return "double precision", str(dtype)
    return "text", "object"


def _frames(project: Project) -> list[tuple[str, object]]:
    # a checked-out project pushed whole: its check-out bookkeeping is not project data
    frames = [(name, project.layers[name].drop(columns=ROW_ID, errors="ignore"))
              for name in model.LAYERS if name != META_TABLE and name in project.layers]
    frames += [(n, f) for n, f in project.tables.items() if n != CHECKOUT_TABLE]
    meta = dict(project.meta)
    meta[model.META_RULES] = project.rules.text
    frames.append((META_TABLE, pd.DataFrame({"key": list(meta), "value": list(meta.values())})))
    return frames


def project_exists(conn: psycopg.Connection) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM ilp_layers")
        return cur.fetchone()[0] > 0


def push_project(conn: psycopg.Connection, project: Project, *, replace: bool = False,
                 progress=None) -> dict[str, int]:
    """Write every layer and table of ``project`` to the store; returns rows per table.  A
    store that already holds a project is replaced only with ``replace`` (its audit trail is
    kept).  One transaction: on any failure, a lost connection or a killed client the store
    stays as it was."""
    check_version(conn)
    frames = _frames(project)
    by_facility = facility_kabupaten(project)
    counts: dict[str, int] = {}
    try:
        with conn.transaction():
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext('ilp_gis.push'))")
            if project_exists(conn):
                if not replace:
                    raise StoreError(tr("pgstore.push.exists"))
                _drop_all(conn)
            for i, (name, frame) in enumerate(frames):
                counts[name] = _push_frame(conn, name, frame, i, by_facility)
                if progress:
                    progress((i + 1) / len(frames))
            with conn.cursor() as cur:
                cur.execute("INSERT INTO ilp_audit (layer, op, after) VALUES (%s, %s, %s)",
                            ("*", "push", json.dumps(counts)))
    except psycopg.OperationalError as exc:
        raise StoreError(tr("pgstore.push.lost", why=str(exc).strip())) from exc
    except psycopg.Error as exc:
        raise StoreError(tr("pgstore.push.failed", why=str(exc).strip())) from exc
    return counts


def _drop_all(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM ilp_layers")
        for (name,) in cur.fetchall():
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(name)))
        cur.execute("DELETE FROM ilp_layers")


def _push_frame(conn: psycopg.Connection, name: str, frame, position: int,
                facility_kab: dict | None = None) -> int:
    spec = model.LAYERS.get(name)
    geo = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
    geom_type = None
    geoms = None
    if geo:
        geom_type = _GEOMETRY.get(spec.geometry, "Geometry") if spec and spec.geometry \
            else "Geometry"
        frame_ll = frame.to_crs(model.WGS84) if frame.crs is not None \
            and not frame.crs.equals(model.WGS84) else frame
        geoms = np.asarray(frame_ll.geometry.values, dtype=object)
        if geom_type.startswith("Multi"):
            geoms = promote_to_multi(geoms)
        data = _storable(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    else:
        data = _storable(pd.DataFrame(frame))
    columns: list[tuple[str, str, str]] = []
    for col in data.columns:
        pg_type, dtype = column_type(data[col])
        columns.append((str(col), pg_type, dtype))
    _check_names(name, [c for c, _, _ in columns])
    ident = sql.Identifier(name)
    # the primary key and the indexes are built after the load (one pass over sorted data
    # instead of one index insert per row)
    defs = [sql.SQL("_rid bigint GENERATED BY DEFAULT AS IDENTITY"),
            sql.SQL("_row_version bigint NOT NULL DEFAULT 1"), sql.SQL("_kab text")]
    defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t, _ in columns]
    if geom_type:
        defs.append(sql.SQL("geom geometry({}, 4326)").format(sql.SQL(geom_type)))
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))
        names = [sql.Identifier("_kab")] + [sql.Identifier(c) for c, _, _ in columns]
        if geom_type:
            names.append(sql.Identifier("geom"))
        copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            ident, sql.SQL(", ").join(names))
        rows = _arrow_rows(data, columns, kabupaten_codes(name, frame, facility_kab))
        with cur.copy(copy) as out:
            for start in range(0, len(data), COPY_BATCH):
                batch = rows.slice(start, COPY_BATCH)
                if geoms is not None:
                    part = geoms[start:start + COPY_BATCH]
                    batch = batch.append_column("geom", _hex_ewkb(part))
                out.write(_csv(batch))
        cur.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (_rid)").format(ident))
        if geom_type:  # the server names the indexes (a long layer name cannot collide)
            cur.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(ident))
        cur.execute(sql.SQL("CREATE INDEX ON {} (_kab)").format(ident))
        _protect(cur, name)
        cur.execute("INSERT INTO ilp_layers (name, geometry_type, columns, position)"
                    " VALUES (%s, %s, %s, %s)",
                    (name, geom_type, json.dumps([[c, t, d] for c, t, d in columns]), position))
    return len(data)


def _arrow_rows(data: pd.DataFrame, columns: list[tuple[str, str, str]],
                kab: pd.Series) -> pa.Table:
    """The rows of one table as Arrow columns of the stored types (``_kab`` first): what
    :func:`_csv` turns into COPY input without a Python step per row or cell."""
    arrays = [pa.array(kab.to_numpy(dtype=object), type=pa.string(), from_pandas=True)]
    for col, pg_type, _ in columns:
        arrays.append(_arrow_column(data[col], _ARROW_TYPES[pg_type]))
    return pa.Table.from_arrays(arrays, names=["_kab"] + [f"c{i}" for i in range(len(columns))])


_ARROW_TYPES = {"boolean": pa.bool_(), "bigint": pa.int64(), "double precision": pa.float64(),
                "text": pa.string()}


def _arrow_column(series: pd.Series, kind: pa.DataType) -> pa.Array:
    """One column as Arrow; a missing value (None, NA, NaN) is a null.  A text column with
    values of other kinds holds their text."""
    try:
        return pa.array(series, type=kind, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        if kind != pa.string():
            raise
        values = series.astype(object)
        text = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                else str(v) for v in values]
        return pa.array(text, type=pa.string())


def _hex_ewkb(geoms: np.ndarray) -> pa.Array:
    """Geometries as hex EWKB with SRID 4326 (what a geometry column reads); None → null."""
    return pa.array(shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True),
                    type=pa.string(), from_pandas=True)


_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _csv(batch: pa.Table) -> bytes:
    """COPY's CSV input: every text value quoted (an empty text stays empty), a null an
    unquoted empty field, numbers in their shortest exact form."""
    sink = io.BytesIO()
    pacsv.write_csv(batch, sink, _CSV)
    return sink.getvalue()


def _check_names(layer: str, columns: list[str]) -> None:
    """PostgreSQL cuts names past 63 bytes and the store's own columns are taken: refuse both
    with a message naming the layer and column rather than store something else."""
    if len(layer.encode("utf-8")) > _MAX_NAME:
        raise StoreError(tr("pgstore.push.long_name", name=layer, limit=_MAX_NAME))
    for col in columns:
        if col in STORE_COLUMNS:
            raise StoreError(tr("pgstore.push.reserved_column", layer=layer, column=col))
        if len(col.encode("utf-8")) > _MAX_NAME:
            raise StoreError(tr("pgstore.push.long_name", name=f"{layer}.{col}",
                                limit=_MAX_NAME))


def promote_to_multi(geoms) -> np.ndarray:
    """Polygons and lines as their multi kind (the stored column types); empty → None."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    kinds = shapely.get_type_id(geoms)
    out[(kinds < 0) | shapely.is_empty(geoms)] = None
    for kind, make in ((shapely.GeometryType.POLYGON, shapely.multipolygons),
                       (shapely.GeometryType.LINESTRING, shapely.multilinestrings)):
        at = np.flatnonzero((kinds == kind) & ~shapely.is_empty(geoms))
        if len(at):
            out[at] = make(geoms[at], indices=np.arange(len(at)))
    return out


def _protect(cur, name: str) -> None:
    """Row-level rights, grants and the triggers of one layer table."""
    ident = sql.Identifier(name)
    cur.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
    cur.execute(sql.SQL("CREATE POLICY ilp_read ON {} FOR SELECT USING (true)").format(ident))
    cur.execute(sql.SQL("CREATE POLICY ilp_insert ON {} FOR INSERT"
                        " WITH CHECK (ilp_may_edit(_kab))").format(ident))
    cur.execute(sql.SQL("CREATE POLICY ilp_update ON {} FOR UPDATE USING (ilp_may_edit(_kab))"
                        " WITH CHECK (ilp_may_edit(_kab))").format(ident))
    cur.execute(sql.SQL("CREATE POLICY ilp_delete ON {} FOR DELETE"
                        " USING (ilp_may_edit(_kab))").format(ident))
    cur.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO ilp_province, ilp_team")
                .format(ident))
    cur.execute(sql.SQL("CREATE TRIGGER ilp_version BEFORE UPDATE ON {}"
                        " FOR EACH ROW EXECUTE FUNCTION ilp_bump_version()").format(ident))
    cur.execute(sql.SQL("CREATE TRIGGER ilp_audit AFTER INSERT OR UPDATE OR DELETE ON {}"
                        " FOR EACH ROW EXECUTE FUNCTION ilp_audit_row()").format(ident))


register_catalog("layers", "pgstore.push")
