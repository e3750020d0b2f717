"""Gaps of every kind, priorities by hand, and properties (monotone, order-independent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ilp_gis.analysis import analyze
from ilp_gis.gaps import GAP_KINDS
from ilp_gis.i18n import language
from ilp_gis.rules import default_rules
from tests.ilp_gis.micro import (
    desa_rows,
    facilities_frame,
    facility_rows,
    frame,
    line,
    make_project,
)

COE = ["coe_infrastruktur", "coe_kebijakan", "coe_sdm", "coe_bahan_alat", "coe_model_pelayanan"]


def test_symbology_uses_the_same_gap_kinds():
    from layers import symbology

    assert symbology.GAP_KINDS is GAP_KINDS
    assert set(symbology.GAP_STYLES) == set(GAP_KINDS)


def full_case():
    rows = facility_rows()
    for r in rows:
        if r["fac_id"] == "PKM_A":
            r.update(dict(zip(COE, [0.5] * 5, strict=True)), coe=True)
    roads = frame([dict(road_class="setapak")] * 3,
                  [line((0, 2), (2, 2)), line((2, 2), (6, 2)), line((6, 2), (8, 2))])
    rules = default_rules().with_values(limit__pustu_distance_km=3.0,
                                        limit__pustu_travel_min=30.0)
    return make_project(facilities=facilities_frame(rows), roads=roads, rules=rules)


def test_every_gap_kind_with_value_threshold_unit_and_message():
    res = analyze(full_case())
    g = res.gaps
    assert set(g["kind"]) == set(GAP_KINDS)
    assert list(g["gap_id"]) == [f"G{i:05d}" for i in range(1, len(g) + 1)]
    by = {k: grp for k, grp in g.groupby("kind")}
    row = by["no_puskesmas"].iloc[0]
    assert (row["kecamatan_code"], row["value"], row["threshold"]) == ("35.07.03", 0, 1)
    assert row["message"] == "Kecamatan Kec C tidak memiliki Puskesmas"
    assert list(by["no_pustu"]["desa_code"]) == ["35.07.02.2002"]
    row = by["posyandu_deficit"].iloc[0]
    assert (row["desa_code"], row["value"], row["threshold"]) == ("35.07.02.2001", 0, 1)
    # B2's people at (6,6) are sqrt(10) = 3.16 km from Pustu B1 (limit 3 km).
    row = by["beyond_distance"].iloc[0]
    assert row["desa_code"] == "35.07.02.2002" and row["value"] == pytest.approx(10 ** 0.5, 1e-3)
    assert (row["threshold"], row["unit"]) == (3.0, "km")
    assert "500 jiwa" in row["message"]
    # Travel: footpath 5 km/h.  B2 (6,6) walks straight to B1 (3,5): 3.16 km at 4 km/h = 47 min.
    tt = by["beyond_travel_time"].set_index("desa_code")
    assert tt.loc["35.07.02.2002", "value"] == pytest.approx(10 ** 0.5 / 4 * 60, abs=0.1)
    assert tt.loc["35.07.02.2002", "unit"] == "menit"
    row = by["understaffed_pustu"].iloc[0]
    assert (row["fac_id"], row["value"], row["threshold"]) == ("PT_A2", 1, 2)
    row = by["kader_deficit"].iloc[0]
    assert (row["fac_id"], row["value"], row["threshold"]) == ("PY_A1b", 3, 5)
    row = by["coe_below_threshold"].iloc[0]
    assert (row["fac_id"], row["value"], row["threshold"]) == ("PKM_A", 0.5, 0.8)
    assert list(by["orphan_facility"]["fac_id"]) == ["PT_C1"]
    assert sorted(by["network_problem"]["fac_id"]) == ["PT_B1", "PT_C1"]
    # Facility gaps carry the facility point, desa gaps the desa polygon.
    assert by["kader_deficit"].geometry.iloc[0].geom_type == "Point"
    assert by["no_pustu"].geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    # The desa table lists its gap kinds, most severe first.
    d = res.desa.set_index("code")
    assert d.loc["35.07.02.2002", "gap_kinds"] == "no_pustu;beyond_distance;beyond_travel_time"
    assert d.loc["35.07.02.2002", "gap_count"] == 3
    assert d.loc["35.07.01.2002", "gap_kinds"] == "understaffed_pustu"
    assert res.summary["gaps_by_kind"]["kader_deficit"] == 1
    assert res.gaps["priority_rank"].notna().sum() == (res.gaps["desa_code"].notna()).sum()


def test_gap_messages_in_english():
    with language("en"):
        res = analyze(full_case())
    msgs = res.gaps.set_index("kind")["message"]
    assert msgs["no_puskesmas"] == "Kecamatan Kec C has no Puskesmas"
    assert msgs["kader_deficit"] == "Posyandu Melati: 3 kader (minimum 5)"
    assert res.gaps.set_index("kind").loc["beyond_travel_time", "unit"].iloc[0] == "minutes"


def test_priority_by_hand_with_burden():
    rows, geoms = desa_rows()
    burden = {"A1": (2.0, 0.2), "A2": (0.0, None), "B1": (1.0, None), "B2": (None, 0.4),
              "C1": (None, None)}
    for r in rows:
        r["aki"], r["stunting"] = burden[r["name"]]
    res = analyze(make_project(desa=frame(rows, geoms)))
    d = res.desa.set_index("name")
    travel_a1 = 2 ** 0.5 / 10 ** 0.5
    assert d.loc["A1", "priority_burden"] == pytest.approx(0.75)
    assert d.loc["A1", "priority_travel"] == pytest.approx(travel_a1, abs=1e-4)
    assert d.loc["A1", "priority_unserved"] == 0
    assert np.isnan(d.loc["C1", "priority_burden"])
    assert d.loc["A1", "priority_score"] == pytest.approx(0.3 * travel_a1 + 0.2 * 0.75, abs=1e-4)
    assert d.loc["B2", "priority_score"] == pytest.approx(0.5)
    # C1 has no burden data: its weights are renormalized over the two other parts.
    assert d.loc["C1", "priority_score"] == 0
    assert list(d.sort_values("priority_rank").index) == ["B2", "A1", "B1", "A2", "C1"]


def test_unserved_population_drives_priority():
    rules = default_rules().with_values(limit__pustu_distance_km=2.0)
    res = analyze(make_project(rules=rules))
    d = res.desa.set_index("name")
    assert d.loc["B2", "priority_unserved"] == 1.0  # its 500 people are all beyond 2 km
    assert d.loc["A1", "priority_unserved"] == 0.0
    assert d.loc["B2", "priority_rank"] == 1


def _coverage_gaps(res):
    skip = {"network_problem", "orphan_facility"}
    g = res.gaps[~res.gaps["kind"].isin(skip)]
    return set(zip(g["kind"], g["desa_code"].fillna(""), g["fac_id"].fillna(""), strict=True))


BASE = analyze(make_project())


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.floats(0.05, 11.95), y=st.floats(0.05, 7.95),
       limit=st.sampled_from([1.0, 2.0, 3.0, 5.0]))
def test_adding_a_pustu_never_adds_a_gap_nor_lowers_coverage(x, y, limit):
    assume(x < 8 or y < 4)  # inside the district
    rules = default_rules().with_values(limit__pustu_distance_km=limit)
    before = analyze(make_project(rules=rules))
    rows = facility_rows() + [dict(fac_id="PT_new", name="Pustu Baru", type="pustu", xy=(x, y),
                                   nurses=1.0, midwives=1.0)]
    after = analyze(make_project(facilities=facilities_frame(rows), rules=rules))
    assert _coverage_gaps(after) <= _coverage_gaps(before)
    b = before.desa.set_index("code")
    a = after.desa.set_index("code")
    assert (a["has_pustu"].astype(int) >= b["has_pustu"].astype(int)).all()
    assert (a["pop_within_pustu_km"] >= b["pop_within_pustu_km"]).all()
    assert (a["dist_pustu_km"] <= b["dist_pustu_km"] + 1e-9).all()
    assert after.summary["population_within_distance"]["pustu"] >= \
        before.summary["population_within_distance"]["pustu"]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_result_does_not_depend_on_row_order(seed):
    rng = np.random.default_rng(seed)
    rows, geoms = desa_rows()
    order = rng.permutation(len(rows))
    desa = frame([rows[i] for i in order], [geoms[i] for i in order])
    facs = facility_rows()
    facs = [facs[i] for i in rng.permutation(len(facs))]
    res = analyze(make_project(desa=desa, facilities=facilities_frame(facs)))
    cols = [c for c in BASE.desa.columns if c != "geometry"]
    pd.testing.assert_frame_equal(res.desa[cols].reset_index(drop=True),
                                  BASE.desa[cols].reset_index(drop=True))
    pd.testing.assert_frame_equal(res.gaps.drop(columns="geometry"),
                                  BASE.gaps.drop(columns="geometry"))
    assert set(res.graph.edges) == set(BASE.graph.edges)
    pd.testing.assert_frame_equal(res.network_problems, BASE.network_problems)
