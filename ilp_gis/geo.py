"""Geometry helpers shared by the analysis, planning and renderers: UTM zones, projection,
population points.  Metric work happens in a UTM zone, never in degrees.  Imports geopandas,
shapely, pyproj, ``ilp_gis.model`` and ``ilp_gis.speed``.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ilp_gis.model import WGS84
from ilp_gis.speed.threads import in_background


def utm_epsg_for_lonlat(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 / UTM zone containing (lon, lat)."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def utm_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """The UTM CRS for the combined extent of ``frames`` (centre of their WGS84 bounds).

    Metric work (distances, buffers, areas) happens in the UTM zone of the data's centroid —
    Indonesia spans UTM zones 46–54, north and south of the equator — never in degrees.
    """
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


def project(frame: gpd.GeoDataFrame | gpd.GeoSeries, crs) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """``frame.to_crs(crs)`` with the same coordinates, without geopandas' per-call overhead:
    points are rebuilt from one PROJ transform of their coordinates, other geometries have
    their coordinates replaced (one transform, see :func:`project_xy`).  3D geometries go
    through geopandas; a frame already in ``crs`` comes back as a shallow copy."""
    crs = CRS.from_user_input(crs)
    if frame.crs is None:
        return frame.set_crs(crs)
    if CRS(frame.crs).is_exact_same(crs):
        return frame.copy(deep=False)
    series = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    geoms = np.asarray(series.values, dtype=object)
    if len(geoms) == 0 or shapely.has_z(geoms).any():
        return frame.to_crs(crs)
    src = CRS(frame.crs)
    kinds = shapely.get_type_id(geoms)
    if ((kinds == 0) | (kinds == -1)).all():  # points (and missing values)
        ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        moved = geoms.copy()
        xy = project_xy(shapely.get_coordinates(geoms[ok]), src, crs)
        moved[ok] = shapely.points(xy)
    else:  # all coordinates in one call (large arrays go to PROJ in two halves)
        moved = shapely.transform(geoms, lambda c: project_xy(c, src, crs))
    out = gpd.GeoSeries(moved, index=series.index, crs=crs, name=series.name)
    if isinstance(frame, gpd.GeoSeries):
        return out
    result = frame.copy(deep=False)  # copy-on-write: the caller's frame is untouched
    result[frame.geometry.name] = out
    return result.set_crs(crs, allow_override=True)


def project_xy(xy: np.ndarray, src, dst) -> np.ndarray:
    """``xy`` from CRS ``src`` to ``dst``; large arrays in two halves on two threads."""
    from pyproj import Transformer

    if src is None or CRS(src).equals(CRS(dst)):
        return xy
    src_wkt, dst_wkt = CRS(src).to_wkt(), CRS(dst).to_wkt()
    out = np.empty_like(xy, dtype=float)

    def part(lo: int, hi: int) -> None:  # a Transformer per thread: PROJ objects stay local
        t = Transformer.from_crs(CRS(src_wkt), CRS(dst_wkt), always_xy=True)
        out[lo:hi, 0], out[lo:hi, 1] = t.transform(xy[lo:hi, 0], xy[lo:hi, 1])

    n = len(xy)
    if n < 200_000:
        part(0, n)
        return out
    half = in_background(part, n // 2, n)
    part(0, n // 2)
    half.result()
    return out


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
    d = project(desa, crs)
    codes = d["code"].astype(object).where(d["code"].notna(), d.index.astype(str))
    code_arr = codes.to_numpy(object)
    desa_pop_all = pd.to_numeric(d.get("population"), errors="coerce")
    frames = []
    covered = np.zeros(len(d), dtype=bool)
    if settlements is not None and len(settlements):
        s = project(settlements, crs)
        s = s[s.geometry.notna() & ~s.geometry.is_empty]
        sp = pd.to_numeric(s.get("population"), errors="coerce")
        sc = s.get("desa_code")
        if sc is None or sc.isna().any():  # place settlements by location where not coded
            joined = gpd.sjoin(s[["geometry"]], d[["geometry"]].assign(_code=codes.values),
                               how="left", predicate="within")
            joined = joined[~joined.index.duplicated()]
            sc = (sc if sc is not None else pd.Series(index=s.index, dtype=object))
            sc = sc.where(sc.notna(), joined["_code"])
        # Vectorised per desa: weights by settlement population (equal when any is unknown).
        pos_of = pd.Series(np.arange(len(d)), index=pd.Index(code_arr, dtype=object))
        pos_of = pos_of[~pos_of.index.duplicated()]
        # Plain object keys and index: no Arrow string round trips in the lookup.
        pos = pd.Series(np.asarray(sc.to_numpy(object), dtype=object), dtype=object).map(
            pos_of).to_numpy()
        keep = ~np.isnan(pos.astype(float))
        pos = pos[keep].astype(np.int64)
        pops = (sp.to_numpy(float) if sp is not None else np.full(len(s), np.nan))[keep]
        geoms_s = np.asarray(s.geometry.values, dtype=object)[keep]
        order = np.argsort(pos, kind="stable")  # keep the settlements' own order per desa
        pos, pops, geoms_s = pos[order], pops[order], geoms_s[order]
        n = len(d)
        count = np.bincount(pos, minlength=n)
        bad = np.bincount(pos, weights=(~np.isfinite(pops)).astype(float), minlength=n) > 0
        total_s = np.bincount(pos, weights=np.where(np.isfinite(pops), pops, 0.0), minlength=n)
        by_pop = ~bad & (total_s > 0)
        w = np.where(by_pop[pos], np.where(np.isfinite(pops), pops, 0.0)
                     / np.where(total_s[pos] > 0, total_s[pos], 1.0), 1.0 / count[pos])
        any_known = np.bincount(pos, weights=np.isfinite(pops).astype(float), minlength=n) > 0
        desa_pop = desa_pop_all.to_numpy(float)
        total = np.where(np.isfinite(desa_pop), desa_pop, np.where(any_known, total_s, np.nan))
        frames.append(pd.DataFrame({"desa_code": code_arr[pos], "population": total[pos] * w,
                                    "weight": w, "geometry": geoms_s, "_pos": pos,
                                    "_k": np.arange(len(pos))}))
        covered[pos] = True
    missing = ~covered
    if missing.any():
        sub = d[missing]
        frames.append(pd.DataFrame({
            "desa_code": code_arr[missing],
            "population": desa_pop_all.to_numpy(float)[missing] if desa_pop_all is not None
            else np.nan,
            "weight": 1.0, "geometry": inner_points(sub.geometry),
            "_pos": np.nonzero(missing)[0], "_k": 0}))
    if not frames:
        return gpd.GeoDataFrame({"desa_code": [], "population": [], "weight": []},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    out = pd.concat(frames, ignore_index=True).sort_values(["_pos", "_k"], kind="stable")
    out = out.drop(columns=["_pos", "_k"]).reset_index(drop=True)
    out["population"] = out["population"].astype(float)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs)


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
    dist, idx = tree.query(src, k=1, workers=-1)
    return np.asarray(dist, dtype=float), np.asarray(idx, dtype=int)
