"""The planning overlay: a scenario's or a siting run's chosen sites (by kind) and the desa
whose gaps the scenario closes or opens against the baseline, drawn over the map's cached
static image with a small legend.  May import numpy, PySide6, ``ilp_gis.i18n``,
``layers.symbology`` (the site styles), ``ui.state``
and the :mod:`ui.map` modules below the widget; it holds no widget.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter

from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym
from ui.map.bands import band_for
from ui.map.layers import GeometryLayer, MapLayers
from ui.map.qpaths import marker_path
from ui.map.strokes import pen, qcolor
from ui.map.view import View
from ui.state import AppState

SITE_STYLES = sym.SITE_STYLES  # scenario action -> (shape, fill); any other: OTHER_STYLE
OTHER_STYLE = sym.SITE_OTHER_STYLE
CLOSED_COLOUR = "#1e8449"  # desa where the scenario closes gaps
NEW_COLOUR = "#6c3483"  # desa where it opens new ones (not a burden red of the thematic map)


def draw_plan(painter: QPainter, store: MapLayers, state: AppState, view: View, w: int,
              h: int) -> None:
    """Draw ``state.plan_changes`` (desa outlines) and ``state.plan_sites`` (markers)."""
    changes, sites = state.plan_changes, state.plan_sites
    if changes is None and sites is None:
        return
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    rows = []
    desa = store.layers.get("desa")
    if changes is not None and len(changes) and isinstance(desa, GeometryLayer):
        tol = band_for(view.mupp)
        painter.setTransform(view.transform(w, h))
        for col, colour, key in (("gaps_closed", CLOSED_COLOUR, "map.plan.closed"),
                                 ("gaps_new", NEW_COLOUR, "map.plan.new")):
            codes = changes.loc[changes[col].fillna(0) > 0, "code"].astype(str)
            idx = [desa.key_index[c] for c in codes if c in desa.key_index]
            if not idx:
                continue
            mask = np.zeros(len(desa), dtype=bool)
            mask[idx] = True
            path = desa.path(tol, mask)
            painter.setBrush(qcolor(colour, 0.30))
            painter.setPen(pen(colour, 2.0))
            painter.drawPath(path)
            rows.append(("area", colour, tr(key, n=len(idx))))
        painter.resetTransform()
    if sites is not None and len(sites):
        lon, lat = sites.geometry.x.to_numpy(float), sites.geometry.y.to_numpy(float)
        ok = np.isfinite(lon) & np.isfinite(lat)
        x, y = store.to_local_xy(lon, lat)
        acts = sites["action"].astype(str).to_numpy(object)
        for act in dict.fromkeys(acts.tolist()):
            sel = ok & (acts == act)
            if not sel.any():
                continue
            shape, fill = SITE_STYLES.get(act, OTHER_STYLE)
            sx, sy = view.to_screen(x[sel], y[sel], w, h)
            path = marker_path(sx, sy, shape, 15)
            painter.setPen(pen("#ffffff", 3.0))
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(path)
            painter.setPen(pen("#000000", 1.0))
            painter.setBrush(qcolor(fill))
            painter.drawPath(path)
            rows.append((shape, fill, tr("map.plan.site", n=int(sel.sum()),
                                         label=tr(f"scenario.action.{act}"))))
    _legend(painter, rows, state.plan_title, h)
    painter.restore()


def _legend(painter: QPainter, rows, title: str, h: int) -> None:
    if not rows:
        return
    font = QFont(painter.font())
    font.setPointSizeF(8.5)
    painter.setFont(font)
    fm = painter.fontMetrics()
    lines = [title or tr("map.plan.title")] + [r[2] for r in rows]
    width = max(fm.horizontalAdvance(t) for t in lines) + 36
    line_h = fm.height() + 4
    box = QRectF(10, h - 64 - line_h * len(lines), width, line_h * len(lines) + 8)  # over the scale bar
    painter.setPen(pen("#566573", 1.0))
    painter.setBrush(qcolor("#ffffff", 0.92))
    painter.drawRect(box)
    painter.setPen(pen("#17202a", 1.0))
    painter.drawText(QRectF(box.left() + 6, box.top() + 4, width, line_h), Qt.AlignVCenter,
                     lines[0])
    for i, (shape, colour, text) in enumerate(rows, start=1):
        top = box.top() + 4 + i * line_h
        cx, cy = box.left() + 14, top + line_h / 2
        if shape == "area":
            painter.setPen(pen(colour, 1.5))
            painter.setBrush(qcolor(colour, 0.30))
            painter.drawRect(QRectF(cx - 7, cy - 5, 14, 10))
        else:
            painter.setPen(pen("#000000", 1.0))
            painter.setBrush(qcolor(colour))
            painter.drawPath(marker_path(np.array([cx]), np.array([cy]), shape, 11))
        painter.setPen(pen("#17202a", 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawText(QRectF(box.left() + 28, top, width, line_h), Qt.AlignVCenter, text)


register_catalog("ui", "map.plan_overlay")
