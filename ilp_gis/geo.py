"""Small geometry helpers shared by the analysis, planning and renderers.

Metric work (distances, buffers, areas) happens in the UTM zone of the data's centroid —
Indonesia spans UTM zones 46–54, north and south of the equator — never in degrees.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ilp_gis.model import WGS84


def utm_epsg_for_lonlat(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 / UTM zone containing (lon, lat)."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def utm_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """The UTM CRS for the combined extent of ``frames`` (centre of their WGS84 bounds)."""
    bounds = []
    for f in frames:
        if f is None or len(f) == 0:
            continue
        g = f.to_crs(WGS84) if f.crs is not None and not CRS(f.crs).equals(CRS(WGS84)) else f
        b = g.total_bounds
        if np.all(np.isfinite(b)):
            bounds.append(b)
    if not bounds:
        return CRS.from_epsg(32749)  # central Java/NTB fallback for empty data
    b = np.array(bounds)
    lon = (b[:, 0].min() + b[:, 2].max()) / 2.0
    lat = (b[:, 1].min() + b[:, 3].max()) / 2.0
    return CRS.from_epsg(utm_epsg_for_lonlat(lon, lat))


def to_metric(frame, crs: CRS | None = None):
    """Project a frame to ``crs`` (default: its own UTM zone)."""
    return frame.to_crs(crs or utm_crs(frame))


def population_points(desa: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame | None = None,
                      *, crs: CRS | None = None) -> gpd.GeoDataFrame:
    """Points that stand for where each desa's people live.

    With settlement points (``desa_code``, ``population``), every settlement inside a desa is a
    population point carrying its own population (scaled so the desa total is kept when the desa
    has a population figure).  A desa without settlements gets one point: the polygon's
    ``point_on_surface`` of its largest part — always inside the land polygon, never a centroid
    that falls in the sea or in a neighbouring desa.

    Returns a GeoDataFrame in ``crs`` (default: the data's UTM zone) with columns
    ``desa_code``, ``population`` (float, NaN when unknown), ``weight`` (share of the desa's
    people at that point, summing to 1 per desa) and point geometry.
    """
    crs = crs or utm_crs(desa)
    d = desa.to_crs(crs)
    codes = d["code"].astype(object).where(d["code"].notna(), d.index.astype(str))
    rows_code: list[str] = []
    rows_pop: list[float] = []
    rows_w: list[float] = []
    geoms: list[shapely.Geometry] = []
    covered: set[str] = set()
    if settlements is not None and len(settlements):
        s = settlements.to_crs(crs)
        s = s[s.geometry.notna() & ~s.geometry.is_empty]
        sp = pd.to_numeric(s.get("population"), errors="coerce")
        sc = s.get("desa_code")
        if sc is None or sc.isna().any():  # place settlements by location where not coded
            joined = gpd.sjoin(s[["geometry"]], d[["geometry"]].assign(_code=codes.values),
                               how="left", predicate="within")
            joined = joined[~joined.index.duplicated()]
            sc = (sc if sc is not None else pd.Series(index=s.index, dtype=object))
            sc = sc.where(sc.notna(), joined["_code"])
        frame = pd.DataFrame({"code": sc.values, "pop": sp.values if sp is not None else np.nan,
                              "geometry": s.geometry.values})
        frame = frame[frame["code"].isin(set(codes))]
        desa_pop = dict(zip(codes, pd.to_numeric(d.get("population"), errors="coerce")))
        for code, grp in frame.groupby("code", sort=False):
            pops = grp["pop"].to_numpy(dtype=float)
            if np.all(np.isfinite(pops)) and pops.sum() > 0:
                w = pops / pops.sum()
            else:
                w = np.full(len(grp), 1.0 / len(grp))
            total = desa_pop.get(code, np.nan)
            if not np.isfinite(total):
                total = np.nansum(pops) if np.isfinite(pops).any() else np.nan
            for wi, g in zip(w, grp["geometry"]):
                rows_code.append(code)
                rows_w.append(float(wi))
                rows_pop.append(float(total * wi) if np.isfinite(total) else np.nan)
                geoms.append(g)
            covered.add(code)
    missing = ~codes.isin(covered)
    if missing.any():
        sub = d[missing.values]
        pts = inner_points(sub.geometry)
        pops = pd.to_numeric(sub.get("population"), errors="coerce").to_numpy(dtype=float)
        rows_code += list(codes[missing.values])
        rows_pop += list(pops)
        rows_w += [1.0] * len(sub)
        geoms += list(pts)
    return gpd.GeoDataFrame({"desa_code": rows_code, "population": rows_pop, "weight": rows_w},
                            geometry=geoms, crs=crs)


def inner_points(geoms: gpd.GeoSeries) -> np.ndarray:
    """A point surely inside each (multi)polygon: the surface point of its largest part."""
    arr = np.asarray(geoms.values if hasattr(geoms, "values") else geoms, dtype=object)
    out = np.empty(len(arr), dtype=object)
    for i, g in enumerate(arr):
        if g is None or g.is_empty:
            out[i] = None
            continue
        if g.geom_type == "MultiPolygon":
            g = max(g.geoms, key=lambda p: p.area)
        c = g.centroid
        out[i] = c if g.contains(c) else g.point_on_surface()
    return out


def nearest_distance(from_pts: gpd.GeoSeries, to_pts: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Distance (CRS units, metric CRS expected) from each point to its nearest target, and the
    target's positional index; inf / -1 when there are no targets."""
    n = len(from_pts)
    if len(to_pts) == 0 or n == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=int)
    from scipy.spatial import cKDTree

    src = shapely.get_coordinates(np.asarray(from_pts.values, dtype=object))
    dst = shapely.get_coordinates(np.asarray(to_pts.values, dtype=object))
    tree = cKDTree(dst)
    dist, idx = tree.query(src, k=1)
    return np.asarray(dist, dtype=float), np.asarray(idx, dtype=int)
