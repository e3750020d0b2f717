"""Paint the one symbology on paper: area fills with hatches and facility markers.

A gap has the same colour and black-and-white hatch as on screen.  Imports layers.symbology,
reports.styles and the paths' ``Transform``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from reportlab.lib import colors
from reportlab.pdfgen.canvas import FILL_EVEN_ODD

from layers import symbology as sym
from reports.maps.paths import Transform
from reports.styles import INK


@lru_cache(maxsize=256)
def pdf_colour(hex_colour: str | None):
    """The reportlab colour of a symbology ``#rrggbb`` (None stays None)."""
    if hex_colour is None:
        return None
    return colors.HexColor(hex_colour)


def draw_hatch(canv, path, pattern: str | None, colour: str, tf: Transform,
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
    canv.setStrokeColor(pdf_colour(colour))
    canv.setFillColor(pdf_colour(colour))
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
        canv.setFillColor(pdf_colour(fill))
        canv.setFillAlpha(style.fill_opacity)
        canv.drawPath(path, stroke=0, fill=1, fillMode=FILL_EVEN_ODD)
        canv.setFillAlpha(1)
    canv.restoreState()
    draw_hatch(canv, path, style.hatch, style.stroke, tf)
    canv.saveState()
    canv.setStrokeColor(pdf_colour(style.stroke))
    canv.setLineWidth(style.stroke_width * scale)
    canv.setLineJoin(1)
    if style.dash:
        canv.setDash([d * scale for d in style.dash], 0)
    canv.drawPath(path, stroke=1, fill=0)
    canv.restoreState()


def draw_symbol(canv, x: float, y: float, style: sym.PointStyle, size: float | None = None) -> None:
    """One facility marker (shape from the symbology, so it reads in black and white)."""
    s = size if size is not None else style.size
    r = s / 2.0
    canv.saveState()
    canv.setFillColor(pdf_colour(style.fill))
    canv.setStrokeColor(pdf_colour(style.stroke))
    canv.setLineWidth(max(1.0, s / 6.0) if style.hollow else max(0.4, s / 14.0))
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
        canv.setStrokeColor(pdf_colour(style.stroke))
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
    """The marker of a facility row (``type``, ``precursor``, ``location_quality``)."""
    return sym.facility_point_style(row.get("type"), row.get("precursor"),
                                    row.get("location_quality"))
