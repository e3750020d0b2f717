"""Pull a project (the whole province or one kabupaten) from the shared store into a
:class:`~ilp_gis.project.Project`, with the columns and dtypes it was pushed with, so analysis,
reports and web maps run on it exactly as on the GeoPackage.  Imports ``psycopg`` and
``layers.pgstore``."""

from __future__ import annotations

import json
from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.project import Project
from layers.pgstore.connection import StoreError, reading
from layers.pgstore.push import KABUPATEN_SCOPED, META_TABLE
from layers.pgstore.schema import check_version

META_SOURCE = "store_source"
META_KABUPATEN = "store_kabupaten"
WKB = "_wkb"


def stored_layers(conn: psycopg.Connection) -> list[tuple[str, str | None, list]]:
    """``(name, geometry type, [[column, pg type, dtype], ...])`` of the stored tables."""
    with reading(conn) as cur:
        cur.execute("SELECT name, geometry_type, columns FROM ilp_layers ORDER BY position")
        return [(n, g, c if isinstance(c, list) else json.loads(c)) for n, g, c in cur]


def read_table(conn: psycopg.Connection, name: str, geometry_type: str | None, columns: list,
               kabupaten: str | None = None, *, with_version: bool = False):
    """One stored table as a (Geo)DataFrame; only the rows of ``kabupaten`` when given.
    ``with_version``: with the store's ``_rid`` and ``_row_version`` columns and, for a layer
    with geometry, ``_wkb`` (the geometry's WKB as the store sent it, for the check-out's
    snapshot)."""
    names = [c for c, _, _ in columns]
    select = [sql.Identifier(c) for c in names]
    if with_version:
        select = [sql.Identifier("_rid"), sql.Identifier("_row_version")] + select
    if geometry_type:
        select.append(sql.SQL("ST_AsBinary(geom)"))
    query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(select), sql.Identifier(name))
    params: tuple = ()
    if kabupaten is not None:
        query += sql.SQL(" WHERE _kab = %s")
        params = (kabupaten,)
    query += sql.SQL(" ORDER BY _rid")
    with conn.cursor(binary=True) as cur:
        cur.execute(query, params)
        rows = cur.fetchall()
    head = (["_rid", "_row_version"] if with_version else []) + names
    width = len(head)
    frame = pd.DataFrame([r[:width] for r in rows], columns=head)
    for col, _, dtype in columns:
        if dtype != "object":
            frame[col] = frame[col].astype(dtype)
    if geometry_type:
        wkb = [None if r[width] is None else bytes(r[width]) for r in rows]
        geoms = shapely.from_wkb(wkb)
        if with_version:
            frame[WKB] = wkb
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=model.WGS84))
    return frame


def pull_project(conn: psycopg.Connection, *, kabupaten: str | None = None,
                 source: str = "", with_version: bool = False,
                 step: Callable[[str, int, int], None] | None = None,
                 skip_tables=()) -> Project:
    """The stored project, or the part of one kabupaten (``PP.KK``: its rows of every layer,
    the province-level tables such as roads whole, stored analysis results left out since they
    were computed for the whole province).  ``source`` (a connection without password) is
    remembered in the project's meta.  ``with_version``: the kabupaten layers keep the
    store's ``_rid``, ``_row_version`` and ``_wkb`` columns (for a check-out).  ``step(name,
    i, n)`` is called before the ``i``-th of ``n`` tables is read (progress; it may raise to
    stop).  Tables named in ``skip_tables`` (never layers or meta) are not read: for
    ``ilp-gis analyze``, which replaces the stored results."""
    skip = set(skip_tables) - set(model.LAYERS) - {META_TABLE}
    idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    check_version(conn)
    layers: dict[str, object] = {}
    tables: dict[str, object] = {}
    meta: dict[str, str] = {}
    stored = stored_layers(conn)
    if not stored:
        raise StoreError(tr("pgstore.pull.empty"))
    if kabupaten is not None:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE _kab = %s").format(
                sql.Identifier("kabupaten")), (kabupaten,))
            if cur.fetchone()[0] == 0:
                raise StoreError(tr("pgstore.pull.no_kabupaten", code=kabupaten))
    wanted = [t for t in stored
              if (kabupaten is None or not t[0].startswith("result_")) and t[0] not in skip]
    for i, (name, geometry_type, columns) in enumerate(wanted):
        scoped = name in KABUPATEN_SCOPED
        if step is not None:
            step(name, i, len(wanted))
        frame = read_table(conn, name, geometry_type, columns,
                           kabupaten if kabupaten is not None and scoped else None,
                           with_version=with_version and scoped)
        if name == META_TABLE:
            meta = {str(k): "" if v is None else str(v)
                    for k, v in zip(frame["key"], frame["value"], strict=True)}
        elif name in model.LAYERS:
            layers[name] = frame
        else:
            tables[name] = frame
    if idle:
        conn.rollback()
    if source:
        meta[META_SOURCE] = source
    if kabupaten is not None:
        meta[META_KABUPATEN] = kabupaten
    project = Project(layers=layers, tables=tables, meta=meta)
    project.rules_from_meta()
    project.dirty = False
    return project


register_catalog("layers", "pgstore.pull")
