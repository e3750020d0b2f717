"""The Monev summary (issue 14) on the micro district, answers worked out by hand: an indicator
crossing its target, a gap closed, an action late by 30 days, spending above plan, an action
marked done whose gap is still open, and what is missing said as missing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ilp_gis.analysis import analyze
from ilp_gis.monitoring import actions as A
from ilp_gis.monitoring import history, pws
from ilp_gis.monitoring.monev import headline, monev_summary
from tests.ilp_gis import micro
from tests.ilp_gis.test_monitoring import _quarter_later


def _values(rows):
    return pd.DataFrame([dict(period=p, desa_code=d, indicator=i, value=v, denominator=np.nan,
                              source_file="t.csv") for p, d, i, v in rows])


A1, B2 = "35.07.01.2001", "35.07.02.2002"


def monev_project():
    """Two kept quarters (a Pustu opened in B2 between them), K4 for A1 over three months, and
    four actions."""
    rows, geoms = micro.desa_rows()
    rows[0]["pop_ibu_hamil"] = 40.0
    fac = micro.facility_rows()
    for r in fac:
        if r["type"] == "posyandu":
            r["level"] = "pratama"
    project = micro.make_project(desa=micro.frame(rows, geoms),
                                 facilities=micro.facilities_frame(fac))
    history.freeze(project, analyze(project), "2026-Q3", now=dt.datetime(2026, 10, 1))
    _quarter_later(project)
    history.freeze(project, analyze(project), "2026-Q4", now=dt.datetime(2027, 1, 2))
    # K4 in A1 (sasaran 40): cumulative 2, 6, 12 = 5%, 15%, 30% against 8.3%, 16.7%, 25%
    pws.add_values(project, _values([("2027-01", A1, "k4", 2.0), ("2027-02", A1, "k4", 4.0),
                                     ("2027-03", A1, "k4", 6.0)]))
    A.add_action(project, kegiatan="Bangun Pustu B2", activity="build_pustu", desa_code=B2,
                 start="2026-07-01", end="2026-12-31", budget_amount=1.5e9,
                 funding_source="dak_fisik", status="selesai")
    A.add_action(project, kegiatan="Latih kader A1", activity="train_kader", desa_code=A1,
                 start="2027-01-10", end="2027-02-28", budget_amount=10e6,
                 funding_source="bok", status="selesai")
    late = A.add_action(project, kegiatan="Tambah bidan A2", activity="add_nakes",
                        desa_code="35.07.01.2002", start="2027-01-01", end="2027-03-01",
                        budget_amount=50e6, funding_source="bok", status="berjalan")
    A.add_action(project, kegiatan="Batal", start="2027-01-01", budget_amount=5e6,
                 funding_source="bok", status="batal")
    A.record_spending(project, "RA-0002", "2027-02-01", 12e6)  # above its plan of 10 jt
    A.record_spending(project, "RA-0001", "2026-11-01", 1.4e9)
    A.record_spending(project, late, "2027-04-02", 1e6)  # after the as-of date: not counted
    return project


def test_monev_summary_worked_by_hand():
    project = monev_project()
    m = monev_summary(project, as_of="2027-03-31", result=analyze(project))
    assert m.month.code == "2027-03" and [p.code for p in m.periods] == ["2026-Q3", "2026-Q4"]
    assert (m.comparison.before.code, m.comparison.after.code) == ("2026-Q3", "2026-Q4")
    b2 = m.gap_changes.set_index("desa_code").loc[B2]
    assert b2["gaps_closed"] == "no_pustu" and b2["gaps_opened"] == ""

    k4 = m.indicators.set_index("indicator").loc["k4"]
    assert k4["achievement"] == pytest.approx(12 / 40)
    assert k4["previous"] == pytest.approx(6 / 40)
    assert k4["expected"] == pytest.approx(3 / 12) and k4["expected_previous"] == \
        pytest.approx(2 / 12)
    assert bool(k4["meets"]) and bool(k4["crossed_up"]) and not bool(k4["crossed_down"])
    assert k4["desa_improved"] == 1 and k4["desa_worsened"] == 0  # 6/40 this month, 4/40 before
    assert k4["desa_with_data"] == 1 and k4["baik"] == 1
    k1 = m.indicators.set_index("indicator").loc["k1"]
    assert not k1["has_values"] and np.isnan(float(k1["achievement"]))  # missing, not 0
    assert "pws import" in k1["note"]
    assert set(m.rankings) == {"k4"}

    assert m.late["action_id"].tolist() == ["RA-0003"]
    assert m.late["days_late"].tolist() == [30]

    s = m.spending.set_index(["funding_source", "ta"])
    bok = s.loc[("bok", 2027.0)]
    assert bok["actions"] == 2  # the cancelled action is left out
    assert bok["budget"] == 60e6 and bok["spent"] == 12e6 and bool(bok["late"] == 1)
    dak = s.loc[("dak_fisik", 2026.0)]
    assert dak["spent"] == 1.4e9 and not bool(dak["over_plan"])
    per_action = m.progress.actions.set_index("action_id")
    assert per_action.loc["RA-0002", "spent"] > per_action.loc["RA-0002", "budget_amount"]

    # done: the Pustu in B2 closed its gap; the kader of A1 are still short
    assert m.done_open["action_id"].tolist() == ["RA-0002"]
    assert m.done_open["open_gaps"].tolist() == ["kader_deficit"]
    assert m.done_open["state_from"].tolist() == ["analysis"]
    assert any("indikator belum pernah diimpor" in x for x in m.missing)
    head = {r["figure"]: r for r in headline(m)}
    assert (head["n_pustu"]["before"], head["n_pustu"]["after"], head["n_pustu"]["change"]) == \
        (4, 5, 1)
    assert head["gaps_closed"]["change"] == 1 and head["gaps_opened"]["change"] == 0
    assert head["strata_up"]["change"] == 1  # Kenanga: Pratama -> Madya
    assert head["indicators_up"]["change"] == 1 and head["crossed"]["change"] == 1
    assert head["late"]["change"] == 1


def test_spending_above_plan_flagged_per_source_and_year():
    project = micro.make_project()
    A.add_action(project, kegiatan="Renovasi", start="2026-02-01", budget_amount=10e6,
                 funding_source="apbd")
    A.record_spending(project, "RA-0001", "2026-03-01", 7e6)
    A.record_spending(project, "RA-0001", "2026-04-01", 5e6)
    s = monev_summary(project, as_of="2026-12-31").spending
    assert s["ta"].tolist() == [2026.0] and s["spent"].tolist() == [12e6]
    assert s["spent_share"].iloc[0] == pytest.approx(1.2) and bool(s["over_plan"].iloc[0])


def test_nothing_loaded_is_missing_not_zero():
    m = monev_summary(micro.make_project(), as_of="2026-12-31")
    assert m.month is None and m.comparison is None and not m.rankings
    assert not m.has_actions and m.spending.empty and m.done_open.empty
    text = " ".join(m.missing)
    assert "period save" in text and "pws import" in text and "actions add" in text
    assert m.indicators["achievement"].isna().all()
    head = {r["figure"]: r["change"] for r in headline(m)}
    assert all(v is None for v in head.values())  # nothing known: missing, never 0


def test_done_action_gap_state_from_the_latest_period():
    project = monev_project()
    m = monev_summary(project, as_of="2027-03-31")  # no analysis given: the latest period
    assert m.done_open["action_id"].tolist() == ["RA-0002"]
    assert m.done_open["state_from"].tolist() == ["2026-Q4"]
