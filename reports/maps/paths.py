"""Geometry to page: the metric-to-points ``Transform`` and reportlab paths of rings and lines.

Geometries are cut to the frame and simplified to a fraction of a printed point first; polygons
keep their holes (fill even-odd).  Imports numpy and shapely only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely


@dataclass
class Transform:
    """Metric coordinates → page points inside a box, aspect kept, centred."""

    minx: float
    miny: float
    scale: float  # points per metre
    ox: float
    oy: float
    box: tuple[float, float, float, float]  # x, y, w, h of the frame on the page

    @classmethod
    def fit(cls, bounds, x: float, y: float, w: float, h: float, pad: float = 0.03) -> Transform:
        minx, miny, maxx, maxy = bounds
        dx = max(maxx - minx, 1.0)
        dy = max(maxy - miny, 1.0)
        minx -= dx * pad
        miny -= dy * pad
        dx *= 1 + 2 * pad
        dy *= 1 + 2 * pad
        s = min(w / dx, h / dy)
        ox = x + (w - dx * s) / 2.0
        oy = y + (h - dy * s) / 2.0
        return cls(minx, miny, s, ox, oy, (x, y, w, h))

    def xy(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords[:, :2], dtype=float)
        out[:, 0] = self.ox + (coords[:, 0] - self.minx) * self.scale
        out[:, 1] = self.oy + (coords[:, 1] - self.miny) * self.scale
        return out

    def point(self, mx: float, my: float) -> tuple[float, float]:
        return self.ox + (mx - self.minx) * self.scale, self.oy + (my - self.miny) * self.scale

    def world(self, px: float, py: float) -> tuple[float, float]:
        return self.minx + (px - self.ox) / self.scale, self.miny + (py - self.oy) / self.scale

    @property
    def world_box(self) -> tuple[float, float, float, float]:
        x, y, w, h = self.box
        x0, y0 = self.world(x, y)
        x1, y1 = self.world(x + w, y + h)
        return x0, y0, x1, y1


def _rings(geom):
    """Exterior and interior rings of every polygon part of ``geom``."""
    if geom is None or geom.is_empty:
        return
    if geom.geom_type == "Polygon":
        yield geom.exterior
        yield from geom.interiors
    elif geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        for part in geom.geoms:
            yield from _rings(part)


def _lines(geom):
    if geom is None or geom.is_empty:
        return
    if geom.geom_type in ("LineString", "LinearRing"):
        yield geom
    elif geom.geom_type in ("MultiLineString", "GeometryCollection"):
        for part in geom.geoms:
            yield from _lines(part)


def add_polyline(path, xy: np.ndarray, close: bool) -> None:
    """Append a polyline to ``path`` quickly (f-string formatting instead of reportlab's
    pure-Python number formatter, which dominates the time of large maps)."""
    path.moveTo(float(xy[0, 0]), float(xy[0, 1]))
    if len(xy) > 1:
        rest = " ".join(f"{a:.2f} {b:.2f} l" for a, b in xy[1:].tolist())
        path._code.append(rest + (" h" if close else ""))
    elif close:
        path.close()


def _simplified(geoms, tf: Transform, tolerance_pt: float = 0.25):
    """Geometries cut to the map frame (plus a margin, so cut edges stay out of sight) and
    simplified to a fraction of a printed point."""
    tol = tolerance_pt / tf.scale
    arr = np.asarray(geoms, dtype=object)
    x0, y0, x1, y1 = tf.world_box
    mx, my = (x1 - x0) * 0.02 + 4 * tol, (y1 - y0) * 0.02 + 4 * tol
    b = shapely.bounds(arr)
    inside = (b[:, 0] >= x0 - mx) & (b[:, 1] >= y0 - my) & (b[:, 2] <= x1 + mx) & \
        (b[:, 3] <= y1 + my)
    if not inside.all():
        arr = arr.copy()
        arr[~inside] = shapely.clip_by_rect(arr[~inside], x0 - mx, y0 - my, x1 + mx, y1 + my)
    return shapely.simplify(arr, tol, preserve_topology=True)


def grouped_paths(canv, frame, key_of, keys, tf):
    """``(key, path)`` for each key in ``keys`` (in that order) whose features of ``frame``
    (``key_of`` gives each feature's key) draw to a non-empty path: one path per group."""
    out = []
    for key in keys:
        sel = frame[(key_of == key).to_numpy()]
        if len(sel):
            p, n = area_path(canv, sel.geometry.values, tf)
            if n:
                out.append((key, p))
    return out


def area_path(canv, geoms, tf: Transform, min_ring_pt: float = 0.6):
    """One path holding every ring of ``geoms`` (fill it even-odd: holes stay holes)."""
    path = canv.beginPath()
    n = 0
    lo = np.array([np.inf, np.inf])
    hi = np.array([-np.inf, -np.inf])
    for g in _simplified(geoms, tf):
        for ring in _rings(g):
            xy = tf.xy(np.asarray(ring.coords))
            if len(xy) < 3:
                continue
            rlo, rhi = xy.min(axis=0), xy.max(axis=0)
            lo, hi = np.minimum(lo, rlo), np.maximum(hi, rhi)
            span = rhi - rlo
            if span.max() < min_ring_pt:  # a speck smaller than the pen: a dot instead
                cx, cy = xy.mean(axis=0)
                path.rect(cx - 0.3, cy - 0.3, 0.6, 0.6)
                n += 1
                continue
            add_polyline(path, xy, True)
            n += 1
    if n:
        path.bbox = (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))
    return path, n


def line_path(canv, geoms, tf: Transform):
    path = canv.beginPath()
    n = 0
    for g in _simplified(geoms, tf):
        for line in _lines(g):
            xy = tf.xy(np.asarray(line.coords))
            if len(xy) < 2:
                continue
            add_polyline(path, xy, False)
            n += 1
    return path, n
