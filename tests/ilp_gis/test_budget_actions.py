"""Issue 13 on hand-made districts: the desa hosting a Puskesmas needs no Pustu; one action
closes several gaps and is costed once; a line of the wrong source or year funds nothing."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from ilp_gis import budget as B
from ilp_gis.analysis import analyze
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult
from ilp_gis.rules import default_rules
from tests.ilp_gis.micro import facilities_frame, facility_rows, make_project

X = "11.01.01.2001"


def test_puskesmas_desa_needs_no_pustu_unless_the_rule_says_so():
    # Pustu B1 removed: desa B1 only hosts Puskesmas B; desa B2 has no Pustu and no Puskesmas.
    rows = [r for r in facility_rows() if r["fac_id"] != "PT_B1"]
    res = analyze(make_project(facilities=facilities_frame(rows)))
    d = res.desa.set_index("name")
    assert not d.loc["B1", "pustu_required"] and d.loc["B2", "pustu_required"]
    no_pustu = set(res.gaps.loc[res.gaps["kind"] == "no_pustu", "desa_name"])
    assert no_pustu == {"B2"}
    pustu_limits = res.gaps[(res.gaps["limit_type"] == "pustu") & (res.gaps["desa_name"] == "B1")]
    assert pustu_limits.empty  # the Puskesmas stands in for B1's Pustu
    assert res.summary["desa_without_pustu"] == 1 and res.summary["desa_pustu_not_required"] == 2
    k = res.kecamatan.set_index("code")
    assert k.loc["35.07.02", "desa_without_pustu"] == 1  # B2 only
    # the budget costs one Pustu (B2), not two
    acts = B.budget_sync(Project(layers={"desa": res.desa, "facilities": facilities_frame(rows),
                                         "budget": pd.DataFrame(columns=["budget_id"])}), res)
    pustu = acts.actions[acts.actions["activity"] == "build_pustu"]
    assert list(pustu["desa_name"]) == ["B2"]
    # A rule that wants a Pustu in the Puskesmas desa too: B1 is short again.
    strict = default_rules().with_values(target__pustu_in_puskesmas_desa=1)
    res2 = analyze(make_project(facilities=facilities_frame(rows), rules=strict))
    assert set(res2.gaps.loc[res2.gaps["kind"] == "no_pustu", "desa_name"]) == {"B1", "B2"}
    assert res2.summary["desa_without_pustu"] == 2


def _one_desa(lines, multi=None) -> tuple[Project, AnalysisResult]:
    desa = gpd.GeoDataFrame({"code": [X], "name": ["X"], "kecamatan_code": ["11.01.01"]},
                            geometry=[box(0, 0, 0.01, 0.01)], crs="EPSG:4326")
    fac = gpd.GeoDataFrame({"fac_id": [], "name": [], "type": [], "desa_code": []},
                           geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    budget = pd.DataFrame(lines, columns=["budget_id", "source", "year", "activity",
                                          "target_desa", "target_facility", "amount", "status"])
    if multi is not None:
        budget["multi_year"] = multi
    # Desa X has no Pustu, its people are 7 km from the nearest Pustu and 70 minutes from the
    # Puskesmas: three gaps that one Pustu in X closes.
    gaps = pd.DataFrame({
        "gap_id": ["g1", "g2", "g3"],
        "kind": ["no_pustu", "beyond_distance", "beyond_travel_time"],
        "label": ["Desa tanpa Pustu", "> 5 km dari Pustu terdekat",
                  "> 60 menit ke Puskesmas terdekat"],
        "limit_type": [None, "pustu", "puskesmas"],
        "desa_code": [X] * 3, "desa_name": ["X"] * 3, "kecamatan_code": ["11.01.01"] * 3,
        "kecamatan_name": ["K"] * 3, "fac_id": [None] * 3, "value": [0.0, 7.0, 70.0],
        "threshold": [1.0, 5.0, 60.0], "priority_rank": [1, 1, 1],
        "priority_score": [0.9] * 3})
    res = AnalysisResult(desa=None, kecamatan=None, gaps=gaps, graph=None, edges=None,
                         network_problems=None)
    return Project(layers={"desa": desa, "facilities": fac, "budget": budget}), res


def test_one_action_closes_three_gaps_and_is_costed_once():
    proj, res = _one_desa([["b1", "dak_fisik", 2026, "build_pustu", X, None, 1.5e9, "usulan"]])
    sync = B.budget_sync(proj, res)
    assert len(sync.actions) == 1
    a = sync.actions.iloc[0]
    assert a["gap_ids"] == "g1;g2;g3" and a["n_gaps"] == 3
    assert a["needed"] == 1.5e9 and a["funding_state"] == "funded" and a["shortfall"] == 0
    assert set(sync.gap_funding["funding_state"]) == {"funded"}
    assert set(sync.gap_funding["action_id"]) == {a["action_id"]}
    assert "> 5 km dari Pustu terdekat" in a["gap_labels"]
    # Without a line: the shortfall is one Pustu (Rp 1.5 M), not three (the old Rp 4.5 M).
    empty, res = _one_desa([])
    assert B.budget_sync(empty, res).shortfall == 1.5e9
    line = sync.lines.iloc[0]
    assert line["amount_on_gaps"] == 1.5e9 and line["gaps_addressed"] == 3


def test_a_line_of_the_wrong_source_is_reported_and_funds_nothing():
    # Dana Desa may fund Posyandu and kader (eligibility.dana_desa), not a Pustu building.
    proj, res = _one_desa([["b1", "dana_desa", 2026, "build_pustu", X, None, 1.5e9, "usulan"]])
    sync = B.budget_sync(proj, res)
    assert sync.actions.iloc[0]["funding_state"] == "unfunded"
    assert sync.shortfall == 1.5e9
    line = sync.lines.iloc[0]
    assert line["issue"] == "ineligible" and line["amount_on_gaps"] == 0
    # reported only (value 0): it counts, and is still named
    lax = proj.rules.with_values(eligibility__dana_desa=0)
    sync = B.budget_sync(proj, res, lax)
    assert sync.actions.iloc[0]["funding_state"] == "funded"
    assert sync.lines.iloc[0]["issue"] == "ineligible"


def test_a_later_line_funds_an_action_only_when_multi_year():
    lines = [["b1", "dak_fisik", 2026, "build_pustu", X, None, 1.0e9, "usulan"],
             ["b2", "dak_fisik", 2027, "build_pustu", X, None, 0.5e9, "usulan"]]
    proj, res = _one_desa(lines, multi=[False, False])
    sync = B.budget_sync(proj, res)
    a = sync.actions.iloc[0]
    assert a["year"] == 2026 and a["funding_state"] == "partly"
    assert a["amount"] == 1.0e9 and a["shortfall"] == 0.5e9
    ln = sync.lines.set_index("budget_id")
    assert ln.loc["b2", "issue"] == "wrong_year" and ln.loc["b2", "issue_actions"] == "A0001"
    assert ln.loc["b2", "amount_on_gaps"] == 0
    proj, res = _one_desa(lines, multi=[False, True])
    sync = B.budget_sync(proj, res)
    assert sync.actions.iloc[0]["funding_state"] == "funded" and sync.shortfall == 0
    ph = sync.phasing.set_index("year")
    assert ph.loc[2026, "amount"] == 1.0e9 and ph.loc[2027, "amount"] == 0.5e9
    assert ph.loc[2026, "actions"] == 1
