"""Push a whole project into the shared store, in one transaction: one table per layer and
stored table, with the GeoPackage's columns (typed), a PostGIS geometry column ``geom`` with
its SRID and a spatial index (what QGIS reads), and the store's own columns ``_rid``,
``_row_version`` and ``_kab`` (the kabupaten whose team may edit the row), row-level security
and the row-version and audit triggers.  Rows travel by ``COPY``; nothing is ever formatted
into SQL text.  Imports ``psycopg``, ``layers.project_file`` and ``layers.pgstore``."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
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


def _cell(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and value != value:
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


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
    defs = [sql.SQL("_rid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
            sql.SQL("_row_version bigint NOT NULL DEFAULT 1"), sql.SQL("_kab text")]
    defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t, _ in columns]
    if geom_type:
        defs.append(sql.SQL("geom geometry({}, 4326)").format(sql.SQL(geom_type)))
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))
        names = [sql.Identifier("_kab")] + [sql.Identifier(c) for c, _, _ in columns]
        if geom_type:
            names.append(sql.Identifier("geom"))
        kab = kabupaten_codes(name, frame, facility_kab).tolist()
        wkb = None
        if geoms is not None:
            wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
        values = [data[c].tolist() for c, _, _ in columns]
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(ident, sql.SQL(", ").join(names))
        with cur.copy(copy) as out:
            for i in range(len(data)):
                row = [kab[i]] + [_cell(v[i]) for v in values]
                if wkb is not None:
                    row.append(None if wkb[i] is None else str(wkb[i]))
                out.write_row(row)
        if geom_type:  # the server names the indexes (a long layer name cannot collide)
            cur.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(ident))
        cur.execute(sql.SQL("CREATE INDEX ON {} (_kab)").format(ident))
        _protect(cur, name)
        cur.execute("INSERT INTO ilp_layers (name, geometry_type, columns, position)"
                    " VALUES (%s, %s, %s, %s)",
                    (name, geom_type, json.dumps([[c, t, d] for c, t, d in columns]), position))
    return len(data)


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
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            out[i] = None
        elif g.geom_type == "Polygon":
            out[i] = shapely.MultiPolygon([g])
        elif g.geom_type == "LineString":
            out[i] = shapely.MultiLineString([g])
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
