"""The visible window of the map: its centre in local metres, its scale, and the conversions
between map metres and screen pixels.  May import numpy and PySide6 only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QTransform


@dataclass
class View:
    """The visible window: centre in local metres and metres per pixel."""

    cx: float = 0.0
    cy: float = 0.0
    mupp: float = 100.0

    @staticmethod
    def fitting(bounds, w: int, h: int, margin: float = 0.06) -> View:
        """The view showing ``bounds`` (x0, y0, x1, y1) whole in a ``w`` x ``h`` window."""
        x0, y0, x1, y1 = bounds
        span_x = max(x1 - x0, 200.0) * (1 + 2 * margin)
        span_y = max(y1 - y0, 200.0) * (1 + 2 * margin)
        return View((x0 + x1) / 2, (y0 + y1) / 2, max(span_x / max(w, 1), span_y / max(h, 1)))

    def rect(self, w: int, h: int) -> tuple[float, float, float, float]:
        hw, hh = w * self.mupp / 2, h * self.mupp / 2
        return self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh

    def transform(self, w: int, h: int) -> QTransform:
        s = 1.0 / self.mupp
        return QTransform(s, 0, 0, -s, w / 2 - self.cx * s, h / 2 + self.cy * s)

    def to_screen(self, x, y, w: int, h: int):
        return (np.asarray(x) - self.cx) / self.mupp + w / 2, h / 2 - (np.asarray(y) - self.cy) / self.mupp

    def to_map(self, px: float, py: float, w: int, h: int) -> tuple[float, float]:
        return self.cx + (px - w / 2) * self.mupp, self.cy - (py - h / 2) * self.mupp
