"""The figures behind the GUI's Monev views (issue 14): the rollout over the kept periods and
one desa's PWS over the months, on hand-made tables whose answers are worked out here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis.monitoring import history, pws
from tests.ilp_gis import micro


def _with_history():
    project = micro.make_project()
    project.set_table(history.PERIODS_TABLE, pd.DataFrame({
        "period": ["2026-Q4", "2026-Q3"], "kind": ["quarter", "quarter"]}))
    project.set_table(history.DESA_TABLE, pd.DataFrame({
        "period": ["2026-Q3"] * 4 + ["2026-Q4"] * 4,
        "desa_code": ["a", "b", "c", "d"] * 2,
        # Q3: 1 of 4 desa has a Pustu (one unknown: share of the 3 known = 1/3); Q4: 3 of 4
        "has_pustu": [True, False, None, False, True, True, True, False],
        "gap_count": [0, 2, 1, 3, 0, 0, 1, 1]}))
    project.set_table(history.FACILITIES_TABLE, pd.DataFrame({
        "period": ["2026-Q3", "2026-Q3", "2026-Q4", "2026-Q4"],
        "fac_id": ["p1", "p2", "p1", "p2"],
        # Q3 kept no COE score at all: missing, never 0
        "coe_score": [np.nan, np.nan, 70.0, 90.0]}))
    return project


def test_rollout_over_the_kept_periods():
    r = history.rollout(_with_history()).set_index("period")
    assert list(r.index) == ["2026-Q3", "2026-Q4"]  # oldest first, whatever the table order
    q3, q4 = r.loc["2026-Q3"], r.loc["2026-Q4"]
    assert q3["desa_total"] == 4 and q3["desa_with_pustu"] == 1
    assert np.isclose(q3["desa_with_pustu_share"], 1 / 3)
    assert q4["desa_with_pustu"] == 3 and q4["desa_with_pustu_share"] == 0.75
    assert (q3["gaps"], q3["desa_with_gaps"]) == (6, 3)
    assert (q4["gaps"], q4["desa_with_gaps"]) == (2, 2)
    assert np.isnan(q3["coe_mean"]) and q3["coe_facilities"] == 0
    assert q4["coe_mean"] == 80.0 and q4["coe_facilities"] == 2
    assert q3["label"] == "Triwulan III 2026"


def test_rollout_without_history_is_empty():
    assert history.rollout(micro.make_project()).empty


def test_one_desa_over_the_months_crosses_its_target():
    rows, geoms = micro.desa_rows()
    rows[0]["pop_ibu_hamil"] = 40.0
    project = micro.make_project(desa=micro.frame(rows, geoms))
    a1 = str(project.desa["code"].iloc[0])
    # K4 of A1: 2, 2, 8 visits in Jan-Mar against 40 ibu hamil (target 100 %/yr: expected
    # 1/12, 2/12, 3/12): 5 % (below 8.3 %), 10 % (below 16.7 %), 30 % (above 25 %)
    project.set_table(pws.VALUES_TABLE, pd.DataFrame({
        "period": ["2026-01", "2026-02", "2026-03", "2026-02"],
        "desa_code": [a1, a1, a1, "other"], "indicator": ["k4", "k4", "k4", "k4"],
        "value": [2.0, 2.0, 8.0, 99.0], "denominator": [np.nan] * 4, "source_file": ["t"] * 4}))
    t = pws.desa_achievements(project, a1, 2026)
    assert list(t["period"]) == ["2026-01", "2026-02", "2026-03"]
    assert np.allclose(t["achievement"], [0.05, 0.10, 0.30])
    assert np.allclose(t["expected"], [1 / 12, 2 / 12, 3 / 12])
    # Jan: below, no month before (not falling) = cukup; Feb: below, this month's 5 % not
    # under January's 5 % = cukup; Mar: above and rising = baik
    assert list(t["pws_class"]) == [pws.CUKUP, pws.CUKUP, pws.BAIK]
    assert pws.desa_achievements(project, a1, 2025).empty
