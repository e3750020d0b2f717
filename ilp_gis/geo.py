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
from ilp_gis.speed.arrow import positions
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
        # each settlement's desa: the first desa row of its code (Arrow's hash lookup)
        pos = positions(sc, pd.Index(code_arr, dtype=object))
        keep = pos >= 0
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


# --- distances that stay right across UTM zones ---------------------------------------------------
_GEOD = None


def _geod():
    global _GEOD
    if _GEOD is None:
        from pyproj import Geod

        _GEOD = Geod(ellps="WGS84")
    return _GEOD


def _zone_of(crs) -> tuple[int, bool] | None:
    """(UTM zone number, north) of a WGS 84 / UTM ``crs``, None for any other CRS."""
    if crs is None:
        return None
    epsg = CRS.from_user_input(crs).to_epsg()
    if epsg is None or not (32601 <= epsg <= 32660 or 32701 <= epsg <= 32760):
        return None
    return epsg % 100, epsg < 32700


def lonlat_of(xy: np.ndarray, crs) -> np.ndarray:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if crs is None or CRS.from_user_input(crs).is_geographic:
        return xy
    return project_xy(xy, crs, WGS84)


def in_one_zone(crs, *xys: np.ndarray) -> bool:
    """True when every finite point of ``xys`` (coordinates in ``crs``) lies in the UTM zone of
    ``crs`` — plane distances there are right to within the zone's scale factor (≤ 0.1 %).
    Data reaching into other zones (a province or the nation: Indonesia spans zones 46–54)
    is measured geodesically instead (:func:`ground_distance`, :func:`nearest_ground`)."""
    zone = _zone_of(crs)
    if zone is None:  # no CRS or not UTM: the plane of the caller, as given
        return True
    west = -180.0 + (zone[0] - 1) * 6.0
    for xy in xys:
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not np.isfinite(xy).all():  # no copy of millions of road vertices when all are
            xy = xy[np.isfinite(xy).all(axis=1)]  # finite
        if not len(xy):
            continue
        # the zone's band in projected metres: corners of the band are off by far less than
        # the 6° width, so a point set's easting range is checked on its lon/lat (column by
        # column: numpy's reductions along axis 0 of an (n, 2) array are 20x slower)
        x0, x1, y0, y1 = xy[:, 0].min(), xy[:, 0].max(), xy[:, 1].min(), xy[:, 1].max()
        ll = lonlat_of(np.array([[x0, y0], [x1, y1], [x0, y1], [x1, y0]]), crs)
        if ll[:, 0].min() < west - 1e-9 or ll[:, 0].max() > west + 6.0 + 1e-9:
            return False
    return True


def ground_distance(a_xy: np.ndarray, b_xy: np.ndarray, crs, *, planar: bool | None = None
                    ) -> np.ndarray:
    """Metres between the points ``a_xy[i]`` and ``b_xy[i]`` (coordinates in ``crs``): the plane
    distance when both sets lie in the zone of ``crs`` (or ``planar`` says so), else the
    geodesic distance on the WGS 84 ellipsoid.  NaN where a point is missing."""
    a = np.asarray(a_xy, dtype=float).reshape(-1, 2)
    b = np.asarray(b_xy, dtype=float).reshape(-1, 2)
    if planar is None:
        planar = in_one_zone(crs, a, b)
    if planar or not len(a):
        return np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    out = np.full(len(a), np.nan)
    if ok.any():
        la, lb = lonlat_of(a[ok], crs), lonlat_of(b[ok], crs)
        out[ok] = geodesic_pairs(la[:, 0], la[:, 1], lb[:, 0], lb[:, 1])
    return out


def geodesic_steps(lonlat: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Geodesic metres between consecutive lon/lat points (``len - 1`` values); with ``rows``
    (positions ``i >= 1``), only those from point ``i - 1`` to point ``i``, one per row."""
    ll = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    if rows is None:
        if len(ll) < 2:
            return np.zeros(0)
        return geodesic_pairs(ll[:-1, 0], ll[:-1, 1], ll[1:, 0], ll[1:, 1])
    rows = np.asarray(rows, dtype=np.int64)
    return geodesic_pairs(ll[rows - 1, 0], ll[rows - 1, 1], ll[rows, 0], ll[rows, 1])


def geodesic_pairs(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic metres on the WGS 84 ellipsoid from each point 1 to its point 2 (arrays of
    degrees); large arrays in two halves on two threads (PROJ releases the GIL)."""
    m = len(lon1)
    if m < 200_000:
        _, _, d = _geod().inv(lon1, lat1, lon2, lat2)
        return np.asarray(d, dtype=float)
    from pyproj import Geod

    out = np.empty(m)

    def part(lo: int, hi: int) -> None:  # a Geod per thread
        _, _, d = Geod(ellps="WGS84").inv(lon1[lo:hi], lat1[lo:hi], lon2[lo:hi], lat2[lo:hi])
        out[lo:hi] = d

    half = in_background(part, m // 2, m)
    part(0, m // 2)
    half.result()
    return out


def ecef(ll: np.ndarray) -> np.ndarray:
    """Earth-centred (x, y, z) metres of lon/lat points on the WGS 84 ellipsoid."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    lon, lat = np.radians(ll[:, 0]), np.radians(ll[:, 1])
    s = np.sin(lat)
    n = a / np.sqrt(1 - e2 * s * s)
    return np.column_stack([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon),
                            n * (1 - e2) * s])


def nearest_ground(src_xy: np.ndarray, dst_xy: np.ndarray, crs, *, planar: bool | None = None,
                   src_lonlat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Metres from each ``src_xy`` point to its nearest ``dst_xy`` point and that point's index
    (inf / -1 without targets).  In one UTM zone: a KD-tree on the plane; across zones a KD-tree
    on earth-centred coordinates (the straight chord orders points as the geodesic does) and
    the geodesic distance of the pair found.  ``src_lonlat``: ``lonlat_of(src_xy, crs)`` when
    the caller has it already (the same points measured against several target sets)."""
    from scipy.spatial import cKDTree

    src = np.asarray(src_xy, dtype=float).reshape(-1, 2)
    dst = np.asarray(dst_xy, dtype=float).reshape(-1, 2)
    n = len(src)
    if len(dst) == 0 or n == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    if planar is None:
        planar = in_one_zone(crs, src, dst)
    if planar:
        d, i = cKDTree(dst).query(src, k=1, workers=-1)
        return np.asarray(d, dtype=float), np.asarray(i, dtype=np.int64)
    dll = lonlat_of(dst, crs)
    sll = lonlat_of(src, crs) if src_lonlat is None else src_lonlat
    ok = np.isfinite(sll).all(axis=1)
    dist, idx = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    tree = cKDTree(ecef(dll))
    if ok.any():
        _, i = tree.query(ecef(sll[ok]), k=1, workers=-1)
        i = np.asarray(i, dtype=np.int64)
        dist[ok] = geodesic_pairs(sll[ok, 0], sll[ok, 1], dll[i, 0], dll[i, 1])
        idx[ok] = i
    return dist, idx
