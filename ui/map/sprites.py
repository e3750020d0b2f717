"""Markers as cached sprites blitted per point, and dense points stamped into an image.

May import numpy, PySide6 and :mod:`ui.map.qpaths` / :mod:`ui.map.strokes`; no widget.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF

from ui.map.qpaths import marker_template
from ui.map.strokes import qcolor

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


def paint_marker(p: QPainter, style, size: float) -> None:
    """A facility marker of ``style`` (a symbology ``PointStyle``) centred at (0, 0)."""
    tpl = marker_template(style.shape, size)
    p.setBrush(qcolor(style.fill))
    pen = QPen(qcolor(style.stroke))
    pen.setWidthF(2.2 if style.hollow else 0.8 if size < 7 else 1.1)
    pen.setJoinStyle(Qt.MiterJoin)
    p.setPen(pen)
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in tpl[:-1]]))


def paint_ring(p: QPainter, style) -> None:
    """The ring drawn around a facility gap, in the gap's ``style``."""
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
