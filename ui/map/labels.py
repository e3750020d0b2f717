"""Labels of the map: area, district and Puskesmas names placed as on paper — one greedy pass
over every name of the picture with collision boxes (the print maps' ``LabelPlacer``), so no
label lies over another label or over a Puskesmas symbol, the larger area level first and
within a level the more populous area first; then drawn as cached sprites with a white halo
(area names under the points, district and Puskesmas names above).  May import numpy,
PySide6, ``layers.symbology``, ``reports.maps.labels`` and the :mod:`ui.map` modules below the
renderer (layers, sprites, view).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from layers import symbology as sym
from ui.map.layers import MapLayers
from ui.map.sprites import device_ratio, sprite
from ui.map.view import View

_LABEL_MAX = 160  # draw labels only when at most this many features are in view
_HALO = 2.0  # pixels of halo around a label's text, part of its collision box
_GAP = 4.0  # pixels kept free left and right of a name
_OFFSETS = ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))
"""Candidate positions of a desa or Puskesmas name (as the print maps try): centred, above,
below, right, left, in units of half the label's size."""
_SYMBOL_STYLES = ("puskesmas", "desa_puskesmas")
"""Point symbols no label may cover: the Puskesmas.  Pustu and Posyandu are many and small (on a
district overview a Pustu every 20 pixels): a haloed name may pass over them, else no area
name would find a place."""


@dataclass(frozen=True)
class Label:
    """A placed label: centre on screen (pixels), text, font and colour, and whether it is an
    area name (drawn under the points) or a district/Puskesmas name (drawn above)."""

    x: float
    y: float
    text: str
    size: float
    bold: bool
    colour: str
    area: bool
    layer: str
    index: int

    def box(self) -> tuple[float, float, float, float]:
        w, h = text_size(self.text, self.size, self.bold)
        return (self.x - w / 2, self.y - h / 2, self.x + w / 2, self.y + h / 2)


def text_size(text: str, size: float, bold: bool) -> tuple[float, float]:
    """Width and height in pixels of ``text`` with its halo."""
    fm = QFontMetricsF(_font(size, bold))
    return fm.horizontalAdvance(text) + 2 * _HALO, fm.height() + 2 * _HALO


def _font(size: float, bold: bool) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _priority(layer, idx: np.ndarray) -> np.ndarray:
    """``idx`` ordered most populous first (then the larger area; no population last)."""
    pop = getattr(layer, "population", None)
    pop = np.asarray(pop, dtype=float)[idx] if pop is not None and len(pop) else \
        np.full(len(idx), np.nan)
    b = layer.bounds[idx]
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    pop = np.where(np.isfinite(pop), pop, -1.0)
    return idx[np.lexsort((-np.nan_to_num(area), -pop))]


def place_labels(store: MapLayers, w: int, h: int, view: View, rect, window) -> list[Label]:
    """Every label of a ``w`` × ``h`` picture, placed without overlap.

    ``rect`` is the map rectangle of the image, ``window`` the part of it the person sees:
    names are placed only when that part holds few enough features to read them."""
    if not any(len(layer) for layer in store.layers.values()):
        return []  # an empty map: no name to place
    from reports.maps.labels import LabelPlacer  # at first use: reports.maps pulls in reportlab

    placer = LabelPlacer((0.0, 0.0, float(w), float(h)), cell=48.0)

    def screen(x: float, y: float) -> tuple[float, float]:
        return (x - view.cx) / view.mupp + w / 2, h / 2 - (y - view.cy) / view.mupp

    fac = store.layers.get("facilities")
    fac_shown = fac is not None and len(fac) and store.state.setting("facilities").visible
    if fac_shown and view.mupp <= 2500:  # the symbols drawn at this scale keep their place
        m = fac.in_view(rect)
        sym_mask = np.zeros(len(fac), dtype=bool)
        for name in _SYMBOL_STYLES:
            sym_mask |= fac.style_mask(name)
        idx = np.flatnonzero(m & sym_mask & np.isfinite(fac.xy).all(axis=1))
        if 0 < len(idx) <= 4 * _LABEL_MAX:
            r = sym.FACILITY_STYLES["puskesmas"].size * 0.55
            for i in idx:
                sx, sy = screen(*fac.xy[i])
                placer.occupy((sx - r, sy - r, sx + r, sy + r))

    out: list[Label] = []

    def put(layer_name: str, i: int, x: float, y: float, text: str, size: float, bold: bool,
            colour: str, area: bool, offsets) -> None:
        tw, th = text_size(text, size, bold)
        for dx, dy in offsets:
            cx, cy = x + dx * (tw / 2 + 2), y + dy * (th * 0.9)
            # a few pixels of air beside each name, so two never read as one
            box = (cx - tw / 2 - _GAP, cy - th / 2, cx + tw / 2 + _GAP, cy + th / 2)
            if placer.free(box):
                placer.occupy(box)
                out.append(Label(cx, cy, text, size, bold, colour, area, layer_name, int(i)))
                return

    def level(name: str, size: float, bold: bool, area: bool) -> None:
        layer = store.layers.get(name)
        if layer is None or not len(layer) or not store.state.setting(name).visible:
            return
        if name == "kabupaten" and len(layer) < 2:
            return  # one district: its name is the window title
        if name == "kecamatan" and view.mupp > 150:
            return
        m = layer.in_view(rect)
        shown = int((layer.in_view(window) & m).sum())
        if not (0 < shown <= _LABEL_MAX and (name != "desa" or view.mupp < 40)):
            return
        pts = layer.label_points()
        names = layer.names
        offsets = _OFFSETS if name == "desa" else ((0, 0), (0, 1), (0, -1), (0, 2), (0, -2))
        for i in _priority(layer, np.flatnonzero(m & np.isfinite(pts).all(axis=1))):
            if isinstance(names[i], str) and names[i]:
                sx, sy = screen(*pts[i])
                put(name, i, sx, sy, names[i], size, bold, "#1c2833", area, offsets)

    # the larger area level first; Puskesmas names before the many desa names
    level("kabupaten", 10.5, True, False)
    level("kecamatan", 9, True, True)
    _puskesmas(store, fac if fac_shown else None, rect, window, screen, put)
    level("desa", 7.5, False, True)
    return out


def _puskesmas(store: MapLayers, fac, rect, window, screen, put) -> None:
    """Puskesmas names just below their symbol (or beside it), when few enough are in view."""
    if fac is None:
        return
    m = fac.in_view(rect) & fac.style_mask("puskesmas")
    if not 0 < int((fac.in_view(window) & m).sum()) <= _LABEL_MAX:
        return
    colour = sym.FACILITY_STYLES["puskesmas"].fill
    for i in np.flatnonzero(m & np.isfinite(fac.xy).all(axis=1)):
        name = store.facility_names[i]
        if isinstance(name, str) and name:
            sx, sy = screen(*fac.xy[i])
            put("facilities", i, sx, sy + 14, name, 8, True, colour, False,
                ((0, 0), (0, -2.2), (1.15, -1), (-1.15, -1)))


def draw_labels(painter: QPainter, labels: list[Label], *, areas: bool) -> None:
    """Draw the placed ``labels`` of one pass: the area names (``areas``) or the others."""
    painter.resetTransform()
    ratio = device_ratio(painter)
    for lab in labels:
        if lab.area != areas:
            continue
        side = _label_box(lab.text, lab.size)
        pm = sprite(("label", lab.text, lab.size, lab.bold, lab.colour),
                    lambda p, t=lab.text, sz=lab.size, b=lab.bold, c=lab.colour:
                    _paint_label(p, t, sz, b, c), side, ratio)
        painter.drawPixmap(int(lab.x - side / 2), int(lab.y - side / 2), pm)


def _label_box(text: str, size: float) -> int:
    w, _h = text_size(text, size, True)
    return int(max(len(text) * size * 0.95, w * 1.1) + 16)


def _paint_label(p: QPainter, text: str, size: float, bold: bool, colour: str) -> None:
    path = QPainterPath()
    path.addText(0, 0, _font(size, bold), text)
    br = path.boundingRect()
    path.translate(-br.center().x(), -br.center().y())
    p.setPen(QPen(QColor(255, 255, 255, 230), 2.6))
    p.setBrush(Qt.NoBrush)
    p.drawPath(path)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor(colour))
    p.drawPath(path)
