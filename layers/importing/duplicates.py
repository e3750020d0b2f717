"""The same facility listed twice: facilities of one type within a distance with similar
names (exact name: skipped, similar: kept as doubtful).  May import ``ilp_gis`` and
``.report``/``.cells``/``.names``.
"""

from __future__ import annotations

import difflib
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from ilp_gis.geo import utm_epsg_for_lonlat
from ilp_gis.i18n import register_catalog, tr
from layers.importing.cells import _obj
from layers.importing.names import _norm_name
from layers.importing.report import _FileLog


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return a == b
    if a == b:
        return True
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    if a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _utm_epsg(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """:func:`~ilp_gis.geo.utm_epsg_for_lonlat` of each point, asked once per whole degree of
    longitude and hemisphere (zones change on whole degrees); a degree whose westmost and
    eastmost points disagree is asked point by point."""
    lon = np.where(np.isfinite(lon), lon, 0.0)
    group, keys = pd.factorize(np.floor(lon) * 2 + (lat >= 0))
    west = np.full(len(keys), np.inf)
    east = np.full(len(keys), -np.inf)
    np.minimum.at(west, group, lon)
    np.maximum.at(east, group, lon)
    first = np.zeros(len(keys), dtype=np.int64)  # a row of each group, for its hemisphere
    first[group[::-1]] = np.arange(len(lon))[::-1]
    zone = np.empty(len(keys), dtype=np.int64)
    split = []
    for g, (lo, hi, i) in enumerate(zip(west.tolist(), east.tolist(), first.tolist(),
                                        strict=True)):
        zone[g] = utm_epsg_for_lonlat(lo, float(lat[i]))
        if utm_epsg_for_lonlat(hi, float(lat[i])) != zone[g]:
            split.append(g)
    epsg = zone[group]
    for g in split:
        rows = np.flatnonzero(group == g)
        epsg[rows] = [utm_epsg_for_lonlat(x, y) for x, y in zip(lon[rows].tolist(),
                                                                 lat[rows].tolist(),
                                                                 strict=True)]
    return epsg


def _metric_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTM easting/northing of each point in its own zone, and the zone's EPSG code."""
    epsg = _utm_epsg(lon, lat)
    x = np.full(len(lon), np.nan)
    y = np.full(len(lon), np.nan)
    for code in np.unique(epsg):
        m = epsg == code
        tf = Transformer.from_crs(4326, int(code), always_xy=True)
        x[m], y[m] = tf.transform(lon[m], lat[m])
    return x, y, epsg


def _duplicates(fac: gpd.GeoDataFrame, logs: list[_FileLog], dist_m: float) -> np.ndarray:
    """Flag facilities of one type within ``dist_m`` with similar names; returns a keep mask
    (exact duplicates — same name — are skipped, similar ones kept as doubtful)."""
    from scipy.spatial import cKDTree

    keep = np.ones(len(fac), dtype=bool)
    if len(fac) < 2 or dist_m <= 0:
        return keep
    lon = fac["_lon"].to_numpy(dtype=float)
    lat = fac["_lat"].to_numpy(dtype=float)
    x, y, epsg = _metric_xy(lon, lat)
    # a row kept without a position (location unknown) has no neighbour
    epsg = np.where(np.isfinite(lon) & np.isfinite(lat), epsg, -1)
    types = _obj(fac, "type")
    raw_names = _obj(fac, "name")
    files = fac["_file"].to_numpy()
    poss = fac["_pos"].to_numpy()
    group = pd.Series(types).factorize()[0] * 1000 + (epsg - 32600)
    order = np.argsort(group, kind="stable")  # rows of a group together, in row order
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    for idx in np.split(order, bounds):
        if len(idx) < 2 or epsg[idx[0]] < 0:
            continue
        tree = cKDTree(np.column_stack([x[idx], y[idx]]))
        pairs = tree.query_pairs(dist_m, output_type="ndarray")
        if len(pairs):
            pairs = np.sort(idx[pairs], axis=1)
            pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        for i, j in pairs:
            if not keep[i] or not keep[j]:
                continue
            ni, nj = _norm_name(raw_names[i]), _norm_name(raw_names[j])
            if not _similar(ni, nj):
                continue
            d = math.hypot(x[i] - x[j], y[i] - y[j])
            fi, fj = int(files[i]), int(files[j])
            first = f"{logs[fi].file} {tr('import.row_word')} {int(logs[fi].rows[poss[i]])}"
            if ni == nj:
                keep[j] = False
                logs[fj].add(int(poss[j]), "skipped", "duplicate_facility",
                             tr("import.problem.duplicate_exact", first=first, d=round(d, 1)),
                             raw_names[j])
            else:
                logs[fj].add(int(poss[j]), "doubtful", "possible_duplicate",
                             tr("import.problem.duplicate_similar", first=first,
                                name=raw_names[i], d=round(d, 1)), raw_names[j])
    return keep


register_catalog("layers", "importing.duplicates")
