"""Siting at national scale holds its travel searches in bounded blocks: the pairs within the
limit are the same whatever the block, and the roads and settlements are handed back once the
ground has read them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from ilp_gis.project import Project
from ilp_gis.siting.measure import Ground, source_block
from tests.ilp_gis.micro import UTM, X0, Y0, desa_on_a_road


def _project() -> Project:
    # one kolektor road (40 km/h: 10 km in 15 minutes) from x = -5 km to x = 25 km, three desa
    layers = desa_on_a_road((0, 10, 20), (-5, 25))
    return Project(layers=layers)


def _pairs(ground, fxy, txy, limit, **kw):
    rows, cols, mins = ground.road_pairs(fxy, txy, limit, **kw)
    return {(int(r), int(c)): round(float(m), 6)
            for r, c, m in zip(rows, cols, mins, strict=True)}


def test_source_block_bounds_the_rows_held_at_once():
    assert source_block(256, 1000, 8 * 1000 * 10) == 10  # ten rows of 1000 float64
    assert source_block(256, 10 ** 9, 1) == 1  # never fewer than one source
    assert source_block(4, 10, 10 ** 9) == 4  # never more than asked


def test_road_pairs_are_the_same_in_any_block():
    proj = _project()
    ground = Ground(proj, proj.rules)
    on_road = np.array([[X0 + x, Y0] for x in (0.0, 10_000.0, 20_000.0, 5_000.0)])
    far = np.array([[X0 + 40_000.0, Y0]])  # 15 km beyond the road's end: nobody within reach
    fxy = np.vstack([on_road, far])
    txy = np.array([[X0 + 10_000.0, Y0], [X0 + 20_000.0, Y0]])
    whole = _pairs(ground, fxy, txy, 20.0)
    # along the road: 10 km = 15 min, 5 km = 7.5 min, 15 km = 22.5 min (beyond 20)
    expected = {(0, 0): 15.0, (1, 0): 0.0, (2, 0): 15.0, (3, 0): 7.5,
                (1, 1): 15.0, (2, 1): 0.0}
    assert whole.keys() == expected.keys()
    for k, v in expected.items():
        assert whole[k] == pytest.approx(v, abs=1e-6)
    for block in (1, 8 * 10, 10 ** 9):  # one source at a time, a few, all at once
        assert _pairs(ground, fxy, txy, 20.0, block_bytes=block) == whole
        # the other side as the sources (fewer points than targets)
        swapped = _pairs(ground, txy, fxy, 20.0, block_bytes=block)
        assert swapped == {(c, r): m for (r, c), m in whole.items()}


def test_ground_hands_back_the_layers_it_has_read():
    proj = _project()
    proj.layers["settlements"] = gpd.GeoDataFrame(
        {"name": ["Dusun 1"], "population": [500.0], "desa_code": ["11.01.01.2001"]},
        geometry=[Point(X0, Y0)], crs=UTM).to_crs("EPSG:4326")
    told: list[str] = []
    ground = Ground(proj, proj.rules, done_with=told.extend)
    assert told == ["roads", "settlements"]
    assert ground.graph is not None and len(ground.points)


@pytest.mark.parametrize("unit", ["km", "min"])
def test_pairs_below_are_the_dense_entries_below_each_bound(unit):
    from ilp_gis.siting.measure import CoverageMeasure

    proj = _project()
    ground = Ground(proj, proj.rules)
    m = CoverageMeasure("pustu", unit, 30.0, "given")
    xy = np.array([[X0 + x, Y0] for x in (0.0, 10_000.0, 20_000.0, 5_000.0)])
    cxy = np.array([[X0 + 10_000.0, Y0], [X0 + 20_000.0, Y0], [X0 + 40_000.0, Y0]])
    bound = np.array([np.inf, 5.0, 12.0, 8.0])  # km or minutes per point
    dense = ground.matrix(m, xy, cxy)
    want = [(i, j, dense[i, j]) for i in range(len(xy)) for j in range(len(cxy))
            if np.isfinite(dense[i, j]) and dense[i, j] < bound[i]]
    for block in (1, 10 ** 9):  # one point (or one source) at a time, or all at once
        r, c, v = ground.pairs_below(m, xy, cxy, bound, block_bytes=block)
        assert list(zip(r.tolist(), c.tolist(), v.tolist(), strict=True)) == want
    got = {(i, j): v for i, j, v in want}
    if unit == "km":  # by hand: straight-line km
        assert got == pytest.approx({(0, 0): 10.0, (0, 1): 20.0, (0, 2): 40.0, (1, 0): 0.0,
                                     (2, 0): 10.0, (2, 1): 0.0, (3, 0): 5.0})
    else:  # along the road at 40 km/h: 1.5 minutes per km; 15 min from 20 km is above 12
        assert {k: got[k] for k in [(0, 0), (0, 1), (1, 0), (2, 1), (3, 0)]} == \
            pytest.approx({(0, 0): 15.0, (0, 1): 30.0, (1, 0): 0.0, (2, 1): 0.0, (3, 0): 7.5})
        assert (2, 0) not in got and set(got) - {(0, 2)} == {(0, 0), (0, 1), (1, 0), (2, 1),
                                                             (3, 0)}
