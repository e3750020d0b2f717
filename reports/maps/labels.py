"""Text on the map: greedy label placement, haloed labels of kecamatan and desa, wrapped text.

Imports ilp_gis.geo, reports.styles and the paths' ``Transform``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from ilp_gis.geo import inner_points
from reports.maps.data import MapData
from reports.maps.options import MapOptions
from reports.maps.paths import Transform
from reports.styles import FONT, FONT_ITALIC, INK


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


def draw_kecamatan_names(canv, kec, tf: Transform, opts: MapOptions, *, colour, placer) -> None:
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


def split_lines(canv, width: float, text: str, font: str, size: float) -> list[str]:
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


def wrapped_height(canv, width: float, text: str, font: str, size: float) -> float:
    return len(split_lines(canv, width, text, font, size)) * size * 1.25


def draw_wrapped(canv, x: float, top: float, width: float, text: str, font: str, size: float,
                 colour) -> float:
    """Draw ``text`` wrapped to ``width`` downwards from ``top``; returns the new top."""
    canv.saveState()
    canv.setFont(font, size)
    canv.setFillColor(colour)
    yy = top
    for line in split_lines(canv, width, text, font, size):
        yy -= size * 1.25
        canv.drawString(x, yy + size * 0.25, line)
    canv.restoreState()
    return yy
