"""Coverage per desa by hand: counts, staffing, kader, distances (COE: test_coe.py), capacity, roll-ups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Polygon

from ilp_gis.analysis import analyze
from ilp_gis.coverage import served_with_capacity
from ilp_gis.rules import default_rules
from tests.ilp_gis.micro import (
    desa_rows,
    facilities_frame,
    facility_rows,
    frame,
    km,
    make_project,
    pt,
    square,
)


def desa_table(res):
    return res.desa.set_index("name")


def test_counts_rules_and_distances_by_hand():
    res = analyze(make_project())
    d = desa_table(res)
    assert list(d["n_pustu"]) == [1, 1, 1, 0, 1]
    assert list(d["n_posyandu"]) == [2, 1, 0, 1, 0]
    assert list(d["n_puskesmas"]) == [1, 0, 1, 0, 0]
    assert list(d["has_pustu"]) == [True, True, True, False, True]
    # Posyandu: A1 needs 2 (has 2), B1 needs 1 (has 0), C1 dusun unknown -> NaN.
    assert d.loc["B1", "posyandu_deficit"] == 1
    assert d.loc["A1", "posyandu_deficit"] == 0
    assert np.isnan(d.loc["C1", "posyandu_deficit"])
    assert np.isnan(d.loc["C1", "posyandu_needed"])
    # Staffing: A1 (1 nurse + 1 midwife) ok, A2 (0 nurses) short, B1 (2 nakes) ok, C1 unknown.
    assert d.loc["A1", "pustu_nakes_ok"] is True or d.loc["A1", "pustu_nakes_ok"] == True  # noqa
    assert d.loc["A2", "pustu_nakes_ok"] == False  # noqa: E712
    assert d.loc["B1", "pustu_nakes_ok"] == True  # noqa: E712
    assert pd.isna(d.loc["C1", "pustu_nakes_ok"])
    # Kader: A1 has 5 and 3 kader -> half of its Posyandu meet 5; B2's Posyandu unknown.
    assert d.loc["A1", "kader_ok_share"] == 0.5
    assert np.isnan(d.loc["B2", "kader_ok_share"])
    # Distances from each desa's inner point (its square's centre).
    assert d.loc["A1", "dist_pustu_km"] == pytest.approx(np.sqrt(2), abs=1e-3)   # (2,2)->(1,1)
    assert d.loc["B2", "dist_pustu_km"] == pytest.approx(np.sqrt(10), abs=1e-3)  # (6,6)->(3,5)
    assert d.loc["C1", "dist_puskesmas_km"] == pytest.approx(8.0, abs=1e-3)      # (10,2)->(2,2)
    assert d.loc["A2", "dist_puskesmas_km"] == pytest.approx(4.0, abs=1e-3)
    assert d.loc["A1", "pop_lon"] == pytest.approx(res.desa.geometry.iloc[0].centroid.x, abs=1e-6)


def test_population_within_limits_follow_the_rules():
    rules = default_rules().with_values(limit__pustu_distance_km=2.0,
                                        limit__puskesmas_distance_km=5.0)
    res = analyze(make_project(rules=rules))
    d = desa_table(res)
    assert d.loc["B2", "pop_within_pustu_km"] == 0  # 3.16 km > 2 km
    assert d.loc["A1", "pop_within_pustu_km"] == 1000
    assert d.loc["C1", "pop_within_puskesmas_km"] == 0  # 8 km > 5 km
    assert res.summary["population_within_distance"]["pustu"] == 5800 - 500
    assert res.summary["population_within_distance"]["puskesmas"] == 5800 - 800
    k = res.kecamatan.set_index("code")
    assert k.loc["35.07.02", "pop_within_pustu_km"] == 1500
    assert k.loc["35.07.02", "population"] == 2000
    assert k.loc["35.07.01", "desa_total"] == 2 and k.loc["35.07.02", "desa_without_pustu"] == 1
    assert k.loc["35.07.03", "n_puskesmas"] == 0 and k.loc["35.07.01", "n_pustu"] == 2
    assert k.loc["35.07.01", "posyandu"] == 3 and k.loc["35.07.01", "posyandu_needed"] == 3


def test_missing_population_stays_missing():
    rows, geoms = desa_rows()
    rows[1]["population"] = None
    res = analyze(make_project(desa=frame(rows, geoms)))
    d = desa_table(res)
    assert np.isnan(d.loc["A2", "pop_within_pustu_km"])
    assert not np.isnan(d.loc["A2", "dist_pustu_km"])
    assert res.summary["population_total"] == 5800 - 2000
    assert res.kecamatan.set_index("code").loc["35.07.01", "population"] == 1000


def test_settlements_weight_the_distance():
    # Desa A1: 600 people at (1,1.2) next to Pustu A1 and 400 people at (3.9,0.1), whose
    # nearest Pustu is A2 at (6,2).
    sett = frame([dict(desa_code="35.07.01.2001", population=600.0),
                  dict(desa_code="35.07.01.2001", population=400.0)], [pt(1, 1.2), pt(3.9, 0.1)])
    # A1 also hosts Puskesmas A: the rule that a Pustu is required there too keeps the Pustu
    # distance gap this test is about (by default the Puskesmas serves its own desa).
    rules = default_rules().with_values(limit__pustu_distance_km=2.0,
                                        target__pustu_in_puskesmas_desa=1)
    res = analyze(make_project(settlements=sett, rules=rules))
    d = desa_table(res)
    far = np.hypot(2.1, 1.9)  # (3.9,0.1) -> Pustu A2 (6,2)
    assert d.loc["A1", "dist_pustu_km"] == pytest.approx(0.6 * 0.2 + 0.4 * far, abs=1e-3)
    assert d.loc["A1", "max_dist_pustu_km"] == pytest.approx(far, abs=1e-3)
    assert d.loc["A1", "pop_within_pustu_km"] == 600
    g = res.gaps[(res.gaps["kind"] == "beyond_distance") & (res.gaps["desa_code"] ==
                                                           "35.07.01.2001")]
    assert len(g) == 1 and g["value"].iloc[0] == pytest.approx(far, abs=1e-3)
    assert "400 jiwa" in g["message"].iloc[0]


def test_capacity_greedy_nearest_first():
    pop = np.array([100.0, 300.0, 200.0, 50.0])
    dist = np.array([1.0, 0.5, 3.0, 9.0])
    fac = np.array([0, 0, 0, 1])
    served = served_with_capacity(pop, dist, fac, np.array([350.0, np.inf]), limit=5.0)
    # Facility 0 serves the point at 0.5 km (300), then 50 of the 100 at 1 km, none at 3 km.
    assert list(served) == [50.0, 300.0, 0.0, 0.0]  # the 9 km point is beyond the limit


def test_capacity_in_the_analysis_facility_column_overrides_rule():
    rows = facility_rows()
    for r in rows:
        if r["fac_id"] == "PT_A2":
            r["capacity"] = 1500.0
    rules = default_rules().with_values(capacity__pustu_population=900.0)
    res = analyze(make_project(facilities=facilities_frame(rows), rules=rules))
    d = desa_table(res)
    assert d.loc["A1", "pop_within_pustu_km"] == 1000
    assert d.loc["A1", "pop_served_capacity"] == 900     # rule capacity
    assert d.loc["A2", "pop_served_capacity"] == 1500    # its own capacity column
    assert res.summary["population_served_capacity"]["pustu"] < 5800


def test_desa_split_into_two_polygons():
    rows, geoms = desa_rows()
    # A2 gets a detached island [4,5]x[-3,-2]: as one multipolygon row...
    island = square(4, -3, 5, -2)
    multi_geoms = list(geoms)
    multi_geoms[1] = MultiPolygon([geoms[1], island])
    facs = facility_rows() + [dict(fac_id="PY_isl", name="Posyandu Pulau", type="posyandu",
                                   xy=(4.5, -2.5), kader=6.0)]
    res1 = analyze(make_project(desa=frame(rows, multi_geoms),
                                facilities=facilities_frame(facs)))
    # ... or as two rows with the same code.
    rows2 = rows + [dict(rows[1])]
    res2 = analyze(make_project(desa=frame(rows2, list(geoms) + [island]),
                                facilities=facilities_frame(facs)))
    for res in (res1, res2):
        d = desa_table(res)
        assert len(d) == 5
        assert d.loc["A2", "n_posyandu"] == 2
        # The people live in the main (largest) part: the inner point stays at (6,2).
        assert d.loc["A2", "dist_pustu_km"] == pytest.approx(0.0, abs=1e-3)
        assert res.summary["facilities_outside_boundaries"] == 0


def test_point_exactly_on_a_border_goes_to_the_smaller_code_whatever_the_order():
    rows, geoms = desa_rows()
    # Give A1 and A2 a shared vertex at (4,2) and put a Pustu exactly there.
    a1 = Polygon([km(0, 0), km(4, 0), km(4, 2), km(4, 4), km(0, 4)])
    a2 = Polygon([km(4, 0), km(8, 0), km(8, 4), km(4, 4), km(4, 2)])
    geoms = [a1, a2] + list(geoms[2:])
    facs = facility_rows() + [dict(fac_id="PT_border", name="Pustu Batas", type="pustu",
                                   xy=(4, 2), nakes=2.0)]
    res = analyze(make_project(desa=frame(rows, geoms), facilities=facilities_frame(facs)))
    assert res.graph.nodes["PT_border"]["desa_code"] == "35.07.01.2001"
    desa_rev = frame(rows[::-1], geoms[::-1])
    res_rev = analyze(make_project(desa=desa_rev, facilities=facilities_frame(facs[::-1])))
    assert res_rev.graph.nodes["PT_border"]["desa_code"] == "35.07.01.2001"
    assert res.summary["facilities_outside_boundaries"] == 0


def test_no_facilities_at_all_and_only_a_posyandu():
    """No facility list loaded: no facility gap is raised (the lists are missing, not empty),
    and every figure that needs them is null with the inputs it lacks."""
    from ilp_gis import model

    res = analyze(make_project(facilities=model.empty_frame(model.FACILITIES)))
    assert res.summary["gaps_by_kind"] == {}
    assert res.summary["gaps_not_checked"]["no_pustu"] == ["pustu"]
    assert res.summary["gaps_not_checked"]["no_puskesmas"] == ["puskesmas"]
    assert res.summary["gaps_not_checked"]["posyandu_deficit"] == ["posyandu"]
    assert res.desa["dist_pustu_km"].isna().all()
    assert res.summary["population_within_distance"]["pustu"] is None
    assert res.summary["missing"]["population_within_distance.pustu"] == ["pustu"]
    assert res.summary["desa_without_pustu"] is None
    assert res.summary["facility_counts"] == {"puskesmas": None, "pustu": None, "posyandu": None}
    assert res.graph.number_of_nodes() == 0 and len(res.edges) == 0
    only = [dict(fac_id="Y", name="Posyandu Y", type="posyandu", xy=(2, 2))]
    res = analyze(make_project(facilities=facilities_frame(only)))
    # without a Puskesmas list an unlinked Posyandu is no orphan: its parents were never loaded
    assert res.summary["network_problems"] == {}
    assert res.summary["facility_counts"]["posyandu"] == 1


def test_no_desa_is_a_clear_input_error():
    from ilp_gis.errors import InputError
    from ilp_gis.project import Project

    with pytest.raises(InputError, match="lapisan desa"):
        analyze(Project())


def test_a_poskesdes_is_no_pustu_for_distance_coverage():
    """A Poskesdes/Polindes is counted apart: it is not a Pustu for the no_pustu gap, nor for
    distance coverage (it is an upgrade candidate in siting), so upgrading it adds coverage."""
    rules = default_rules().with_values(limit__pustu_distance_km=1.0)
    rows = [r for r in facility_rows() if r["fac_id"] != "PT_C1"]
    base = desa_table(analyze(make_project(facilities=facilities_frame(rows), rules=rules)))
    pos = rows + [dict(fac_id="PKD_C1", name="Poskesdes C1", type="pustu", precursor=True,
                       xy=(10, 2))]
    with_pre = desa_table(analyze(make_project(facilities=facilities_frame(pos), rules=rules)))
    assert with_pre.loc["C1", "n_pustu_precursor"] == 1
    assert not with_pre.loc["C1", "has_pustu"]
    assert with_pre.loc["C1", "pop_within_pustu_km"] == base.loc["C1", "pop_within_pustu_km"] == 0
    upgraded = rows + [dict(fac_id="PKD_C1", name="Pustu C1", type="pustu", precursor=False,
                            xy=(10, 2))]
    up = desa_table(analyze(make_project(facilities=facilities_frame(upgraded), rules=rules)))
    assert up.loc["C1", "pop_within_pustu_km"] == 800
