"""The PWS views (offscreen, QtCharts) on hand-made K4 values whose classes are worked out
here: the tiny district has no ibu hamil counts, so each desa's sasaran is its population x
1.8 % (an estimate); Desa E has no population, so no sasaran, and Desa F no values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ilp_gis.i18n import language
from ilp_gis.monitoring import pws

A, B, C, D, E = (f"35.07.0{k}.200{d}" for k, d in ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2)))


def _values(project):
    rows = [  # (desa, Jan, Feb)
        (A, 2, 3),  # sasaran 18: 5/18 = 27.8 % >= 2/12, rising -> baik
        (B, 1, 1),  # sasaran 27: 2/27 = 7.4 % below, level -> cukup
        (C, 7, 0),  # sasaran 36: 7/36 = 19.4 % >= 16.7 %, falling -> kurang
        (D, 2, 1),  # sasaran 45: 3/45 = 6.7 % below, falling -> jelek
        (E, 1, 1),  # no sasaran: tidak ada data
    ]
    recs = [{"period": f"2026-0{m}", "desa_code": d, "indicator": "k4", "value": float(v),
             "denominator": np.nan, "source_file": "k4.csv"}
            for d, jan, feb in rows for m, v in ((1, jan), (2, feb))]
    project.set_table(pws.VALUES_TABLE, pd.DataFrame(recs))


@pytest.fixture
def view(qtbot, tiny_project):
    from ui.panels.monev.pws_view import PwsView

    _values(tiny_project)
    with language("id"):
        v = PwsView(tiny_project)
    qtbot.addWidget(v)
    return v


def test_empty_project_says_no_data(qtbot, tiny_project):
    from ui.panels.monev.pws_view import PwsView

    with language("id"):
        v = PwsView(tiny_project)
    qtbot.addWidget(v)
    assert v.indicator_box.count() == 0 and v.ranking is None
    assert "tidak ada data" in v.rank_note.text()


def test_ranking_classes_chart_and_table(view):
    assert view.indicator_box.currentData() == "k4" and view.month_box.currentData() == "2026-02"
    r = view.ranking
    assert list(r["desa_name"]) == ["Desa A", "Desa C", "Desa B", "Desa D", "Desa E", "Desa F"]
    assert list(r["pws_class"][:4]) == ["baik", "kurang", "cukup", "jelek"]
    assert r["pws_class"][4:].isna().all()
    assert np.isclose(r["achievement"].iloc[0], 5 / 18)
    # the chart: one bar set per class present, each bar only at its own desa, target line
    sets = view.rank_chart.bar_series.barSets()
    assert [s.label() for s in sets] == [
        "Baik (mencapai target, naik)", "Kurang (mencapai target, turun)",
        "Cukup (di bawah target, naik)", "Jelek (di bawah target, turun)"]
    assert np.allclose([sets[0].at(i) for i in range(4)], [500 / 18, 0, 0, 0])
    assert np.allclose([sets[3].at(i) for i in range(4)], [0, 0, 0, 300 / 45])
    # the table: every desa, those without data say so (never 0)
    t = view.rank_table
    assert t.rowCount() == 6
    assert t.item(0, 1).text() == "Desa A" and t.item(0, 5).text() == "27,8%"
    assert t.item(0, 4).text() == "18 (estimasi)" and t.item(0, 3).text() == "5"
    assert t.item(4, 5).text() == "tidak ada data" and t.item(5, 2).text() == "tidak ada data"
    assert "2 desa tidak ada data" in view.rank_note.text()
    with language("id"):
        view.select("k4", "2026-01")
    # January: A 2/18 = 11.1 % >= 8.3 % (no month before: not falling) -> baik
    assert view.ranking.set_index("desa_name").loc["Desa A", "pws_class"] == "baik"


def test_one_desa_over_the_months(view):
    with language("id"):
        view.select_desa(D, 2026)
    a = view.desa_frame
    assert list(a["period"]) == ["2026-01", "2026-02"]
    assert np.allclose(a["achievement"], [2 / 45, 3 / 45])
    t = view.desa_table
    assert t.rowCount() == 1 and t.item(0, 0).text() == "K4 ibu hamil"
    assert (t.item(0, 1).text(), t.item(0, 2).text(), t.item(0, 3).text()) == ("2", "1", "")
    assert "Jelek" in t.item(0, 2).toolTip()
    pts = [(p.x(), round(p.y(), 3)) for p in view.desa_chart.series[0].points()]
    assert pts == [(0.0, round(200 / 45, 3)), (1.0, round(300 / 45, 3))]
