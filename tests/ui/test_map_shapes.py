"""Map layers hold coordinate arrays, not geometries: what they make again from the arrays is
the geometry they were given, and boxes, clicks and box selections answer as shapely does."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box

from ui.map import shapes
from ui.map.layers import GeometryLayer
from ui.map.shapes import Shapes, ranges


def _areas() -> np.ndarray:
    holed = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)],
                                                           [(6, 6), (8, 6), (8, 8)]])
    two = MultiPolygon([box(20, 0, 25, 5), Polygon([(30, 0), (36, 0), (33, 4)])])
    one_part = MultiPolygon([box(40, 0, 41, 1)])  # a multi-part geometry of one part
    return np.array([holed, None, two, box(50, 50, 60, 55), one_part, Polygon()], dtype=object)


def _lines() -> np.ndarray:
    return np.array([LineString([(0, 0), (5, 5), (9, 1)]), None,
                     MultiLineString([[(1, 1), (2, 2)], [(3, 3), (4, 5), (6, 6)]]),
                     LineString([(7, 7), (8, 9)])], dtype=object)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return all((x is None and y is None) or (x is not None and y is not None and x.geom_type
                                              == y.geom_type and shapely.equals_exact(x, y, 0))
               for x, y in zip(a, b, strict=True))


def test_ranges_lists_each_run_of_indices():
    assert ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist() == [5, 6, 9, 10, 11]
    assert ranges(np.array([], dtype=int), np.array([], dtype=int)).tolist() == []


def test_areas_and_lines_come_back_as_given(monkeypatch):
    for geoms, lines in ((_areas(), False), (_lines(), True)):
        for chunk in (2, 20_000):  # taken a few features at a time or at once
            monkeypatch.setattr(shapes, "CHUNK", chunk)
            sh = Shapes.of(geoms, lines=lines)
            made = sh.geometries()
            # the empty polygon has no part: it comes back missing, as it is drawn (nothing)
            want = geoms.copy()
            want[shapely.is_empty(np.where(want == None, Polygon(), want))] = None  # noqa: E711
            assert _same(made, want)
            assert _same(sh.geometries(np.array([2, 3])), want[[2, 3]])


def test_a_feature_s_box_is_shapely_s_and_a_missing_one_has_none():
    geoms = _areas()
    sh = Shapes.of(geoms, lines=False)
    b = sh.bounds()
    assert np.isnan(b[1]).all() and np.isnan(b[5]).all()
    for i in (0, 2, 3, 4):
        assert tuple(b[i]) == tuple(shapely.bounds(geoms[i]))


def test_vertices_are_moved_into_map_metres_once():
    geoms = _areas()
    moved = Shapes.of(geoms, move=lambda c: c * 2 + 1).geometries()
    want = shapely.transform(geoms, lambda c: c * 2 + 1)
    assert _same(moved[[0, 2, 3, 4]], want[[0, 2, 3, 4]])


def test_click_and_box_selection_answer_as_shapely_does():
    geoms = _areas()
    layer = GeometryLayer(geoms, [str(i) for i in range(len(geoms))])
    assert layer.hit(1, 1) == 0
    assert layer.hit(3, 3) is None  # in the hole
    assert layer.hit(33, 1) == 2 and layer.hit(27, 1) is None  # between the two parts
    assert layer.intersecting((3.5, 3.5, 22, 4.5)).tolist() == [0, 2]
    assert layer.intersecting((26, 3, 29, 4)).tolist() == []  # in the box of 2, outside it
    assert len(layer) == 6 and layer.valid.tolist() == [True, False, True, True, True, False]


def test_the_full_resolution_band_is_the_arrays_themselves():
    layer = GeometryLayer(_areas(), [str(i) for i in range(6)])
    p = layer.parts(0.0)
    assert p.coords is layer.shapes.coords
    # rings: the holed square's exterior and its two holes, then 2 + 1 + 1 polygons
    assert p.feature.tolist() == [0, 0, 0, 2, 2, 3, 4]
    assert p.counts.tolist() == [5, 5, 4, 5, 4, 5, 5]


def test_bands_simplified_while_the_layer_is_made_are_those_made_later(monkeypatch):
    rng = np.random.default_rng(3)
    rings = [Polygon([(i * 50 + 20 * np.cos(a) + rng.uniform(-2, 2),
                       20 * np.sin(a) + rng.uniform(-2, 2))
                      for a in np.linspace(0, 2 * np.pi, 40)[:-1]]) for i in range(30)]
    geoms = np.array([*rings[:10], None, MultiPolygon(rings[10:12]), *rings[12:]], dtype=object)
    move = lambda c: c * 1.5 - 7  # noqa: E731
    monkeypatch.setattr(shapes, "CHUNK", 8)  # several chunks
    for lines, g in ((False, geoms), (True, shapely.boundary(geoms))):
        later = GeometryLayer(g, [str(i) for i in range(len(g))], lines=lines, move=move)
        at_once = GeometryLayer(g, [str(i) for i in range(len(g))], lines=lines, move=move,
                                bands=(0.0, 4.0, 30.0))
        assert np.array_equal(later.shapes.coords, at_once.shapes.coords)
        assert at_once.has_band(4.0) and at_once.has_band(30.0)
        for tol in (0.0, 4.0, 30.0):
            a, b = later.parts(tol), at_once.parts(tol)
            for x, y in ((a.coords, b.coords), (a.counts, b.counts), (a.feature, b.feature),
                         (a.starts, b.starts)):
                assert np.array_equal(x, y)


def test_a_first_view_layer_takes_its_arrays_when_first_asked_and_draws_the_same():
    geoms = _areas()
    move = lambda c: c * 3 + 2  # noqa: E731
    now = GeometryLayer(geoms, [str(i) for i in range(6)], move=move, bands=(2.0,))
    later = GeometryLayer(geoms, [str(i) for i in range(6)], move=move, bands=(2.0,),
                          later=True)
    assert later._shapes is None and len(later) == 6
    assert np.array_equal(now.bounds, later.bounds, equal_nan=True)
    assert now.valid.tolist() == later.valid.tolist()
    a, b = now.parts(2.0), later.parts(2.0)
    assert np.array_equal(a.coords, b.coords) and np.array_equal(a.feature, b.feature)
    assert later._shapes is None  # the band was made from the moved geometries
    assert later.hit(3 * 1 + 2, 3 * 1 + 2) == 0 and later._moved is None
    assert np.array_equal(now.parts(0.0).coords, later.parts(0.0).coords)
