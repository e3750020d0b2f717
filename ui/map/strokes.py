"""Colours and pens of the map, and the fast way to stroke a path with them.

May import PySide6 and ``layers.symbology`` (the colours' one source); no widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from layers import symbology as sym

# The hatch of an area style (``AreaStyle.hatch``) as a Qt brush pattern.
HATCH = {
    "diagonal": Qt.BDiagPattern, "backdiagonal": Qt.FDiagPattern, "cross": Qt.DiagCrossPattern,
    "horizontal": Qt.HorPattern, "vertical": Qt.VerPattern, "dots": Qt.Dense6Pattern,
}


def _over_white(hex_colour: str, alpha: float) -> str:
    """The opaque colour that ``hex_colour`` at ``alpha`` shows over white."""
    r, g, b = sym.hex_to_rgb(hex_colour)
    return sym.rgb_to_hex(tuple(int(round(255 - (255 - c) * alpha)) for c in (r, g, b)))


def qcolor(hex_colour: str, alpha: float = 1.0) -> QColor:
    c = QColor(hex_colour)
    c.setAlphaF(max(0.0, min(1.0, alpha)))
    return c


def pen(colour: str, width: float, dash: tuple = (), alpha: float = 1.0) -> QPen:
    """A cosmetic (screen-pixel wide) pen with round joins; ``dash`` lengths are in pixels."""
    p = QPen(qcolor(colour, alpha))
    p.setWidthF(width)
    p.setCosmetic(True)
    p.setJoinStyle(Qt.RoundJoin)
    if dash:
        p.setDashPattern([max(0.5, d / max(width, 0.5)) for d in dash])
    return p


def _aliased_width(width: float) -> float:
    """An aliased line up to 1.3 px wide covers one pixel nearly everywhere; drawn 1 px wide
    it takes Qt's cosmetic line path instead of its polygon stroker (10x faster)."""
    return 1.0 if width <= 1.3 else width


def stroke(painter: QPainter, path: QPainterPath, colour: str, width: float,
           dash: tuple = (), alpha: float = 1.0) -> None:
    """Stroke ``path`` fast: Qt's antialiased stroker is only quick for cosmetic pens up to
    1 px, so wider lines are a plain (aliased) wide line under a 1 px antialiased one."""
    painter.setBrush(Qt.NoBrush)
    if alpha < 1.0:  # a translucent pen makes Qt fill the whole stroke outline: 10x slower
        colour = _over_white(colour, alpha)
        alpha = 1.0
    if dash and path.elementCount() > 1500:  # antialiased dashes cost 15x: alias them
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(pen(colour, _aliased_width(max(width, 1.0)), dash, alpha))
        painter.drawPath(path)
        return
    if width > 1.0:
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(pen(colour, _aliased_width(width - 0.4), dash, alpha))
        painter.drawPath(path)
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setPen(pen(colour, min(width, 1.0), dash, alpha))
    painter.drawPath(path)
