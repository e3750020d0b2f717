"""The national web map's texts built a column at a time equal those built value by value, and
its chunks cut from the whole country (one projection per UTM zone) equal those of one
kabupaten at a time."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, box

from ilp_gis import model
from ilp_gis.geo import utm_crs
from ilp_gis.i18n import language
from reports.webmap import detail as det
from reports.webmap.geometry import round_coords, simplify_for_web
from reports.webmap.values import (
    clean_text,
    clean_texts,
    count_text,
    count_texts,
    format_value,
    is_finite,
    value_texts,
)

VALUES = [None, np.nan, pd.NA, float("inf"), "  Desa A ", "", "   ", 3, 3.0, 2.5, "7", 1234567.25,
          -0.05, 0.0, True]


def test_column_texts_equal_the_texts_of_each_value():
    for lang in ("id", "en"):
        with language(lang):
            assert clean_texts(VALUES) == [clean_text(v) for v in VALUES]
            assert count_texts(VALUES) == [count_text(v) for v in VALUES]
            numbers = [v for v in VALUES if not isinstance(v, bool)]
            for kind in ("km", "min"):
                want = [format_value(v, kind) if is_finite(v) else None for v in numbers]
                assert value_texts(numbers, kind) == want
    with language("id"):
        assert value_texts([1234567.25], "km") == ["1.234.567,2 km"]
    with language("en"):
        assert value_texts([1234567.25], "km") == ["1,234,567.2 km"]


def _grid(x0: float, y0: float, n: int, step: float) -> list:
    """n x n jagged squares (shared borders) south-east of (x0, y0)."""
    out = []
    for i in range(n):
        for j in range(n):
            cell = box(x0 + i * step, y0 - (j + 1) * step, x0 + (i + 1) * step, y0 - j * step)
            out.append(shapely.segmentize(cell, step / 7))
    return out


def test_chunks_cut_from_the_nation_equal_one_kabupaten_at_a_time():
    # two kabupaten in two UTM zones (48S west of 108 E, 49S east of it)
    west, east = box(106.0, -7.2, 106.2, -7.0), box(110.0, -7.2, 110.4, -7.0)
    chunker = det.Chunker(np.array([west, east], dtype=object), ["Barat", "Timur"])
    desa = gpd.GeoDataFrame(geometry=_grid(106.0, -7.0, 4, 0.05) + _grid(110.0, -7.0, 4, 0.1),
                            crs=model.WGS84).iloc[np.r_[16:32, 0:16]]  # east first: order kept
    roads = gpd.GeoDataFrame(geometry=[LineString([(106.01 + k / 1000, -7.01 - k / 2000)
                                                   for k in range(150)]),
                                       LineString([(110.3 - k / 800, -7.1 + k / 3000)
                                                   for k in range(200)])], crs=model.WGS84)
    frames = {"desa": desa, "roads": roads}
    grouped = {k: det._groups(chunker.assign(f.geometry.values)) for k, f in frames.items()}
    assert sorted(grouped["desa"]) == [0, 1] and sorted(grouped["roads"]) == [0, 1]
    zone_of, tol_of = det._chunk_zones([0, 1], grouped, frames)
    assert zone_of == {0: 32748, 1: 32749}
    zones = {32748: [0], 32749: [1]}
    areas = det._areas_by_zone(desa, grouped["desa"], zones, tol_of)
    lines = det._lines_by_zone(roads, grouped["roads"], zones, tol_of)
    for chunk in (0, 1):
        sub = desa.iloc[grouped["desa"][chunk]]
        crs = utm_crs(sub)
        assert crs.to_epsg() == zone_of[chunk]
        # the tolerance of a kabupaten page: 1/3000 of its extent's diagonal, 5 ... 300 m
        w, s, e, n = sub.total_bounds
        x, y = Transformer.from_crs(model.WGS84, crs, always_xy=True).transform(
            [w, e, w, e], [s, s, n, n])
        tol = min(300.0, max(5.0, math.hypot(max(x) - min(x), max(y) - min(y)) / 3000.0))
        assert tol_of[chunk] == tol and tol > 5.0
        one = simplify_for_web(sub.geometry, crs, tol)
        got = areas[grouped["desa"][chunk]]
        assert all(a.equals_exact(b, 0) for a, b in zip(got, one, strict=True))
        assert shapely.get_num_coordinates(got).sum() < shapely.get_num_coordinates(
            sub.geometry.values).sum()  # simplified indeed
        road = roads.iloc[grouped["roads"][chunk]]
        metric = road.to_crs(crs).geometry.values
        want = round_coords(np.asarray(gpd.GeoSeries(
            shapely.simplify(metric, tol, preserve_topology=False), crs=crs)
            .to_crs(model.WGS84).values, dtype=object))
        assert all(a.equals_exact(b, 0) for a, b in
                   zip(lines[grouped["roads"][chunk]], want, strict=True))
