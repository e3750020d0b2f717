"""The highlight and the selection, outlined over the map's cached static image.

May import numpy, PySide6, ``layers.symbology``, ``ui.state`` and the :mod:`ui.map` modules
below the widget; it holds no widget.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter

from layers import symbology as sym
from ui.map.bands import band_for
from ui.map.layers import MapLayers, PointLayer
from ui.map.qpaths import marker_path
from ui.map.strokes import pen, qcolor
from ui.map.view import View
from ui.state import AppState


def draw_highlights(painter: QPainter, store: MapLayers, state: AppState, view: View, w: int,
                    h: int) -> None:
    """Outline the state's highlighted and then its selected features (over the static image)."""
    tol = band_for(view.mupp)
    for (layer, keys), colour in ((state.highlight, sym.HIGHLIGHT_COLOUR),
                                  (state.selection, sym.SELECTION_COLOUR)):
        if not keys:
            continue
        painter.setRenderHint(QPainter.Antialiasing, True)
        for data in store.groups(layer):
            idx = [data.key_index[k] for k in keys if k in data.key_index]
            if not idx:
                continue
            idx = np.asarray(idx)
            if isinstance(data, PointLayer):
                painter.resetTransform()
                ok = data.valid[idx]
                sx, sy = view.to_screen(data.xy[idx[ok], 0], data.xy[idx[ok], 1], w, h)
                painter.setBrush(Qt.NoBrush)
                painter.setPen(pen("#000000", 4.5))
                painter.drawPath(marker_path(sx, sy, "circle", 17))
                painter.setPen(pen(colour, 2.5))
                painter.drawPath(marker_path(sx, sy, "circle", 17))
            else:
                mask = np.zeros(len(data), dtype=bool)
                mask[idx] = True
                painter.setTransform(view.transform(w, h))
                path = data.path(tol, mask)
                painter.setBrush(qcolor(colour, 0.18))
                painter.setPen(pen("#000000", 4.0))
                painter.drawPath(path)
                painter.setPen(pen(colour, 2.5))
                painter.drawPath(path)
    painter.resetTransform()
