"""Detail on zoom for a national web map: per-kabupaten data chunks written beside the page.

Zoomed into a kabupaten, the page loads that area's detail - the desa as polygons in their
coverage and gap colours, the kecamatan outlines, the network links, the Posyandu (the
kabupaten page's symbol, drawn on a canvas, its popup and gap rings) and the roads - from
small ``.js`` files in a folder next to the HTML (one per kabupaten, added by a
``<script>`` element at run time: that works offline from ``file://``, where ``fetch`` is
blocked), and unloads the chunks far out of view (``reports/data/webmap_detail.js``).  Each
chunk is simplified as a kabupaten page simplifies its own data (tolerance from the
kabupaten's size) and its coordinates are rounded to 1e-5 degrees.  Each layer's texts and
geometry are worked out once for the whole country - a column at a time, projected once per
UTM zone - and then cut per chunk (:func:`write_chunks`).

Without a kabupaten layer the chunks are cells of :data:`GRID_DEG` degrees.

May import ``ilp_gis`` (geo, model, i18n, speed), ``layers.symbology``,
geopandas/shapely/numpy/pyproj and ``reports.webmap`` (embed, geometry, national, symbols,
overlays, values).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ilp_gis import model
from ilp_gis.geo import utm_crs
from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym
from reports.webmap.embed import plain_json, script_json
from reports.webmap.geometry import as_wgs84, round_coords, simplify_metric, web_coords
from reports.webmap.values import (
    clean_text,
    clean_texts,
    memo_texts,
    objects,
    objects_of,
    value_texts,
)

register_catalog("reports", "webmap.detail")

DETAIL_MIN_ZOOM = 9
"""From this zoom on (a kabupaten fills the screen at about 9-10) the view's chunks load."""
DETAIL_FEW_KABUPATEN = 4
"""... or when the view touches at most this many kabupaten."""
DETAIL_KEEP = 12
"""At most this many chunks stay loaded; those farthest from the view are unloaded first."""
GRID_DEG = 1.0
"""Chunk size (degrees) of a project without a kabupaten layer."""
FOLDER_SUFFIX = "_data"
"""The chunks' folder: ``peta.html`` -> ``peta_data/`` beside it."""


def detail_folder(page: str | Path) -> Path:
    """The folder of the chunks written beside ``page``."""
    page = Path(page)
    return page.with_name(page.stem + FOLDER_SUFFIX)


@dataclass
class DetailWritten:
    """What :func:`write_chunks` wrote: the chunk index the page reads and counts."""

    folder: Path
    index: dict
    n_chunks: int = 0
    n_bytes: int = 0
    counts: dict = field(default_factory=dict)
    has_gaps: bool = False
    road_classes: list = field(default_factory=list)  # the classes present, in their order
    link_kinds: set = field(default_factory=set)  # the network link kinds present


def _points_of(geoms: np.ndarray) -> np.ndarray:
    """One point per geometry to place it in a chunk (None where missing): a point on a
    polygon's surface, a line's first vertex, a point itself."""
    g = np.asarray(geoms, dtype=object)
    out = np.full(len(g), None, dtype=object)
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    if not ok.any():
        return out
    part = g[ok]
    tid = shapely.get_type_id(part)
    pts = np.empty(len(part), dtype=object)
    poly = np.isin(tid, (3, 6))
    if poly.any():
        pts[poly] = shapely.point_on_surface(part[poly])
    other = ~poly
    if other.any():
        first = part[other].copy()
        multi = np.isin(shapely.get_type_id(first), (4, 5, 7))  # its first part (no clone
        first[multi] = shapely.get_geometry(first[multi], 0)  # of ~1 million single lines)
        first = np.where(shapely.is_missing(first), part[other], first)
        p = shapely.get_point(first, 0)  # a line's first vertex (None for a point)
        pts[other] = np.where(shapely.is_missing(p), first, p)
    out[ok] = pts
    return out


class Chunker:
    """Places points in chunks: the kabupaten they lie in (the nearest one off the coast), or
    a grid cell without a kabupaten layer."""

    def __init__(self, kab_geoms: np.ndarray | None, kab_names: list | None):
        self.areas = None
        if kab_geoms is not None:
            g = np.asarray(kab_geoms, dtype=object)
            ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
            if ok.any():
                self.areas = g
                self.tree = shapely.STRtree(np.where(ok, g, shapely.Point()))
                self.tree.query(shapely.Point(0, 0))  # built now, before threads query it
                self.names = [clean_text(n) for n in (kab_names or [None] * len(g))]
        self.cells: dict[tuple, int] = {}

    def assign(self, geoms) -> np.ndarray:
        """The chunk number of each geometry (-1 where it has none)."""
        pts = _points_of(np.asarray(geoms, dtype=object))
        out = np.full(len(pts), -1, dtype=np.int64)
        ok = ~shapely.is_missing(pts)
        if not ok.any():
            return out
        where = np.flatnonzero(ok)
        if self.areas is not None:
            hit_pt, hit_area = self.tree.query(pts[where], predicate="within")
            first = np.full(len(where), -1, dtype=np.int64)
            first[hit_pt[::-1]] = hit_area[::-1]  # the first area a point lies in
            rest = np.flatnonzero(first < 0)
            if len(rest):
                near_pt, near_area = self.tree.query_nearest(pts[where[rest]], all_matches=False)
                first[rest[near_pt]] = near_area
            out[where] = first
            return out
        xy = shapely.get_coordinates(pts[where])
        cells = np.floor(xy / GRID_DEG).astype(np.int64)
        for j, (cx, cy) in zip(where, map(tuple, cells), strict=True):
            out[j] = self.cells.setdefault((int(cx), int(cy)), len(self.cells))
        return out

    def name(self, chunk: int) -> str | None:
        return self.names[chunk] if self.areas is not None and chunk < len(self.names) else None


def _groups(chunk_of: np.ndarray) -> dict[int, np.ndarray]:
    """Chunk number -> the row positions in it (in their order)."""
    order = np.argsort(chunk_of, kind="stable")
    keys, starts = np.unique(chunk_of[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    return {int(k): order[s:e] for k, s, e in zip(keys, starts, bounds, strict=True) if k >= 0}


def _tolerance(bounds, epsg: int, transformers: dict) -> float:
    """:func:`reports.webmap.geometry.web_tolerance` of one kabupaten, from the corners of its
    extent ``bounds`` (w, s, e, n) in UTM zone ``epsg`` (not every vertex projected: 514
    kabupaten; one transformer per zone)."""
    from pyproj import Transformer

    w, s, e, n = bounds
    if not np.all(np.isfinite([w, s, e, n])):
        return 10.0
    t = transformers.get(epsg)
    if t is None:
        t = transformers[epsg] = Transformer.from_crs(model.WGS84, CRS.from_epsg(epsg),
                                                      always_xy=True)
    x, y = t.transform([w, e, w, e], [s, s, n, n])
    diag = math.hypot(max(x) - min(x), max(y) - min(y))
    return float(min(300.0, max(5.0, diag / 3000.0)))


def _ints(values) -> str:
    """A JSON list of integers (written without the general encoder: a chunk holds many)."""
    return "[" + ",".join(map(str, np.asarray(values, dtype=np.int64).tolist())) + "]"


def as_lonlat(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """``frame`` in WGS84 (itself when it is already: a national road layer is ~1 GB)."""
    if frame is None:
        return None
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None \
            and frame.crs.equals(model.WGS84):
        return frame
    return as_wgs84(frame)


def unread_layer(project, name: str):
    """The project's layer ``name``; read from its file when the project was opened without
    it (a national page reads the ~1 GB of roads only while it cuts them into chunks)."""
    if project.has(name):
        return project.layers[name]
    stored = getattr(project, "stored", None)
    if stored is None or name not in stored.unread:
        return None
    from layers.project_file import read_unread

    return read_unread(project, [name]).frames.get(name)


def drawable(frame: gpd.GeoDataFrame, types=None) -> gpd.GeoDataFrame:
    """The rows of ``frame`` with a geometry (of one of ``types``), without a copy when all
    have one."""
    g = frame.geometry
    keep = (g.notna() & ~g.is_empty).to_numpy().copy()
    if types is not None:
        keep &= g.geom_type.isin(types).to_numpy()
    return frame if keep.all() else frame[keep]


def _geojson_list(geoms: np.ndarray) -> str:
    """A JSON list of GeoJSON geometries (``null`` where missing)."""
    texts = shapely.to_geojson(np.asarray(geoms, dtype=object)) if len(geoms) else []
    return "[" + ",".join(t if t is not None else "null" for t in texts) + "]"


@dataclass
class DetailInputs:
    """The national data the chunks are cut from (all WGS84)."""

    desa: gpd.GeoDataFrame  # the page's desa, in the order of its columns (row i = dot i)
    gap_kinds: list  # per desa: its gap kinds, most severe first
    kec: gpd.GeoDataFrame | None = None
    posyandu: gpd.GeoDataFrame | None = None
    edges: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    pgaps: gpd.GeoDataFrame | None = None  # the gaps at Posyandu (drawn where they stand)
    fac_names: dict = field(default_factory=dict)
    desa_names: dict = field(default_factory=dict)
    kec_names: dict = field(default_factory=dict)


_USED = {"kec": ("name",),
         "posyandu": ("fac_id", "name", "desa_code", "kecamatan_code", "parent_id",
                      "parent_name", "nakes", "code", "nurses", "midwives", "kader", "level",
                      "sessions_per_year", "location_quality"),
         "edges": ("parent_id", "child_id", "link", "distance_m", "travel_min"),
         "roads": ("road_class",),
         "pgaps": ("kind", "fac_id", "gap_id", "fac_name", "desa_name", "kecamatan_name")}
"""The columns each chunk layer reads."""


def write_chunks(data: DetailInputs, chunker: Chunker, folder: Path, *,
                 checkpoint=None) -> DetailWritten:
    """Write one ``NNNN.js`` chunk per kabupaten into ``folder`` (which must exist) and return
    the index the page reads: each chunk's file, bounds and name.

    The work is done a layer at a time for the whole country and then cut per chunk: each
    layer placed in its chunks once, its popup texts built a column at a time, its geometry
    projected once per UTM zone (the zone of each chunk, as a kabupaten page would choose it)
    and simplified with each chunk's own tolerance - the same chunks as one kabupaten at a
    time would give.  The roads (nationally ~1 million lines) are placed, projected and
    simplified on a second thread while the other layers' texts are built (GEOS and PROJ let
    go of the interpreter while they work)."""
    from ilp_gis.speed.threads import in_background
    from reports.webmap.national import facility_columns, facility_gap_columns

    frames: dict[str, gpd.GeoDataFrame] = {"desa": data.desa[[data.desa.geometry.name]]}
    for key in ("kec", "posyandu", "edges", "roads", "pgaps"):
        frame = getattr(data, key)
        if frame is not None and len(frame):
            frames[key] = frame[[c for c in frame.columns if c in _USED[key]]
                                + [frame.geometry.name]]
    roads = frames.get("roads")
    road_place = None  # the roads placed beside the rest (grid cells: numbered in order)
    if roads is not None and chunker.areas is not None:
        road_place = in_background(chunker.assign, roads.geometry.values)
    chunk_of = {k: chunker.assign(_placed_by(k, f)) for k, f in frames.items()
                if k != "roads" or road_place is None}
    if road_place is not None:
        chunk_of["roads"] = road_place.result()
    chunk_of = {k: chunk_of[k] for k in frames}  # the layers' own order
    grouped = {k: _groups(c) for k, c in chunk_of.items()}
    chunks = sorted(set().union(*(g.keys() for g in grouped.values())))
    zone_of, tol_of = _chunk_zones(chunks, grouped, frames)
    boxes = {c: [shapely.total_bounds(frames[k].geometry.values[grouped[k][c]])
                 for k in grouped if c in grouped[k]]
             for c in chunks if c not in grouped["desa"]}  # a chunk without desa: what it holds
    zones: dict[int, list[int]] = {}
    for chunk in chunks:
        zones.setdefault(zone_of[chunk], []).append(chunk)

    road_web = road_cls = None
    road_classes = list(sym.ROAD_STYLES)
    if roads is not None:
        road_job = in_background(_lines_by_zone, roads, grouped["roads"], zones, tol_of)
        road_cls = _road_classes(roads, road_classes)
    try:
        web = {k: _areas_by_zone(frames[k], grouped[k], zones, tol_of)
               for k in ("desa", "kec") if k in frames}
        cols = {}
        if "kec" in frames:
            kec = frames["kec"]
            cols["kec"] = np.array([clean_text(v) or "–" for v in kec["name"]]
                                   if "name" in kec.columns else ["–"] * len(kec), dtype=object)
        if "posyandu" in frames:
            cols["posyandu"] = facility_columns(frames["posyandu"], data.desa_names,
                                                data.kec_names, data.fac_names, decimals=5,
                                                staff=True)
        if "edges" in frames:
            cols["links"] = _link_columns(frames["edges"], data.fac_names)
        pgaps = (facility_gap_columns(frames["pgaps"], data.fac_names, chunk_of["pgaps"])
                 if "pgaps" in frames else None)
    finally:
        if roads is not None:
            road_web = road_job.result()
    # the roads as read (nationally ~1 GB of lines) are let go: their simplified copy is written
    data.roads = roads = road_job = None
    frames.pop("roads", None)
    desa_bounds = shapely.bounds(web["desa"])
    files, bounds, names = [], [], []
    counts = dict.fromkeys(grouped, 0)
    n_bytes = 0
    for n, chunk in enumerate(chunks):
        if checkpoint is not None:
            checkpoint(n / max(1, len(chunks)))
        parts = []
        box = []
        rows = grouped["desa"].get(chunk)
        if rows is not None:
            gaps = [data.gap_kinds[i] for i in rows]
            parts.append('"desa":{"i":' + _ints(rows) + ',"g":' + script_json(gaps)
                         + ',"geom":' + _geojson_list(web["desa"][rows]) + "}")
            box.append(_total_bounds(desa_bounds[rows]))
            counts["desa"] += len(rows)
        rows = grouped.get("kec", {}).get(chunk)
        if rows is not None:
            parts.append('"kec":{"n":' + script_json(cols["kec"][rows].tolist()) + ',"geom":'
                         + _geojson_list(web["kec"][rows]) + "}")
            counts["kec"] += len(rows)
        rows = grouped.get("posyandu", {}).get(chunk)
        if rows is not None:
            parts.append('"posyandu":' + plain_json({k: v[rows].tolist()
                                                     for k, v in cols["posyandu"].items()}))
            counts["posyandu"] += len(rows)
        rows = grouped.get("edges", {}).get(chunk)
        if rows is not None:
            parts.append('"links":' + _links_json(cols["links"], rows))
            counts["edges"] += len(rows)
        rows = grouped.get("roads", {}).get(chunk)
        if rows is not None:
            parts.append('"roads":{"cl":' + _ints(road_cls[rows])
                         + ',"geom":' + _geojson_list(road_web[rows]) + "}")
            counts["roads"] += len(rows)
        if pgaps is not None:
            text, n_rows = pgaps.of(chunk)
            if text is not None:
                parts.append('"pgaps":' + text)
                counts["pgaps"] += n_rows
        if not box:
            box = boxes[chunk]
        b = np.array(box)
        b = b[np.all(np.isfinite(b), axis=1)]
        if not len(b):
            continue
        name = f"{len(files):04d}.js"
        text = f"ILP.chunk({len(files)},{{" + ",".join(parts) + "});\n"
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
        n_bytes += len(text.encode("utf-8"))
        files.append(name)
        bounds.append([math.floor(b[:, 0].min() * 1e4) / 1e4, math.floor(b[:, 1].min() * 1e4)
                       / 1e4, math.ceil(b[:, 2].max() * 1e4) / 1e4,
                       math.ceil(b[:, 3].max() * 1e4) / 1e4])  # rounded outwards
        names.append(chunker.name(chunk))
    index = {"dir": folder.name, "files": files, "b": bounds, "n": names,
             "classes": road_classes}
    written = DetailWritten(folder, index, len(files), n_bytes, counts)
    if road_cls is not None:
        written.road_classes = [road_classes[i] for i in sorted(set(road_cls.tolist()))]
    if "edges" in frames and "link" in frames["edges"].columns:
        written.link_kinds = set(frames["edges"]["link"].dropna().astype(str))
    return written


def _placed_by(key: str, frame: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries that place ``frame``'s rows in chunks: a network link belongs where its
    child stands (its last vertex), anything else where it lies."""
    geoms = frame.geometry.values
    if key != "edges":
        return geoms
    g = np.asarray(geoms, dtype=object)
    last = shapely.get_geometry(g, -1)  # the last part of a multi-line
    return shapely.get_point(np.where(shapely.is_missing(last), g, last), -1)


def _total_bounds(b: np.ndarray) -> np.ndarray:
    """``shapely.total_bounds`` from the bounds of each geometry (NaN rows for missing ones)."""
    if not len(b) or np.isnan(b).all():
        return np.full(4, np.nan)
    with np.errstate(invalid="ignore"):
        return np.array([np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]),
                         np.nanmax(b[:, 3])])


def _chunk_zones(chunks, grouped, frames) -> tuple[dict[int, int], dict[int, float]]:
    """Each chunk's UTM zone (EPSG code) and simplification tolerance (metres): from the
    extent of its desa, as :func:`ilp_gis.geo.utm_crs` and a kabupaten page choose them; a
    chunk without desa takes the zone of the whole first layer it holds something of, and
    30 m."""
    from ilp_gis.geo import utm_epsg_for_lonlat

    desa_bounds = shapely.bounds(np.asarray(frames["desa"].geometry.values, dtype=object))
    layer_zone: dict[str, int] = {}
    transformers: dict = {}
    zone_of, tol_of = {}, {}
    for chunk in chunks:
        rows = grouped["desa"].get(chunk)
        if rows is not None:
            w, s, e, n = _total_bounds(desa_bounds[rows])
            zone = (utm_epsg_for_lonlat((w + e) / 2.0, (s + n) / 2.0)
                    if np.all(np.isfinite([w, s, e, n])) else 32749)
            zone_of[chunk] = zone
            tol_of[chunk] = _tolerance((w, s, e, n), zone, transformers)
            continue
        key = next(k for k in grouped if chunk in grouped[k])
        if key not in layer_zone:
            layer_zone[key] = utm_crs(frames[key]).to_epsg()
        zone_of[chunk], tol_of[chunk] = layer_zone[key], 30.0
    return zone_of, tol_of


def _zone_rows(groups: dict, zone_chunks: list[int]) -> list[tuple[int, np.ndarray]]:
    return [(c, groups[c]) for c in zone_chunks if c in groups]


def _metric(frame: gpd.GeoDataFrame, rows: np.ndarray, epsg: int) -> np.ndarray:
    geoms = gpd.GeoSeries(frame.geometry.values[rows], crs=frame.crs)
    return np.asarray(geoms.to_crs(CRS.from_epsg(epsg)).values, dtype=object)


def _areas_by_zone(frame, groups, zones, tol_of) -> np.ndarray:
    """:func:`reports.webmap.geometry.simplify_for_web` of each chunk's polygons (a coverage
    per chunk, its own tolerance), projected once per zone; one geometry per row of
    ``frame`` (None outside any chunk)."""
    out = np.full(len(frame), None, dtype=object)
    for zone, zone_chunks in zones.items():
        parts = _zone_rows(groups, zone_chunks)
        if not parts:
            continue
        metric = _metric(frame, np.concatenate([r for _, r in parts]), zone)
        done_rows, done, at = [], [], 0
        for chunk, rows in parts:
            ok, simplified = simplify_metric(metric[at:at + len(rows)], tol_of[chunk])
            at += len(rows)
            done_rows.append(rows[ok])
            done.append(simplified)
        rows = np.concatenate(done_rows)
        if len(rows):
            out[rows] = web_coords(np.concatenate(done), CRS.from_epsg(zone))
    return out


def _lines_by_zone(frame, groups, zones, tol_of) -> np.ndarray:
    """Each chunk's lines simplified in its zone with its tolerance (a pixel of the zoom they
    appear at) and rounded, projected once per zone; one geometry per row of ``frame``."""
    out = np.full(len(frame), None, dtype=object)
    for zone, zone_chunks in zones.items():
        crs = CRS.from_epsg(zone)
        for parts in _batches(_zone_rows(groups, zone_chunks)):
            rows = np.concatenate([r for _, r in parts])
            tol = np.concatenate([np.full(len(r), tol_of[c]) for c, r in parts])
            simple = shapely.simplify(_metric(frame, rows, zone), tol, preserve_topology=False)
            wgs = gpd.GeoSeries(simple, crs=crs).to_crs(model.WGS84).values
            del simple
            out[rows] = round_coords(np.asarray(wgs, dtype=object))
    return out


LINE_BATCH = 100_000
"""Lines projected and simplified together (whole chunks, about this many): a copy of ~1/10
of a national road layer at a time, few enough calls that each one's cost does not count."""


def _batches(parts: list[tuple[int, np.ndarray]]):
    """``parts`` (chunk, rows) in runs of about :data:`LINE_BATCH` rows."""
    run, size = [], 0
    for part in parts:
        run.append(part)
        size += len(part[1])
        if size >= LINE_BATCH:
            yield run
            run, size = [], 0
    if run:
        yield run


def _road_classes(roads: gpd.GeoDataFrame, road_classes: list[str]) -> np.ndarray:
    """Each road's class as its position in ``road_classes`` (a class the symbology does not
    know, or none: local)."""
    lokal = road_classes.index("lokal")
    if "road_class" not in roads.columns:
        return np.full(len(roads), lokal, dtype=np.int64)
    cls = roads["road_class"].astype("string").str.strip().str.lower().fillna("lokal")
    codes = np.asarray(pd.Categorical(cls, categories=road_classes).codes, dtype=np.int64)
    codes[codes < 0] = lokal
    return codes


def _link_columns(edges: gpd.GeoDataFrame, fac_names: dict) -> dict[str, np.ndarray]:
    """The network links' columns for every link at once: link kind, "parent -> child" names,
    distance and travel texts, rounded geometry."""
    def col(name):
        if name not in edges.columns:
            return [None] * len(edges)
        v = objects(edges, name)
        return np.where(pd.isna(v), None, v).tolist()

    pid, cid, link, dist, travel = (col(c) for c in ("parent_id", "child_id", "link",
                                                     "distance_m", "travel_min"))

    def named(ids):
        return [a or b or "–" for a, b in zip(memo_texts(lambda k: fac_names.get(str(k)), ids),
                                              clean_texts(ids), strict=True)]

    names = [f"{p} → {c}" for p, c in zip(named(pid), named(cid), strict=True)]
    km = value_texts(pd.to_numeric(pd.Series(dist, dtype=object), errors="coerce")
                     .to_numpy(dtype=float) / 1000.0, "km")
    popup = list(map(list, zip(km, value_texts(travel, "min"), strict=True)))
    return {"l": objects_of(clean_texts(link)), "n": objects_of(names),
            "p": objects_of(popup),
            "geom": round_coords(np.asarray(edges.geometry.values, dtype=object))}


def _links_json(cols: dict[str, np.ndarray], rows: np.ndarray) -> str:
    """One chunk's network links as columns: link kind, names, distance and travel, lines."""
    return ('{"l":' + plain_json(cols["l"][rows].tolist()) + ',"n":'
            + plain_json(cols["n"][rows].tolist()) + ',"p":'
            + plain_json(cols["p"][rows].tolist()) + ',"geom":'
            + _geojson_list(cols["geom"][rows]) + "}")


STALE_FOLDER_S = 3600.0
"""A temporary chunk folder untouched this long was left by a killed export (a live one gets
a new file every few tenths of a second while it cuts its chunks)."""


def new_folder(page: Path) -> Path:
    """A fresh temporary folder beside ``page`` for its chunks (moved into place by
    :func:`publish`); those killed exports of the same page left behind are removed."""
    page.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_folders(page)
    return Path(tempfile.mkdtemp(prefix=f".{page.stem}{FOLDER_SUFFIX}.saving-{os.getpid()}-",
                                 dir=page.parent))


def clean_stale_folders(page: Path) -> list[Path]:
    """Remove the temporary chunk folders of ``page`` (our own names only) that nothing
    touched for :data:`STALE_FOLDER_S`; return them."""
    import re
    import time

    name = page.stem + FOLDER_SUFFIX
    pattern = re.compile(re.escape(f".{name}.") + r"(saving-\d+-|old-)[A-Za-z0-9_]+")
    cutoff = time.time() - STALE_FOLDER_S
    removed = []
    try:
        entries = list(os.scandir(page.parent))
    except OSError:
        return removed
    for entry in entries:
        try:
            if (pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
                    and entry.stat().st_mtime < cutoff):
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def publish(tmp_folder: Path, page: Path, write_page) -> None:
    """Move the chunks' folder into place and write the page (``write_page()``): both or, on
    any failure, neither (the previous page and folder are kept)."""
    final = detail_folder(page)
    old = None
    try:
        os.chmod(tmp_folder, 0o755)
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=page.parent))
            os.replace(final, old / final.name)
        os.replace(tmp_folder, final)
        try:
            write_page()
        except BaseException:
            shutil.rmtree(final, ignore_errors=True)
            if old is not None:
                os.replace(old / final.name, final)
            raise
    except BaseException:
        shutil.rmtree(tmp_folder, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def detail_options(written: DetailWritten, desa_fields: list[str], kec_zoom: int) -> dict:
    """What ``ILP.detail`` reads: the chunk index, when to load, the styles and the texts."""
    from reports.webmap.national import detail_facility_fields, facility_gap_fields
    from reports.webmap.overlays import ROAD_MIN_ZOOM
    from reports.webmap.symbols import area_style, gap_kinds_js, link_styles, point_style

    return {**written.index, "minZoom": DETAIL_MIN_ZOOM, "few": DETAIL_FEW_KABUPATEN,
            "keep": DETAIL_KEEP, "labelZoom": kec_zoom, "fields": desa_fields,
            "kinds": gap_kinds_js(), "linkStyles": link_styles(),
            "linkLabels": {k: tr(f"webmap.link.{k}") for k in sym.NETWORK_EDGE},
            "linkFields": [tr("webmap.field.link"), tr("webmap.field.distance"),
                           tr("webmap.field.travel")],
            "facFields": detail_facility_fields(), "gapFields": facility_gap_fields(),
            # the symbols of a kabupaten page's Posyandu (drawn on the canvas, not as icons)
            "posyandu": point_style(sym.FACILITY_STYLES["posyandu"]),
            "posyanduDesa": point_style(sym.DESA_LEVEL_STYLES["posyandu"]),
            "kec": area_style(sym.KECAMATAN_STYLE, fill=False),
            "roadStyles": [area_style(sym.ROAD_STYLES[c]) for c in written.index["classes"]],
            "roadMinZoom": [ROAD_MIN_ZOOM.get(c, 0) for c in written.index["classes"]],
            "t": {"desa": tr("area.desa"),
                  "posyandu": tr("facility.posyandu"), "link": tr("webmap.layer.edges"),
                  "posyanduDesa": f"{tr('facility.posyandu')} — {tr('location_quality.desa')}",
                  "gap": tr("webmap.gap_facility"),
                  "missing": tr("webmap.detail.missing", folder=written.index["dir"])}}


def detail_note() -> str:
    """What the detail shows and how it is simplified, in the UI language."""
    return tr("webmap.detail.note", zoom=DETAIL_MIN_ZOOM)
