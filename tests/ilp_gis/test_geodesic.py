"""Distances across UTM zones: the analysis' helpers against pyproj's geodesic (the reference)."""

import numpy as np
import pytest
from pyproj import CRS, Geod

from ilp_gis import geo
from ilp_gis.geo import ground_distance, in_one_zone, nearest_ground, project_xy

GEOD = Geod(ellps="WGS84")


def _utm(lonlat, epsg):
    return project_xy(np.asarray(lonlat, dtype=float), "EPSG:4326", CRS.from_epsg(epsg))


# pairs at 95°E and 140°E, near the equator and at ±6° (data of one country, one centre zone)
PAIRS = np.array([
    [95.0, 0.1, 140.0, 0.2],
    [95.3, 5.9, 96.1, 6.0],
    [139.5, -6.0, 140.4, -5.8],
    [95.0, -6.0, 140.0, 6.0],
    [117.0, -0.5, 117.02, -0.51],
])


def test_pairs_across_zones_match_the_geodesic():
    crs = CRS.from_epsg(32750)  # the centre zone of the data (117°E, south)
    a = _utm(PAIRS[:, :2], 32750)
    b = _utm(PAIRS[:, 2:], 32750)
    _, _, ref = GEOD.inv(PAIRS[:, 0], PAIRS[:, 1], PAIRS[:, 2], PAIRS[:, 3])
    assert not in_one_zone(crs, a, b)
    got = ground_distance(a, b, crs)
    np.testing.assert_allclose(got, ref, rtol=1e-9)
    # what one centre zone gives: off by far more than a metre at the far ends
    plane = np.hypot(*(a - b).T)
    assert abs(plane[1] - ref[1]) / ref[1] > 0.01


def test_nearest_across_zones_is_the_geodesic_nearest():
    crs = CRS.from_epsg(32750)
    targets = np.array([[95.0, 0.0], [95.2, 6.0], [140.0, -6.0], [140.1, 6.1], [117.0, 0.0]])
    sources = np.array([[95.05, 0.02], [95.4, 5.8], [139.7, -5.9], [140.3, 5.9], [96.0, 3.0],
                        [128.0, 0.0]])
    d, i = nearest_ground(_utm(sources, 32750), _utm(targets, 32750), crs)
    ref = np.array([[GEOD.inv(s[0], s[1], t[0], t[1])[2] for t in targets] for s in sources])
    np.testing.assert_array_equal(i, ref.argmin(axis=1))
    np.testing.assert_allclose(d, ref.min(axis=1), rtol=1e-9)


def test_one_zone_stays_on_the_plane():
    crs = CRS.from_epsg(32749)  # 108–114°E
    a = _utm([[110.0, -7.0], [111.0, -7.5]], 32749)
    b = _utm([[110.2, -7.1], [112.9, -6.0]], 32749)
    assert in_one_zone(crs, a, b)
    np.testing.assert_allclose(ground_distance(a, b, crs), np.hypot(*(a - b).T))
    _, _, ref = GEOD.inv([110.0, 111.0], [-7.0, -7.5], [110.2, 112.9], [-7.1, -6.0])
    np.testing.assert_allclose(ground_distance(a, b, crs), ref, rtol=1.5e-3)  # the zone's scale
    d, i = nearest_ground(a, b, crs)
    assert list(i) == [0, 0]  # (111, -7.5) is nearer to (110.2, -7.1) than to (112.9, -6)
    assert not in_one_zone(crs, _utm([[107.5, -7.0]], 32749))


def test_missing_points_and_no_targets():
    crs = CRS.from_epsg(32750)
    a = np.array([[np.nan, np.nan]] + list(_utm([[95.0, 0.0]], 32750)))
    b = _utm([[140.0, 0.0], [140.0, 1.0]], 32750)
    out = ground_distance(a, b, crs)
    assert np.isnan(out[0]) and out[1] == pytest.approx(GEOD.inv(95, 0, 140, 1)[2], rel=1e-9)
    d, i = nearest_ground(a, np.zeros((0, 2)), crs)
    assert np.isinf(d).all() and (i == -1).all()
    d, i = nearest_ground(a, b, crs)
    assert i[0] == -1 and np.isinf(d[0]) and i[1] == 0


def test_the_analysis_measures_geodesically_across_zones():
    """A desa at 95°E and its Pustu 1 km east: the coverage distance is the geodesic one even
    when the working zone is the one of 140°E data in the same project."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from ilp_gis.coverage import compute_coverage
    from ilp_gis.rules import default_rules

    crs = CRS.from_epsg(32753)  # 132–138°E
    pts_ll = np.array([[95.0, 5.0], [139.0, -5.0]])
    fac_ll = np.array([[95.01, 5.0], [139.0, -5.02]])
    pxy, fxy = _utm(pts_ll, 32753), _utm(fac_ll, 32753)
    desa = gpd.GeoDataFrame({"code": ["A", "B"], "name": ["A", "B"], "kecamatan_code": ["K", "K"],
                             "kecamatan_name": ["K", "K"], "population": [100.0, 200.0]},
                            geometry=[Point(p).buffer(100) for p in pxy], crs=crs)
    fac = pd.DataFrame({"fac_id": ["p1", "p2"], "type": ["pustu", "pustu"],
                        "desa_code": ["A", "B"], "kecamatan_code": ["K", "K"], "name": ["1", "2"],
                        "x": fxy[:, 0], "y": fxy[:, 1]})
    points = gpd.GeoDataFrame({"desa_code": ["A", "B"], "population": [100.0, 200.0],
                               "weight": [1.0, 1.0]},
                              geometry=gpd.points_from_xy(pxy[:, 0], pxy[:, 1]), crs=crs)
    cov = compute_coverage(desa, fac, points, default_rules())
    ref = [GEOD.inv(95.0, 5.0, 95.01, 5.0)[2], GEOD.inv(139.0, -5.0, 139.0, -5.02)[2]]
    np.testing.assert_allclose(cov.desa["dist_pustu_km"].to_numpy() * 1000, ref, rtol=1e-6)


def test_ecef_is_on_the_ellipsoid():
    xyz = geo.ecef(np.array([[0.0, 0.0], [90.0, 0.0], [0.0, 90.0]]))
    np.testing.assert_allclose(xyz, [[6378137.0, 0, 0], [0, 6378137.0, 0], [0, 0, 6356752.314245]],
                               atol=1e-3)


def test_road_minutes_across_zones_follow_the_geodesic_length():
    """A 1° road at 95°E measured with the working zone of 135°E: its minutes are its geodesic
    length at the class speed (the centre zone's plane would make it far longer)."""
    import geopandas as gpd
    from shapely.geometry import LineString

    from ilp_gis.rules import default_rules
    from ilp_gis.travel import build_road_graph

    rules = default_rules()
    ll = np.array([[95.0, 0.5], [95.5, 0.6], [96.0, 0.5]])
    roads = gpd.GeoDataFrame({"road_class": ["lokal"], "name": ["J"]},
                             geometry=[LineString(ll)], crs="EPSG:4326")
    graph = build_road_graph(roads, CRS.from_epsg(32653), rules)
    _, _, legs = GEOD.inv(ll[:-1, 0], ll[:-1, 1], ll[1:, 0], ll[1:, 1])
    kmh = rules.group("speed")["lokal"]
    assert graph.edge_min.sum() == pytest.approx(sum(legs) / 1000.0 / kmh * 60.0, rel=1e-9)
    # in its own zone the plane length is kept (within the zone's scale factor of the geodesic)
    own = build_road_graph(roads, CRS.from_epsg(32646), rules)
    assert own.edge_min.sum() == pytest.approx(sum(legs) / 1000.0 / kmh * 60.0, rel=1.5e-3)


def test_siting_distances_across_zones_are_geodesic():
    """The siting models' km: nearest, cover within the limit and the p-median matrix."""
    from types import SimpleNamespace

    from ilp_gis.siting.measure import CoverageMeasure, Ground

    crs = CRS.from_epsg(32750)
    pts_ll = np.array([[95.0, 6.0], [95.0, 6.04], [140.0, -6.0]])
    cand_ll = np.array([[95.0, 6.03], [140.03, -6.0]])
    xy, cand = _utm(pts_ll, 32750), _utm(cand_ll, 32750)
    ref = np.array([[GEOD.inv(p[0], p[1], c[0], c[1])[2] for c in cand_ll] for p in pts_ll])
    ground = SimpleNamespace(crs=crs, within=Ground.within)
    m = CoverageMeasure("pustu", "km", 3.4, "given")
    np.testing.assert_allclose(Ground.to_nearest(ground, m, xy, cand), ref.min(axis=1) / 1000,
                               rtol=1e-9)
    np.testing.assert_allclose(Ground.matrix(ground, m, xy, cand), ref / 1000, rtol=1e-9)
    covered = Ground.cover(ground, m, xy, cand).toarray()
    np.testing.assert_array_equal(covered, ref / 1000 <= 3.4)
    assert covered.sum() == 3  # 3.3 km, 1.1 km and 3.3 km: the geodesic decides, not the plane


def test_geodesic_steps_of_chosen_rows_are_those_between_their_points():
    # four points: 1° of longitude on the equator, then a jump, then 1° of latitude
    ll = np.array([[100.0, 0.0], [101.0, 0.0], [120.0, -5.0], [120.0, -4.0]])
    _, _, ref = GEOD.inv(ll[:-1, 0], ll[:-1, 1], ll[1:, 0], ll[1:, 1])
    np.testing.assert_allclose(geo.geodesic_steps(ll), ref, rtol=1e-12)
    picked = geo.geodesic_steps(ll, np.array([1, 3]))  # the two steps, not the jump
    np.testing.assert_array_equal(picked, geo.geodesic_steps(ll)[[0, 2]])
    assert picked[0] == pytest.approx(111_319.49, abs=0.01)  # 1° on the WGS 84 equator
    assert picked[1] == pytest.approx(110_590, rel=1e-3)  # 1° of latitude near 4.5°S


def test_one_zone_reads_the_extent_of_every_finite_point():
    crs = CRS.from_epsg(32750)  # 114°E–120°E
    inside = _utm([[114.5, -1.0], [119.5, 1.0]], 32750)
    assert in_one_zone(crs, inside)
    outside = np.vstack([inside, [[np.nan, np.nan]], _utm([[121.0, 0.0]], 32750)])
    assert not in_one_zone(crs, outside)
    assert in_one_zone(crs, np.vstack([inside, [[np.nan, 5.0]]]))  # a missing point: left out
