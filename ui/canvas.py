"""The map canvas: layers drawn natively with QPainter in the UTM zone of the data.

Rendering is split in two:

* :class:`MapRenderer` (no widget) turns the project and the analysis result into per-layer
  geometry arrays in metres (origin-shifted UTM) with bounds for culling and simplified copies per
  zoom band; it builds whole-layer ``QPainterPath`` objects from those numpy arrays in one call
  (binary ``QDataStream`` load — no Python loop per vertex or per feature) and draws them with
  the one symbology (:mod:`layers.symbology`).  It can render into any ``QPaintDevice`` (the
  benchmark renders into an offscreen ``QImage``).
* :class:`MapCanvas` (the widget) caches the static layers in an image, redraws it only when the
  view changes, and paints the selection, highlight, rubber band, scale bar and north arrow on
  top.  Pan by dragging or the arrow keys, zoom with the wheel, +/- or a box (Shift+drag).
  After a pan the image covers a margin around the window, so further pans inside it only blit.

Speed notes (bench/bench_ui.py): whole-layer paths are cached per zoom band and colour class;
big fills are split over a tile grid (Qt's aliased fill is superlinear in path spread); aliased
under-strokes up to 1.3 px use Qt's 1 px cosmetic line path; markers are sprites at the
target's pixel ratio; dense points are stamped into an image with numpy.
"""

from __future__ import annotations

import math
import struct
import threading
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from ilp_gis import model
from ilp_gis.geo import utm_crs
from ilp_gis.i18n import format_number, register_catalog, tr
from layers import symbology as sym
from ui.state import AppState, key_of

# Simplification tolerances (metres) of the zoom bands; the renderer uses the largest one that
# stays below half a screen pixel.
BANDS = (0.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0, 250.0, 500.0, 1000.0, 2000.0)
_HATCH = {
    "diagonal": Qt.BDiagPattern, "backdiagonal": Qt.FDiagPattern, "cross": Qt.DiagCrossPattern,
    "horizontal": Qt.HorPattern, "vertical": Qt.VerPattern, "dots": Qt.Dense6Pattern,
}
_TILES = 4  # big fills are split over a _TILES x _TILES grid (see GeometryLayer.fill_paths)
_TILE_MIN = 100  # ... when they hold at least this many features
_LABEL_MAX = 160
_PREFETCH_MIN = 500  # layers with at least this many features get neighbouring bands prefetched
PAN_MARGIN = 0.25  # after a small pan the static image covers this share of the window more per side  # draw labels only when at most this many features are in view


def _over_white(hex_colour: str, alpha: float) -> str:
    """The opaque colour that ``hex_colour`` at ``alpha`` shows over white."""
    r, g, b = sym.hex_to_rgb(hex_colour)
    return sym.rgb_to_hex(tuple(int(round(255 - (255 - c) * alpha)) for c in (r, g, b)))


def qcolor(hex_colour: str, alpha: float = 1.0) -> QColor:
    c = QColor(hex_colour)
    c.setAlphaF(max(0.0, min(1.0, alpha)))
    return c


def path_from_arrays(x: np.ndarray, y: np.ndarray, codes: np.ndarray,
                     odd_even: bool = True) -> QPainterPath:
    """A QPainterPath from vertex arrays in one call (codes: 0 = moveTo, 1 = lineTo).

    The path is loaded from QPainterPath's own QDataStream format, built with numpy.
    """
    n = len(x)
    path = QPainterPath()
    if n == 0:
        return path
    arr = np.empty(n, dtype=[("c", ">i4"), ("x", ">f8"), ("y", ">f8")])
    arr["c"] = codes
    arr["x"] = x
    arr["y"] = y
    data = struct.pack(">i", n) + arr.tobytes() + struct.pack(">ii", 0, 0 if odd_even else 1)
    stream = QDataStream(QByteArray(data))
    stream >> path
    return path


@dataclass
class _Parts:
    """Rings (polygons) or parts (lines) of a layer at one simplification band."""

    coords: np.ndarray  # (M, 2)
    counts: np.ndarray  # vertices per ring/part
    feature: np.ndarray  # feature index per ring/part
    starts: np.ndarray  # index of each ring's first vertex in coords


class GeometryLayer:
    """Polygons or lines of one layer in local metres, with culling and zoom bands."""

    def __init__(self, geoms: np.ndarray, keys: list[str], *, lines: bool = False) -> None:
        self.geoms = geoms
        self.keys = keys
        self.key_index = {k: i for i, k in enumerate(keys)}
        self.lines = lines
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.valid = valid
        b = np.full((len(geoms), 4), np.nan)
        if valid.any():
            b[valid] = shapely.bounds(geoms[valid])
        self.bounds = b
        self._bands: dict[float, _Parts] = {}
        self._paths: dict[tuple, QPainterPath] = {}
        self._tree = None
        self._label_pts = None

    def __len__(self) -> int:
        return len(self.geoms)

    def class_mask(self, attr: str, value: str) -> np.ndarray:
        """Features whose ``attr`` list equals ``value`` (cached per layer)."""
        cache = self.__dict__.setdefault("_class_masks", {})
        m = cache.get((attr, value))
        if m is None:
            m = cache[(attr, value)] = np.asarray(getattr(self, attr), dtype=object) == value
        return m

    @property
    def tree(self):
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree

    def extent(self) -> tuple[float, float, float, float] | None:
        if not self.valid.any():
            return None
        b = self.bounds[self.valid]
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
                float(b[:, 3].max()))

    def in_view(self, rect: tuple[float, float, float, float]) -> np.ndarray:
        x0, y0, x1, y1 = rect
        b = self.bounds
        with np.errstate(invalid="ignore"):
            return self.valid & (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)

    def parts(self, tol: float) -> _Parts:
        got = self._bands.get(tol)
        if got is not None:
            return got
        geoms = self.geoms
        if tol > 0:
            simple = shapely.simplify(geoms, tol, preserve_topology=False)
            lost = shapely.is_empty(simple) | shapely.is_missing(simple)
            if not self.lines:  # tiny desa must not vanish: keep their envelope instead
                lost |= ~shapely.is_valid_input(simple)
            simple = np.where(lost & self.valid, shapely.envelope(geoms), simple)
            geoms = simple
        if self.lines:
            parts, idx = shapely.get_parts(geoms, return_index=True)
            rings, ridx = parts, np.arange(len(parts))
        else:
            parts, idx = shapely.get_parts(geoms, return_index=True)
            poly = shapely.get_type_id(parts) == 3
            parts, idx = parts[poly], idx[poly]
            rings, ridx = shapely.get_rings(parts, return_index=True)
        counts = shapely.get_num_coordinates(rings).astype(np.int64)
        coords = shapely.get_coordinates(rings)
        feature = idx[ridx] if len(ridx) else np.zeros(0, dtype=np.int64)
        out = _Parts(coords, counts, feature, np.cumsum(counts) - counts)
        self._bands[tol] = out
        return out

    def path(self, tol: float, mask: np.ndarray | None = None, cache_key=None) -> QPainterPath:
        """One path of the features in ``mask`` (all when None) at band ``tol``."""
        if cache_key is not None:
            got = self._paths.get((tol, cache_key))
            if got is not None:
                return got
        p = self.parts(tol)
        if mask is None:
            coords, counts = p.coords, p.counts
        else:  # gather only the visible rings: cost follows what is shown, not the layer size
            sel = np.flatnonzero(mask[p.feature]) if len(p.feature) else np.zeros(0, dtype=int)
            counts = p.counts[sel]
            first = p.starts[sel]
            offsets = np.cumsum(counts) - counts
            idx = np.repeat(first - offsets, counts) + np.arange(int(counts.sum()))
            coords = p.coords[idx]
        codes = np.ones(len(coords), dtype=np.int32)
        if len(counts):
            starts = np.cumsum(counts) - counts
            codes[starts] = 0
        path = path_from_arrays(coords[:, 0], coords[:, 1], codes) if len(coords) else QPainterPath()
        if cache_key is not None:
            self._paths[(tol, cache_key)] = path
        return path

    @property
    def tiles(self) -> np.ndarray:
        """Tile number (a 4x4 grid over the layer) of each feature's box centre."""
        got = self.__dict__.get("_tiles")
        if got is None:
            got = np.zeros(len(self.geoms), dtype=np.int64)
            if self.valid.any():
                b = self.bounds
                cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
                x0, y0, x1, y1 = self.extent()
                with np.errstate(invalid="ignore"):
                    ix = np.clip((cx - x0) / max(x1 - x0, 1e-9) * _TILES, 0, _TILES - 1)
                    iy = np.clip((cy - y0) / max(y1 - y0, 1e-9) * _TILES, 0, _TILES - 1)
                ok = self.valid
                got[ok] = ix[ok].astype(np.int64) * _TILES + iy[ok].astype(np.int64)
            self._tiles = got
        return got

    def fill_paths(self, tol: float, mask: np.ndarray | None = None,
                   cache_key=None) -> list[QPainterPath]:
        """Paths to FILL the features in ``mask``: one per map tile when there are many.

        Qt's aliased fill slows down more than linearly with the size and spread of a path (a
        class of desa scattered over a province); compact pieces fill 1.5-2x faster."""
        sel = self.valid if mask is None else (mask & self.valid)
        if int(sel.sum()) < _TILE_MIN:
            return [self.path(tol, mask, cache_key)]
        tiles = self.tiles
        out = []
        for t in np.unique(tiles[sel]).tolist():
            key = None
            if cache_key is not None:
                key = (*cache_key, "tile", t) if isinstance(cache_key, tuple) else (cache_key, "tile", t)
            out.append(self.path(tol, sel & (tiles == t), cache_key=key))
        return out

    def label_points(self) -> np.ndarray:
        if self._label_pts is None:
            from ilp_gis.geo import inner_points

            pts = inner_points(self.geoms)
            xy = np.full((len(pts), 2), np.nan)
            for i, p in enumerate(pts):
                if p is not None:
                    xy[i] = (p.x, p.y)
            self._label_pts = xy
        return self._label_pts

    def hit(self, x: float, y: float) -> int | None:
        """Index of the polygon containing (x, y), or None."""
        idx = self.tree.query(shapely.points(x, y), predicate="intersects")
        if len(idx) == 0:
            return None
        return int(sorted(idx)[0])


class PointLayer:
    """Facility points in local metres."""

    def __init__(self, xy: np.ndarray, keys: list[str], styles: list[str]) -> None:
        self.xy = xy
        self.keys = keys
        self.key_index = {k: i for i, k in enumerate(keys)}
        self.styles = np.asarray(styles, dtype=object)
        self.valid = np.isfinite(xy).all(axis=1) if len(xy) else np.zeros(0, dtype=bool)
        self._masks: dict[str, np.ndarray] = {}

    def style_mask(self, name: str) -> np.ndarray:
        """Rows of one style (cached: comparing object arrays each redraw is slow)."""
        m = self._masks.get(name)
        if m is None:
            m = self._masks[name] = self.styles == name
        return m

    def __len__(self) -> int:
        return len(self.keys)

    def extent(self):
        if not self.valid.any():
            return None
        v = self.xy[self.valid]
        return (float(v[:, 0].min()), float(v[:, 1].min()), float(v[:, 0].max()),
                float(v[:, 1].max()))

    def in_view(self, rect) -> np.ndarray:
        x0, y0, x1, y1 = rect
        with np.errstate(invalid="ignore"):
            return (self.valid & (self.xy[:, 0] >= x0) & (self.xy[:, 0] <= x1)
                    & (self.xy[:, 1] >= y0) & (self.xy[:, 1] <= y1))

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        if not self.valid.any():
            return None
        d = np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)
        d[~self.valid] = np.inf
        i = int(np.argmin(d))
        return i if d[i] <= radius else None


def _marker_template(shape: str, size: float) -> np.ndarray:
    r = size / 2.0
    if shape == "square":
        pts = [(-r, -r), (r, -r), (r, r), (-r, r)]
    elif shape == "triangle":
        pts = [(0, -r * 1.15), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)]
    elif shape == "diamond":
        pts = [(0, -r * 1.2), (r, 0), (0, r * 1.2), (-r, 0)]
    elif shape == "cross":
        a, b = r, r * 0.35
        pts = [(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a), (-b, b),
               (-a, b), (-a, -b), (-b, -b)]
    else:  # circle
        t = np.linspace(0, 2 * np.pi, 13)[:-1]
        pts = list(zip(r * np.cos(t), r * np.sin(t), strict=False))
    pts.append(pts[0])
    return np.asarray(pts, dtype=float)


def marker_path(sx: np.ndarray, sy: np.ndarray, shape: str, size: float) -> QPainterPath:
    """One path holding a marker at every screen position (vectorised)."""
    tpl = _marker_template(shape, size)
    k = len(tpl)
    n = len(sx)
    if n == 0:
        return QPainterPath()
    x = (sx[:, None] + tpl[None, :, 0]).ravel()
    y = (sy[:, None] + tpl[None, :, 1]).ravel()
    codes = np.ones((n, k), dtype=np.int32)
    codes[:, 0] = 0
    return path_from_arrays(x, y, codes.ravel(), odd_even=False)


_SPRITES: dict[tuple, QPixmap] = {}


def device_ratio(painter: QPainter) -> float:
    """Device pixels per logical pixel of what ``painter`` draws on (1 for the bench image)."""
    dev = painter.device()
    return max(1.0, float(dev.devicePixelRatioF())) if dev is not None else 1.0


def sprite(key: tuple, paint, size: int, ratio: float = 1.0) -> QPixmap:
    """A cached, antialiased marker image (drawn once, then blitted per point).

    The sprite is drawn at 2x and then brought to ``ratio``, the device pixel ratio of the
    target, once: a sprite of another ratio would be rescaled on every blit (4x slower)."""
    key = (*key, ratio)
    pm = _SPRITES.get(key)
    if pm is None:
        hi = 2.0
        pm = QPixmap(int(size * hi), int(size * hi))
        pm.setDevicePixelRatio(hi)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.translate(size / 2, size / 2)
        paint(p)
        p.end()
        if ratio != hi:  # nearest pixel, as a 2x sprite blitted onto a 1x device looked
            side = max(1, int(round(size * ratio)))
            img = pm.toImage().scaled(side, side, Qt.IgnoreAspectRatio, Qt.FastTransformation)
            pm = QPixmap.fromImage(img)
            pm.setDevicePixelRatio(ratio)
        _SPRITES[key] = pm
    return pm


def _paint_marker(p: QPainter, style, size: float) -> None:
    tpl = _marker_template(style.shape, size)
    p.setBrush(qcolor(style.fill))
    pen = QPen(qcolor(style.stroke))
    pen.setWidthF(0.8 if size < 7 else 1.1)
    pen.setJoinStyle(Qt.MiterJoin)
    p.setPen(pen)
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in tpl[:-1]]))


def _paint_ring(p: QPainter, style) -> None:
    p.setBrush(qcolor(style.fill or style.stroke, 0.35))
    pen = QPen(qcolor(style.stroke))
    pen.setWidthF(1.6)
    p.setPen(pen)
    p.drawEllipse(QPointF(0, 0), 8.5, 8.5)


def draw_sprites(painter: QPainter, pm: QPixmap, sx: np.ndarray, sy: np.ndarray) -> None:
    """Blit ``pm`` centred at every screen position (one per screen pixel at most)."""
    if len(sx) == 0:
        return
    half_w = pm.width() / pm.devicePixelRatio() / 2
    half_h = pm.height() / pm.devicePixelRatio() / 2
    ix = np.round(sx - half_w).astype(np.int64)
    iy = np.round(sy - half_h).astype(np.int64)
    if len(ix) > 2000:  # one sprite per screen pixel at most
        key = np.unique((ix + 1_000_000) * 4_000_000 + (iy + 1_000_000))
        ix, iy = key // 4_000_000 - 1_000_000, key % 4_000_000 - 1_000_000
    painter.resetTransform()
    draw = painter.drawPixmap
    for x, y in zip(ix.tolist(), iy.tolist(), strict=False):
        draw(x, y, pm)


def draw_dots(painter: QPainter, sx, sy, fill: str, stroke: str, size: int, w: int,
              h: int) -> None:
    """Many small square markers at once: set the pixels of an overlay image with numpy and
    draw that image (tens of thousands of points in a few milliseconds).  The overlay covers
    the box around the points plus a margin, so every stamp fits without bounds checks."""
    size = max(int(size), 2)
    ix = np.round(np.asarray(sx)).astype(np.int64)
    iy = np.round(np.asarray(sy)).astype(np.int64)
    keep = (ix >= -size) & (ix < w + size) & (iy >= -size) & (iy < h + size)
    ix, iy = ix[keep], iy[keep]
    if not len(ix):
        return
    pad = size // 2 + 1
    x0, y0 = int(ix.min()) - pad, int(iy.min()) - pad
    bw, bh = int(ix.max()) + pad + 1 - x0, int(iy.max()) + pad + 1 - y0
    buf = np.zeros(bh * bw, dtype=np.uint32)
    flat = (iy - y0) * bw + (ix - x0)
    for colour, half in ((stroke, size // 2 + 1), (fill, size // 2)):
        c = QColor(colour)
        value = np.uint32(0xFF000000 | (c.red() << 16) | (c.green() << 8) | c.blue())
        steps = range(-half, (half if size % 2 else half - 1) + 1)
        for dy in steps:
            for dx in steps:
                buf[flat + (dy * bw + dx)] = value
    img = QImage(buf.data, bw, bh, 4 * bw, QImage.Format_ARGB32_Premultiplied)
    painter.resetTransform()
    painter.drawImage(x0, y0, img)


@dataclass
class View:
    """The visible window: centre in local metres and metres per pixel."""

    cx: float = 0.0
    cy: float = 0.0
    mupp: float = 100.0

    def rect(self, w: int, h: int) -> tuple[float, float, float, float]:
        hw, hh = w * self.mupp / 2, h * self.mupp / 2
        return self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh

    def transform(self, w: int, h: int) -> QTransform:
        s = 1.0 / self.mupp
        return QTransform(s, 0, 0, -s, w / 2 - self.cx * s, h / 2 + self.cy * s)

    def to_screen(self, x, y, w: int, h: int):
        return (np.asarray(x) - self.cx) / self.mupp + w / 2, h / 2 - (np.asarray(y) - self.cy) / self.mupp

    def to_map(self, px: float, py: float, w: int, h: int) -> tuple[float, float]:
        return self.cx + (px - w / 2) * self.mupp, self.cy - (py - h / 2) * self.mupp


class MapRenderer:
    """Layer data in local UTM metres and the drawing of the static layers."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.crs: CRS = CRS.from_epsg(32749)
        self.origin = (0.0, 0.0)
        self.layers: dict[str, GeometryLayer | PointLayer] = {}
        self.gap_layers: dict[str, GeometryLayer] = {}
        self.gap_points: dict[str, PointLayer] = {}
        self.problem_ids: set[str] = set()
        self.facility_types: np.ndarray = np.zeros(0, dtype=object)
        self._fwd = self._inv = None
        self._label_rect = None  # the window's part of the image being rendered
        self._prefetch: threading.Thread | None = None
        self.rebuild_all()

    # -- data ------------------------------------------------------------------------------------
    def rebuild_all(self) -> None:
        p = self.state.project
        frames = [p.layer(n) for n in ("kabupaten", "kecamatan", "desa", "facilities")]
        frames = [f for f in frames if len(f)]
        self.crs = utm_crs(*frames) if frames else CRS.from_epsg(32749)
        self._fwd = Transformer.from_crs(model.WGS84, self.crs, always_xy=True)
        self._inv = Transformer.from_crs(self.crs, model.WGS84, always_xy=True)
        ext = None
        for f in frames:
            g = f.geometry.to_crs(self.crs) if f.crs is not None else f.geometry
            b = g.total_bounds
            if np.all(np.isfinite(b)):
                ext = b if ext is None else np.r_[np.minimum(ext[:2], b[:2]), np.maximum(ext[2:], b[2:])]
        self.origin = ((ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2) if ext is not None else (0.0, 0.0)
        self.layers = {}
        for name in ("kabupaten", "kecamatan", "desa", "roads"):
            self.rebuild_layer(name)
        self.rebuild_layer("facilities")
        self.rebuild_result()

    def _local(self, frame) -> np.ndarray:
        if not len(frame):
            return np.zeros(0, dtype=object)
        g = frame.geometry
        if g.crs is not None:
            g = g.to_crs(self.crs)
        arr = np.asarray(g.values, dtype=object)
        ox, oy = self.origin
        return shapely.transform(arr, lambda c: c - np.array([ox, oy]))

    def rebuild_layer(self, name: str) -> None:
        p = self.state.project
        if name == "facilities":
            fac = p.facilities
            geoms = self._local(fac)
            xy = np.full((len(geoms), 2), np.nan)
            if len(geoms):
                ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
                if ok.any():
                    xy[ok] = shapely.get_coordinates(shapely.centroid(geoms[ok]))
            types = fac["type"].astype(object).tolist() if len(fac) else []
            prec = fac["precursor"].fillna(False).astype(bool).tolist() if len(fac) else []
            styles = ["precursor" if pr and t == "pustu" else (t if t in sym.FACILITY_STYLES else "unknown")
                      for t, pr in zip(types, prec, strict=False)]
            self.layers["facilities"] = PointLayer(xy, key_of(fac, "facilities"), styles)
            self.facility_names = fac["name"].astype(object).tolist() if len(fac) else []
            return
        if name not in ("kabupaten", "kecamatan", "desa", "roads"):
            return
        frame = p.layer(name)
        layer = GeometryLayer(self._local(frame), key_of(frame, name), lines=(name == "roads"))
        if name == "roads":
            layer.road_class = frame["road_class"].astype(object).tolist() if len(frame) else []
        else:
            layer.names = frame["name"].astype(object).tolist() if len(frame) else []
        self.layers[name] = layer

    def rebuild_result(self) -> None:
        res = self.state.result
        self.gap_layers, self.gap_points, self.problem_ids = {}, {}, set()
        self.layers.pop("network", None)
        if res is None:
            return
        gaps = res.gaps
        if gaps is not None and len(gaps) and "kind" in gaps.columns:
            geoms = self._local(gaps)
            keys = key_of(gaps, "gaps")
            kinds = gaps["kind"].astype(str).to_numpy()
            gtype = shapely.get_type_id(geoms)
            for kind in np.unique(kinds):
                m = kinds == kind
                poly = m & np.isin(gtype, (3, 6))
                pts = m & (gtype == 0)
                if poly.any():
                    self.gap_layers[kind] = GeometryLayer(geoms[poly],
                                                          [k for k, f in zip(keys, poly, strict=False) if f])
                if pts.any():
                    self.gap_points[kind] = PointLayer(shapely.get_coordinates(geoms[pts]),
                                                       [k for k, f in zip(keys, pts, strict=False) if f],
                                                       [kind] * int(pts.sum()))
        edges = res.edges
        if edges is not None and len(edges):
            layer = GeometryLayer(self._local(edges), [str(i) for i in range(len(edges))],
                                  lines=True)
            layer.link = (edges["link"].astype(str).tolist() if "link" in edges.columns
                          else ["given"] * len(edges))
            self.layers["network"] = layer
        probs = res.network_problems
        if probs is not None and len(probs) and "fac_ids" in probs.columns:
            if "severity" in probs.columns:
                probs = probs[probs["severity"].astype(str) != "info"]
            for v in probs["fac_ids"].dropna():
                for fid in str(v).replace(",", ";").split(";"):
                    if fid.strip():
                        self.problem_ids.add(fid.strip())

    def to_local(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self._fwd.transform(lon, lat)
        return x - self.origin[0], y - self.origin[1]

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self._inv.transform(x + self.origin[0], y + self.origin[1])

    def to_utm(self, x: float, y: float) -> tuple[float, float]:
        return x + self.origin[0], y + self.origin[1]

    @property
    def utm_zone(self) -> str:
        epsg = self.crs.to_epsg() or 0
        zone = epsg % 100
        return f"{zone}{'S' if 32700 < epsg < 32800 else 'N'}"

    def extent(self) -> tuple[float, float, float, float] | None:
        ext = None
        for name in ("kabupaten", "kecamatan", "desa", "facilities"):
            layer = self.layers.get(name)
            e = layer.extent() if layer is not None else None
            if e is None:
                continue
            ext = e if ext is None else (min(ext[0], e[0]), min(ext[1], e[1]),
                                         max(ext[2], e[2]), max(ext[3], e[3]))
        return ext

    def feature_bounds(self, layer: str, keys) -> tuple[float, float, float, float] | None:
        if layer == "gaps":
            boxes = []
            for group in list(self.gap_layers.values()) + list(self.gap_points.values()):
                for k in keys:
                    i = group.key_index.get(k)
                    if i is None:
                        continue
                    if isinstance(group, PointLayer):
                        x, y = group.xy[i]
                        boxes.append((x, y, x, y))
                    else:
                        boxes.append(tuple(group.bounds[i]))
        else:
            data = self.layers.get(layer)
            if data is None:
                return None
            boxes = []
            for k in keys:
                i = data.key_index.get(k)
                if i is None:
                    continue
                if isinstance(data, PointLayer):
                    x, y = data.xy[i]
                    boxes.append((x, y, x, y))
                else:
                    boxes.append(tuple(data.bounds[i]))
        boxes = [b for b in boxes if np.all(np.isfinite(b))]
        if not boxes:
            return None
        b = np.array(boxes)
        return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()

    def prefetch_bands(self, tol: float) -> threading.Thread | None:
        """Simplify the zoom bands next to ``tol`` in a background thread (once each), so that
        zooming into them does not wait for shapely (a few hundred ms for a province).

        Only numpy/shapely work happens there (no Qt object, no widget); a layer replaced
        meanwhile is simply left to the garbage collector."""
        if self._prefetch is not None and self._prefetch.is_alive():
            return None
        i = BANDS.index(tol) if tol in BANDS else -1
        wanted = [BANDS[j] for j in (i + 1, i - 1) if i >= 0 and 0 <= j < len(BANDS)]
        layers = [g for g in list(self.layers.values()) + list(self.gap_layers.values())
                  if isinstance(g, GeometryLayer) and len(g) >= _PREFETCH_MIN]
        jobs = [(g, t) for t in wanted for g in layers if t not in g._bands]
        if not jobs:
            return None

        def run() -> None:
            for g, t in jobs:
                try:
                    g.parts(t)
                except Exception:  # noqa: BLE001 - the paint computes (and reports) it itself
                    return

        self._prefetch = threading.Thread(target=run, name="canvas-band-prefetch", daemon=True)
        self._prefetch.start()
        return self._prefetch

    # -- drawing ---------------------------------------------------------------------------------
    @staticmethod
    def band_for(mupp: float) -> float:
        tol = 0.0
        for b in BANDS:
            if b <= mupp * 0.6:
                tol = b
        return tol

    def render(self, painter: QPainter, w: int, h: int, view: View,
               margin: tuple[int, int] = (0, 0)) -> None:
        """Draw every visible static layer (bottom to top) into ``painter``.

        ``margin``: pixels of the image on each side that lie outside the window (a pan cache);
        whether labels are shown is decided by what the window itself holds."""
        painter.fillRect(QRect(0, 0, w, h), qcolor(sym.BACKGROUND_COLOUR))
        rect = view.rect(w, h)
        self._label_rect = view.rect(w - 2 * margin[0], h - 2 * margin[1])
        tol = self.band_for(view.mupp)
        settings = list(reversed(self.state.layer_settings))
        labelled = False
        for s in settings:
            if s.name == "facilities" and not labelled:  # area names under the points
                self._draw_labels(painter, w, h, view, rect, areas=True)
                labelled = True
            if not s.visible or s.opacity <= 0:
                continue
            painter.save()
            if s.opacity < 1.0:
                painter.setOpacity(s.opacity)
            getattr(self, f"_draw_{s.name}")(painter, w, h, view, rect, tol)
            painter.restore()
        if not labelled:
            self._draw_labels(painter, w, h, view, rect, areas=True)
        self._draw_labels(painter, w, h, view, rect, areas=False)

    def _world(self, painter: QPainter, w: int, h: int, view: View) -> None:
        painter.setTransform(view.transform(w, h))

    @staticmethod
    def _pen(colour: str, width: float, dash: tuple = (), alpha: float = 1.0) -> QPen:
        pen = QPen(qcolor(colour, alpha))
        pen.setWidthF(width)
        pen.setCosmetic(True)
        pen.setJoinStyle(Qt.RoundJoin)
        if dash:
            pen.setDashPattern([max(0.5, d / max(width, 0.5)) for d in dash])
        return pen

    @staticmethod
    def _aliased_width(width: float) -> float:
        """An aliased line up to 1.3 px wide covers one pixel nearly everywhere; drawn 1 px wide
        it takes Qt's cosmetic line path instead of its polygon stroker (10x faster)."""
        return 1.0 if width <= 1.3 else width

    def _stroke(self, painter: QPainter, path: QPainterPath, colour: str, width: float,
                dash: tuple = (), alpha: float = 1.0) -> None:
        """Stroke ``path`` fast: Qt's antialiased stroker is only quick for cosmetic pens up to
        1 px, so wider lines are a plain (aliased) wide line under a 1 px antialiased one."""
        painter.setBrush(Qt.NoBrush)
        if alpha < 1.0:  # a translucent pen makes Qt fill the whole stroke outline: 10x slower
            colour = _over_white(colour, alpha)
            alpha = 1.0
        if dash and path.elementCount() > 1500:  # antialiased dashes cost 15x: alias them
            painter.setRenderHint(QPainter.Antialiasing, False)
            painter.setPen(self._pen(colour, self._aliased_width(max(width, 1.0)), dash, alpha))
            painter.drawPath(path)
            return
        if width > 1.0:
            painter.setRenderHint(QPainter.Antialiasing, False)
            painter.setPen(self._pen(colour, self._aliased_width(width - 0.4), dash, alpha))
            painter.drawPath(path)
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(self._pen(colour, min(width, 1.0), dash, alpha))
        painter.drawPath(path)

    def _visible_mask(self, layer, rect, total: int):
        m = layer.in_view(rect)
        return None if m.sum() == total else m

    def _draw_polygons(self, painter, w, h, view, rect, tol, layer: GeometryLayer, style,
                       colours: dict[str, str] | None = None, *,
                       stroke_max_mupp: float = math.inf) -> None:
        if layer is None or not len(layer):
            return
        if view.mupp > stroke_max_mupp:  # outlines closer than a few pixels are only noise
            style = sym.AreaStyle(style.fill, style.fill or "#ffffff", 0.0, style.fill_opacity)
            if style.fill is None and colours is None:
                return
        mask = self._visible_mask(layer, rect, int(layer.valid.sum()))
        if mask is not None and not mask.any():
            return
        self._world(painter, w, h, view)
        if colours is None and style.fill is None:
            self._stroke(painter, layer.path(tol, mask, cache_key="all" if mask is None else None),
                         style.stroke, max(0.5, style.stroke_width), style.dash)
            return
        theme = None
        if colours is None:
            groups = {style.fill: None}
        else:
            groups, theme = self._colour_groups(layer, colours)
        painter.setPen(Qt.NoPen)
        painter.setRenderHint(QPainter.Antialiasing, False)  # AA fills cost 15x; strokes hide it
        for colour, gmask in groups.items():  # one path per colour class
            m = gmask if mask is None else (mask if gmask is None else gmask & mask)
            ckey = ("fill", colour, theme) if mask is None else None
            painter.setBrush(qcolor(colour, style.fill_opacity))
            for path in layer.fill_paths(tol, m, cache_key=ckey):
                painter.drawPath(path)
        if style.stroke_width > 0:
            self._stroke(painter, layer.path(tol, mask, cache_key="all" if mask is None else None),
                         style.stroke, max(0.5, style.stroke_width), style.dash)

    def _colour_groups(self, layer: GeometryLayer, colours: dict[str, str]):
        """Feature masks per colour of a thematic colouring, and a token naming the colouring.

        Computed once per colouring; the whole-layer class paths cached under the previous
        colouring are dropped when it changes."""
        cached = getattr(layer, "_theme", None)
        if cached is not None and cached[0] is colours:
            return cached[1], cached[2]
        cols = np.asarray([colours.get(k, sym.NO_DATA_COLOUR) for k in layer.keys], dtype=object)
        groups = {c: cols == c for c in dict.fromkeys(cols.tolist())}
        self._theme_serial = getattr(self, "_theme_serial", 0) + 1
        for key in [k for k in layer._paths if isinstance(k[1], tuple) and k[1][0] == "fill"
                    and k[1][2] is not None]:
            del layer._paths[key]
        layer._theme = (colours, groups, self._theme_serial)
        return groups, self._theme_serial

    def _draw_desa(self, painter, w, h, view, rect, tol) -> None:
        legend = self.state.thematic_legend()
        self._draw_polygons(painter, w, h, view, rect, tol, self.layers.get("desa"),
                            sym.DESA_STYLE, legend.colours if legend else None,
                            stroke_max_mupp=300)

    def _draw_kecamatan(self, painter, w, h, view, rect, tol) -> None:
        self._draw_polygons(painter, w, h, view, rect, tol, self.layers.get("kecamatan"),
                            sym.KECAMATAN_STYLE, stroke_max_mupp=1500)

    def _draw_kabupaten(self, painter, w, h, view, rect, tol) -> None:
        self._draw_polygons(painter, w, h, view, rect, tol, self.layers.get("kabupaten"),
                            sym.KABUPATEN_STYLE)

    def _draw_gaps(self, painter, w, h, view, rect, tol) -> None:
        order = sorted(self.gap_layers, key=lambda k: -sym.GAP_SEVERITY.get(k, 99))
        for kind in order:  # least severe first, most severe on top
            layer = self.gap_layers[kind]
            style = sym.GAP_STYLES.get(kind, sym.GAP_STYLES["network_problem"])
            mask = layer.in_view(rect)
            if not mask.any():
                continue
            self._world(painter, w, h, view)
            full = bool(mask.all())
            path = layer.path(tol, None if full else mask, cache_key="all" if full else None)
            painter.setRenderHint(QPainter.Antialiasing, False)
            painter.setPen(Qt.NoPen)
            fills = layer.fill_paths(tol, None if full else mask,
                                     cache_key="fill" if full else None)
            painter.setBrush(qcolor(style.fill or style.stroke, style.fill_opacity * 0.6))
            for piece in fills:
                painter.drawPath(piece)
            if style.hatch in _HATCH and view.mupp < 25:  # hatching only where it can be read
                brush = QBrush(qcolor(style.stroke, 0.8), _HATCH[style.hatch])
                brush.setTransform(painter.transform().inverted()[0])
                painter.setBrush(brush)
                for piece in fills:
                    painter.drawPath(piece)
            self._stroke(painter, path, style.stroke, style.stroke_width, style.dash)
        painter.resetTransform()
        for kind, pts in self.gap_points.items():
            if view.mupp > 60:  # facility gaps are read when zoomed in; overview shows areas
                break
            style = sym.GAP_STYLES.get(kind, sym.GAP_STYLES["network_problem"])
            m = pts.in_view(rect)
            if not m.any():
                continue
            sx, sy = view.to_screen(pts.xy[m, 0], pts.xy[m, 1], w, h)
            ring = sprite(("gapring", kind), lambda p, st=style: _paint_ring(p, st), 20,
                          device_ratio(painter))
            draw_sprites(painter, ring, sx, sy)

    def _draw_roads(self, painter, w, h, view, rect, tol) -> None:
        layer = self.layers.get("roads")
        if layer is None or not len(layer):
            return
        if view.mupp > 1500:
            return
        mask = layer.in_view(rect)
        if not mask.any():
            return
        self._world(painter, w, h, view)
        max_mupp = {"setapak": 12, "lingkungan": 12, "lokal": 60, "kolektor": 300,
                    "arteri": 1500, "ferry": 1500}
        for cls in ("setapak", "lingkungan", "lokal", "kolektor", "arteri", "ferry"):
            if view.mupp > max_mupp[cls]:
                continue  # each road class only at scales where it can be told apart
            cls_mask = layer.class_mask("road_class", cls)
            m = mask & cls_mask
            if not m.any():
                continue
            st = sym.ROAD_STYLES[cls]
            args = (st.stroke, st.stroke_width, st.dash)
            full = bool(m.sum() == cls_mask.sum())
            path = layer.path(tol, m, cache_key=("road", cls) if full else None)
            self._stroke(painter, path, *args)

    def _draw_network(self, painter, w, h, view, rect, tol) -> None:
        layer = self.layers.get("network")
        if layer is None or not len(layer):
            return
        mask = layer.in_view(rect)
        if not mask.any():
            return
        self._world(painter, w, h, view)
        for link, (colour, dash) in sym.NETWORK_EDGE.items():
            link_mask = layer.class_mask("link", link)
            m = mask & link_mask
            if m.any():
                full = bool(m.sum() == link_mask.sum())
                path = layer.path(tol, m, cache_key=("link", link) if full else None)
                self._stroke(painter, path, colour, 1.0, dash, 0.85)

    def _draw_facilities(self, painter, w, h, view, rect, tol) -> None:
        layer = self.layers.get("facilities")
        if layer is None or not len(layer):
            return
        painter.resetTransform()
        mask = layer.in_view(rect)
        painter.setRenderHint(QPainter.Antialiasing, int(mask.sum()) < 5000)
        small = view.mupp >= 80
        hidden = {"posyandu": 600.0, "precursor": 2500.0, "pustu": 2500.0}
        for style_name in ("posyandu", "unknown", "precursor", "pustu", "puskesmas"):
            if view.mupp > hidden.get(style_name, math.inf):
                continue  # national overview: Puskesmas only; the rest appears on zooming in
            m = mask & layer.style_mask(style_name)
            if not m.any():
                continue
            style = (sym.PRECURSOR_STYLE if style_name == "precursor"
                     else sym.PROBLEM_FACILITY_STYLE if style_name == "unknown"
                     else sym.FACILITY_STYLES[style_name])
            sx, sy = view.to_screen(layer.xy[m, 0], layer.xy[m, 1], w, h)
            size = style.size * (0.8 if small else 1.0)
            if len(sx) > 3000:  # dense overview: square dots written straight into pixels
                draw_dots(painter, sx, sy, style.fill, style.stroke,
                          2 if view.mupp > 150 else 3, w, h)
                continue
            pm = sprite(("fac", style_name, small), lambda p, st=style, sz=size: _paint_marker(p, st, sz),
                        int(size * 1.6) + 4, device_ratio(painter))
            draw_sprites(painter, pm, sx, sy)
        if self.problem_ids:
            idx = [layer.key_index[k] for k in self.problem_ids if k in layer.key_index]
            if idx:
                idx = np.asarray(idx)
                idx = idx[mask[idx]]
                if len(idx):
                    st = sym.PROBLEM_FACILITY_STYLE
                    sx, sy = view.to_screen(layer.xy[idx, 0], layer.xy[idx, 1], w, h)
                    pm = sprite(("problem",), lambda p: _paint_marker(p, st, st.size * 0.7), 14,
                                device_ratio(painter))
                    draw_sprites(painter, pm, sx + 6, sy - 6)

    def _draw_labels(self, painter: QPainter, w: int, h: int, view: View, rect, *,
                     areas: bool) -> None:
        painter.resetTransform()
        window = self._label_rect or rect  # the part the person sees
        jobs = []
        levels = ((("kecamatan", 9, True), ("desa", 7.5, False)) if areas
                  else (("kabupaten", 10.5, True),))  # district names above the points
        for name, size, bold in levels:
            layer = self.layers.get(name)
            if layer is None or not len(layer) or not self.state.setting(name).visible:
                continue
            m = layer.in_view(rect)
            if name == "kabupaten" and len(layer) < 2:
                continue  # one district: its name is the window title
            if name == "kecamatan" and view.mupp > 150:
                continue
            shown = int((layer.in_view(window) & m).sum())
            if 0 < shown <= _LABEL_MAX and (name != "desa" or view.mupp < 40):
                pts = layer.label_points()
                shift = np.array([0.0, -11 * view.mupp if name == "desa" else 0.0])
                for i in np.flatnonzero(m):
                    if np.isfinite(pts[i]).all() and isinstance(layer.names[i], str):
                        jobs.append((pts[i] + shift, layer.names[i], size, bold, "#1c2833"))
        fac = self.layers.get("facilities")
        if not areas and fac is not None and len(fac) and self.state.setting("facilities").visible:
            m = fac.in_view(rect) & fac.style_mask("puskesmas")
            if 0 < int((fac.in_view(window) & m).sum()) <= _LABEL_MAX:
                for i in np.flatnonzero(m):
                    name = self.facility_names[i]
                    if isinstance(name, str):
                        jobs.append((fac.xy[i] + np.array([0, 14 * view.mupp]), name, 8, True,
                                     sym.FACILITY_STYLES["puskesmas"].fill))
        painter.resetTransform()
        ratio = device_ratio(painter)
        placed: list[QRectF] = []
        for (x, y), text, size, bold, colour in jobs:
            sx = (x - view.cx) / view.mupp + w / 2
            sy = h / 2 - (y - view.cy) / view.mupp
            box = QRectF(sx - len(text) * size * 0.3, sy - size * 0.7, len(text) * size * 0.6,
                         size * 1.4)
            if any(box.intersects(r) for r in placed):
                continue  # labels never overlap; the first (larger area level) wins
            placed.append(box)
            side = _label_box(text, size)
            pm = sprite(("label", text, size, bold, colour),
                        lambda p, t=text, sz=size, b=bold, c=colour: _paint_label(p, t, sz, b, c),
                        side, ratio)
            painter.drawPixmap(int(sx - side / 2), int(sy - side / 2), pm)


def _label_box(text: str, size: float) -> int:
    return int(len(text) * size * 0.95 + 16)


def _paint_label(p: QPainter, text: str, size: float, bold: bool, colour: str) -> None:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    path = QPainterPath()
    path.addText(0, 0, font, text)
    br = path.boundingRect()
    path.translate(-br.center().x(), -br.center().y())
    p.setPen(QPen(QColor(255, 255, 255, 230), 2.6))
    p.setBrush(Qt.NoBrush)
    p.drawPath(path)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor(colour))
    p.drawPath(path)


class Tool:
    PAN = "pan"
    IDENTIFY = "identify"
    SELECT = "select"
    ZOOM = "zoom"
    ADD = "add"
    MOVE = "move"


class MapCanvas(QWidget):
    """The map widget.  Observes an :class:`AppState`; emits what the person did."""

    cursor_moved = Signal(float, float, str, float, float)  # lon, lat, zone, easting, northing
    scale_changed = Signal(float)  # 1:N
    identified = Signal(str, str)  # layer, key
    add_requested = Signal(float, float)  # lon, lat
    move_requested = Signal(str, float, float)  # fac_id, lon, lat
    rendered = Signal(float)  # milliseconds of the last static render

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.renderer = MapRenderer(state)
        self.view = View()
        self.tool = Tool.PAN
        self._cache: QImage | None = None
        self._cache_view: View | None = None
        self._cache_margin: tuple[int, int] = (0, 0)
        self._pan_margin = False  # render a margin for pans (set by a pan, cleared by a zoom)
        self._drag_start: QPointF | None = None
        self._drag_now: QPointF | None = None
        self._drag_mode: str | None = None
        self._moving: str | None = None
        self.last_render_ms = 0.0
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumSize(200, 150)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        state.project_replaced.connect(self._on_project_change)
        state.layer_changed.connect(self._on_layer_change)
        state.result_changed.connect(self._on_result_change)
        state.selection_changed.connect(self._on_overlay_change)
        state.highlight_changed.connect(self._on_overlay_change)
        state.layers_changed.connect(self.invalidate)
        state.zoom_requested.connect(self.zoom_to_features)
        self._fitted = False

    # -- model events ----------------------------------------------------------------------------
    def _on_project_change(self) -> None:
        self.renderer.rebuild_all()
        self._fitted = False
        self.full_extent()

    def _on_layer_change(self, name: str) -> None:
        if name in ("kabupaten", "kecamatan", "desa", "roads", "facilities"):
            self.renderer.rebuild_layer(name)
            self.invalidate()

    def _on_result_change(self) -> None:
        self.renderer.rebuild_result()
        self.invalidate()

    def _on_overlay_change(self, *args) -> None:
        self.update()

    # -- view ------------------------------------------------------------------------------------
    def invalidate(self) -> None:
        self._cache = None
        self.update()

    def set_view(self, cx: float, cy: float, mupp: float) -> None:
        mupp = max(0.05, min(mupp, 1e5))
        old = self.view
        self.view = View(cx, cy, mupp)
        cached = self._cache_view
        if cached is not None and abs(mupp - cached.mupp) <= 1e-9 * mupp:
            # a pan: reuse the cached image while the new view stays inside it; after a small
            # pan (an arrow key), which is likely to be repeated, render a margin around the
            # window (a margin costs up to 2x: not worth it after a big drag)
            step_x = abs(cx - old.cx) / mupp / max(self.width(), 1)
            step_y = abs(cy - old.cy) / mupp / max(self.height(), 1)
            self._pan_margin = max(step_x, step_y) <= PAN_MARGIN + 1e-6
            if self._cache is not None and self._cache_covers():
                self.update()
                self.scale_changed.emit(self.scale_denominator())
                return
        else:
            self._pan_margin = False  # a zoom: render just the window (fastest)
        self.invalidate()
        self.scale_changed.emit(self.scale_denominator())

    def _cache_offset(self) -> tuple[float, float]:
        """Where the cached image's top-left corner goes on the widget for the current view."""
        cv, (mx, my) = self._cache_view, self._cache_margin
        return ((cv.cx - self.view.cx) / cv.mupp - mx, (self.view.cy - cv.cy) / cv.mupp - my)

    def _cache_covers(self) -> bool:
        ox, oy = self._cache_offset()
        mx, my = self._cache_margin
        return -2 * mx - 0.01 <= ox <= 0.01 and -2 * my - 0.01 <= oy <= 0.01

    def zoom_to_bounds(self, bounds, margin: float = 0.06) -> None:
        x0, y0, x1, y1 = bounds
        w, h = max(self.width(), 1), max(self.height(), 1)
        span_x = max(x1 - x0, 200.0) * (1 + 2 * margin)
        span_y = max(y1 - y0, 200.0) * (1 + 2 * margin)
        self.set_view((x0 + x1) / 2, (y0 + y1) / 2, max(span_x / w, span_y / h))

    def full_extent(self) -> None:
        ext = self.renderer.extent()
        if ext is not None:
            self.zoom_to_bounds(ext)
            self._fitted = True
        else:
            self.invalidate()

    def zoom_to_layer(self, name: str) -> None:
        if name == "gaps":
            keys = [k for g in list(self.renderer.gap_layers.values())
                    + list(self.renderer.gap_points.values()) for k in g.keys]
            b = self.renderer.feature_bounds("gaps", keys)
        else:
            layer = self.renderer.layers.get(name)
            b = layer.extent() if layer is not None else None
        if b is not None:
            self.zoom_to_bounds(b)

    def zoom_to_selection(self) -> None:
        layer, keys = self.state.selection
        if keys:
            self.zoom_to_features(layer, keys)

    def zoom_to_features(self, layer: str, keys) -> None:
        b = self.renderer.feature_bounds(layer, keys)
        if b is None:
            return
        if b[2] - b[0] < 1 and b[3] - b[1] < 1:  # a point: show ~3 km around it
            self.set_view((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, max(3000 / max(self.width(), 1), 2))
        else:
            self.zoom_to_bounds(b, margin=0.25)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        w, h = self.width(), self.height()
        if anchor is None:
            anchor = QPointF(w / 2, h / 2)
        mx, my = self.view.to_map(anchor.x(), anchor.y(), w, h)
        mupp = self.view.mupp / factor
        cx = mx - (anchor.x() - w / 2) * mupp
        cy = my + (anchor.y() - h / 2) * mupp
        self.set_view(cx, cy, mupp)

    def pan_by_pixels(self, dx: float, dy: float) -> None:
        dx, dy = round(dx), round(dy)  # whole pixels: a cached image is reused pixel-exact
        self.set_view(self.view.cx - dx * self.view.mupp, self.view.cy + dy * self.view.mupp,
                      self.view.mupp)

    def scale_denominator(self) -> float:
        dpi = self.logicalDpiX() or 96
        return self.view.mupp * dpi / 0.0254

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        cursors = {Tool.PAN: Qt.OpenHandCursor, Tool.IDENTIFY: Qt.WhatsThisCursor,
                   Tool.SELECT: Qt.ArrowCursor, Tool.ZOOM: Qt.CrossCursor,
                   Tool.ADD: Qt.CrossCursor, Tool.MOVE: Qt.SizeAllCursor}
        self.setCursor(cursors.get(tool, Qt.ArrowCursor))

    # -- rendering -------------------------------------------------------------------------------
    def render_static(self, margin: tuple[int, int] = (0, 0)) -> QImage:
        """The static layers of the current view, with ``margin`` extra pixels on each side."""
        import time

        dpr = self.devicePixelRatioF()
        mx, my = margin
        w, h = max(self.width(), 1) + 2 * mx, max(self.height(), 1) + 2 * my
        img = QImage(QSize(int(w * dpr), int(h * dpr)), QImage.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        t0 = time.perf_counter()
        painter = QPainter(img)
        try:
            self.renderer.render(painter, w, h, self.view, margin)
        finally:
            painter.end()
        self.last_render_ms = (time.perf_counter() - t0) * 1000
        self.renderer.prefetch_bands(self.renderer.band_for(self.view.mupp))
        self.rendered.emit(self.last_render_ms)
        return img

    def resizeEvent(self, event) -> None:  # noqa: N802
        if not self._fitted:
            self.full_extent()
        self.invalidate()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        w, h = self.width(), self.height()
        if self._cache is None:
            margin = (0, 0)
            if self._pan_margin:  # panning: one arrow-key step fits in the margin
                margin = (int(math.ceil(w * PAN_MARGIN)), int(math.ceil(h * PAN_MARGIN)))
            self._cache = self.render_static(margin)
            self._cache_view = View(self.view.cx, self.view.cy, self.view.mupp)
            self._cache_margin = margin
        painter = QPainter(self)
        ox, oy = self._cache_offset()
        ox, oy = round(ox), round(oy)
        if self._drag_mode == "pan" and self._drag_start is not None and self._drag_now is not None:
            painter.fillRect(self.rect(), qcolor(sym.BACKGROUND_COLOUR))
            d = self._drag_now - self._drag_start
            painter.drawImage(QPointF(ox + round(d.x()), oy + round(d.y())), self._cache)
        else:
            if ox or oy:
                painter.fillRect(self.rect(), qcolor(sym.BACKGROUND_COLOUR))
            painter.drawImage(QPointF(ox, oy), self._cache)
            self._draw_overlay(painter, w, h)
        if self._drag_mode in ("box_zoom", "box_select") and self._drag_start and self._drag_now:
            r = QRectF(self._drag_start, self._drag_now).normalized()
            painter.setPen(QPen(QColor("#1f618d"), 1, Qt.DashLine))
            painter.setBrush(QColor(31, 97, 141, 40))
            painter.drawRect(r)
        self._draw_furniture(painter, w, h)
        painter.end()

    def _draw_overlay(self, painter: QPainter, w: int, h: int) -> None:
        tol = self.renderer.band_for(self.view.mupp)
        for (layer, keys), colour in ((self.state.highlight, sym.HIGHLIGHT_COLOUR),
                                      (self.state.selection, sym.SELECTION_COLOUR)):
            if not keys:
                continue
            painter.setRenderHint(QPainter.Antialiasing, True)
            groups = (list(self.renderer.gap_layers.values()) + list(self.renderer.gap_points.values())
                      if layer == "gaps" else [self.renderer.layers.get(layer)])
            for data in groups:
                if data is None:
                    continue
                idx = [data.key_index[k] for k in keys if k in data.key_index]
                if not idx:
                    continue
                idx = np.asarray(idx)
                if isinstance(data, PointLayer):
                    painter.resetTransform()
                    ok = data.valid[idx]
                    sx, sy = self.view.to_screen(data.xy[idx[ok], 0], data.xy[idx[ok], 1], w, h)
                    painter.setBrush(Qt.NoBrush)
                    painter.setPen(MapRenderer._pen("#000000", 4.5))
                    painter.drawPath(marker_path(sx, sy, "circle", 17))
                    painter.setPen(MapRenderer._pen(colour, 2.5))
                    painter.drawPath(marker_path(sx, sy, "circle", 17))
                else:
                    mask = np.zeros(len(data), dtype=bool)
                    mask[idx] = True
                    painter.setTransform(self.view.transform(w, h))
                    path = data.path(tol, mask)
                    painter.setBrush(qcolor(colour, 0.18))
                    painter.setPen(MapRenderer._pen("#000000", 4.0))
                    painter.drawPath(path)
                    painter.setPen(MapRenderer._pen(colour, 2.5))
                    painter.drawPath(path)
        painter.resetTransform()

    def _draw_furniture(self, painter: QPainter, w: int, h: int) -> None:
        painter.resetTransform()
        painter.setRenderHint(QPainter.Antialiasing, True)
        # Scale bar: a round length of about 120 px.
        target = 120 * self.view.mupp
        exp = 10 ** math.floor(math.log10(max(target, 1e-6)))
        length = max(m * exp for m in (1, 2, 5) if m * exp <= target) if target >= exp else exp
        px = length / self.view.mupp
        x0, y0 = 16, h - 22
        painter.setPen(QPen(QColor("#17202a"), 1))
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRect(QRectF(x0 - 6, y0 - 22, px + 60, 34))
        half = px / 2
        painter.setBrush(QColor("#17202a"))
        painter.drawRect(QRectF(x0, y0, half, 5))
        painter.setBrush(QColor("#ffffff"))
        painter.drawRect(QRectF(x0 + half, y0, half, 5))
        text = (tr("ui.canvas.km", n=format_number(length / 1000, 0 if length >= 1000 else 1))
                if length >= 1000 else tr("ui.canvas.m", n=format_number(length, 0)))
        painter.setPen(QColor("#17202a"))
        font = QFont()
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.drawText(QPointF(x0, y0 - 6), "0")
        painter.drawText(QPointF(x0 + px - 4, y0 - 6), text)
        # North arrow (UTM grid north).
        cx, cy = w - 34, 44
        arrow = QPolygonF([QPointF(cx, cy - 22), QPointF(cx + 10, cy + 10), QPointF(cx, cy + 3),
                           QPointF(cx - 10, cy + 10)])
        painter.setPen(QPen(QColor("#17202a"), 1.2))
        painter.setBrush(QColor(255, 255, 255, 220))
        painter.drawEllipse(QPointF(cx, cy - 4), 22, 26)
        painter.setBrush(QColor("#17202a"))
        painter.drawPolygon(arrow)
        font.setBold(True)
        font.setPointSizeF(9)
        painter.setFont(font)
        painter.drawText(QRectF(cx - 10, cy + 9, 20, 14), Qt.AlignCenter, tr("ui.canvas.north"))
        if self.state.project.fictional:
            font.setPointSizeF(11)
            painter.setFont(font)
            painter.setPen(QColor(192, 57, 43, 200))
            painter.drawText(QRectF(0, 6, w, 20), Qt.AlignHCenter, tr("app.fictional"))

    # -- interaction -----------------------------------------------------------------------------
    def _map_pos(self, pos: QPointF) -> tuple[float, float]:
        return self.view.to_map(pos.x(), pos.y(), self.width(), self.height())

    def feature_at(self, pos: QPointF) -> tuple[str, str] | None:
        """(layer, key) of the facility near ``pos`` or else the desa under it."""
        x, y = self._map_pos(pos)
        fac = self.renderer.layers.get("facilities")
        if fac is not None and self.state.setting("facilities").visible:
            i = fac.nearest(x, y, 7 * self.view.mupp)
            if i is not None:
                return "facilities", fac.keys[i]
        desa = self.renderer.layers.get("desa")
        if desa is not None and len(desa) and self.state.setting("desa").visible:
            i = desa.hit(x, y)
            if i is not None:
                return "desa", desa.keys[i]
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self.tool == Tool.PAN
                                                  and not event.modifiers() & Qt.ShiftModifier):
            self._drag_mode = "pan"
            self.setCursor(Qt.ClosedHandCursor)
        elif event.button() == Qt.LeftButton and (self.tool == Tool.ZOOM or event.modifiers() & Qt.ShiftModifier):
            self._drag_mode = "box_zoom"
        elif event.button() == Qt.LeftButton and self.tool == Tool.SELECT:
            self._drag_mode = "box_select"
        elif event.button() == Qt.LeftButton and self.tool == Tool.MOVE:
            hit = self.feature_at(pos)
            self._moving = hit[1] if hit and hit[0] == "facilities" else None
            self._drag_mode = "move" if self._moving else None
        else:
            self._drag_mode = "click"
        self._drag_start = pos
        self._drag_now = pos

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        x, y = self._map_pos(pos)
        lon, lat = self.renderer.to_lonlat(x, y)
        e, n = self.renderer.to_utm(x, y)
        self.cursor_moved.emit(lon, lat, self.renderer.utm_zone, e, n)
        if self._drag_start is not None:
            self._drag_now = pos
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        start, mode = self._drag_start, self._drag_mode
        pos = event.position()
        self._drag_start = self._drag_now = None
        self._drag_mode = None
        if start is None:
            return
        moved = (pos - start).manhattanLength() > 4
        if mode == "pan":
            self.set_cursor_for_tool()
            if moved:
                d = pos - start
                self.pan_by_pixels(d.x(), d.y())
                return
            self._click(pos)
        elif mode == "box_zoom":
            if moved:
                (x0, y0), (x1, y1) = self._map_pos(start), self._map_pos(pos)
                self.zoom_to_bounds((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), 0)
            else:
                self.zoom_by(2.0, pos)
        elif mode == "box_select":
            if moved:
                self._box_select(start, pos)
            else:
                self._click(pos)
        elif mode == "move" and self._moving:
            fac_id, self._moving = self._moving, None
            if moved:
                lon, lat = self.renderer.to_lonlat(*self._map_pos(pos))
                self.move_requested.emit(fac_id, lon, lat)
        elif mode == "click":
            if self.tool == Tool.ADD and event.button() == Qt.LeftButton:
                lon, lat = self.renderer.to_lonlat(*self._map_pos(pos))
                self.add_requested.emit(lon, lat)
            elif event.button() == Qt.LeftButton:
                self._click(pos)
        self.update()

    def set_cursor_for_tool(self) -> None:
        self.set_tool(self.tool)

    def _click(self, pos: QPointF) -> None:
        hit = self.feature_at(pos)
        if hit is None:
            self.state.clear_selection()
            return
        self.state.select(hit[0], [hit[1]])
        self.identified.emit(*hit)

    def _box_select(self, a: QPointF, b: QPointF) -> None:
        (x0, y0), (x1, y1) = self._map_pos(a), self._map_pos(b)
        rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        fac = self.renderer.layers.get("facilities")
        if fac is not None and len(fac) and self.state.setting("facilities").visible:
            m = fac.in_view(rect)
            if m.any():
                self.state.select("facilities", [fac.keys[i] for i in np.flatnonzero(m)])
                return
        desa = self.renderer.layers.get("desa")
        if desa is not None and len(desa):
            idx = desa.tree.query(shapely.box(*rect), predicate="intersects")
            self.state.select("desa", [desa.keys[i] for i in sorted(idx)])

    def wheelEvent(self, event) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, event.position())

    def keyPressEvent(self, event) -> None:  # noqa: N802
        k = event.key()
        step = 0.25
        w, h = self.width(), self.height()
        if k == Qt.Key_Left:
            self.pan_by_pixels(w * step, 0)
        elif k == Qt.Key_Right:
            self.pan_by_pixels(-w * step, 0)
        elif k == Qt.Key_Up:
            self.pan_by_pixels(0, h * step)
        elif k == Qt.Key_Down:
            self.pan_by_pixels(0, -h * step)
        elif k in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom_by(1.5)
        elif k == Qt.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif k == Qt.Key_Escape:
            self.state.clear_selection()
        else:
            super().keyPressEvent(event)


register_catalog("ui", "canvas")
