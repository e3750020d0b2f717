"""Geometry for the web: WGS84 frames, simplification that keeps the topology (neighbouring desa
still share their borders) and coordinates rounded to 5 decimals (~1 m).
May import ``ilp_gis`` (model, errors, i18n), geopandas/shapely/numpy; nothing of the web map.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from ilp_gis import model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr

register_catalog("reports", "webmap.geometry")

COORD_DECIMALS = 5
"""Decimals kept in the web map's coordinates (5 ≈ 1 m, far below the simplification)."""


def web_tolerance(frames: list[gpd.GeoDataFrame], crs) -> float:
    """Simplification tolerance in metres: 1/3000 of the data's diagonal, 5 … 300 m."""
    bounds = [f.to_crs(crs).total_bounds for f in frames if f is not None and len(f)]
    bounds = [b for b in bounds if np.all(np.isfinite(b))]
    if not bounds:
        return 10.0
    b = np.array(bounds)
    diag = math.hypot(b[:, 2].max() - b[:, 0].min(), b[:, 3].max() - b[:, 1].min())
    return float(min(300.0, max(5.0, diag / 3000.0)))


def simplify_for_web(geoms: gpd.GeoSeries, crs, tolerance: float, *,
                     coverage: bool = True) -> np.ndarray:
    """Simplify polygons (as a coverage: shared borders stay shared) in the metric ``crs`` and
    return WGS84 geometries with rounded coordinates (``None`` where a geometry is missing)."""
    out = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0:
        return out
    metric = np.asarray(geoms.to_crs(crs).values, dtype=object)
    ok, simplified = simplify_metric(metric, tolerance, coverage=coverage)
    if ok.any():
        out[ok] = web_coords(simplified, crs)
    return out


def simplify_metric(metric: np.ndarray, tolerance: float, *,
                    coverage: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The first half of :func:`simplify_for_web`, on geometries in a metric CRS: which are
    present, and those simplified (still metric; :func:`web_coords` brings them back)."""
    ok = ~(shapely.is_missing(metric) | shapely.is_empty(metric))
    if not ok.any():
        return ok, np.empty(0, dtype=object)
    part = metric[ok]
    simplified = None
    polygonal = np.isin(shapely.get_type_id(part), (3, 6))  # Polygon, MultiPolygon
    if coverage and polygonal.all():
        for attempt in range(2):
            try:
                simplified = shapely.coverage_simplify(part, tolerance)
                break
            except shapely.errors.GEOSException:
                if attempt:
                    break
                invalid = ~shapely.is_valid(part)  # e.g. a ring touching itself after projection
                if not invalid.any():
                    break
                part = part.copy()
                part[invalid] = shapely.make_valid(part[invalid])
        if simplified is not None:
            broken = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
            if broken.any():  # a sliver vanished or broke: keep its own careful simplification
                simplified[broken] = shapely.simplify(part[broken], tolerance / 4,
                                                      preserve_topology=True)
    if simplified is None:
        simplified = shapely.simplify(part, tolerance, preserve_topology=True)
    return ok, simplified


def web_coords(metric: np.ndarray, crs) -> np.ndarray:
    """Geometries in the metric ``crs`` back in WGS84 with rounded coordinates (the second half
    of :func:`simplify_for_web`; one geometry at a time, so any batch of them gives the same)."""
    wgs = np.asarray(gpd.GeoSeries(metric, crs=crs).to_crs(model.WGS84).values, dtype=object)
    rounded = round_coords(wgs)
    broken = ~shapely.is_valid(rounded) & shapely.is_valid(wgs)
    if broken.any():  # rounding collapsed a tiny ring: snap those few to the grid properly
        rounded[broken] = shapely.set_precision(wgs[broken], 10.0 ** -COORD_DECIMALS)
    return rounded


def round_coords(geoms: np.ndarray, decimals: int = COORD_DECIMALS) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def as_wgs84(frame):
    if frame is None:
        return None
    if not isinstance(frame, gpd.GeoDataFrame):
        if "geometry" in getattr(frame, "columns", []):
            frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=model.WGS84)
        else:
            return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame),
                                                                  index=frame.index),
                                    crs=model.WGS84)
    if frame.crs is None:
        return frame.set_crs(model.WGS84)
    return frame.to_crs(model.WGS84)


def attach_geometry(values: gpd.GeoDataFrame, shapes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = dict(zip(shapes["code"].astype(str), shapes.geometry, strict=False))
    out = values.copy()
    out["geometry"] = [geom.get(str(c)) for c in out["code"]]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=model.WGS84)


def bounds_of(frames) -> tuple[float, float, float, float]:
    b = np.array([f.total_bounds for f in frames if len(f)])
    b = b[np.all(np.isfinite(b), axis=1)] if len(b) else b
    if not len(b):
        raise InputError(tr("webmap.no_desa"))
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())
