"""The orchestrator: progress, cancel, rules override, stored tables."""

from __future__ import annotations

import pytest

from ilp_gis.analysis import analyze, store_result
from ilp_gis.errors import Cancelled
from ilp_gis.results import META_SUMMARY, RESULT_TABLES
from ilp_gis.rules import default_rules
from tests.ilp_gis.micro import make_project


def test_progress_runs_to_one_and_cancel_stops():
    seen = []
    analyze(make_project(), progress=lambda f, m=None: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in seen)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        analyze(make_project(), is_cancelled=cancel)


def test_rules_argument_overrides_the_project_rules():
    p = make_project()
    strict = default_rules().with_values(limit__pustu_distance_km=0.5)
    res = analyze(p, rules=strict)
    assert res.summary["population_within_distance"]["pustu"] < 5800
    assert analyze(p).summary["population_within_distance"]["pustu"] == 5800


def test_store_result_uses_the_contract_table_names():
    p = make_project()
    res = analyze(p)
    store_result(p, res)
    assert set(RESULT_TABLES.values()) <= set(p.tables)
    assert p.meta_json(META_SUMMARY)["desa_total"] == 5
    assert p.dirty


def test_done_with_names_the_inputs_read_and_dropping_them_changes_nothing():
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from tests.ilp_gis.test_gaps import full_case

    settlements = gpd.GeoDataFrame({"desa_code": ["D1"], "population": [100.0]},
                                   geometry=[Point(1.0, 1.0)], crs=full_case().desa.crs)
    ref = full_case()
    ref.set_layer("settlements", settlements)
    want = analyze(ref)
    p = full_case()
    p.set_layer("settlements", settlements)
    seen = []

    def drop(names):  # what ``ilp-gis analyze`` does: the layers let go at once
        seen.append(names)
        for name in names:
            del p.layers[name]

    got = analyze(p, done_with=drop)
    assert seen == [("roads",), ("settlements",)]
    assert "roads" not in p.layers and "settlements" not in p.layers
    pd.testing.assert_frame_equal(pd.DataFrame(got.desa), pd.DataFrame(want.desa))
    pd.testing.assert_frame_equal(got.gaps, want.gaps)
    assert {k: v for k, v in got.summary.items() if k != "timings_s"} == {
        k: v for k, v in want.summary.items() if k != "timings_s"}
