"""Vector maps on paper: layers drawn with reportlab from the shapely geometries.

Everything is drawn in the UTM zone of the data (:func:`ilp_gis.geo.utm_crs`) so the map is not
distorted, with the project's one symbology (:mod:`layers.symbology`): a gap has the same colour
and the same black-and-white hatch on paper as on screen.  One drawing routine
(:func:`draw_map`) is reused by the planning report (:class:`MapFlowable`), the A3 wall map and
the atlas (:func:`draw_sheet`).

Polygons keep their holes (even-odd fill: the Kota Malang enclave stays empty), multipolygons and
islands; geometries are simplified to the printed resolution (a fraction of a point) first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.prepared
from pyproj import CRS, Transformer
from reportlab.lib import colors
from reportlab.pdfgen.canvas import FILL_EVEN_ODD
from reportlab.platypus import Flowable

from ilp_gis.geo import inner_points, utm_crs
from ilp_gis.i18n import format_date, format_number, register_catalog, tr
from ilp_gis.model import WGS84
from layers import symbology as sym
from reports.styles import FONT, FONT_BOLD, FONT_ITALIC, INK, MUTED, register_fonts

register_catalog("reports", "mapdraw")

AREA_GEOMS = ("Polygon", "MultiPolygon")


@lru_cache(maxsize=256)
def _col(hex_colour: str | None, alpha: float | None = None):
    if hex_colour is None:
        return None
    c = colors.HexColor(hex_colour)
    if alpha is not None:
        c = colors.Color(c.red, c.green, c.blue, alpha=alpha)
    return c


# --------------------------------------------------------------------------------------------------
# Data prepared for drawing (metric CRS)
# --------------------------------------------------------------------------------------------------
@dataclass
class MapData:
    """The layers of one map in a metric CRS, plus the gap look-ups."""

    crs: CRS
    kabupaten: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame | None
    desa_gap: dict[str, str] = field(default_factory=dict)  # desa code -> most severe area gap
    kecamatan_gap: dict[str, str] = field(default_factory=dict)  # kecamatan code -> gap kind
    facility_gap: dict[str, str] = field(default_factory=dict)  # fac_id -> gap kind
    focus: str | None = None  # kecamatan code drawn alone (atlas)
    full_kabupaten: gpd.GeoDataFrame | None = None  # for the inset of an atlas page
    full_kecamatan: gpd.GeoDataFrame | None = None
    # an alternative colouring of the desa (e.g. budget funding state) instead of the gaps
    theme: dict[str, str] | None = None  # desa code -> theme key
    theme_styles: dict[str, sym.AreaStyle] | None = None
    theme_title: str = ""

    def themed(self, theme: dict[str, str], styles: dict[str, sym.AreaStyle],
               title: str) -> MapData:
        """The same map with the desa coloured by ``theme`` (gap highlights left out)."""
        from dataclasses import replace

        return replace(self, theme=theme, theme_styles=styles, theme_title=title, desa_gap={},
                       kecamatan_gap={}, facility_gap={})

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        for frame in (self.desa, self.kecamatan, self.kabupaten):
            if frame is not None and len(frame):
                b = frame.total_bounds
                if np.all(np.isfinite(b)):
                    return tuple(float(x) for x in b)
        if len(self.facilities):
            b = self.facilities.total_bounds
            return (b[0] - 1000, b[1] - 1000, b[2] + 1000, b[3] + 1000)
        return (0.0, 0.0, 1.0, 1.0)

    @property
    def gap_kinds_present(self) -> list[str]:
        kinds = set(self.desa_gap.values()) | set(self.kecamatan_gap.values()) | set(
            self.facility_gap.values())
        return [k for k in sym.GAP_KINDS if k in kinds]


def _to(frame, crs):
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame(frame if frame is not None else {}, geometry=[], crs=crs) \
            if frame is None or not isinstance(frame, gpd.GeoDataFrame) else frame.to_crs(crs) \
            if frame.crs is not None else frame.set_crs(WGS84).to_crs(crs)
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    out = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return out.to_crs(crs)


def _severest(kinds) -> str | None:
    best = None
    for k in kinds:
        if k in sym.GAP_SEVERITY and (best is None or sym.GAP_SEVERITY[k] < sym.GAP_SEVERITY[best]):
            best = k
    return best


def prepare_map_data(project, result, *, kecamatan: str | None = None) -> MapData:
    """Project the layers of ``project``/``result`` to their UTM zone for drawing.

    ``kecamatan`` (a kecamatan code) restricts the map to that kecamatan (an atlas page).
    """
    desa_src = result.desa if result is not None and len(result.desa) else project.desa
    desa_src = desa_src if isinstance(desa_src, gpd.GeoDataFrame) else gpd.GeoDataFrame(desa_src)
    kab_src = project.kabupaten
    kec_src = project.kecamatan
    frames = [f for f in (desa_src, kab_src, kec_src) if f is not None and len(f)]
    if not frames and len(project.facilities):
        frames = [project.facilities]
    crs = utm_crs(*frames)
    desa = _to(desa_src, crs)
    kab = _to(kab_src, crs) if len(kab_src) else None
    kec = _to(kec_src, crs) if len(kec_src) else None
    if (kec is None or not len(kec)) and len(desa) and "kecamatan_code" in desa:
        d = desa[desa["kecamatan_code"].notna()]
        kec = d.dissolve(by="kecamatan_code", as_index=False)[["kecamatan_code", "geometry"]]
        names = desa.groupby("kecamatan_code")["kecamatan_name"].first() \
            if "kecamatan_name" in desa else pd.Series(dtype=object)
        kec = kec.rename(columns={"kecamatan_code": "code"})
        kec["name"] = kec["code"].map(names)
    if (kab is None or not len(kab)) and len(desa):
        kab = gpd.GeoDataFrame({"name": [project.title]},
                               geometry=[shapely.union_all(desa.geometry.values)], crs=crs)
    kab = kab if kab is not None else gpd.GeoDataFrame({"name": []}, geometry=[], crs=crs)
    kec = kec if kec is not None else gpd.GeoDataFrame({"code": [], "name": []}, geometry=[],
                                                       crs=crs)
    fac = _to(project.facilities, crs) if len(project.facilities) else gpd.GeoDataFrame(
        {"fac_id": [], "type": []}, geometry=[], crs=crs)
    edges = None
    if result is not None and result.edges is not None and len(result.edges):
        edges = _to(result.edges, crs)

    desa_gap: dict[str, str] = {}
    kec_gap: dict[str, str] = {}
    fac_gap: dict[str, str] = {}
    gaps = result.gaps if result is not None else None
    if gaps is not None and len(gaps):
        gtype = gaps.geometry.geom_type if isinstance(gaps, gpd.GeoDataFrame) else \
            pd.Series([None] * len(gaps), index=gaps.index)
        fac_ids = gaps["fac_id"] if "fac_id" in gaps else pd.Series([None] * len(gaps),
                                                                     index=gaps.index)
        for kind, dcode, kcode, fid, gt in zip(gaps["kind"], gaps["desa_code"],
                                               gaps["kecamatan_code"], fac_ids, gtype, strict=False):
            if isinstance(fid, str) and fid and gt not in AREA_GEOMS:
                fac_gap[fid] = _severest([kind, fac_gap.get(fid, kind)])
            elif isinstance(dcode, str) and dcode:
                desa_gap[dcode] = _severest([kind, desa_gap.get(dcode, kind)])
            elif isinstance(kcode, str) and kcode:
                kec_gap[kcode] = _severest([kind, kec_gap.get(kcode, kind)])

    data = MapData(crs=crs, kabupaten=kab, kecamatan=kec, desa=desa, facilities=fac, edges=edges,
                   desa_gap=desa_gap, kecamatan_gap=kec_gap, facility_gap=fac_gap)
    return data.subset(kecamatan) if kecamatan is not None else data


def _subset(self: MapData, kecamatan: str) -> MapData:
    """The same layers restricted to one kecamatan (an atlas page); reuses the projected data."""
    kab, kec, desa, fac, edges = (self.kabupaten, self.kecamatan, self.desa, self.facilities,
                                  self.edges)
    sub_kec = kec[kec["code"] == kecamatan] if "code" in kec else kec.iloc[0:0]
    sub_desa = desa[desa["kecamatan_code"] == kecamatan] if "kecamatan_code" in desa else desa
    if len(sub_kec):
        area = sub_kec.geometry.union_all()
    elif len(sub_desa):
        area = sub_desa.geometry.union_all()
    else:
        area = None
    sub_fac = fac
    sub_edges = edges
    if area is not None:
        grown = shapely.prepared.prep(area.buffer(50))
        if len(fac):
            sub_fac = fac[[grown.intersects(g) for g in fac.geometry.values]]
        if edges is not None and len(edges):
            sub_edges = edges[[grown.intersects(g) for g in edges.geometry.values]]
    desa_codes = set(sub_desa["code"]) if "code" in sub_desa else set()
    fac_ids = set(sub_fac["fac_id"]) if "fac_id" in sub_fac else set()
    return MapData(
        crs=self.crs, kabupaten=kab, kecamatan=sub_kec, desa=sub_desa, facilities=sub_fac,
        edges=sub_edges,
        desa_gap={k: v for k, v in self.desa_gap.items() if k in desa_codes},
        kecamatan_gap={k: v for k, v in self.kecamatan_gap.items() if k == kecamatan},
        facility_gap={k: v for k, v in self.facility_gap.items() if k in fac_ids},
        focus=kecamatan, full_kabupaten=kab, full_kecamatan=kec)


MapData.subset = _subset  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------
# Transform and geometry → path
# --------------------------------------------------------------------------------------------------
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


def _add_polyline(path, xy: np.ndarray, close: bool) -> None:
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


def _grouped_paths(canv, frame, key_of, keys, tf):
    """``(key, path)`` for each key in ``keys`` (in that order) whose features of ``frame``
    (``key_of`` gives each feature's key) draw to a non-empty path: one path per group."""
    out = []
    for key in keys:
        sel = frame[(key_of == key).to_numpy()]
        if len(sel):
            p, n = _area_path(canv, sel.geometry.values, tf)
            if n:
                out.append((key, p))
    return out


def _area_path(canv, geoms, tf: Transform, min_ring_pt: float = 0.6):
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
            _add_polyline(path, xy, True)
            n += 1
    if n:
        path.bbox = (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))
    return path, n


def _line_path(canv, geoms, tf: Transform):
    path = canv.beginPath()
    n = 0
    for g in _simplified(geoms, tf):
        for line in _lines(g):
            xy = tf.xy(np.asarray(line.coords))
            if len(xy) < 2:
                continue
            _add_polyline(path, xy, False)
            n += 1
    return path, n


def _hatch(canv, path, pattern: str | None, colour: str, tf: Transform,
           spacing: float = 3.2, width: float = 0.45) -> None:
    """Fill the inside of ``path`` with a black-and-white-readable pattern."""
    if not pattern:
        return
    x, y, w, h = getattr(path, "bbox", None) or tf.box
    fx, fy, fw, fh = tf.box  # never beyond the map frame
    x0c, y0c = max(x, fx), max(y, fy)
    x1c, y1c = min(x + w, fx + fw), min(y + h, fy + fh)
    if x1c <= x0c or y1c <= y0c:
        return
    # snap to the frame's pattern grid so neighbouring areas' hatches line up
    x = fx + math.floor((x0c - fx) / spacing) * spacing
    y = fy + math.floor((y0c - fy) / spacing) * spacing
    w, h = x1c - x, y1c - y
    canv.saveState()
    canv.clipPath(path, stroke=0, fill=0, fillMode=FILL_EVEN_ODD)
    canv.setStrokeColor(_col(colour))
    canv.setFillColor(_col(colour))
    canv.setLineWidth(width)
    x0, y0, x1, y1 = x, y, x + w, y + h
    size = max(w, h)
    p = canv.beginPath()
    segs: list[tuple[float, float, float, float]] = []
    step = spacing * 1.4142
    if pattern in ("diagonal", "cross"):
        segs += [(x0 + t, y0, x0 + t + size, y0 + size) for t in np.arange(-size, size, step)]
    if pattern in ("backdiagonal", "cross"):
        segs += [(x0 + t, y0, x0 + t - size, y0 + size) for t in np.arange(0.0, 2 * size, step)]
    if pattern == "horizontal":
        segs += [(x0, t, x1, t) for t in np.arange(y0, y1, spacing)]
    if pattern == "vertical":
        segs += [(t, y0, t, y1) for t in np.arange(x0, x1, spacing)]
    if segs:
        p.moveTo(float(segs[0][0]), float(segs[0][1]))
        p._code.append(" ".join(f"{a:.2f} {b:.2f} m {c:.2f} {d:.2f} l" for a, b, c, d in segs))
    if pattern == "dots":  # round-capped zero-length strokes: 2 operators per dot
        ops = []
        for row, gy in enumerate(np.arange(y0, y1, spacing)):
            for gx in np.arange(x0 + (spacing / 2 if row % 2 else 0), x1, spacing):
                ops.append(f"{gx:.2f} {gy:.2f} m {gx + 0.01:.2f} {gy:.2f} l")
        if ops:
            p.moveTo(x0, y0)
            p._code.append(" ".join(ops))
            canv.setLineCap(1)
            canv.setLineWidth(0.95)
            canv.drawPath(p, stroke=1, fill=0)
    else:
        canv.drawPath(p, stroke=1, fill=0)
    canv.restoreState()


def draw_area_style(canv, path, style: sym.AreaStyle, tf: Transform, *, scale: float = 1.0,
                    fill_override: str | None = None) -> None:
    """Fill (with opacity), hatch and outline ``path`` in ``style``."""
    canv.saveState()
    fill = fill_override or style.fill
    if fill:
        canv.setFillColor(_col(fill))
        canv.setFillAlpha(style.fill_opacity)
        canv.drawPath(path, stroke=0, fill=1, fillMode=FILL_EVEN_ODD)
        canv.setFillAlpha(1)
    canv.restoreState()
    _hatch(canv, path, style.hatch, style.stroke, tf)
    canv.saveState()
    canv.setStrokeColor(_col(style.stroke))
    canv.setLineWidth(style.stroke_width * scale)
    canv.setLineJoin(1)
    if style.dash:
        canv.setDash([d * scale for d in style.dash], 0)
    canv.drawPath(path, stroke=1, fill=0)
    canv.restoreState()


# --------------------------------------------------------------------------------------------------
# Point symbols
# --------------------------------------------------------------------------------------------------
def draw_symbol(canv, x: float, y: float, style: sym.PointStyle, size: float | None = None) -> None:
    """One facility marker (shape from the symbology, so it reads in black and white)."""
    s = size if size is not None else style.size
    r = s / 2.0
    canv.saveState()
    canv.setFillColor(_col(style.fill))
    canv.setStrokeColor(_col(style.stroke))
    canv.setLineWidth(max(0.4, s / 14.0))
    shape = style.shape
    if shape == "square":
        canv.rect(x - r, y - r, s, s, stroke=1, fill=1)
    elif shape == "circle":
        canv.circle(x, y, r, stroke=1, fill=1)
    elif shape in ("triangle", "diamond"):
        p = canv.beginPath()
        if shape == "triangle":
            p.moveTo(x, y + r * 1.15)
            p.lineTo(x + r * 1.05, y - r * 0.8)
            p.lineTo(x - r * 1.05, y - r * 0.8)
        else:
            p.moveTo(x, y + r * 1.2)
            p.lineTo(x + r, y)
            p.lineTo(x, y - r * 1.2)
            p.lineTo(x - r, y)
        p.close()
        canv.drawPath(p, stroke=1, fill=1)
    else:  # cross
        canv.setStrokeColor(_col(style.stroke))
        canv.setLineWidth(max(1.0, s / 5.0))
        canv.line(x - r, y - r, x + r, y + r)
        canv.line(x - r, y + r, x + r, y - r)
    # a thin dark contour so white-stroked symbols stay visible on white paper
    if shape in ("square", "circle", "triangle") and style.stroke.lower() in ("#ffffff", "#fff"):
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.3)
        if shape == "square":
            canv.rect(x - r - 0.4, y - r - 0.4, s + 0.8, s + 0.8, stroke=1, fill=0)
        elif shape == "circle":
            canv.circle(x, y, r + 0.4, stroke=1, fill=0)
    canv.restoreState()


def facility_style(row) -> sym.PointStyle:
    ftype = str(row.get("type") or "")
    prec = row.get("precursor")
    if ftype == "pustu" and prec is not None and not pd.isna(prec) and bool(prec):
        return sym.PRECURSOR_STYLE
    return sym.FACILITY_STYLES.get(ftype, sym.PROBLEM_FACILITY_STYLE)


# --------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------
class LabelPlacer:
    """Greedy label placement with collision boxes (a uniform grid makes look-ups cheap)."""

    def __init__(self, frame: tuple[float, float, float, float], cell: float = 24.0) -> None:
        self.frame = frame
        self.cell = cell
        self.grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
        self.skipped = 0

    def _cells(self, box):
        x0, y0, x1, y1 = box
        for i in range(int(x0 // self.cell), int(x1 // self.cell) + 1):
            for j in range(int(y0 // self.cell), int(y1 // self.cell) + 1):
                yield i, j

    def free(self, box) -> bool:
        fx, fy, fw, fh = self.frame
        x0, y0, x1, y1 = box
        if x0 < fx + 1 or y0 < fy + 1 or x1 > fx + fw - 1 or y1 > fy + fh - 1:
            return False
        for c in self._cells(box):
            for b in self.grid.get(c, ()):
                if x0 < b[2] and x1 > b[0] and y0 < b[3] and y1 > b[1]:
                    return False
        return True

    def occupy(self, box) -> None:
        for c in self._cells(box):
            self.grid.setdefault(c, []).append(box)

    def place(self, text: str, x: float, y: float, font: str, size: float,
              offsets=((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1),
                       (-1, -1), (0, 2), (0, -2))) -> tuple[float, float] | None:
        """Lower-left corner of the first candidate position that is free, else None."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        w = stringWidth(text, font, size)
        h = size
        for dx, dy in offsets:
            lx = x - w / 2 + dx * (w / 2 + 3)
            ly = y - h * 0.35 + dy * (h * 0.9 + 1.5)
            box = (lx - 0.8, ly - 0.25 * h, lx + w + 0.8, ly + 0.95 * h)
            if self.free(box):
                self.occupy(box)
                return lx, ly
        self.skipped += 1
        return None


def _halo_text(canv, x: float, y: float, text: str, font: str, size: float, colour=INK,
               halo=colors.white, halo_width: float = 1.6) -> None:
    """Text with a white halo so it reads over hatches (render mode kept inside save/restore:
    it is part of the PDF graphics state)."""
    canv.saveState()
    # the halo is marked as having no text, so viewers copy and search each label once
    canv._code.append("/Span << /ActualText <FEFF> >> BDC")
    t = canv.beginText(x, y)
    t.setFont(font, size)
    t.setTextRenderMode(1)
    canv.setStrokeColor(halo)
    canv.setLineWidth(halo_width)
    canv.setLineJoin(1)
    t.textOut(text)
    canv.drawText(t)
    canv._code.append("EMC")
    canv.restoreState()
    canv.saveState()
    canv.setFillColor(colour)
    canv.setFont(font, size)
    canv.drawString(x, y, text)
    canv.restoreState()


# --------------------------------------------------------------------------------------------------
# The map itself
# --------------------------------------------------------------------------------------------------
@dataclass
class MapOptions:
    labels: bool = True
    kecamatan_labels: bool = True
    graticule: bool = True
    edges: bool = False
    facilities: bool = True
    posyandu: bool | None = None  # None: drawn unless there are more than max_posyandu
    max_posyandu: int = 400
    label_size: float = 5.5
    grid_font: float = 5.5
    symbol_scale: float = 1.0
    line_scale: float = 1.0


def draw_map(canv, x: float, y: float, w: float, h: float, data: MapData,
             opts: MapOptions | None = None) -> Transform:
    """Draw ``data`` into the box (x, y, w, h) on ``canv``; returns the transform used."""
    register_fonts()
    opts = opts or MapOptions()
    tf = Transform.fit(data.bounds, x, y, w, h)
    canv.saveState()
    clip = canv.beginPath()
    clip.rect(x, y, w, h)
    canv.clipPath(clip, stroke=0, fill=0)
    canv.setFillColor(_col(sym.BACKGROUND_COLOUR))
    canv.rect(x, y, w, h, stroke=0, fill=1)

    if data.focus is not None and data.full_kecamatan is not None and len(data.full_kecamatan):
        # neighbours in grey, for context
        others = data.full_kecamatan[data.full_kecamatan.get("code") != data.focus]
        if len(others):
            p, n = _area_path(canv, others.geometry.values, tf)
            if n:
                canv.setFillColor(colors.HexColor("#eef0f1"))
                canv.setStrokeColor(colors.HexColor("#c8cdd0"))
                canv.setLineWidth(0.5)
                canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
            _kecamatan_names(canv, others, tf, opts, colour=MUTED, placer=None)

    # desa base
    if len(data.desa):
        p, n = _area_path(canv, data.desa.geometry.values, tf)
        if n:
            st = sym.DESA_STYLE
            canv.setFillColor(_col(st.fill))
            canv.setStrokeColor(_col(st.stroke))
            canv.setLineWidth(st.stroke_width * opts.line_scale)
            canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    elif len(data.kabupaten):
        p, n = _area_path(canv, data.kabupaten.geometry.values, tf)
        canv.setFillColor(_col(sym.DESA_STYLE.fill))
        canv.drawPath(p, stroke=0, fill=1, fillMode=FILL_EVEN_ODD)

    # gap areas: kecamatan level first (hatch and a heavy outline, no fill, so the desa gaps
    # inside stay visible), then desa level, one path per kind (severest drawn last)
    kec_gaps = []  # (path, style) per kecamatan gap, built once: hatched now, outlined later
    if data.kecamatan_gap and len(data.kecamatan) and "code" in data.kecamatan:
        kec_codes = data.kecamatan["code"].map(data.kecamatan_gap)
        kec_gaps = [(p, sym.GAP_STYLES[kind]) for kind, p in _grouped_paths(
            canv, data.kecamatan, kec_codes, list(dict.fromkeys(data.kecamatan_gap.values())),
            tf)]
    for p, st in kec_gaps:
        _hatch(canv, p, st.hatch, st.stroke, tf, spacing=7.0, width=0.5)
    if data.theme and data.theme_styles and len(data.desa) and "code" in data.desa:
        for key, p in _grouped_paths(canv, data.desa, data.desa["code"].map(data.theme),
                                     list(data.theme_styles), tf):
            draw_area_style(canv, p, data.theme_styles[key], tf, scale=opts.line_scale)
    if data.desa_gap and len(data.desa) and "code" in data.desa:
        for kind, p in _grouped_paths(canv, data.desa, data.desa["code"].map(data.desa_gap),
                                      list(reversed(sym.GAP_KINDS)), tf):
            draw_area_style(canv, p, sym.GAP_STYLES[kind], tf, scale=opts.line_scale)
    for p, st in kec_gaps:
        canv.saveState()
        canv.setStrokeColor(_col(st.stroke))
        canv.setLineWidth(3.0 * opts.line_scale)
        canv.setStrokeAlpha(0.8)
        canv.drawPath(p, stroke=1, fill=0)
        canv.restoreState()

    # boundaries
    for frame, style in ((data.kecamatan, sym.KECAMATAN_STYLE),
                         (data.kabupaten if data.focus is None else None, sym.KABUPATEN_STYLE)):
        if frame is None or not len(frame):
            continue
        p, n = _area_path(canv, frame.geometry.values, tf)
        if n:
            draw_area_style(canv, p, style, tf, scale=opts.line_scale)

    # graticule under the symbols
    if opts.graticule:
        draw_graticule(canv, tf, data.crs, labels=False)

    # network edges
    if opts.edges and data.edges is not None and len(data.edges):
        link = data.edges["link"] if "link" in data.edges else pd.Series(
            ["given"] * len(data.edges), index=data.edges.index)
        for kind, (colour, dash) in sym.NETWORK_EDGE.items():
            sel = data.edges[link == kind]
            if not len(sel):
                continue
            p, n = _line_path(canv, sel.geometry.values, tf)
            if n:
                canv.saveState()
                canv.setStrokeColor(_col(colour))
                canv.setLineWidth(0.5 * opts.line_scale)
                if dash:
                    canv.setDash(list(dash), 0)
                canv.drawPath(p, stroke=1, fill=0)
                canv.restoreState()

    placer = LabelPlacer((x, y, w, h))
    show_posyandu = opts.posyandu
    if show_posyandu is None:
        n_pos = int((data.facilities["type"] == "posyandu").sum()) \
            if "type" in data.facilities else 0
        show_posyandu = n_pos <= opts.max_posyandu
    tf.posyandu_shown = show_posyandu  # type: ignore[attr-defined]
    # facilities: Posyandu first (smallest, underneath), Puskesmas last (on top)
    if opts.facilities and len(data.facilities):
        fac = data.facilities
        order = {"posyandu": 0, "pustu": 1, "puskesmas": 2}
        ranks = fac["type"].map(order).fillna(1) if "type" in fac else pd.Series(
            1, index=fac.index)
        fac = fac.assign(_rank=ranks.values).sort_values("_rank", kind="stable")
        pts = shapely.get_coordinates(fac.geometry.values)
        xy = tf.xy(pts) if len(pts) else np.empty((0, 2))
        fids = fac["fac_id"].tolist() if "fac_id" in fac else [None] * len(fac)
        types = fac["type"].tolist() if "type" in fac else [None] * len(fac)
        precs = fac["precursor"].tolist() if "precursor" in fac else [None] * len(fac)
        for (px, py), ftype, prec, fid in zip(xy, types, precs, fids, strict=False):
            if not (x <= px <= x + w and y <= py <= y + h):
                continue
            style = facility_style({"type": ftype, "precursor": prec})
            if style is sym.FACILITY_STYLES["posyandu"] and not show_posyandu:
                continue
            size = style.size * opts.symbol_scale
            kind = data.facility_gap.get(fid) if fid else None
            if kind and (show_posyandu or style is not sym.FACILITY_STYLES["posyandu"]):
                gs = sym.GAP_STYLES[kind]  # a ring in the gap's colour around the symbol
                canv.saveState()
                canv.setStrokeColor(_col(gs.stroke))
                canv.setLineWidth(1.1 * opts.symbol_scale)
                canv.circle(px, py, size * 0.5 + 2.0 * opts.symbol_scale, stroke=1, fill=0)
                canv.restoreState()
            draw_symbol(canv, px, py, style, size)
            r = size / 2 + 0.5
            if style is not sym.FACILITY_STYLES["posyandu"]:
                placer.occupy((px - r, py - r, px + r, py + r))

    if opts.kecamatan_labels and len(data.kecamatan):
        _kecamatan_names(canv, data.kecamatan, tf, opts, colour=colors.HexColor("#34495e"),
                         placer=placer)
    if opts.labels and len(data.desa) and "name" in data.desa:
        draw_desa_labels(canv, data, tf, placer, opts.label_size)
    canv.restoreState()

    if opts.graticule:
        draw_graticule(canv, tf, data.crs, labels=True, lines=False, font_size=opts.grid_font)
    canv.saveState()
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.8)
    canv.rect(x, y, w, h, stroke=1, fill=0)
    canv.restoreState()
    tf.labels_skipped = placer.skipped  # type: ignore[attr-defined]
    return tf


def _kecamatan_names(canv, kec, tf: Transform, opts: MapOptions, *, colour, placer) -> None:
    if "name" not in kec:
        return
    size = opts.label_size * 1.35
    pts = inner_points(kec.geometry)
    for name, pt in zip(kec["name"], pts, strict=False):
        if pt is None or not isinstance(name, str):
            continue
        px, py = tf.point(pt.x, pt.y)
        text = name.upper()
        if placer is None:
            lx = px - canv.stringWidth(text, FONT_ITALIC, size) / 2
            fx, fy, fw, fh = tf.box
            if fx < lx and lx + canv.stringWidth(text, FONT_ITALIC, size) < fx + fw and \
                    fy < py < fy + fh:
                _halo_text(canv, lx, py, text, FONT_ITALIC, size, colour)
            continue
        spot = placer.place(text, px, py + size, FONT_ITALIC, size,
                            offsets=((0, 0), (0, 1), (0, -1), (0, 2), (0, -2)))
        if spot:
            _halo_text(canv, spot[0], spot[1], text, FONT_ITALIC, size, colour)


def draw_desa_labels(canv, data: MapData, tf: Transform, placer: LabelPlacer, size: float) -> None:
    """Desa names where they fit: gap desa first (most urgent first), then the larger ones."""
    d = data.desa
    pts = inner_points(d.geometry)
    area = d.geometry.area.to_numpy()
    rank = pd.to_numeric(d["priority_rank"], errors="coerce").to_numpy() \
        if "priority_rank" in d else np.full(len(d), np.nan)
    has_gap = d["code"].isin(data.desa_gap).to_numpy() if "code" in d else np.zeros(len(d), bool)
    order = sorted(range(len(d)), key=lambda i: (not has_gap[i],
                                                 rank[i] if np.isfinite(rank[i]) else 1e12,
                                                 -area[i]))
    names = d["name"].tolist()
    for i in order:
        pt, name = pts[i], names[i]
        if pt is None or not isinstance(name, str) or not name:
            continue
        px, py = tf.point(pt.x, pt.y)
        spot = placer.place(name, px, py, FONT, size)
        if spot:
            _halo_text(canv, spot[0], spot[1], name, FONT, size, INK, halo_width=1.2)


# --------------------------------------------------------------------------------------------------
# Graticule, scale bar, north arrow
# --------------------------------------------------------------------------------------------------
_DEG_STEPS = (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10)


def _deg_step(span: float, target: int = 4) -> float:
    for s in _DEG_STEPS:
        if span / s <= target + 1:
            return s
    return _DEG_STEPS[-1]


def _deg_text(value: float, step: float, axis: str) -> str:
    decimals = 0 if step >= 1 else (1 if step >= 0.1 and abs(step * 10 - round(step * 10)) < 1e-9
                                    else 2)
    v = format_number(abs(value), decimals)
    if axis == "lon":
        return tr("map.lon_e" if value >= 0 else "map.lon_w", v=v)
    if abs(value) < 1e-9:
        return f"{format_number(0, decimals)}°"
    return tr("map.lat_n" if value > 0 else "map.lat_s", v=v)


def draw_graticule(canv, tf: Transform, crs: CRS, *, labels: bool = True,
                   lines: bool = True, font_size: float = 5.5) -> None:
    """Meridians and parallels (degrees, WGS 84) drawn in the map CRS, labelled on the frame."""
    x, y, w, h = tf.box
    wx0, wy0, wx1, wy1 = tf.world_box
    inv = Transformer.from_crs(crs, WGS84, always_xy=True)
    fwd = Transformer.from_crs(WGS84, crs, always_xy=True)
    ex = np.linspace(wx0, wx1, 9)
    ey = np.linspace(wy0, wy1, 9)
    bx = np.concatenate([ex, ex, np.full(9, wx0), np.full(9, wx1)])
    by = np.concatenate([np.full(9, wy0), np.full(9, wy1), ey, ey])
    lon, lat = inv.transform(bx, by)
    lon0, lon1, lat0, lat1 = np.min(lon), np.max(lon), np.min(lat), np.max(lat)
    step = _deg_step(max(lon1 - lon0, lat1 - lat0))
    lons = np.arange(math.ceil(lon0 / step) * step, lon1 + 1e-9, step)
    lats = np.arange(math.ceil(lat0 / step) * step, lat1 + 1e-9, step)
    canv.saveState()
    if lines:
        clip = canv.beginPath()
        clip.rect(x, y, w, h)
        canv.clipPath(clip, stroke=0, fill=0)
        canv.setStrokeColor(colors.HexColor("#7f8c8d"))
        canv.setStrokeAlpha(0.7)
        canv.setLineWidth(0.3)
        canv.setDash([1.5, 2], 0)
    canv.setFont(FONT, font_size)
    canv.setFillColor(MUTED)
    fs = font_size
    samples = np.linspace(0, 1, 40)
    for value in lons:
        mx, my = fwd.transform(np.full(40, value), lat0 + (lat1 - lat0) * samples)
        xy = tf.xy(np.column_stack([mx, my]))
        if lines:
            _polyline(canv, xy)
        if labels:
            px = _cross_at(xy, 1, y)
            if px is not None and x + 8 < px < x + w - 8:
                text = _deg_text(float(value), step, "lon")
                canv.drawCentredString(px, y - fs * 1.3, text)
                canv.drawCentredString(px, y + h + fs * 0.45, text)
    for value in lats:
        mx, my = fwd.transform(lon0 + (lon1 - lon0) * samples, np.full(40, value))
        xy = tf.xy(np.column_stack([mx, my]))
        if lines:
            _polyline(canv, xy)
        if labels:
            py = _cross_at(xy, 0, x)
            if py is not None and y + 8 < py < y + h - 8:
                text = _deg_text(float(value), step, "lat")
                canv.saveState()
                canv.translate(x - fs * 0.45, py)
                canv.rotate(90)
                canv.drawCentredString(0, 0, text)
                canv.restoreState()
                canv.saveState()
                canv.translate(x + w + fs * 1.2, py)
                canv.rotate(90)
                canv.drawCentredString(0, 0, text)
                canv.restoreState()
    canv.restoreState()


def _polyline(canv, xy: np.ndarray) -> None:
    p = canv.beginPath()
    _add_polyline(p, xy, False)
    canv.drawPath(p, stroke=1, fill=0)


def _cross_at(xy: np.ndarray, axis: int, value: float) -> float | None:
    """Other coordinate where the polyline ``xy`` crosses ``coord[axis] == value``."""
    a = xy[:, axis] - value
    for i in range(len(a) - 1):
        if a[i] == 0:
            return float(xy[i, 1 - axis])
        if a[i] * a[i + 1] < 0:
            t = a[i] / (a[i] - a[i + 1])
            return float(xy[i, 1 - axis] + t * (xy[i + 1, 1 - axis] - xy[i, 1 - axis]))
    return None


_KM_STEPS = (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def scale_length_km(tf: Transform, max_width_pt: float) -> float:
    """The longest round length (km) whose bar fits in ``max_width_pt``."""
    best = _KM_STEPS[0]
    for km in _KM_STEPS:
        if km * 1000 * tf.scale <= max_width_pt:
            best = km
    return best


def draw_scalebar(canv, x: float, y: float, max_width: float, tf: Transform,
                  font_size: float = 6.5) -> float:
    """Alternating black/white scale bar in round kilometres; returns its width."""
    km = scale_length_km(tf, max_width)
    width = km * 1000 * tf.scale
    parts = 4 if km * 4 == round(km * 4) and km >= 1 and (km / 4) in (0.25, 0.5, 1, 2.5, 5, 25,
                                                                       50, 125, 250) else 2
    parts = 4 if km in (1, 2, 10, 20, 100, 200, 1000) else parts
    seg = width / parts
    canv.saveState()
    canv.setLineWidth(0.5)
    canv.setStrokeColor(INK)
    for i in range(parts):
        canv.setFillColor(INK if i % 2 == 0 else colors.white)
        canv.rect(x + i * seg, y, seg, 3.5, stroke=1, fill=1)
    canv.setFont(FONT, font_size)
    canv.setFillColor(INK)
    canv.drawCentredString(x, y + 5.5, "0")
    canv.drawCentredString(x + width / 2, y + 5.5, _km_text(km / 2))
    canv.drawCentredString(x + width, y + 5.5, _km_text(km))
    canv.drawString(x + width + 4, y, tr("map.scale_km"))
    canv.restoreState()
    return width


def _km_text(km: float) -> str:
    for dec in (0, 1, 2, 3):
        if abs(round(km, dec) - km) < 1e-9:
            return format_number(km, dec)
    return format_number(km, 3)


def true_north_angle(tf: Transform, crs: CRS) -> float:
    """Angle (degrees, counter-clockwise from page up) of true north at the map centre."""
    x0, y0, x1, y1 = tf.world_box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    inv = Transformer.from_crs(crs, WGS84, always_xy=True)
    fwd = Transformer.from_crs(WGS84, crs, always_xy=True)
    lon, lat = inv.transform(cx, cy)
    nx, ny = fwd.transform(lon, lat + 0.05)
    return math.degrees(math.atan2(-(nx - cx), ny - cy))


def draw_north_arrow(canv, x: float, y: float, size: float, angle: float = 0.0) -> None:
    """A north arrow centred at (x, y), rotated to true north."""
    canv.saveState()
    canv.translate(x, y)
    canv.rotate(angle)
    half = size / 2
    canv.setLineWidth(0.6)
    canv.setStrokeColor(INK)
    p = canv.beginPath()
    p.moveTo(0, half)
    p.lineTo(-size * 0.22, -half * 0.6)
    p.lineTo(0, -half * 0.3)
    p.close()
    canv.setFillColor(INK)
    canv.drawPath(p, stroke=1, fill=1)
    p = canv.beginPath()
    p.moveTo(0, half)
    p.lineTo(size * 0.22, -half * 0.6)
    p.lineTo(0, -half * 0.3)
    p.close()
    canv.setFillColor(colors.white)
    canv.drawPath(p, stroke=1, fill=1)
    canv.setFillColor(INK)
    canv.setFont(FONT_BOLD, size * 0.32)
    canv.drawCentredString(0, half + size * 0.08, tr("map.north"))
    canv.restoreState()


# --------------------------------------------------------------------------------------------------
# Legend and inset
# --------------------------------------------------------------------------------------------------
def legend_items(data: MapData, *, edges: bool = False,
                 posyandu: bool = True) -> list[tuple[str, str, object]]:
    """(section, label, style) rows generated from the symbology for what the map shows."""
    items: list[tuple[str, str, object]] = []
    types = set(data.facilities["type"].dropna()) if "type" in data.facilities else set()
    if not posyandu:
        types.discard("posyandu")
    has_prec = "precursor" in data.facilities and bool(
        data.facilities["precursor"].fillna(False).astype(bool).any())
    for key in ("puskesmas", "pustu", "posyandu"):
        if key in types:
            items.append(("legend", sym.FACILITY_STYLES[key].label, sym.FACILITY_STYLES[key]))
    if has_prec:
        items.append(("legend", sym.PRECURSOR_STYLE.label, sym.PRECURSOR_STYLE))
    items += [("legend", sym.KABUPATEN_STYLE.label, sym.KABUPATEN_STYLE),
              ("legend", sym.KECAMATAN_STYLE.label, sym.KECAMATAN_STYLE),
              ("legend", sym.DESA_STYLE.label, sym.DESA_STYLE)]
    if edges and data.edges is not None and len(data.edges):
        links = set(data.edges["link"].dropna()) if "link" in data.edges else {"given"}
        for kind in sym.NETWORK_EDGE:
            if kind in links:
                items.append(("network", tr(f"map.edge.{kind}"), ("edge", kind)))
    desa_kinds = set(data.desa_gap.values())
    kec_kinds = set(data.kecamatan_gap.values())
    for kind in sym.GAP_KINDS:
        if kind in kec_kinds:
            items.append(("gaps", sym.GAP_STYLES[kind].label, ("kecgap", kind)))
        if kind in desa_kinds:
            items.append(("gaps", sym.GAP_STYLES[kind].label, sym.GAP_STYLES[kind]))
    if data.facility_gap:
        items.append(("gaps", tr("map.facility_gap"), ("ring", None)))
    if data.theme and data.theme_styles:
        present = set(data.theme.values())
        for key, style in data.theme_styles.items():
            if key in present:
                items.append(("theme", style.label, style))
    return items


def draw_legend(canv, x: float, top: float, width: float, data: MapData, *,
                font_size: float = 7.0, edges: bool = False, title: bool = True,
                posyandu: bool = True) -> float:
    """Draw the legend downwards from ``top``; returns the height used."""
    register_fonts()
    items = legend_items(data, edges=edges, posyandu=posyandu)
    hidden_note = None if posyandu or not (
        "type" in data.facilities and (data.facilities["type"] == "posyandu").any()) \
        else tr("map.posyandu_hidden")
    row_h = font_size * 1.75
    sw = font_size * 2.4  # swatch width
    yy = top
    canv.saveState()
    if title:
        canv.setFont(FONT_BOLD, font_size * 1.25)
        canv.setFillColor(INK)
        yy -= font_size * 1.3
        canv.drawString(x, yy, tr("map.legend"))
        yy -= font_size * 0.6
    section = None

    for sec, label, style in items:
        if sec != section and sec != "legend":
            yy -= font_size * 0.5
            canv.setFont(FONT_BOLD, font_size)
            canv.setFillColor(INK)
            yy -= font_size * 1.2
            heading = {"gaps": tr("map.gaps"), "theme": data.theme_title}.get(sec,
                                                                               tr("map.network"))
            canv.drawString(x, yy, heading)
            yy -= font_size * 0.3
        section = sec
        avail = width - sw - 6
        lines = _split(canv, avail, label, FONT, font_size)
        lead = font_size * 1.15
        h = max(row_h, len(lines) * lead + font_size * 0.6)
        yy -= h
        cy = yy + h / 2
        _legend_swatch(canv, x, cy, sw, row_h * 0.75, style)
        canv.setFont(FONT, font_size)
        canv.setFillColor(INK)
        first = cy + (len(lines) - 1) * lead / 2 - font_size * 0.35
        for i, line in enumerate(lines):
            canv.drawString(x + sw + 5, first - i * lead, line)
    if hidden_note:
        for line in _split(canv, width, hidden_note, FONT_ITALIC, font_size * 0.9):
            yy -= font_size * 1.1
            canv.setFont(FONT_ITALIC, font_size * 0.9)
            canv.setFillColor(MUTED)
            canv.drawString(x, yy, line)
    canv.restoreState()
    return top - yy


def _legend_swatch(canv, x: float, cy: float, w: float, h: float, style) -> None:
    if isinstance(style, sym.PointStyle):
        draw_symbol(canv, x + w / 2, cy, style)
        return
    if isinstance(style, tuple):
        kind, arg = style
        canv.saveState()
        if kind == "kecgap":
            st = sym.GAP_STYLES[arg]
            p = canv.beginPath()
            p.rect(x, cy - h / 2, w, h)
            _hatch(canv, p, st.hatch, st.stroke, Transform(0, 0, 1, 0, 0, (x, cy - h / 2, w, h)),
                   spacing=4.0, width=0.5)
            canv.setStrokeColor(_col(st.stroke))
            canv.setLineWidth(2.0)
            canv.rect(x, cy - h / 2, w, h, stroke=1, fill=0)
        elif kind == "edge":
            colour, dash = sym.NETWORK_EDGE[arg]
            canv.setStrokeColor(_col(colour))
            canv.setLineWidth(0.9)
            if dash:
                canv.setDash(list(dash), 0)
            canv.line(x, cy, x + w, cy)
        else:  # facility ring
            draw_symbol(canv, x + w / 2, cy, sym.FACILITY_STYLES["pustu"], h * 0.6)
            canv.setStrokeColor(_col(sym.GAP_STYLES["understaffed_pustu"].stroke))
            canv.setLineWidth(1.1)
            canv.circle(x + w / 2, cy, h * 0.3 + 2.0, stroke=1, fill=0)
        canv.restoreState()
        return
    tf = Transform(0, 0, 1, 0, 0, (x, cy - h / 2, w, h))
    p = canv.beginPath()
    if style.fill is None and not style.hatch:  # boundary styles: a line sample
        canv.saveState()
        canv.setStrokeColor(_col(style.stroke))
        canv.setLineWidth(style.stroke_width)
        if style.dash:
            canv.setDash(list(style.dash), 0)
        canv.line(x, cy, x + w, cy)
        canv.restoreState()
        return
    p.rect(x, cy - h / 2, w, h)
    draw_area_style(canv, p, style, tf)


def draw_inset(canv, x: float, y: float, w: float, h: float, data: MapData,
               frame_world: tuple[float, float, float, float] | None = None) -> None:
    """Locator map: the whole kabupaten, the focus kecamatan (atlas) filled, else the kecamatan
    index; ``frame_world`` marks the main map's extent."""
    kab = data.full_kabupaten if data.full_kabupaten is not None else data.kabupaten
    kec = data.full_kecamatan if data.full_kecamatan is not None else data.kecamatan
    frames = [f for f in (kab, kec) if f is not None and len(f)]
    if not frames:
        return
    b = np.array([f.total_bounds for f in frames])
    bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    tf = Transform.fit(bounds, x + 3, y + 3, w - 6, h - 6, pad=0.02)
    canv.saveState()
    canv.setFillColor(colors.white)
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.6)
    canv.rect(x, y, w, h, stroke=1, fill=1)
    if kec is not None and len(kec):
        p, n = _area_path(canv, kec.geometry.values, tf)
        canv.setFillColor(colors.HexColor("#eaeded"))
        canv.setStrokeColor(colors.HexColor("#95a5a6"))
        canv.setLineWidth(0.3)
        canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
        if data.focus is not None and "code" in kec:
            sel = kec[kec["code"] == data.focus]
            if len(sel):
                p, n = _area_path(canv, sel.geometry.values, tf)
                canv.setFillColor(colors.HexColor("#e74c3c"))
                canv.setStrokeColor(colors.HexColor("#922b21"))
                canv.setLineWidth(0.6)
                canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    if kab is not None and len(kab):
        p, n = _area_path(canv, kab.geometry.values, tf)
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.8)
        canv.drawPath(p, stroke=1, fill=0, fillMode=FILL_EVEN_ODD)
    canv.setFont(FONT, 5.5)
    canv.setFillColor(MUTED)
    canv.drawString(x + 2.5, y + h - 7, tr("map.inset"))
    canv.restoreState()


# --------------------------------------------------------------------------------------------------
# A map inside a platypus document
# --------------------------------------------------------------------------------------------------
class MapFlowable(Flowable):
    """A map figure in a document: the map, a scale bar, a north arrow and a compact legend."""

    def __init__(self, data: MapData, width: float, height: float, *,
                 opts: MapOptions | None = None, legend: bool = True,
                 legend_width: float = 120.0) -> None:
        super().__init__()
        self.data = data
        self.width = width
        self.height = height
        self.opts = opts or MapOptions()
        self.legend = legend
        self.legend_width = legend_width

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        lw = self.legend_width if self.legend else 0
        mw = self.width - lw - (12 if lw else 0) - 12
        mh = self.height - 26
        tf = draw_map(canv, 10, 12, mw, mh, self.data, self.opts)
        sbw = scale_length_km(tf, mw * 0.28) * 1000 * tf.scale
        canv.saveState()
        canv.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
        canv.rect(13, 15, sbw + 26, 17, stroke=0, fill=1)
        canv.restoreState()
        draw_scalebar(canv, 17, 18, mw * 0.28, tf)
        canv.saveState()
        canv.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
        canv.rect(10 + mw - 27, 12 + mh - 34, 24, 31, stroke=0, fill=1)
        canv.restoreState()
        draw_north_arrow(canv, 10 + mw - 15, 12 + mh - 20, 20,
                         true_north_angle(tf, self.data.crs))
        if lw:
            draw_legend(canv, self.width - lw, self.height - 4, lw, self.data,
                        font_size=6.5, edges=self.opts.edges,
                        posyandu=getattr(tf, "posyandu_shown", True))


# --------------------------------------------------------------------------------------------------
# A whole sheet: the wall map and each atlas page
# --------------------------------------------------------------------------------------------------
@dataclass
class SheetText:
    title: str
    subtitle: str
    date: object
    source: str
    author: str | None = None
    fictional: bool = False
    crs_name: str = ""
    note: str | None = None


def draw_sheet(canv, pagesize: tuple[float, float], data: MapData, text: SheetText, *,
               opts: MapOptions | None = None) -> Transform:
    """One printed map sheet (landscape): map on the left, title block, legend, inset, scale bar
    and north arrow in the panel on the right."""
    register_fonts()
    pw, ph = pagesize
    unit = min(pw, ph) / 595.0  # 1 on A4, ~1.41 on A3
    m = 24 * unit
    panel = 190 * unit
    mx, my = m + 8 * unit, m + 8 * unit
    mw = pw - 2 * m - panel - 20 * unit
    mh = ph - 2 * m - 16 * unit
    opts = opts or MapOptions(label_size=5.2 * unit, symbol_scale=min(1.3, unit),
                              grid_font=5.5 * unit, max_posyandu=int(500 * unit * unit))
    if not (len(data.desa) or len(data.kabupaten) or len(data.kecamatan)):
        canv.setFont(FONT, 12 * unit)
        canv.drawString(mx, ph / 2, tr("map.no_data"))
        return Transform.fit((0, 0, 1, 1), mx, my, mw, mh)
    tf = draw_map(canv, mx, my, mw, mh, data, opts)
    # scale bar and north arrow inside the map frame (white back so they stay readable)
    sbw = scale_length_km(tf, mw * 0.25) * 1000 * tf.scale
    canv.saveState()
    canv.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
    canv.rect(mx + 6 * unit, my + 6 * unit, sbw + 32 * unit, 22 * unit, stroke=0, fill=1)
    canv.restoreState()
    draw_scalebar(canv, mx + 12 * unit, my + 11 * unit, mw * 0.25, tf, font_size=6.5 * unit)
    na = 30 * unit
    canv.saveState()
    canv.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
    canv.rect(mx + mw - na - 10 * unit, my + mh - na - 16 * unit, na + 4 * unit, na + 12 * unit,
              stroke=0, fill=1)
    canv.restoreState()
    draw_north_arrow(canv, mx + mw - na / 2 - 8 * unit, my + mh - na / 2 - 14 * unit, na,
                     true_north_angle(tf, data.crs))

    # right-hand panel
    px = pw - m - panel
    top = ph - m
    canv.saveState()
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.8)
    canv.rect(px, m, panel, ph - 2 * m, stroke=1, fill=0)
    canv.restoreState()
    ix = px + 8 * unit
    iw = panel - 16 * unit
    yy = top - 8 * unit
    if text.fictional:
        canv.saveState()
        canv.setFillColor(colors.HexColor("#b03a2e"))
        canv.rect(px, top - 20 * unit, panel, 20 * unit, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(FONT_BOLD, 11 * unit)
        canv.drawCentredString(px + panel / 2, top - 14 * unit, tr("app.fictional"))
        canv.restoreState()
        yy -= 20 * unit
    yy = _wrapped(canv, ix, yy, iw, text.title, FONT_BOLD, 13 * unit, colors.HexColor("#1a5276"))
    yy = _wrapped(canv, ix, yy - 2 * unit, iw, text.subtitle, FONT, 9 * unit, INK)
    canv.setStrokeColor(colors.HexColor("#aab7b8"))
    canv.setLineWidth(0.5)
    canv.line(ix, yy - 4 * unit, ix + iw, yy - 4 * unit)
    yy -= 8 * unit
    used = draw_legend(canv, ix, yy, iw, data, font_size=6.6 * unit, edges=opts.edges,
                       posyandu=getattr(tf, "posyandu_shown", True))
    yy -= used + 6 * unit
    # inset and the footer block at the bottom of the panel
    foot_lines = [tr("map.date", date=format_date(text.date) if hasattr(text.date, "year")
                     else str(text.date)),
                  tr("map.source", source=text.source),
                  tr("map.author", author=text.author) if text.author else
                  tr("map.author_blank")]
    if text.crs_name:
        foot_lines.append(tr("map.crs_note", crs=text.crs_name))
    if text.note:
        foot_lines.append(text.note)
    fsize = 6.3 * unit
    bottom = m + 6 * unit
    heights = []
    for line in foot_lines:
        heights.append(_wrapped_height(canv, iw, line, FONT, fsize))
    foot_h = sum(heights) + 4 * unit
    inset_h = min(iw * 0.8, max(0.0, yy - (bottom + foot_h) - 10 * unit))
    if inset_h > 50 * unit:
        draw_inset(canv, ix, bottom + foot_h + 4 * unit, iw, inset_h, data)
    fy = bottom + foot_h
    for line in foot_lines:
        fy = _wrapped(canv, ix, fy, iw, line, FONT, fsize, MUTED)
    return tf


def _split(canv, width: float, text: str, font: str, size: float) -> list[str]:
    words = str(text).split()
    lines, cur = [], ""
    for wd in words:
        trial = (cur + " " + wd).strip()
        if canv.stringWidth(trial, font, size) > width and cur:
            lines.append(cur)
            cur = wd
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


def _wrapped_height(canv, width: float, text: str, font: str, size: float) -> float:
    return len(_split(canv, width, text, font, size)) * size * 1.25


def _wrapped(canv, x: float, top: float, width: float, text: str, font: str, size: float,
             colour) -> float:
    """Draw ``text`` wrapped to ``width`` downwards from ``top``; returns the new top."""
    canv.saveState()
    canv.setFont(font, size)
    canv.setFillColor(colour)
    yy = top
    for line in _split(canv, width, text, font, size):
        yy -= size * 1.25
        canv.drawString(x, yy + size * 0.25, line)
    canv.restoreState()
    return yy
