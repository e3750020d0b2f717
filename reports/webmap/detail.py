"""Detail on zoom for a national web map: per-kabupaten data chunks written beside the page.

Zoomed into a kabupaten, the page loads that area's detail - the desa as polygons in their
coverage and gap colours, the kecamatan outlines, the network links, the Posyandu points and the
roads - from small ``.js`` files in a folder next to the HTML (one per kabupaten, added by a
``<script>`` element at run time: that works offline from ``file://``, where ``fetch`` is
blocked), and unloads the chunks far out of view (``reports/data/webmap_detail.js``).  Each
chunk is simplified as a kabupaten page simplifies its own data (tolerance from the
kabupaten's size) and its coordinates are rounded to 1e-5 degrees.  The data are written a
chunk and a column at a time (no per-feature objects for the whole country).

Without a kabupaten layer the chunks are cells of :data:`GRID_DEG` degrees.

May import ``ilp_gis`` (geo, model, i18n), ``layers.symbology``, geopandas/shapely/numpy and
``reports.webmap`` (embed, geometry, national, values).
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

from ilp_gis import model
from ilp_gis.geo import utm_crs
from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym
from reports.webmap.embed import plain_json, script_json
from reports.webmap.geometry import as_wgs84, round_coords, simplify_for_web
from reports.webmap.values import clean_text, format_value, is_finite

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


def _tolerance(frame: gpd.GeoDataFrame, crs) -> float:
    """:func:`reports.webmap.geometry.web_tolerance` of one kabupaten, from the corners of its
    extent (not every vertex projected: 514 kabupaten)."""
    from pyproj import Transformer

    w, s, e, n = frame.total_bounds
    if not np.all(np.isfinite([w, s, e, n])):
        return 10.0
    t = Transformer.from_crs(model.WGS84, crs, always_xy=True)
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


def _lines(geoms: np.ndarray, tol_m: float, crs) -> np.ndarray:
    """Lines simplified in the metric ``crs`` (a pixel of the zoom they appear at), rounded."""
    metric = np.asarray(gpd.GeoSeries(geoms, crs=model.WGS84).to_crs(crs).values, dtype=object)
    simple = shapely.simplify(metric, tol_m, preserve_topology=False)
    wgs = np.asarray(gpd.GeoSeries(simple, crs=crs).to_crs(model.WGS84).values, dtype=object)
    return round_coords(wgs)


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
                      "parent_name", "nakes", "code"),
         "edges": ("parent_id", "child_id", "link", "distance_m", "travel_min"),
         "roads": ("road_class",),
         "pgaps": ("kind", "fac_id", "gap_id", "fac_name", "desa_name", "kecamatan_name")}
"""The columns each chunk layer reads."""


def write_chunks(data: DetailInputs, chunker: Chunker, folder: Path, *,
                 checkpoint=None) -> DetailWritten:
    """Write one ``NNNN.js`` chunk per kabupaten into ``folder`` (which must exist) and return
    the index the page reads: each chunk's file, bounds and name."""
    from reports.webmap.national import facility_dots, facility_gap_dots

    desa = data.desa[[data.desa.geometry.name]]  # rows are taken per chunk: only what is used
    layers: dict[str, tuple] = {"desa": (desa, chunker.assign(desa.geometry.values))}
    for key in ("kec", "posyandu", "edges", "roads", "pgaps"):
        frame = getattr(data, key)
        if frame is not None and len(frame):
            frame = frame[[c for c in frame.columns if c in _USED[key]]
                          + [frame.geometry.name]]
            geoms = frame.geometry.values
            if key == "edges":  # a link belongs where its child stands (its last vertex)
                g = np.asarray(geoms, dtype=object)
                last = shapely.get_geometry(g, -1)  # the last part of a multi-line
                geoms = shapely.get_point(np.where(shapely.is_missing(last), g, last), -1)
            layers[key] = (frame, chunker.assign(geoms))
    grouped = {k: _groups(c) for k, (_, c) in layers.items()}
    chunks = sorted(set().union(*(g.keys() for g in grouped.values())))
    road_classes = list(sym.ROAD_STYLES)
    road_cls = None
    if "roads" in layers:
        r = layers["roads"][0]
        cls = (r["road_class"].astype("string").str.strip().str.lower().fillna("lokal")
               if "road_class" in r.columns else None)
        lokal = road_classes.index("lokal")  # a class the symbology does not know: local
        road_cls = (np.asarray(pd.Categorical(cls, categories=road_classes).codes,
                               dtype=np.int64) if cls is not None
                    else np.full(len(r), lokal, dtype=np.int64))
        road_cls[road_cls < 0] = lokal
    files, bounds, names = [], [], []
    counts = dict.fromkeys(layers, 0)
    n_bytes = 0
    for n, chunk in enumerate(chunks):
        if checkpoint is not None:
            checkpoint(n / max(1, len(chunks)))
        parts = []
        rows_desa = grouped["desa"].get(chunk, np.empty(0, dtype=np.int64))
        sub_desa = desa.iloc[rows_desa]
        crs = utm_crs(sub_desa) if len(sub_desa) else utm_crs(layers[next(
            k for k in grouped if chunk in grouped[k])][0])
        tol = _tolerance(sub_desa, crs) if len(sub_desa) else 30.0
        box = []
        if len(rows_desa):
            geoms = simplify_for_web(sub_desa.geometry, crs, tol)
            gaps = [data.gap_kinds[i] for i in rows_desa]
            parts.append('"desa":{"i":' + _ints(rows_desa)
                         + ',"g":' + script_json(gaps) + ',"geom":' + _geojson_list(geoms) + "}")
            box.append(shapely.total_bounds(geoms))
            counts["desa"] += len(rows_desa)
        rows = grouped.get("kec", {}).get(chunk)
        if rows is not None:
            kec = layers["kec"][0].iloc[rows]
            geoms = simplify_for_web(kec.geometry, crs, tol)
            parts.append('"kec":{"n":' + script_json(
                [clean_text(v) or "–" for v in kec["name"]] if "name" in kec.columns
                else ["–"] * len(kec)) + ',"geom":' + _geojson_list(geoms) + "}")
            counts["kec"] += len(rows)
        rows = grouped.get("posyandu", {}).get(chunk)
        if rows is not None:
            sub = layers["posyandu"][0].iloc[rows]
            parts.append('"posyandu":' + facility_dots(sub, data.desa_names, data.kec_names,
                                                       data.fac_names, decimals=5))
            counts["posyandu"] += len(rows)
        rows = grouped.get("edges", {}).get(chunk)
        if rows is not None:
            parts.append('"links":' + _links_json(layers["edges"][0].iloc[rows], data.fac_names))
            counts["edges"] += len(rows)
        rows = grouped.get("roads", {}).get(chunk)
        if rows is not None:
            geoms = _lines(np.asarray(layers["roads"][0].geometry.values[rows], dtype=object),
                           tol, crs)
            parts.append('"roads":{"cl":' + _ints(road_cls[rows])
                         + ',"geom":' + _geojson_list(geoms) + "}")
            counts["roads"] += len(rows)
        rows = grouped.get("pgaps", {}).get(chunk)
        if rows is not None:
            text, _, n_rows, _ = facility_gap_dots(layers["pgaps"][0].iloc[rows], data.fac_names)
            if text is not None:
                parts.append('"pgaps":' + text)
                counts["pgaps"] += n_rows
        if not box:  # no desa in the chunk: its bounds from what it holds
            box = [shapely.total_bounds(layers[k][0].geometry.values[grouped[k][chunk]])
                   for k in grouped if chunk in grouped[k]]
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
    if "edges" in layers and "link" in layers["edges"][0].columns:
        written.link_kinds = set(layers["edges"][0]["link"].dropna().astype(str))
    return written


def _links_json(edges: gpd.GeoDataFrame, fac_names: dict) -> str:
    """Network links as columns: link kind, "parent -> child" names, distance and travel."""
    def col(name):
        return (edges[name].astype(object).where(edges[name].notna(), None).tolist()
                if name in edges.columns else [None] * len(edges))

    pid, cid, link, dist, travel = (col(c) for c in ("parent_id", "child_id", "link",
                                                     "distance_m", "travel_min"))
    names = [f"{fac_names.get(str(p)) or clean_text(p) or '–'} → "
             f"{fac_names.get(str(c)) or clean_text(c) or '–'}" for p, c in zip(pid, cid,
                                                                                   strict=True)]
    popup = [[format_value(float(d) / 1000.0, "km") if is_finite(d) else None,
              format_value(t, "min") if is_finite(t) else None]
             for d, t in zip(dist, travel, strict=True)]
    geoms = round_coords(np.asarray(edges.geometry.values, dtype=object))
    return ('{"l":' + plain_json([clean_text(v) for v in link]) + ',"n":' + plain_json(names)
            + ',"p":' + plain_json(popup) + ',"geom":' + _geojson_list(geoms) + "}")


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
    from reports.webmap.national import facility_fields, facility_gap_fields
    from reports.webmap.overlays import ROAD_MIN_ZOOM
    from reports.webmap.symbols import area_style, gap_kinds_js, link_styles

    pst = sym.FACILITY_STYLES["posyandu"]
    return {**written.index, "minZoom": DETAIL_MIN_ZOOM, "few": DETAIL_FEW_KABUPATEN,
            "keep": DETAIL_KEEP, "labelZoom": kec_zoom, "fields": desa_fields,
            "kinds": gap_kinds_js(), "linkStyles": link_styles(),
            "linkLabels": {k: tr(f"webmap.link.{k}") for k in sym.NETWORK_EDGE},
            "linkFields": [tr("webmap.field.link"), tr("webmap.field.distance"),
                           tr("webmap.field.travel")],
            "facFields": facility_fields(), "gapFields": facility_gap_fields(),
            "posyandu": {"color": pst.stroke, "fillColor": pst.fill, "weight": 1,
                         "fillOpacity": 1},
            "kec": area_style(sym.KECAMATAN_STYLE, fill=False),
            "roadStyles": [area_style(sym.ROAD_STYLES[c]) for c in written.index["classes"]],
            "roadMinZoom": [ROAD_MIN_ZOOM.get(c, 0) for c in written.index["classes"]],
            "t": {"desa": tr("area.desa"),
                  "posyandu": tr("facility.posyandu"), "link": tr("webmap.layer.edges"),
                  "gap": tr("webmap.gap_facility"),
                  "missing": tr("webmap.detail.missing", folder=written.index["dir"])}}


def detail_note() -> str:
    """What the detail shows and how it is simplified, in the UI language."""
    return tr("webmap.detail.note", zoom=DETAIL_MIN_ZOOM)
