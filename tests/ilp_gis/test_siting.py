"""Siting: hand-made cases with a known optimum, brute force on small random ones, spopt on
medium ones (skipped when spopt is not installed)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ilp_gis import siting
from ilp_gis.errors import InputError
from ilp_gis.project import Project

# 1 km ≈ 0.009 degrees of latitude near the equator; build in UTM 49S then go to WGS84.
UTM = "EPSG:32749"
X0, Y0 = 500_000.0, 9_100_000.0


def _desa_grid(pops, spacing_m=3000.0, ncol=None):
    n = len(pops)
    ncol = ncol or n
    geoms, codes = [], []
    for i in range(n):
        r, c = divmod(i, ncol)
        x, y = X0 + c * spacing_m, Y0 + r * spacing_m
        geoms.append(box(x - spacing_m / 2, y - spacing_m / 2, x + spacing_m / 2,
                         y + spacing_m / 2))
        codes.append(f"11.01.01.{2001 + i}")
    return gpd.GeoDataFrame({"code": codes, "name": [f"Desa {i + 1}" for i in range(n)],
                             "kecamatan_code": ["11.01.01"] * n,
                             "population": [float(p) for p in pops]},
                            geometry=geoms, crs=UTM).to_crs("EPSG:4326")


def _fac(rows):
    return gpd.GeoDataFrame(
        [{"fac_id": r[0], "name": r[0], "type": r[1], "precursor": r[2],
          "desa_code": r[3]} for r in rows],
        geometry=[Point(X0 + r[4], Y0 + r[5]) for r in rows], crs=UTM).to_crs("EPSG:4326")


def _line_project(pops, facilities=()):
    desa = _desa_grid(pops)
    layers = {"desa": desa}
    if facilities:
        layers["facilities"] = _fac(facilities)
    return Project(layers=layers)


def test_hand_made_line_k1_and_k2():
    # Desa on a line 3 km apart; limit 3.5 km: a site covers itself and its neighbours.
    pops = [100, 100, 1000, 50, 100, 5000, 100]
    proj = _line_project(pops)
    prob = siting.build_problem(proj, limit_km=3.5)
    assert len(prob.candidates) == 7 and prob.population_covered_before == 0
    r1 = siting.solve(prob, k=1)
    # best single: desa 6 (index 5) covers 100 + 5000 + 100 = 5200
    assert r1.population_gained == pytest.approx(5200)
    assert list(r1.sites["desa_code"]) == ["11.01.01.2006"]
    r2 = siting.solve(prob, k=2)
    assert r2.population_gained == pytest.approx(5200 + 1200)  # + desa 2 (1-3)
    assert r2.method == "exact" and r2.mip_gap == pytest.approx(0.0, abs=1e-9)
    assert r2.cost == pytest.approx(2 * 1.5e9)


def test_existing_pustu_kept_and_precursor_is_cheaper():
    pops = [1000, 1000, 1000, 1000, 1000]
    # existing Pustu at desa 1 covers desa 1-2; a Poskesdes in desa 5
    proj = _line_project(pops, [
        ("PU1", "pustu", False, "11.01.01.2001", 0.0, 0.0),
        ("PK5", "pustu", True, "11.01.01.2005", 12000.0, 0.0),
    ])
    prob = siting.build_problem(proj, limit_km=3.5)
    assert prob.population_covered_before == pytest.approx(2000)
    c = prob.candidates
    assert "11.01.01.2001" not in set(c["desa_code"])  # desa with a Pustu is no candidate
    assert sorted(c.loc[c["desa_code"] == "11.01.01.2005", "kind"]) == ["build", "upgrade"]
    # 700 jt buys only the upgrade (600 jt): covers desa 4 and 5
    r = siting.solve(prob, budget=700e6)
    assert r.population_gained == pytest.approx(2000)
    assert list(r.sites["kind"]) == ["upgrade"] and r.cost == 600e6
    # 2.1 M: build at desa 3 + upgrade at 5 → desa 3,4,5 newly covered (desa 2 already)
    r = siting.solve(prob, budget=2.1e9)
    assert r.population_gained == pytest.approx(3000)


def test_greedy_callback_comes_first_and_can_be_suboptimal():
    # Classic greedy trap: a middle site covering 2 groups partially vs two sites covering all.
    pops = [60, 0.001, 50, 0.001, 60]
    proj = _line_project(pops)
    prob = siting.build_problem(proj, limit_km=3.5)
    seen = []
    r = siting.solve(prob, k=2, on_greedy=seen.append)
    assert len(seen) == 1 and seen[0].method == "greedy"
    bf, _ = siting.brute_force(prob, k=2)
    assert r.population_gained == pytest.approx(bf)
    assert r.greedy_gained <= r.population_gained + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_equal_to_brute_force_small_random(seed):
    rng = np.random.default_rng(seed)
    n = 9
    pops = rng.integers(50, 3000, n)
    desa = _desa_grid(pops, spacing_m=2500.0, ncol=3)
    pre = rng.choice(n, 2, replace=False)
    fac = _fac([(f"F{i}", "pustu", True, f"11.01.01.{2001 + int(i)}",
                 (int(i) % 3) * 2500.0 + 300, (int(i) // 3) * 2500.0) for i in pre])
    proj = Project(layers={"desa": desa, "facilities": fac})
    prob = siting.build_problem(proj, limit_km=3.0)
    for kwargs in ({"k": 2}, {"k": 3}, {"budget": 2.2e9}, {"budget": 3.5e9}):
        exact = siting.solve(prob, **kwargs)
        bf, _ = siting.brute_force(prob, **kwargs)
        assert exact.population_gained == pytest.approx(bf), kwargs
        if "budget" in kwargs:
            assert exact.cost <= kwargs["budget"] + 1e-6


def test_capacity_limits_gain():
    pops = [5000, 5000, 5000]
    proj = _line_project(pops)
    prob = siting.build_problem(proj, limit_km=3.5, capacity=6000)
    r = siting.solve(prob, k=1)
    assert r.population_gained == pytest.approx(6000)
    r2 = siting.solve(prob, k=2)
    assert r2.population_gained == pytest.approx(12000)


def test_posyandu_and_errors():
    proj = _line_project([100, 200, 300], [("PY1", "posyandu", False, "11.01.01.2001", 0, 0)])
    prob = siting.build_problem(proj, site_type="posyandu", limit_km=1.0)
    assert len(prob.demand) == 2  # desa 1 already has a Posyandu nearby
    r = siting.solve(prob, budget=25e6)
    assert r.population_gained == 300 and r.cost == 25e6
    with pytest.raises(InputError, match="anggaran"):
        siting.solve(prob, budget=1.0, k=1)
    with pytest.raises(InputError, match="pustu atau posyandu"):
        siting.build_problem(proj, site_type="rumah sakit")
    with pytest.raises(InputError, match="waktu tempuh"):
        siting.build_problem(proj, limit_min=60)


def test_user_candidates_and_missing_population():
    desa = _desa_grid([1000, np.nan, 1000])
    proj = Project(layers={"desa": desa})
    extra = gpd.GeoDataFrame({"name": ["Usulan A"], "cost": [1.0e9]},
                             geometry=[Point(X0 + 3000, Y0)], crs=UTM)
    prob = siting.build_problem(proj, limit_km=3.5, extra_candidates=extra,
                                include_build=False)
    assert list(prob.candidates["kind"]) == ["user"]
    assert prob.notes and "1" in prob.notes[0]
    r = siting.solve(prob, budget=1.0e9)
    assert r.population_gained == 2000 and r.sites["name"].iloc[0] == "Usulan A"


def test_cancel_returns_greedy():
    proj = _line_project([100, 200, 300, 400])
    prob = siting.build_problem(proj, limit_km=3.5)
    flag = []
    r = siting.solve(prob, k=1, on_greedy=flag.append, is_cancelled=lambda: bool(flag))
    assert r.method == "greedy" and r.population_gained == flag[0].population_gained
    from ilp_gis.errors import Cancelled

    with pytest.raises(Cancelled):  # cancelled before anything was computed
        siting.solve(prob, k=1, is_cancelled=lambda: True)


def test_equal_to_spopt_mclp_medium():
    spopt = pytest.importorskip("spopt.locate")
    rng = np.random.default_rng(7)
    n = 120
    pops = rng.integers(100, 5000, n)
    desa = _desa_grid(pops, spacing_m=2000.0, ncol=12)
    proj = Project(layers={"desa": desa})
    prob = siting.build_problem(proj, limit_km=3.0)
    k = 8
    ours = siting.solve(prob, k=k)
    import pulp

    cost_matrix = _dist_matrix(prob)
    model = spopt.MCLP.from_cost_matrix(cost_matrix, prob.demand["population"].to_numpy(),
                                        service_radius=3000.0, p_facilities=k)
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j, v in enumerate(model.fac_vars) if v.value() > 0.5]
    theirs = float((prob.demand["population"].to_numpy()
                    * (cost_matrix[:, chosen].min(axis=1) <= 3000.0)).sum())
    assert ours.population_gained == pytest.approx(theirs)


def _dist_matrix(prob):
    cxy = np.array([(g.x, g.y) for g in prob.candidates.geometry])
    dxy = prob.demand[["x", "y"]].to_numpy()
    return np.sqrt(((dxy[:, None, :] - cxy[None, :, :]) ** 2).sum(axis=2))


def test_budget_or_k_required():
    proj = _line_project([100, 200])
    prob = siting.build_problem(proj, limit_km=3.5)
    with pytest.raises(InputError):
        siting.solve(prob)
    assert isinstance(prob.demand, pd.DataFrame)


def test_travel_time_limit_uses_roads():
    from shapely.geometry import LineString

    desa = _desa_grid([1000, 2000, 1500], spacing_m=10_000.0)
    # 40 km/h: 10 km in 15 min; the travel module snaps people to road vertices
    road = gpd.GeoDataFrame({"road_class": ["kolektor"]},
                            geometry=[LineString([(X0 + x, Y0) for x in range(-5000, 25_001,
                                                                              500)])],
                            crs=UTM).to_crs("EPSG:4326")
    proj = Project(layers={"desa": desa, "roads": road})
    prob = siting.build_problem(proj, limit_min=20.0)
    r = siting.solve(prob, k=1)
    assert r.population_gained == pytest.approx(4500)  # the middle desa reaches both others
    assert r.sites["desa_code"].iloc[0] == "11.01.01.2002"
    r_km = siting.solve(siting.build_problem(proj, limit_km=5.0), k=1)
    assert r_km.population_gained == pytest.approx(2000)
    cover = siting.road_travel_cover(proj)
    one = gpd.GeoSeries([Point(X0 + 10_000, Y0)], crs=UTM)
    three = gpd.GeoSeries([Point(X0 + x, Y0) for x in (0, 10_000, 20_000, 40_000)], crs=UTM)
    a, b = cover(one, three, 20.0), cover(three, one, 20.0)  # either side may be the sources
    assert a.toarray().tolist() == [[True, True, True, False]]
    assert (a != b.T).nnz == 0
    no_roads = Project(layers={"desa": desa})
    with pytest.raises(InputError, match="waktu tempuh"):
        siting.build_problem(no_roads, limit_min=20.0)


def test_precursors_can_count_as_covering():
    pops = [1000, 1000, 1000]
    proj = _line_project(pops, [("PK1", "pustu", True, "11.01.01.2001", 0.0, 0.0)])
    assert siting.build_problem(proj, limit_km=3.5).population_covered_before == 0
    prob = siting.build_problem(proj, limit_km=3.5, precursors_cover=True)
    assert prob.population_covered_before == 2000


def test_travel_time_existing_facility_counts_as_covering():
    from shapely.geometry import LineString

    desa = _desa_grid([1000, 2000, 1500], spacing_m=10_000.0)
    road = gpd.GeoDataFrame({"road_class": ["kolektor"]},
                            geometry=[LineString([(X0 + x, Y0) for x in range(-5000, 25_001,
                                                                              500)])],
                            crs=UTM).to_crs("EPSG:4326")
    proj = Project(layers={"desa": desa, "roads": road,
                           "facilities": _fac([("PU1", "pustu", False, "11.01.01.2001", 0, 0)])})
    prob = siting.build_problem(proj, limit_min=20.0)
    assert prob.population_covered_before == pytest.approx(3000)  # desa 1 and 2 (15 min)
    assert list(prob.demand["desa_code"]) == ["11.01.01.2003"]


def test_plan_refuses_without_population_or_the_sited_list():
    """``plan_sites`` on a project whose population or list of the sited type was never
    loaded stops with the reason; it never answers "everyone is already covered"."""
    no_pop = _line_project([np.nan, np.nan], [("PU1", "pustu", False, "11.01.01.2001", 0, 0)])
    with pytest.raises(InputError, match="penduduk per desa"):
        siting.plan_sites(no_pop, k=1)
    no_pustu = _line_project([100, 200])
    with pytest.raises(InputError, match="daftar Pustu"):
        siting.plan_sites(no_pustu, k=1)
    with pytest.raises(InputError, match="daftar Posyandu"):
        siting.plan_sites(no_pustu, site_type="posyandu", k=1)
    # with both, it plans
    ok = _line_project([100, 2000], [("PU1", "pustu", False, "11.01.01.2001", 0, 0)])
    r = siting.plan_sites(ok, k=1, limit_km=1.0, exact=False)
    assert r.population_gained == 2000
