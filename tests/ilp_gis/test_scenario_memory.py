"""A scenario comparison at national scale holds the project once: the what-if copy shares
the frames, the scenario's analysis reuses the baseline run's road graph and population
points, and the data key writes each distinct value once; every figure stays the same."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ilp_gis import scenario
from ilp_gis.analysis import analyze
from ilp_gis.project import Project
from tests.ilp_gis.micro import UTM, X0, Y0, desa_on_a_road


def _project() -> Project:
    # three desa at 0, 10 and 30 km on one kolektor road (40 km/h: 15 and 45 minutes from
    # the Pustu of the first)
    layers = desa_on_a_road((0, 10, 30), (-5, 35))
    fac = gpd.GeoDataFrame(
        [{"fac_id": "PU1", "name": "Pustu A", "type": "pustu", "precursor": False,
          "desa_code": "11.01.01.2001"}],
        geometry=[Point(X0, Y0)], crs=UTM).to_crs("EPSG:4326")
    return Project(layers={**layers, "facilities": fac})


def test_what_if_copy_shares_frames_and_never_reaches_the_baseline():
    proj = _project()
    copy = scenario.what_if_copy(proj)
    assert copy.desa is proj.desa and copy.path is None and not copy.dirty
    fac = copy.facilities.copy()
    fac["nakes"] = 3
    copy.set_layer("facilities", fac)
    copy.meta["scenario"] = "x"
    assert "scenario" not in proj.meta and proj.facilities["nakes"].isna().all()


def test_comparison_with_shared_ground_equals_two_full_analyses():
    proj = _project()
    c_pt = gpd.GeoSeries([Point(X0 + 30_000, Y0)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    scenario.set_scenario(proj, "C", pd.DataFrame([{"action": "new_pustu", "lon": c_pt.x,
                                                    "lat": c_pt.y, "amount": 1.0e9}]))
    shared = scenario.run_scenario(proj, "C")  # the default analysis: one road graph
    full = scenario.run_scenario(proj, "C", analyze=analyze)  # each side on its own
    pd.testing.assert_frame_equal(shared.comparison, full.comparison)
    pd.testing.assert_frame_equal(shared.desa, full.desa)
    # by hand: A (0 min) and B (15 min) are within the 30-minute limit of PU1, C (45 min)
    # is not; its own Pustu brings its 1500 people within it
    d = shared.desa.set_index("desa_code")
    assert d["pop_within_before"].tolist() == [1000.0, 2000.0, 0.0]
    assert d["pop_within_after"].tolist() == [1000.0, 2000.0, 1500.0]
    total = shared.total
    assert total["pop_newly_covered"] == pytest.approx(1500.0)
    assert total["cost"] == pytest.approx(1.0e9)
    assert total["cost_per_person"] == pytest.approx(1.0e9 / 1500.0)


def test_key_text_writes_each_value_as_one_by_one():
    values = [True, 1, 1.0, -0.0, 0.0, " 12 ", "TRUE", "false", None, np.nan, pd.NA,
              np.float32(0.1), "1_000", "inf", float("inf"), float("-inf"), np.float64(2.5),
              "x", "", "  ", 10 ** 30, np.int64(3), np.True_, pd.NaT, 1.23456789, "Pustu",
              "Pustu", 2.5]
    got = list(scenario._key_text(pd.Series(values, dtype=object)))
    assert got == [scenario._key_one(v) for v in values]
    assert got[:5] == ["1.0", "1.0", "1.0", "-0.0", "0.0"]  # -0.0 is not taken for 0.0
    assert got[5:11] == ["12.0", "1.0", "0.0", "", "", ""]
    assert got[-4:] == ["1.234568", "Pustu", "Pustu", "2.5"]
    floats = pd.Series([0.5, np.nan, 0.5, -0.0, 1e-7])
    assert list(scenario._key_text(floats)) == ["0.5", "", "0.5", "-0.0", "0.0"]


def test_comparison_only_lets_go_of_the_baseline_facilities_and_keeps_its_figures():
    proj = _project()
    c_pt = gpd.GeoSeries([Point(X0 + 30_000, Y0)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    scenario.set_scenario(proj, "C", pd.DataFrame([{"action": "new_pustu", "lon": c_pt.x,
                                                    "lat": c_pt.y, "amount": 1.0e9}]))
    key = scenario.baseline_key(proj)
    full = scenario.run_scenario(proj, "C")
    told: list[str] = []
    lean = scenario.run_scenario(proj, "C", done_with=told.extend)
    assert told == ["facilities"]
    assert lean.key == key and full.key is None  # taken before the facilities could go
    pd.testing.assert_frame_equal(lean.comparison, full.comparison)
    pd.testing.assert_frame_equal(lean.desa, full.desa)
    assert lean.baseline.graph is None and "geometry" not in lean.result.gaps
    # the new Pustu is placed in desa C (found from its lon/lat)
    assert lean.project.facilities.set_index("fac_id").loc["C:1", "desa_code"] == \
        "11.01.01.2003"
    stored = scenario.what_if_copy(proj)
    scenario.store_outcome(stored, lean)
    assert set(scenario.stored_comparison(stored, "C")["baseline_key"]) == {key}


def test_desa_containing_takes_the_first_desa_in_layer_order():
    square = [box(0, 0, 1, 1), box(0.5, 0, 1.5, 1), box(5, 5, 6, 6)]  # the first two overlap
    desa = gpd.GeoDataFrame({"code": ["a", "b", "c"]}, geometry=square, crs="EPSG:4326")
    got = scenario.desa_containing(desa, [Point(0.75, 0.5), Point(1.25, 0.5), Point(3, 3),
                                          Point(5.5, 5.5), Point(1, 0.5)])
    # (1, 0.5) lies on the edge of "a" (not contained) and inside "b"
    assert got.tolist() == [0, 1, -1, 2, 1]


def test_an_action_on_an_unknown_facility_stops_before_any_analysis():
    from ilp_gis.errors import InputError

    proj = _project()
    scenario.set_scenario(proj, "X", pd.DataFrame([
        {"action": "close_facility", "fac_id": "PU1"},
        {"action": "add_nakes", "fac_id": "PU1", "count": 1}]))  # closed by the first

    def never(*_a, **_k):
        raise AssertionError("analysed before the actions were checked")

    with pytest.raises(InputError, match="PU1"):
        scenario.run_scenario(proj, "X", analyze=never)
    with pytest.raises(InputError, match="PU1"):
        scenario.run_scenario(proj, "X", analyze=never, done_with=lambda _n: None)


def test_one_analysis_input_set_at_a_time_keeps_the_figures():
    """With ``read_again`` each analysis lets go of the roads and settlements it has read;
    they come back for the scenario's analysis, and the figures are those of a full run."""
    proj = _project()
    c_pt = gpd.GeoSeries([Point(X0 + 30_000, Y0)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    scenario.set_scenario(proj, "C", pd.DataFrame([{"action": "new_pustu", "lon": c_pt.x,
                                                    "lat": c_pt.y, "amount": 1.0e9}]))
    full = scenario.run_scenario(proj, "C", analyze=analyze)
    held: dict = {}
    told: list[str] = []

    def let_go(names):
        told.extend(names)
        for n in names:
            if n in proj.layers:
                held[n] = proj.layers.pop(n)

    def read_again(names):
        for n in names:
            if n in held:
                proj.layers[n] = held.pop(n)

    lean = scenario.run_scenario(proj, "C", done_with=let_go, read_again=read_again)
    assert told == ["roads", "settlements", "facilities", "roads", "settlements"]
    pd.testing.assert_frame_equal(lean.comparison, full.comparison)
    pd.testing.assert_frame_equal(lean.desa, full.desa)
    assert "roads" not in lean.project.layers  # the scenario's copy let go of them too
