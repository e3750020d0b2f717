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
Imports numpy, pandas, shapely, ``layers.gpkg_sql`` (the SQL side: tables, indexes, blobs,
digests; re-exported here), ``layers.sqlite_rows`` and the standard library.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pandas.api import types as ptypes

from layers import sqlite_rows
from layers.gpkg_sql import (  # noqa: F401 - re-exported: the writers' one import
    _MULTI_OF,
    _NOW,
    DIGEST_PREFIX,
    RTREE_EXTENSION,
    SRS_WGS84,
    _count_triggers,
    _extent,
    _has_table,
    _spatial_index,
    assemble_blobs,
    blob_bounds,
    columns,
    create_table,
    digests,
    drop_table,
    geometry_column,
    quote,
    register_functions,
    set_digest,
    stored_fids,
    touch,
)


class Unsupported(Exception):
    """The frame holds something this writer would store differently from GDAL."""


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


def geometry_parts(geoms: np.ndarray, *, promote: bool = False,
                   bounds: np.ndarray | None = None, wkb: np.ndarray | None = None
                   ) -> GeometryParts:
    """The vectorised part of :func:`blobs`: each geometry's ISO WKB (little-endian; None when
    missing), type id (empty single geometries promoted as GEOS makes them when ``promote``),
    whether it is empty, and its (n, 4) bounds minx, miny, maxx, maxy (NaN for missing and
    empty; ``bounds``: those the caller has already).  ``wkb`` is also the WKB of the
    geometries as given (before any promotion) where ``raw_wkb`` says so; the argument ``wkb``:
    that WKB when the caller has it already (``shapely.to_wkb(geoms, byte_order=1,
    flavor="iso")``)."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) and shapely.has_z(geoms).any():
        raise Unsupported("Z coordinates")
    ids = shapely.get_type_id(geoms)
    missing = ids < 0
    empty = shapely.is_empty(geoms) & ~missing
    raw = shapely.to_wkb(geoms, byte_order=1, flavor="iso") if wkb is None \
        or len(wkb) != len(geoms) else wkb
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


# --- tables ------------------------------------------------------------------------------------


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


def _geom_name(frame) -> str | None:
    import geopandas as gpd

    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        return frame.geometry.name
    return None


def _check_crs(frame) -> None:
    crs = frame.crs
    if crs is not None and crs.to_epsg() != SRS_WGS84:
        raise Unsupported(f"CRS {crs}")


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


# --- content digests ---------------------------------------------------------------------------


