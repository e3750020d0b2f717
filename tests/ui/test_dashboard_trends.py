"""The dashboard's period picker and trend charts (offscreen, QtCharts), on hand-made
history tables whose answers are worked out here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ilp_gis.i18n import language
from ilp_gis.monitoring import history


def _history(project):
    project.set_table(history.PERIODS_TABLE, pd.DataFrame({"period": ["2026-Q3", "2026-Q4"]}))
    project.set_table(history.DESA_TABLE, pd.DataFrame({
        "period": ["2026-Q3"] * 4 + ["2026-Q4"] * 4, "desa_code": list("abcd") * 2,
        "has_pustu": [True, False, False, False, True, True, True, False],
        "gap_count": [0, 2, 1, 3, 0, 0, 1, 1]}))
    project.set_table(history.FACILITIES_TABLE, pd.DataFrame({
        "period": ["2026-Q3", "2026-Q4", "2026-Q4"], "fac_id": ["p1", "p1", "p2"],
        "coe_score": [np.nan, 0.7, 0.9]}))


@pytest.fixture
def dash(qtbot, state):
    from ui.dashboard import Dashboard

    with language("id"):
        d = Dashboard(state)
    qtbot.addWidget(d)
    return d


def test_no_period_yet_says_how_to_get_one(dash):
    t = dash.trends
    assert t.period_box.count() == 0 and not t.period_box.isEnabled()
    assert "Belum ada periode" in t.figures.text()


def test_picker_figures_and_charts_follow_the_kept_periods(dash, state):
    t = dash.trends
    with language("id"):
        _history(state.project)  # the panel follows the project's history tables
    assert [t.period_box.itemData(i) for i in range(t.period_box.count())] == [
        "2026-Q3", "2026-Q4"]
    assert t.period_box.currentData() == "2026-Q4"  # the latest is picked
    text = t.figures.text()
    # Q4 against Q3: 3 of 4 desa with a Pustu (+2), gaps 2 (6 before: -4), COE 80 % (none
    # before: no change given)
    assert "Desa dengan Pustu: 3 dari 4 (75,0%) (+2)" in text
    assert "Kesenjangan: 2 (−4)" in text
    assert "Skor COE rata-rata: 80,0%\n" in text + "\n" and "sejak Triwulan III 2026" in text
    pustu = t.pustu_chart.series[0]
    assert [(p.x(), p.y()) for p in pustu.points()] == [(0.0, 25.0), (1.0, 75.0)]
    # the COE line has a value in Q4 only: one point, no line drawn through a missing Q3
    coe = [s for s in t.coe_chart.series if s.name() == "Skor COE"]
    assert [(p.x(), round(p.y(), 6)) for p in coe[0].points()] == [(1.0, 80.0)]
    with language("id"):
        t.period_box.setCurrentIndex(0)
    text = t.figures.text()
    assert "Desa dengan Pustu: 1 dari 4 (25,0%)" in text and "(+" not in text
    assert "Skor COE rata-rata: tidak ada data" in text


def test_keeping_the_analysis_as_a_period(dash, state):
    from ilp_gis.errors import InputError

    with language("id"):
        label = dash.trends.keep_period("Triwulan III 2026")
        assert label == "Triwulan III 2026"
        assert dash.trends.period_box.currentData() == "2026-Q3"
        with pytest.raises(InputError, match="sudah disimpan"):
            dash.trends.keep_period("TW3 2026")
    r = history.rollout(state.project).iloc[0]
    # the fake analysis: Pustu in desa A, B and D of 6; no Pustu in C, E, F (3 gaps) and
    # every desa short of Posyandu for its 2 dusun (6 gaps)
    assert r["desa_with_pustu"] == 3 and r["desa_total"] == 6
    assert r["gaps"] == 9 and r["desa_with_gaps"] == 6


def test_a_figure_no_period_kept_draws_no_axis(dash, state):
    with language("id"):
        _history(state.project)
        f = state.project.tables[history.FACILITIES_TABLE]
        state.project.set_table(history.FACILITIES_TABLE, f.assign(coe_score=np.nan))
    chart = dash.trends.coe_chart.chart()
    assert chart.title().endswith("tidak ada data")
    assert chart.series() == [] and chart.axes() == []  # no line or axis at 0
