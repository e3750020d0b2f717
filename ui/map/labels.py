"""Labels of the map: area, district and Puskesmas names placed without overlap and drawn as
cached sprites with a white halo.  May import numpy, PySide6, ``layers.symbology`` and the
:mod:`ui.map` modules below the renderer (layers, sprites, view).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from layers import symbology as sym
from ui.map.layers import MapLayers
from ui.map.sprites import device_ratio, sprite
from ui.map.view import View

_LABEL_MAX = 160  # draw labels only when at most this many features are in view


def draw_labels(painter: QPainter, store: MapLayers, w: int, h: int, view: View, rect,
                window, *, areas: bool) -> None:
    """Names of the areas (``areas``) or of the district and the Puskesmas, never overlapping.

    ``rect`` is the map rectangle of the image, ``window`` the part of it the person sees:
    names are drawn only when that part holds few enough features to read them."""
    painter.resetTransform()
    jobs = []
    levels = ((("kecamatan", 9, True), ("desa", 7.5, False)) if areas
              else (("kabupaten", 10.5, True),))  # district names above the points
    for name, size, bold in levels:
        layer = store.layers.get(name)
        if layer is None or not len(layer) or not store.state.setting(name).visible:
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
    fac = store.layers.get("facilities")
    if not areas and fac is not None and len(fac) and store.state.setting("facilities").visible:
        m = fac.in_view(rect) & fac.style_mask("puskesmas")
        if 0 < int((fac.in_view(window) & m).sum()) <= _LABEL_MAX:
            for i in np.flatnonzero(m):
                name = store.facility_names[i]
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
