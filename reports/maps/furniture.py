"""Map furniture: graticule in degrees with frame labels, scale bar and true-north arrow.

Imports pyproj, ilp_gis (i18n, model) and reports.styles.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS, Transformer
from reportlab.lib import colors

from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.model import WGS84
from reports.maps.paths import Transform, add_polyline
from reports.styles import FONT, FONT_BOLD, INK, MUTED

register_catalog("reports", "maps.furniture")


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

    def grid_line(lons, lats) -> np.ndarray:
        """The page points of one meridian or parallel, drawn when ``lines``."""
        mx, my = fwd.transform(lons, lats)
        xy = tf.xy(np.column_stack([mx, my]))
        if lines:
            _polyline(canv, xy)
        return xy

    for value in lons:
        xy = grid_line(np.full(40, value), lat0 + (lat1 - lat0) * samples)
        if labels:
            px = _cross_at(xy, 1, y)
            if px is not None and x + 8 < px < x + w - 8:
                text = _deg_text(float(value), step, "lon")
                canv.drawCentredString(px, y - fs * 1.3, text)
                canv.drawCentredString(px, y + h + fs * 0.45, text)
    for value in lats:
        xy = grid_line(lon0 + (lon1 - lon0) * samples, np.full(40, value))
        if labels:
            py = _cross_at(xy, 0, x)
            if py is not None and y + 8 < py < y + h - 8:
                text = _deg_text(float(value), step, "lat")
                for lx in (x - fs * 0.45, x + w + fs * 1.2):
                    canv.saveState()
                    canv.translate(lx, py)
                    canv.rotate(90)
                    canv.drawCentredString(0, 0, text)
                    canv.restoreState()
    canv.restoreState()


def _polyline(canv, xy: np.ndarray) -> None:
    p = canv.beginPath()
    add_polyline(p, xy, False)
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
