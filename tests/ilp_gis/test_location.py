"""Facilities known only by their desa, or not located at all (issue 12 §1), and a facility
standing over the border of its kecamatan (§7), on the hand-made micro district.

Population points are the desa centres: A1 (2,2) 1000, A2 (6,2) 2000, B1 (2,6) 1500,
B2 (6,6) 500, C1 (10,2) 800 people (km in UTM 49S).  With a Pustu limit of 3 km: A1 reaches
Pustu A1 (1,1) at 1.41 km, A2 its own at 0 km, B1 Pustu B1 (3,5) at 1.41 km, B2 nothing
(3.16 km to Pustu B1), and C1 reaches Pustu C1 — at its desa centre — at 0 km when it is
placed, else only Pustu A2 at 4 km.  So placing the desa-level Pustu C1 adds exactly C1's
800 people: 4,500 → 5,300 within reach.
"""

from __future__ import annotations

import numpy as np
import pytest

from ilp_gis.analysis import analyze
from ilp_gis.location import coverage_notes, qualities
from ilp_gis.rules import default_rules
from tests.ilp_gis import micro


def _rows(c1_quality="desa"):
    rows = micro.facility_rows()
    for r in rows:
        r["location_quality"] = "exact"
        if r["fac_id"] == "PT_C1":
            r["location_quality"] = c1_quality
            r["desa_code"] = "35.07.03.2001"
            r["xy"] = (10, 2)  # stored at its desa's centre point
    return rows


def _project(rows, **kw):
    fac = micro.facilities_frame(rows)
    return micro.make_project(facilities=fac, **kw)


def _rules(place: bool):
    return default_rules().with_values(limit__pustu_distance_km=3.0,
                                       coverage__place_desa_facilities=1.0 if place else 0.0)


def test_desa_level_pustu_left_out_of_distance_coverage_by_default():
    result = analyze(_project(_rows()), rules=_rules(False))
    s = result.summary
    assert s["population_within_distance"]["pustu"] == pytest.approx(4500.0)
    assert s["facilities_without_coordinates"] == {"puskesmas": 0, "pustu": 1, "posyandu": 0}
    assert s["facilities_by_location_quality"]["desa"] == 1
    assert s["place_desa_facilities"] is False
    c1 = result.desa.set_index("code").loc["35.07.03.2001"]
    assert c1["dist_pustu_km"] == pytest.approx(4.0, abs=1e-6)  # to Pustu A2
    # administrative figures count it all the same
    assert bool(c1["has_pustu"]) and int(c1["n_pustu"]) == 1
    assert s["facility_counts"]["pustu"] == 4
    assert coverage_notes(s) == ["1 Pustu tanpa koordinat tidak dihitung dalam cakupan jarak"]


def test_switch_places_it_at_the_desa_population_point_and_adds_its_people():
    off = analyze(_project(_rows()), rules=_rules(False)).summary
    result = analyze(_project(_rows()), rules=_rules(True))
    on = result.summary
    assert on["population_within_distance"]["pustu"] == pytest.approx(5300.0)
    assert on["population_within_distance"]["pustu"] - off["population_within_distance"][
        "pustu"] == pytest.approx(800.0)  # exactly C1's people
    assert on["facilities_without_coordinates"]["pustu"] == 0
    assert on["facilities_placed_at_desa_point"] == {"puskesmas": 0, "pustu": 1, "posyandu": 0}
    c1 = result.desa.set_index("code").loc["35.07.03.2001"]
    assert c1["dist_pustu_km"] == pytest.approx(0.0, abs=1e-6)
    assert any("perkiraan" in n for n in coverage_notes(on))
    # a facility with its own coordinates at the same place gives the same figure
    exact = analyze(_project(_rows("exact")), rules=_rules(False)).summary
    assert exact["population_within_distance"]["pustu"] == pytest.approx(5300.0)


def test_unlocated_facility_is_counted_kept_and_named():
    rows = _rows()
    rows.append(dict(fac_id="PY_X", name="Posyandu Tanpa Lokasi", type="posyandu", xy=(0, 0),
                     location_quality="unknown"))
    fac = micro.facilities_frame(rows)
    fac.loc[fac["fac_id"] == "PY_X", "geometry"] = None
    assert list(qualities(fac))[-1] == "unknown"
    result = analyze(micro.make_project(facilities=fac), rules=_rules(False))
    s = result.summary
    assert s["facility_counts"]["posyandu"] == 5
    assert s["facilities_without_coordinates"]["posyandu"] == 1
    assert s["facilities_outside_boundaries"] == 0  # not "outside": its place is unknown
    assert s["network_problems"].get("no_location") == 1
    assert int(result.desa["n_posyandu"].sum()) == 4  # in no desa
    assert "PY_X" in set(result.graph.nodes)


def test_older_projects_without_the_column_read_as_exact():
    fac = micro.facilities_frame()
    assert "location_quality" not in fac.columns
    assert set(qualities(fac)) == {"exact"}
    s = analyze(micro.make_project(facilities=fac)).summary
    assert s["facilities_without_coordinates"] == {"puskesmas": 0, "pustu": 0, "posyandu": 0}


def test_working_area_follows_the_declared_kecamatan():
    """Puskesmas B stands 0.5 km inside kecamatan A (at (2, 3.5)); its row says kecamatan B."""
    def run(declared):
        rows = _rows("exact")
        for r in rows:
            if r["fac_id"] == "PKM_B":
                r["xy"] = (2, 3.5)
                r["declared_kecamatan_code"] = declared
        return analyze(_project(rows))

    wrong = run(None)
    assert "no_puskesmas" in set(wrong.gaps.loc[wrong.gaps["kecamatan_code"] == "35.07.02",
                                                "kind"])
    right = run("35.07.02")
    assert "no_puskesmas" not in set(right.gaps.loc[right.gaps["kecamatan_code"] == "35.07.02",
                                                    "kind"])
    kec = right.kecamatan.set_index("code")
    assert int(kec.loc["35.07.02", "n_puskesmas"]) == 1
    assert int(kec.loc["35.07.01", "n_puskesmas"]) == 1
    # the Pustu of kecamatan B join it, not Puskesmas A that stands nearer
    assert right.graph.has_edge("PKM_B", "PT_B1")
    assert np.isfinite(right.summary["population_within_distance"]["puskesmas"])


def test_register_without_any_coordinates_gives_no_distance_figure_not_zero():
    """Every Pustu known only by its desa: distance reach is not 0 % but "tidak ada data",
    naming the coordinates (or the placing rule) as what to load; the Pustu themselves still
    count in every administrative figure, and placing them gives the figure again."""
    rows = [r for r in _rows() if r["type"] != "pustu"]
    rows.append(dict(fac_id="PT_C1", name="Pustu C1", type="pustu", xy=(10, 2),
                     desa_code="35.07.03.2001", location_quality="desa"))
    off = analyze(_project(rows), rules=_rules(False))
    s = off.summary
    assert s["inputs"]["pustu_list"] and not s["inputs"]["pustu_positions"]
    assert s["population_within_distance"]["pustu"] is None
    assert s["missing"]["population_within_distance.pustu"] == ["pustu_positions"]
    assert "beyond_distance" not in (s["gaps_by_kind"] or {})
    assert off.desa["dist_pustu_km"].isna().all()
    assert int(off.desa.set_index("code").loc["35.07.03.2001", "n_pustu"]) == 1
    assert s["facility_counts"]["pustu"] == 1
    on = analyze(_project(rows), rules=_rules(True)).summary
    assert on["inputs"]["pustu_positions"]
    assert on["population_within_distance"]["pustu"] == pytest.approx(800.0)  # C1 only
