"""Map furniture drawn on top of the map widget: scale bar, north arrow, fictional-data banner.

May import PySide6 and ``ilp_gis.i18n`` (its texts are in ``ui/messages/map.furniture.toml``).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF

from ilp_gis.i18n import format_number, register_catalog, tr


def draw_furniture(painter: QPainter, w: int, h: int, mupp: float, *, fictional: bool) -> None:
    """A scale bar of a round length, the north arrow and, for a ``fictional`` project, a
    banner saying so, on a ``w`` x ``h`` widget showing ``mupp`` metres per pixel."""
    painter.resetTransform()
    painter.setRenderHint(QPainter.Antialiasing, True)
    # Scale bar: a round length of about 120 px.
    target = 120 * mupp
    exp = 10 ** math.floor(math.log10(max(target, 1e-6)))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target) if target >= exp else exp
    px = length / mupp
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
    if fictional:
        font.setPointSizeF(11)
        painter.setFont(font)
        painter.setPen(QColor(192, 57, 43, 200))
        painter.drawText(QRectF(0, 6, w, 20), Qt.AlignHCenter, tr("app.fictional"))


register_catalog("ui", "map.furniture")
