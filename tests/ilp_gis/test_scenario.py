"""Scenarios: stored as tables, applied to a copy, compared with the baseline."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ilp_gis import geo, scenario, siting
from ilp_gis.errors import InputError
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult

UTM = "EPSG:32749"
X0, Y0 = 500_000.0, 9_100_000.0


def _project():
    geoms = [box(X0 + i * 4000 - 2000, Y0 - 2000, X0 + i * 4000 + 2000, Y0 + 2000)
             for i in range(4)]
    desa = gpd.GeoDataFrame({
        "code": [f"11.01.0{1 + i // 2}.200{i + 1}" for i in range(4)],
        "name": ["A", "B", "C", "D"],
        "kecamatan_code": ["11.01.01", "11.01.01", "11.01.02", "11.01.02"],
        "kecamatan_name": ["K1", "K1", "K2", "K2"],
        "population": [1000.0, 2000.0, 3000.0, 4000.0],
    }, geometry=geoms, crs=UTM).to_crs("EPSG:4326")
    fac = gpd.GeoDataFrame({
        "fac_id": ["PU1", "PK3", "PY2"], "name": ["Pustu A", "Poskesdes C", "Posyandu B"],
        "type": ["pustu", "pustu", "posyandu"], "precursor": [False, True, False],
        "desa_code": ["11.01.01.2001", "11.01.02.2003", "11.01.01.2002"],
        "nakes": [1.0, math.nan, math.nan], "kader": [math.nan, math.nan, 3.0],
    }, geometry=[Point(X0, Y0), Point(X0 + 8000, Y0), Point(X0 + 4000, Y0)],
        crs=UTM).to_crs("EPSG:4326")
    budget = pd.DataFrame({"budget_id": ["b1"], "source": ["bok"], "year": [2026],
                           "activity": ["train_kader"], "target_desa": ["11.01.01.2002"],
                           "amount": [5e6]})
    return Project(layers={"desa": desa, "facilities": fac, "budget": budget})


def fake_analyze(project, *, progress=None, is_cancelled=None, limit_km=3.0):
    """A tiny stand-in for ilp_gis.analysis.analyze honouring the result contract's columns
    that scenarios read: desa (code, kecamatan_code, population, pop_within_pustu_km) and gaps
    (no_pustu per desa without a Pustu, understaffed_pustu)."""
    desa = project.desa
    crs = geo.utm_crs(desa)
    pts = geo.population_points(desa, crs=crs)
    fac = project.facilities
    pustu = fac[(fac["type"] == "pustu") & ~fac["precursor"].fillna(False).astype(bool)]
    dist, _ = geo.nearest_distance(pts.geometry, pustu.to_crs(crs).geometry)
    within = np.where(dist <= limit_km * 1000, pts["population"], 0.0)
    out = desa.copy()
    out["pop_within_pustu_km"] = within
    gaps = []
    with_pustu = set(pustu["desa_code"])
    for _, d in desa.iterrows():
        if d["code"] not in with_pustu:
            gaps.append({"gap_id": f"np-{d['code']}", "kind": "no_pustu", "desa_code": d["code"],
                         "kecamatan_code": d["kecamatan_code"], "fac_id": None})
    for _, f in pustu.iterrows():
        if not (f["nakes"] >= 2):
            gaps.append({"gap_id": f"us-{f['fac_id']}", "kind": "understaffed_pustu",
                         "desa_code": f["desa_code"], "kecamatan_code": None,
                         "fac_id": f["fac_id"]})
    gaps = pd.DataFrame(gaps, columns=["gap_id", "kind", "desa_code", "kecamatan_code",
                                       "fac_id"])
    gaps["kecamatan_code"] = gaps["desa_code"].str[:8]
    return AnalysisResult(desa=out, kecamatan=None, gaps=gaps, graph=None, edges=None,
                          network_problems=None)


def _snapshot(p: Project):
    return ({k: v.copy() for k, v in p.layers.items()}, {k: v.copy() for k, v in p.tables.items()},
            dict(p.meta))


def _assert_same(snap, p: Project):
    layers, tables, meta = snap
    assert set(layers) == set(p.layers) and set(tables) == set(p.tables)
    for k, v in layers.items():
        pd.testing.assert_frame_equal(pd.DataFrame(v), pd.DataFrame(p.layers[k]))
    for k, v in tables.items():
        pd.testing.assert_frame_equal(pd.DataFrame(v), pd.DataFrame(p.tables[k]))
    assert meta == p.meta


def test_scenario_applies_to_copy_and_compares():
    proj = _project()
    acts = pd.DataFrame([
        {"action": "upgrade_pustu", "fac_id": "PK3", "source": "dak_fisik", "year": 2026},
        {"action": "new_pustu", "lon": None, "lat": None, "name": "Pustu D",
         "amount": 1.4e9, "source": "dak_fisik", "year": 2027},
        {"action": "add_nakes", "fac_id": "PU1", "count": 1, "role": "bidan", "source": "bok"},
    ])
    d_pt = gpd.GeoSeries([Point(X0 + 12000, Y0)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    acts.loc[1, ["lon", "lat"]] = [d_pt.x, d_pt.y]
    scenario.set_scenario(proj, "Rencana 2026", acts)
    assert scenario.scenario_names(proj) == ["Rencana 2026"]
    snap = _snapshot(proj)

    out = scenario.run_scenario(proj, "Rencana 2026", analyze=fake_analyze)
    _assert_same(snap, proj)  # the baseline is never changed

    f = out.project.facilities.set_index("fac_id")
    assert not f.loc["PK3", "precursor"] and f.loc["PU1", "nakes"] == 2
    assert f.loc["PU1", "midwives"] == 1
    assert f.loc["Rencana 2026:2", "desa_code"] == "11.01.02.2004"
    assert len(out.project.budget) == 4  # b1 + three scenario lines
    # costs: upgrade 600 jt (catalogue), new 1,4 M (given), 1 nakes 60 jt (catalogue)
    assert out.cost == pytest.approx(600e6 + 1.4e9 + 60e6)
    c = out.comparison.set_index("kecamatan_code", drop=False)
    tot = out.total
    # before: Pustu at A covers A (1000) only (B is 4 km away > 3 km)
    # after: + C (3000) and D (4000); gaps no_pustu C, D and understaffed PU1 closed, but the
    # two new Pustu have no staff yet: two new understaffed gaps
    assert tot["pop_newly_covered"] == pytest.approx(7000)
    assert tot["gaps_closed"] == 3 and tot["gaps_new"] == 2
    assert tot["gaps_before"] == 4 and tot["gaps_after"] == 3
    assert c.loc["11.01.02", "pop_newly_covered"] == pytest.approx(7000)
    assert c.loc["11.01.02", "cost"] == pytest.approx(2.0e9)
    assert c.loc["11.01.02", "cost_per_person"] == pytest.approx(2.0e9 / 7000)
    assert c.loc["11.01.01", "gaps_closed"] == 1 and np.isnan(c.loc["11.01.01",
                                                                    "cost_per_person"])
    layer = scenario.change_layer(out, proj.desa).set_index("code")
    assert layer.loc["11.01.02.2004", "pop_newly_covered"] == pytest.approx(4000)
    assert layer.geometry.notna().all() and len(layer) == 4
    table = scenario.comparison_table(out, lang="en")
    assert "People newly covered" in table.columns and len(table) == 3


def test_closing_a_facility_opens_gaps_and_bad_actions():
    proj = _project()
    scenario.set_scenario(proj, "Tutup", pd.DataFrame([{"action": "close_facility",
                                                        "fac_id": "PU1"}]))
    out = scenario.run_scenario(proj, "Tutup", analyze=fake_analyze)
    assert "PU1" not in set(out.project.facilities["fac_id"])
    assert "PU1" in set(proj.facilities["fac_id"])
    assert out.total["gaps_new"] == 1 and out.total["pop_newly_covered"] == 0
    with pytest.raises(InputError, match="lokasi"):
        scenario.set_scenario(proj, "X", pd.DataFrame([{"action": "new_pustu"}]))
    with pytest.raises(InputError, match="bangun_rs"):
        scenario.set_scenario(proj, "X", pd.DataFrame([{"action": "bangun_rs"}]))
    scenario.set_scenario(proj, "Y", pd.DataFrame([{"action": "add_nakes", "fac_id": "NOPE"}]))
    with pytest.raises(InputError, match="NOPE"):
        scenario.apply_scenario(proj, "Y")
    scenario.delete_scenario(proj, "Y")
    assert scenario.scenario_names(proj) == ["Tutup"]


def test_actions_from_siting_roundtrip():
    proj = _project()
    res = siting.plan_sites(proj, k=2, limit_km=3.0)
    acts = scenario.actions_from_siting(res, year=2026)
    assert set(acts["action"]) <= {"new_pustu", "upgrade_pustu"} and len(acts) == 2
    scenario.set_scenario(proj, "Optimal", acts)
    out = scenario.run_scenario(proj, "Optimal", analyze=fake_analyze)
    assert out.total["pop_newly_covered"] == pytest.approx(res.population_gained)


def test_scenario_saved_in_project_file(tmp_path):
    from layers.project_file import open_project, save_project

    proj = _project()
    scenario.set_scenario(proj, "S1", pd.DataFrame([{"action": "train_kader", "fac_id": "PY2",
                                                     "count": 2, "year": 2026}]))
    save_project(proj, tmp_path / "p.gpkg")
    again = open_project(tmp_path / "p.gpkg")
    acts = scenario.scenario_actions(again, "S1")
    assert len(acts) == 1 and acts["action"].iloc[0] == "train_kader"
    applied = scenario.apply_scenario(again, "S1")
    assert applied.facilities.set_index("fac_id").loc["PY2", "kader"] == 5
