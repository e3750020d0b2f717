"""Periods and the history of frozen analyses (issue 14), on the hand-made micro district."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ilp_gis.analysis import analyze
from ilp_gis.errors import InputError
from ilp_gis.monitoring import history
from ilp_gis.monitoring.periods import MONTH, QUARTER, SEMESTER, YEAR, parse_period, sort_periods
from tests.ilp_gis import micro


@pytest.mark.parametrize("text, code, kind", [
    ("Triwulan III 2026", "2026-Q3", QUARTER), ("TW 3 2026", "2026-Q3", QUARTER),
    ("tw3-2026", "2026-Q3", QUARTER), ("2026-Q3", "2026-Q3", QUARTER),
    ("Q4 2025", "2025-Q4", QUARTER), ("September 2026", "2026-09", MONTH),
    ("Sept. 2026", "2026-09", MONTH), ("Agt 2026", "2026-08", MONTH),
    ("2026-09", "2026-09", MONTH), ("9/2026", "2026-09", MONTH),
    ("Semester II 2026", "2026-S2", SEMESTER), ("2026-S1", "2026-S1", SEMESTER),
    ("2026", "2026", YEAR), ("Tahun 2026", "2026", YEAR),
])
def test_periods_as_planners_write_them(text, code, kind):
    p = parse_period(text)
    assert (p.code, p.kind) == (code, kind)
    assert parse_period(p.code) == p  # the stored code reads back as itself


def test_period_dates_labels_and_order():
    q3 = parse_period("2026-Q3")
    assert (q3.start, q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert q3.months == ("2026-07", "2026-08", "2026-09")
    assert q3.label("id") == "Triwulan III 2026" and q3.label("en") == "Quarter 3 2026"
    assert parse_period("2024-02").end == dt.date(2024, 2, 29)
    assert parse_period(dt.date(2026, 3, 15)).code == "2026-03"
    assert q3.contains(parse_period("Agustus 2026"))
    assert not q3.contains(parse_period("Oktober 2026"))
    order = [p.code for p in sort_periods(["2026-Q3", "2026", "2026-07", "2025-Q4"])]
    assert order == ["2025-Q4", "2026", "2026-07", "2026-Q3"]


@pytest.mark.parametrize("bad", ["Triwulan V 2026", "2026-13", "Maret", "3026", "", None, "x 2026"])
def test_bad_periods_are_named(bad):
    with pytest.raises(InputError, match="periode tidak dikenal"):
        parse_period(bad)


def _quarter_later(project):
    """The same district one quarter later: a Pustu opened in B2 and Posyandu Kenanga moved
    from Pratama to Madya."""
    rows = [dict(r) for r in micro.facility_rows()]
    for r in rows:
        if r["type"] == "posyandu":
            r["level"] = "madya" if r["fac_id"] == "PY_B2" else "pratama"
    rows.append(dict(fac_id="PT_B2", name="Pustu B2", type="pustu", xy=(6, 6),
                     nurses=1.0, midwives=1.0))
    project.set_layer("facilities", micro.facilities_frame(rows))


def test_freeze_compare_and_trend():
    rows = micro.facility_rows()
    for r in rows:
        if r["type"] == "posyandu":
            r["level"] = "pratama"
    project = micro.make_project(facilities=micro.facilities_frame(rows))
    history.freeze(project, analyze(project), "Triwulan III 2026", note="awal",
                   now=dt.datetime(2026, 10, 1))
    _quarter_later(project)
    history.freeze(project, analyze(project), "TW4 2026", now=dt.datetime(2027, 1, 2))

    assert [p.code for p in history.periods(project)] == ["2026-Q3", "2026-Q4"]
    with pytest.raises(InputError, match="sudah disimpan"):
        history.freeze(project, analyze(project), "2026-Q4")

    c = history.compare(project, "2026-Q3", "2026-Q4")
    b2 = c.desa.set_index("desa_code").loc["35.07.02.2002"]
    assert bool(b2["pustu_opened"]) and not bool(b2["pustu_closed"])
    assert b2["n_pustu_before"] == 0 and b2["n_pustu_after"] == 1 and b2["n_pustu_change"] == 1
    assert "no_pustu" in b2["gaps_closed"].split(";")
    assert int(c.desa["pustu_opened"].sum()) == 1
    assert c.kabupaten["pustu_opened"] == 1
    assert c.kabupaten["n_pustu_before"] == 4 and c.kabupaten["n_pustu_after"] == 5
    # C1 has no dusun count: its Posyandu deficit stays missing in both periods, not 0
    c1 = c.desa.set_index("desa_code").loc["35.07.03.2001"]
    assert np.isnan(c1["posyandu_deficit_before"]) and np.isnan(c1["posyandu_deficit_change"])
    # one Posyandu moved Pratama -> Madya, the other three stayed Pratama
    assert c.strata.loc["pratama", "madya"] == 1
    assert c.strata.loc["pratama", "pratama"] == 3
    nurses = c.staffing.set_index(["type", "figure"]).loc[("pustu", "nurses")]
    assert (nurses["before"], nurses["after"], nurses["change"]) == (1.0, 2.0, 1.0)

    t = history.trend(project, ("facility_counts.pustu", "desa_without_pustu"))
    assert t["period"].tolist() == ["2026-Q3", "2026-Q4"]
    assert t["facility_counts.pustu"].tolist() == [4.0, 5.0]

    history.delete(project, "Triwulan III 2026")
    assert [p.code for p in history.periods(project)] == ["2026-Q4"]
    with pytest.raises(InputError, match="belum disimpan"):
        history.compare(project, "2026-Q3", "2026-Q4")


def test_missing_summary_figures_stay_missing():
    project = micro.make_project()
    result = analyze(project)
    result.summary["population_within_travel_time"] = {"pustu": None}
    history.freeze(project, result, "2026-09")
    s = project.tables[history.SUMMARY_TABLE].set_index("key")["value"]
    assert np.isnan(s["population_within_travel_time.pustu"])
    assert s["desa_total"] == 5


def test_history_round_trips_through_the_project_file(tmp_path):
    from layers.project_file import open_project, save_project

    project = micro.make_project()
    history.freeze(project, analyze(project), "Triwulan III 2026", note="rapat Pokja")
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    again = open_project(path)
    assert [p.code for p in history.periods(again)] == ["2026-Q3"]
    rows = again.tables[history.PERIODS_TABLE].iloc[0]
    assert rows["label_id"] == "Triwulan III 2026" and rows["note"] == "rapat Pokja"
    d = again.tables[history.DESA_TABLE]
    assert len(d) == 5 and set(d["period"]) == {"2026-Q3"}
    # plain tables a spreadsheet or QGIS reads as they are
    import pyogrio

    names = {n for n, _ in pyogrio.list_layers(path)}
    assert set(history.TABLES) <= names
