"""The map at national scale: zoom bands (coarser geometry when zoomed out), culling to the view,
pans that show the moved picture at once, kept pictures for the zoom out, and a project shown
with its areas first while the other layers load in the background (identify still right)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from shapely.geometry import Polygon, box

from ui.map import MapRenderer, View
from ui.map.bands import band_for
from ui.map.layers import GeometryLayer

from .conftest import LAT0, LON0, STEP, make_project, shown_canvas


def test_zoomed_out_views_draw_the_coarser_geometry():
    # a "circle" of radius 10 km drawn with 2,000 vertices (one every ~31 m)
    t = np.linspace(0, 2 * math.pi, 2000, endpoint=False)
    ring = Polygon(np.c_[10_000 * np.cos(t), 10_000 * np.sin(t)])
    layer = GeometryLayer(np.array([ring], dtype=object), ["c"])
    assert band_for(1.0) == 0.0  # 1 m a pixel: every vertex
    assert band_for(3300.0) == 1000.0 or band_for(3300.0) == 2000.0  # the whole country
    assert band_for(3300.0) > band_for(100.0) > band_for(10.0)
    fine = layer.path(band_for(1.0)).elementCount()
    coarse = layer.path(band_for(3300.0)).elementCount()
    assert fine == 2001  # closed ring
    # at >= 1 km tolerance a 10 km circle keeps only a handful of vertices, never vanishes
    assert 4 <= coarse <= 40
    # each band is simplified once and kept
    assert layer.has_band(band_for(3300.0)) and layer.parts(band_for(3300.0)) is \
        layer.parts(band_for(3300.0))


def test_a_zoomed_view_draws_only_the_features_it_intersects(qtbot, state, monkeypatch):
    r = MapRenderer(state)
    desa = r.layers["desa"]
    drawn: list[int] = []
    real = GeometryLayer.path

    def path(self, tol, mask=None, cache_key=None):
        if self is desa:
            drawn.append(len(self) if mask is None else int(mask.sum()))
        return real(self, tol, mask, cache_key)

    monkeypatch.setattr(GeometryLayer, "path", path)
    # the view: the middle of desa B (the second of six desa in a row), 1 m a pixel
    x, y = r.to_local(LON0 + 1.5 * STEP, LAT0 + 0.5 * STEP)
    img = QImage(200, 100, QImage.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    r.render(p, 200, 100, View(x, y, 1.0))
    p.end()
    assert drawn and set(drawn) == {1}  # only desa B is in a 200 m x 100 m view
    drawn.clear()
    x0, y0, x1, y1 = r.extent()
    p = QPainter(img)
    r.render(p, 200, 100, View((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 150))
    p.end()
    assert set(drawn) == {6}  # the whole district: all six


def test_a_pan_shows_the_moved_picture_first_and_a_zoom_out_reuses_the_whole_area_picture(
        qtbot, state):
    c = shown_canvas(qtbot, state)
    renders: list[float] = []
    c.rendered.connect(renders.append)
    c.grab()
    assert len(renders) == 1  # the whole area
    c.zoom_by(4.0)
    c.grab()
    assert len(renders) == 2
    c.pan_by_pixels(c.width() * 0.6, 0)  # beyond the picture
    c.grab()
    assert len(renders) == 2  # the frame after the pan is the moved picture
    QApplication.processEvents()  # ... then the view's own one is drawn
    c.grab()
    assert len(renders) == 3
    c.full_extent()  # the zoom out to the whole area: its kept picture, no render
    shown = c.grab().toImage()
    assert len(renders) == 3
    c.invalidate()  # drawn afresh it looks the same
    fresh = c.grab().toImage()
    assert len(renders) == 4
    assert shown == fresh


def _open_deferred(qtbot, window, path):
    window.open_path(path, check_recovery=False)
    qtbot.waitUntil(lambda: window.state.project.path == path.resolve(), timeout=60000)


def test_a_project_is_shown_with_its_areas_first_and_the_rest_loads_after(
        qtbot, window, tmp_path):
    from layers.project_file import open_project, save_project
    from ui.state import key_of

    path = tmp_path / "p.gpkg"
    save_project(make_project(), path)  # another project than the one the window shows
    window.state._load_result_fn = lambda p: None  # no stored result: the analysis runs
    loads: list[str] = []
    window.state.project_replaced.connect(lambda: loads.append(
        ",".join(sorted(window.state.project.layers))))
    _open_deferred(qtbot, window, path)
    # shown first: the areas only, the facilities/roads still being read
    assert loads[0] == "desa,kabupaten,kecamatan"
    qtbot.waitUntil(lambda: not window.still_loading(), timeout=60000)
    qtbot.waitUntil(lambda: window.state.result is not None, timeout=60000)
    project = window.state.project
    whole = open_project(path)
    assert sorted(project.layers) == sorted(whole.layers)
    assert key_of(project.facilities, "facilities") == key_of(whole.facilities, "facilities")
    assert not project.stored.unread
    assert not project.dirty
    # the map holds the facilities, built in the worker, and identify finds them
    c = window.canvas
    fac = c.renderer.layers["facilities"]
    assert sorted(fac.keys) == sorted(whole.facilities["fac_id"])
    c.zoom_to_features("facilities", ["pst2"])
    x, y = fac.xy[fac.key_index["pst2"]]
    sx, sy = c.view.to_screen(x, y, c.width(), c.height())
    from PySide6.QtCore import QPointF

    assert c.feature_at(QPointF(sx, sy)) == ("facilities", "pst2")
    # a desa under a point with no facility near: desa F (the sixth), away from its Posyandu
    x, y = c.renderer.to_local(LON0 + 5.1 * STEP, LAT0 + 0.9 * STEP)
    c.zoom_to_bounds((x - 300, y - 300, x + 300, y + 300))
    sx, sy = c.view.to_screen(x, y, c.width(), c.height())
    assert c.feature_at(QPointF(sx, sy)) == ("desa", project.desa["code"].iloc[5])


def test_edits_and_saves_wait_until_the_project_is_loaded(qtbot, window, tmp_path,
                                                          monkeypatch):
    import layers.project_file as pf
    from layers.project_file import save_project

    path = tmp_path / "p.gpkg"
    save_project(make_project(), path)
    import threading

    real = pf.read_unread
    gate = threading.Event()

    def slow_read(project, names=None):  # in the worker: the read waits for the test
        gate.wait(60)
        return real(project, names)

    monkeypatch.setattr(pf, "read_unread", slow_read)
    _open_deferred(qtbot, window, path)
    assert window.still_loading()
    before = path.stat().st_mtime_ns
    assert window.save() is False  # nothing written while layers are unread
    assert path.stat().st_mtime_ns == before
    assert window.edit_value("pkm1", "name", "X") is False
    assert not window.state.project.dirty
    gate.set()
    qtbot.waitUntil(lambda: not window.still_loading(), timeout=60000)
    assert window.state.project.has("facilities")


def test_the_sample_renders_the_same_opened_whole_or_areas_first(qtbot, sample_project_path):
    from layers.project_file import adopt_unread, open_project, read_unread
    from ui.state import AppState

    def picture(project) -> QImage:
        st = AppState(project, load_result_fn=lambda p: None)
        r = MapRenderer(st)
        if project.stored.unread:  # the areas shown first, the rest read and built after
            prepare = r.preparer()
            read = read_unread(project)
            built = prepare(read.frames, None, None)
            r.offer(built)
            for name in adopt_unread(project, read):
                project.changed.emit(name)
                r.rebuild_layer(name)
            assert r.layers["facilities"] is built["facilities"][1]  # taken, not built again
        x0, y0, x1, y1 = r.extent()
        img = QImage(600, 400, QImage.Format_ARGB32_Premultiplied)
        p = QPainter(img)
        r.render(p, 600, 400, View((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 500))
        p.end()
        return img

    whole = picture(open_project(sample_project_path))
    first = open_project(sample_project_path, only=("kabupaten", "kecamatan", "desa"))
    assert not first.has("facilities") and "facilities" in first.stored.unread
    assert picture(first) == whole


def test_unread_layers_are_adopted_only_into_the_file_they_were_read_from(tmp_path,
                                                                          tiny_project):
    from layers.project_file import adopt_unread, open_project, read_unread, save_project

    path = tmp_path / "p.gpkg"
    save_project(tiny_project, path)
    first = open_project(path, only=("desa",))
    assert sorted(first.layers) == ["desa"]
    read = read_unread(first, ["roads"])
    assert list(read.frames) == ["roads"]
    assert adopt_unread(first, read) == ["roads"]
    assert first.has("roads") and "roads" not in first.stored.unread
    assert "facilities" in first.stored.unread
    # the project saved meanwhile (another file state): what was read before is not taken
    read = read_unread(first)
    kab = gpd.GeoDataFrame([{"code": "35.07", "name": "Baru"}],
                           geometry=[box(LON0, LAT0, LON0 + STEP, LAT0 + STEP)],
                           crs="EPSG:4326")
    first.set_layer("kabupaten", kab)
    save_project(first, path)
    assert adopt_unread(first, read) == []
    again = open_project(path)  # the save kept every layer the project had not read
    assert len(again.facilities) == len(tiny_project.facilities)
    assert list(again.kabupaten["name"]) == ["Baru"]


def test_lines_shorter_than_a_pixel_are_left_out_of_a_zoomed_out_network(qtbot, state,
                                                                          monkeypatch):
    from shapely.geometry import LineString

    r = MapRenderer(state)
    # two parent links: 100 m and 10 km long
    net = GeometryLayer(np.array([LineString([(0, 0), (100, 0)]),
                                  LineString([(0, 0), (10_000, 0)])], dtype=object), ["a", "b"],
                        lines=True)
    net.link = ["given", "given"]
    r.layers["network"] = net
    assert list(net.extent_at_least(150.0)) == [False, True]
    seen: list[list[bool]] = []
    real = GeometryLayer.class_path

    def class_path(self, tol, visible, attr, value):
        if self is net:
            seen.append(list(visible))
        return real(self, tol, visible, attr, value)

    monkeypatch.setattr(GeometryLayer, "class_path", class_path)
    img = QImage(400, 200, QImage.Format_ARGB32_Premultiplied)
    # 1 m a pixel around the short link (both in view); 100 m a pixel over both
    for view, expected in ((View(50, 0, 1.0), [True, True]), (View(5000, 0, 100.0),
                                                               [False, True])):
        seen.clear()
        p = QPainter(img)
        r._draw_network(p, 400, 200, view, view.rect(400, 200), band_for(view.mupp))
        p.end()
        assert seen and all(s == expected for s in seen)  # 100 m at 100 m a pixel: left out


def test_a_zoom_into_a_small_part_simplifies_only_that_part_and_draws_the_same():
    # 40 squares in a row, 1 km each, drawn with many vertices
    t = np.linspace(0, 1, 200)
    squares = []
    for i in range(40):
        x0 = i * 1000.0
        ring = np.r_[np.c_[x0 + t * 1000, np.zeros_like(t)], np.c_[x0 + 1000 + 0 * t, t * 1000],
                     np.c_[x0 + 1000 - t * 1000, 1000 + 0 * t], np.c_[x0 + 0 * t, 1000 - t * 1000]]
        squares.append(Polygon(ring))
    layer = GeometryLayer(np.array(squares, dtype=object), [str(i) for i in range(40)])
    mask = layer.in_view((2100, 100, 4900, 900))  # squares 2, 3 and 4
    assert int(mask.sum()) == 3
    part = layer.path(15.0, mask)
    assert not layer.has_band(15.0)  # the whole layer was not simplified for it
    whole = GeometryLayer(layer.shapes, layer.keys)
    whole.parts(15.0)
    same = whole.path(15.0, mask)
    assert part.elementCount() == same.elementCount() == 3 * 5  # three closed squares
    assert part.boundingRect() == same.boundingRect()


def test_the_band_on_screen_is_simplified_in_the_background(monkeypatch):
    import ui.map.bands as bands

    monkeypatch.setattr(bands, "_PREFETCH_MIN", 0)
    layer = GeometryLayer(np.array([box(0, 0, 1000, 1000)], dtype=object), ["a"])
    thread = bands.BandPrefetcher().start([layer], 15.0)
    thread.join(30)
    assert layer.has_band(15.0) and layer.has_band(30.0) and layer.has_band(8.0)


def test_roads_are_not_simplified_for_scales_that_draw_no_road(qtbot, state, monkeypatch):
    import ui.map.bands as bands

    monkeypatch.setattr(bands, "_PREFETCH_MIN", 0)
    r = MapRenderer(state)
    roads, desa = r.layers["roads"], r.layers["desa"]
    national = band_for(3300.0)  # the whole country in a window
    assert not bands.roads_shown(national) and bands.roads_shown(band_for(50.0))
    r.prefetch_bands(national).join(30)
    assert desa.has_band(national) and not roads.has_band(national)
    r.prefetch_bands(band_for(50.0)).join(30)
    assert roads.has_band(band_for(50.0))


def test_a_project_whose_other_layers_could_not_be_read_is_never_saved_without_them(
        qtbot, window, tmp_path, monkeypatch):
    import layers.project_file as pf
    from ilp_gis.errors import ProjectError
    from layers.project_file import open_project, save_project

    path = tmp_path / "p.gpkg"
    save_project(make_project(), path)

    def changed(project, names=None):
        raise ProjectError(pf.tr("project.changed_meanwhile", file=str(path)))

    monkeypatch.setattr(pf, "read_unread", changed)
    window._expected_errors = 1  # the message naming the file
    _open_deferred(qtbot, window, path)
    qtbot.waitUntil(lambda: window.tasks.get("load") is None, timeout=60000)
    assert not window.state.project.has("facilities")
    assert window.still_loading()
    assert window.save() is False
    assert len(open_project(path).facilities) == len(make_project().facilities)
