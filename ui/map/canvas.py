"""The map widget: shows the renderer's static image (cached, re-used while panning inside
it), the planning overlay, the highlight, selection and furniture on top, and turns mouse and keys into pan, zoom,
identify, select, add and move.  May import PySide6, ``ui.state`` and the :mod:`ui.map` modules.

Pan by dragging or the arrow keys, zoom with the wheel, +/- or a box (Shift+drag).  After a pan
the image covers a margin around the window, so further pans inside it only blit.  A pan beyond
the image shows the moved image at once and draws the new one right after that frame; the last
few pictures are kept per view, so going back to a view (zoom out to the whole area) only blits.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ilp_gis.coe import unit_members
from layers import symbology as sym
from ui.map.bands import band_for
from ui.map.furniture import draw_furniture
from ui.map.highlight import draw_highlights
from ui.map.plan_overlay import draw_plan
from ui.map.renderer import MapRenderer
from ui.map.strokes import qcolor
from ui.map.view import View
from ui.state import AppState

PAN_MARGIN = 0.25  # after a small pan the static image covers this share more per side
PICTURES = 4  # rendered pictures kept per view (the whole-area view, the last views)


class Tool:
    """What a left-button drag or click on the map does (the toolbar's map tools)."""

    PAN = "pan"
    IDENTIFY = "identify"
    SELECT = "select"
    ZOOM = "zoom"
    ADD = "add"
    MOVE = "move"


class MapCanvas(QWidget):
    """The map widget.  Observes an :class:`AppState`; emits what the person did."""

    cursor_moved = Signal(float, float, str, float, float)  # lon, lat, zone, easting, northing
    scale_changed = Signal(float)  # 1:N
    identified = Signal(str, str)  # layer, key
    add_requested = Signal(float, float)  # lon, lat
    move_requested = Signal(str, float, float)  # fac_id, lon, lat
    rendered = Signal(float)  # milliseconds of the last static render

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.renderer = MapRenderer(state)
        self.view = View()
        self.tool = Tool.PAN
        self._cache: QImage | None = None
        self._cache_view: View | None = None
        self._cache_margin: tuple[int, int] = (0, 0)
        self._pan_margin = False  # render a margin for pans (set by a pan, cleared by a zoom)
        self._stale = False  # the image shown is moved, the view's own is drawn after the frame
        self._pictures: OrderedDict[tuple, tuple[QImage, View, tuple[int, int]]] = OrderedDict()
        self._home_key: tuple | None = None  # the picture key of the whole-area view
        self._drag_start: QPointF | None = None
        self._drag_now: QPointF | None = None
        self._drag_mode: str | None = None
        self._moving: str | None = None
        self.last_render_ms = 0.0
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumSize(200, 150)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        state.project_replaced.connect(self._on_project_change)
        state.layer_changed.connect(self._on_layer_change)
        state.result_changed.connect(self._on_result_change)
        state.selection_changed.connect(self._on_overlay_change)
        state.highlight_changed.connect(self._on_overlay_change)
        state.plan_changed.connect(self._on_overlay_change)
        state.layers_changed.connect(self.invalidate)
        state.zoom_requested.connect(self.zoom_to_features)
        self._fitted = False

    # -- model events ----------------------------------------------------------------------------
    def _on_project_change(self) -> None:
        self.renderer.rebuild_all()
        self._fitted = False
        self.full_extent()
        if self.isVisible():  # the map first, before the panels build their views of it
            self.repaint()

    def _on_layer_change(self, name: str) -> None:
        if name in ("kabupaten", "kecamatan", "desa", "roads", "facilities"):
            self.renderer.rebuild_layer(name)
            self.invalidate()

    def _on_result_change(self) -> None:
        self.renderer.rebuild_result()
        self.invalidate()

    def _on_overlay_change(self, *args) -> None:
        self.update()

    # -- view ------------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """The layers changed: every rendered picture is drawn again."""
        self._pictures.clear()
        self._drop_view()

    def _drop_view(self) -> None:
        """The view changed: the image for it is taken from the kept pictures or drawn."""
        self._cache = None
        self._stale = False
        self.update()

    def band(self) -> float:
        """The zoom band (simplification tolerance, metres) of the current view."""
        return band_for(self.view.mupp)

    def _picture_key(self) -> tuple:
        v = self.view
        return (v.cx, v.cy, v.mupp, self.width(), self.height(), self.devicePixelRatioF())

    def _refresh(self) -> None:
        """After the frame showing a moved image: draw the view's own image."""
        if self._stale:
            self._drop_view()

    def set_view(self, cx: float, cy: float, mupp: float) -> None:
        mupp = max(0.05, min(mupp, 1e5))
        old = self.view
        self.view = View(cx, cy, mupp)
        cached = self._cache_view
        if cached is not None and abs(mupp - cached.mupp) <= 1e-9 * mupp:
            # a pan: reuse the cached image while the new view stays inside it; after a small
            # pan (an arrow key), which is likely to be repeated, render a margin around the
            # window (a margin costs up to 2x: not worth it after a big drag)
            step_x = abs(cx - old.cx) / mupp / max(self.width(), 1)
            step_y = abs(cy - old.cy) / mupp / max(self.height(), 1)
            self._pan_margin = max(step_x, step_y) <= PAN_MARGIN + 1e-6
            if self._cache is not None and (self._cache_covers() or self._picture_key()
                                            not in self._pictures):
                # inside the image: a blit; beyond it: the moved image now, the new one
                # drawn right after this frame (see paintEvent)
                self._stale = not self._cache_covers()
                self.update()
                self.scale_changed.emit(self.scale_denominator())
                return
        else:
            self._pan_margin = False  # a zoom: render just the window (fastest)
        self._drop_view()
        self.scale_changed.emit(self.scale_denominator())

    def _cache_offset(self) -> tuple[float, float]:
        """Where the cached image's top-left corner goes on the widget for the current view."""
        cv, (mx, my) = self._cache_view, self._cache_margin
        return ((cv.cx - self.view.cx) / cv.mupp - mx, (self.view.cy - cv.cy) / cv.mupp - my)

    def _cache_covers(self) -> bool:
        ox, oy = self._cache_offset()
        mx, my = self._cache_margin
        return -2 * mx - 0.01 <= ox <= 0.01 and -2 * my - 0.01 <= oy <= 0.01

    def zoom_to_bounds(self, bounds, margin: float = 0.06) -> None:
        v = View.fitting(bounds, self.width(), self.height(), margin)
        self.set_view(v.cx, v.cy, v.mupp)

    def full_extent(self) -> None:
        ext = self.renderer.extent()
        if ext is not None:
            self.zoom_to_bounds(ext)
            self._fitted = True
            self._home_key = self._picture_key()
        else:
            self.invalidate()

    def zoom_to_layer(self, name: str) -> None:
        if name == "gaps":
            keys = [k for g in self.renderer.groups("gaps") for k in g.keys]
            b = self.renderer.feature_bounds("gaps", keys)
        elif name == "coe":  # the facilities of every COE unit
            res = self.state.result
            keys = list(unit_members(res.coe)) if res is not None else []
            b = self.renderer.feature_bounds("facilities", keys) if keys else None
        else:
            layer = self.renderer.layers.get(name)
            b = layer.extent() if layer is not None else None
        if b is not None:
            self.zoom_to_bounds(b)

    def zoom_to_selection(self) -> None:
        layer, keys = self.state.selection
        if keys:
            self.zoom_to_features(layer, keys)

    def zoom_to_features(self, layer: str, keys) -> None:
        b = self.renderer.feature_bounds(layer, keys)
        if b is None:
            return
        if b[2] - b[0] < 1 and b[3] - b[1] < 1:  # a point: show ~3 km around it
            self.set_view((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, max(3000 / max(self.width(), 1), 2))
        else:
            self.zoom_to_bounds(b, margin=0.25)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        w, h = self.width(), self.height()
        if anchor is None:
            anchor = QPointF(w / 2, h / 2)
        mx, my = self.view.to_map(anchor.x(), anchor.y(), w, h)
        mupp = self.view.mupp / factor
        cx = mx - (anchor.x() - w / 2) * mupp
        cy = my + (anchor.y() - h / 2) * mupp
        self.set_view(cx, cy, mupp)

    def pan_by_pixels(self, dx: float, dy: float) -> None:
        dx, dy = round(dx), round(dy)  # whole pixels: a cached image is reused pixel-exact
        self.set_view(self.view.cx - dx * self.view.mupp, self.view.cy + dy * self.view.mupp,
                      self.view.mupp)

    def scale_denominator(self) -> float:
        dpi = self.logicalDpiX() or 96
        return self.view.mupp * dpi / 0.0254

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        cursors = {Tool.PAN: Qt.OpenHandCursor, Tool.IDENTIFY: Qt.WhatsThisCursor,
                   Tool.SELECT: Qt.ArrowCursor, Tool.ZOOM: Qt.CrossCursor,
                   Tool.ADD: Qt.CrossCursor, Tool.MOVE: Qt.SizeAllCursor}
        self.setCursor(cursors.get(tool, Qt.ArrowCursor))

    # -- rendering -------------------------------------------------------------------------------
    def render_static(self, margin: tuple[int, int] = (0, 0)) -> QImage:
        """The static layers of the current view, with ``margin`` extra pixels on each side."""
        dpr = self.devicePixelRatioF()
        mx, my = margin
        w, h = max(self.width(), 1) + 2 * mx, max(self.height(), 1) + 2 * my
        img = QImage(QSize(int(w * dpr), int(h * dpr)), QImage.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        t0 = time.perf_counter()
        painter = QPainter(img)
        try:
            self.renderer.render(painter, w, h, self.view, margin)
        finally:
            painter.end()
        self.last_render_ms = (time.perf_counter() - t0) * 1000
        self.renderer.prefetch_bands(self.band())
        self.rendered.emit(self.last_render_ms)
        return img

    def resizeEvent(self, event) -> None:  # noqa: N802
        if not self._fitted:
            self.full_extent()
        self.invalidate()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        w, h = self.width(), self.height()
        if self._cache is None:
            key = self._picture_key()
            kept = self._pictures.get(key)
            if kept is not None:  # a view drawn before (the whole area after a zoom out)
                self._pictures.move_to_end(key)
                self._cache, self._cache_view, self._cache_margin = kept
            else:
                margin = (0, 0)
                if self._pan_margin:  # panning: one arrow-key step fits in the margin
                    margin = (int(math.ceil(w * PAN_MARGIN)), int(math.ceil(h * PAN_MARGIN)))
                self._cache = self.render_static(margin)
                self._cache_view = View(self.view.cx, self.view.cy, self.view.mupp)
                self._cache_margin = margin
                self._pictures[key] = (self._cache, self._cache_view, margin)
                old = [k for k in self._pictures if k != self._home_key]
                while len(self._pictures) > PICTURES and old:  # the whole area's stays
                    del self._pictures[old.pop(0)]
        if self._stale:  # this frame shows the moved image; the view's own is drawn next
            QTimer.singleShot(0, self._refresh)
        painter = QPainter(self)
        ox, oy = self._cache_offset()
        ox, oy = round(ox), round(oy)
        if self._drag_mode == "pan" and self._drag_start is not None and self._drag_now is not None:
            painter.fillRect(self.rect(), qcolor(sym.BACKGROUND_COLOUR))
            d = self._drag_now - self._drag_start
            painter.drawImage(QPointF(ox + round(d.x()), oy + round(d.y())), self._cache)
        else:
            if ox or oy:
                painter.fillRect(self.rect(), qcolor(sym.BACKGROUND_COLOUR))
            painter.drawImage(QPointF(ox, oy), self._cache)
            draw_plan(painter, self.renderer, self.state, self.view, w, h)
            draw_highlights(painter, self.renderer, self.state, self.view, w, h)
        if self._drag_mode in ("box_zoom", "box_select") and self._drag_start and self._drag_now:
            r = QRectF(self._drag_start, self._drag_now).normalized()
            painter.setPen(QPen(QColor("#1f618d"), 1, Qt.DashLine))
            painter.setBrush(QColor(31, 97, 141, 40))
            painter.drawRect(r)
        draw_furniture(painter, w, h, self.view.mupp, fictional=self.state.project.fictional)
        painter.end()


    def _map_pos(self, pos: QPointF) -> tuple[float, float]:
        return self.view.to_map(pos.x(), pos.y(), self.width(), self.height())

    def feature_at(self, pos: QPointF) -> tuple[str, str] | None:
        """(layer, key) of the facility near ``pos`` or else the desa under it."""
        x, y = self._map_pos(pos)
        fac = self.renderer.layers.get("facilities")
        if fac is not None and self.state.setting("facilities").visible:
            i = fac.nearest(x, y, 7 * self.view.mupp)
            if i is not None:
                return "facilities", fac.keys[i]
        desa = self.renderer.layers.get("desa")
        if desa is not None and len(desa) and self.state.setting("desa").visible:
            i = desa.hit(x, y)
            if i is not None:
                return "desa", desa.keys[i]
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self.tool == Tool.PAN
                                                  and not event.modifiers() & Qt.ShiftModifier):
            self._drag_mode = "pan"
            self.setCursor(Qt.ClosedHandCursor)
        elif event.button() == Qt.LeftButton and (self.tool == Tool.ZOOM or event.modifiers() & Qt.ShiftModifier):
            self._drag_mode = "box_zoom"
        elif event.button() == Qt.LeftButton and self.tool == Tool.SELECT:
            self._drag_mode = "box_select"
        elif event.button() == Qt.LeftButton and self.tool == Tool.MOVE:
            hit = self.feature_at(pos)
            self._moving = hit[1] if hit and hit[0] == "facilities" else None
            self._drag_mode = "move" if self._moving else None
        else:
            self._drag_mode = "click"
        self._drag_start = pos
        self._drag_now = pos

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        x, y = self._map_pos(pos)
        lon, lat = self.renderer.to_lonlat(x, y)
        e, n = self.renderer.to_utm(x, y)
        self.cursor_moved.emit(lon, lat, self.renderer.utm_zone, e, n)
        if self._drag_start is not None:
            self._drag_now = pos
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        start, mode = self._drag_start, self._drag_mode
        pos = event.position()
        self._drag_start = self._drag_now = None
        self._drag_mode = None
        if start is None:
            return
        moved = (pos - start).manhattanLength() > 4
        if mode == "pan":
            self.set_cursor_for_tool()
            if moved:
                d = pos - start
                self.pan_by_pixels(d.x(), d.y())
                return
            self._click(pos)
        elif mode == "box_zoom":
            if moved:
                (x0, y0), (x1, y1) = self._map_pos(start), self._map_pos(pos)
                self.zoom_to_bounds((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), 0)
            else:
                self.zoom_by(2.0, pos)
        elif mode == "box_select":
            if moved:
                self._box_select(start, pos)
            else:
                self._click(pos)
        elif mode == "move" and self._moving:
            fac_id, self._moving = self._moving, None
            if moved:
                lon, lat = self.renderer.to_lonlat(*self._map_pos(pos))
                self.move_requested.emit(fac_id, lon, lat)
        elif mode == "click":
            if self.tool == Tool.ADD and event.button() == Qt.LeftButton:
                lon, lat = self.renderer.to_lonlat(*self._map_pos(pos))
                self.add_requested.emit(lon, lat)
            elif event.button() == Qt.LeftButton:
                self._click(pos)
        self.update()

    def set_cursor_for_tool(self) -> None:
        self.set_tool(self.tool)

    def _click(self, pos: QPointF) -> None:
        hit = self.feature_at(pos)
        if hit is None:
            self.state.clear_selection()
            return
        self.state.select(hit[0], [hit[1]])
        self.identified.emit(*hit)

    def _box_select(self, a: QPointF, b: QPointF) -> None:
        (x0, y0), (x1, y1) = self._map_pos(a), self._map_pos(b)
        rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        fac = self.renderer.layers.get("facilities")
        if fac is not None and len(fac) and self.state.setting("facilities").visible:
            m = fac.in_view(rect)
            if m.any():
                self.state.select("facilities", [fac.keys[i] for i in np.flatnonzero(m)])
                return
        desa = self.renderer.layers.get("desa")
        if desa is not None and len(desa):
            idx = desa.intersecting(rect)
            self.state.select("desa", [desa.keys[i] for i in idx.tolist()])

    def wheelEvent(self, event) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, event.position())

    def keyPressEvent(self, event) -> None:  # noqa: N802
        k = event.key()
        step = 0.25
        w, h = self.width(), self.height()
        if k == Qt.Key_Left:
            self.pan_by_pixels(w * step, 0)
        elif k == Qt.Key_Right:
            self.pan_by_pixels(-w * step, 0)
        elif k == Qt.Key_Up:
            self.pan_by_pixels(0, h * step)
        elif k == Qt.Key_Down:
            self.pan_by_pixels(0, -h * step)
        elif k in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom_by(1.5)
        elif k == Qt.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif k == Qt.Key_Escape:
            self.state.clear_selection()
        else:
            super().keyPressEvent(event)
