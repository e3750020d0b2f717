"""The map canvas: paths from arrays, rendering, identify, selection by click and box."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPainter

from ui.map import MapRenderer, View, path_from_arrays

from .conftest import shown_canvas


def test_path_from_arrays_matches_the_vertices():
    x = np.array([0.0, 1.0, 1.0, 5.0, 6.0])
    y = np.array([0.0, 0.0, 1.0, 5.0, 5.0])
    codes = np.array([0, 1, 1, 0, 1])
    path = path_from_arrays(x, y, codes)
    assert path.elementCount() == 5
    assert path.elementAt(3).isMoveTo() and path.elementAt(4).x == 6.0
    assert path.boundingRect().width() == 6.0


def test_render_draws_desa_and_facilities(qtbot, state):
    c = shown_canvas(qtbot, state)
    img = c.render_static()
    assert c.last_render_ms > 0
    # centre of Desa B (which has a Pustu and no gap) is the desa fill colour
    x, y = c.renderer.to_local(112.60 + 1.5 * 0.03, -8.10 + 0.85 * 0.03)
    sx, sy = c.view.to_screen(x, y, c.width(), c.height())
    colour = img.pixelColor(int(sx * img.devicePixelRatio()), int(sy * img.devicePixelRatio()))
    assert colour.name() != "#ffffff"
    # offscreen render of the renderer alone (what the benchmark does)
    r = MapRenderer(state)
    out = QImage(400, 200, QImage.Format_ARGB32_Premultiplied)
    p = QPainter(out)
    r.render(p, 400, 200, View(0, 0, c.view.mupp * 2))
    p.end()
    assert not out.isNull()


def test_click_selects_facility_and_box_selects_many(qtbot, state):
    c = shown_canvas(qtbot, state)
    x, y = c.renderer.layers["facilities"].xy[c.renderer.layers["facilities"].key_index["pkm1"]]
    sx, sy = c.view.to_screen(x, y, c.width(), c.height())
    qtbot.mouseClick(c, Qt.LeftButton, pos=QPoint(int(sx), int(sy)))
    assert state.selection == ("facilities", ("pkm1",))
    c.set_tool("select")
    qtbot.mousePress(c, Qt.LeftButton, pos=QPoint(2, 2))
    qtbot.mouseMove(c, QPoint(c.width() - 2, c.height() - 2))
    qtbot.mouseRelease(c, Qt.LeftButton, pos=QPoint(c.width() - 2, c.height() - 2))
    layer, keys = state.selection
    assert layer == "facilities" and len(keys) == len(state.project.facilities)


def test_click_on_empty_desa_selects_the_desa(qtbot, state):
    c = shown_canvas(qtbot, state)
    state.set_visible("facilities", False)
    x, y = c.renderer.to_local(112.60 + 4.5 * 0.03, -8.10 + 0.9 * 0.03)
    sx, sy = c.view.to_screen(x, y, c.width(), c.height())
    hit = c.feature_at(QPointF(float(sx), float(sy)))
    assert hit == ("desa", "35.07.02.2002")


def test_zoom_requests_and_keys_change_the_view(qtbot, state):
    c = shown_canvas(qtbot, state)
    full = c.view.mupp
    state.request_zoom("facilities", ["psy3"])
    assert c.view.mupp < full
    c.full_extent()
    before = (c.view.cx, c.view.cy)
    qtbot.keyClick(c, Qt.Key_Right)
    assert c.view.cx > before[0]
    c.zoom_by(2.0)
    assert abs(c.scale_denominator() * 2 - c.view.mupp * 2 * c.logicalDpiX() / 0.0254) < 1


def test_pans_reuse_the_static_image_and_show_what_a_fresh_render_shows(qtbot, state):
    c = shown_canvas(qtbot, state)
    c.zoom_by(2.0)
    c.grab()  # paints
    renders = []
    c.rendered.connect(renders.append)
    c.keyPressEvent(_key(Qt.Key_Left))  # the first pan renders a margin around the window,
    c.grab()  # right after the frame showing the moved image
    assert renders == []
    _settle(c)
    assert len(renders) == 1 and c._cache_margin != (0, 0)
    c.keyPressEvent(_key(Qt.Key_Right))  # back inside the margin: no new render
    c.keyPressEvent(_key(Qt.Key_Down))
    shown = c.grab().toImage()
    assert len(renders) == 1
    c.invalidate()  # a fresh render of the same view must look the same
    c._pan_margin = False
    fresh = c.grab().toImage()
    assert len(renders) == 2
    w, h = shown.width(), shown.height()
    differ = sum(shown.pixel(x, y) != fresh.pixel(x, y)
                 for x in range(0, w, 7) for y in range(0, h, 7))
    assert differ / ((w // 7 + 1) * (h // 7 + 1)) < 0.02  # labels may be placed differently
    c.zoom_by(1.5)  # a zoom renders just the window again
    c.grab()
    assert len(renders) == 3 and c._cache_margin == (0, 0)
    c.pan_by_pixels(c.width() * 0.6, 0)  # so does a big drag
    _settle(c)
    assert len(renders) == 4 and c._cache_margin == (0, 0)


def _settle(c):
    """Paint, let the canvas draw the view's own image after that frame, paint again."""
    from PySide6.QtWidgets import QApplication

    c.grab()
    QApplication.processEvents()
    c.grab()


def _key(key):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.KeyPress, key, Qt.NoModifier)


def test_neighbouring_zoom_bands_are_simplified_in_the_background(qtbot, state, monkeypatch):
    import ui.map.bands as bands

    monkeypatch.setattr(bands, "_PREFETCH_MIN", 0)
    c = shown_canvas(qtbot, state)
    c.grab()
    tol = bands.band_for(c.view.mupp)
    i = bands.BANDS.index(tol)
    thread = c.renderer.prefetcher.thread
    assert thread is not None
    thread.join(10)
    desa = c.renderer.layers["desa"]
    for j in (i - 1, i + 1):
        if 0 <= j < len(bands.BANDS):
            assert bands.BANDS[j] in desa._bands
    # the prefetched band draws exactly like one computed on the spot
    done = desa._bands.pop(bands.BANDS[i + 1])
    again = desa.parts(bands.BANDS[i + 1])
    assert np.array_equal(done.coords, again.coords) and np.array_equal(done.counts, again.counts)
