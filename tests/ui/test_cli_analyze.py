"""``ilp-gis analyze``: files written, summary keys, results stored in the project."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd

from ilp_gis.analysis import load_result
from layers.project_file import open_project, save_project
from tests.ilp_gis.micro import frame, line, make_project
from ui.cli import main

SUMMARY_KEYS = {"desa_total", "desa_without_pustu", "desa_without_posyandu", "facility_counts",
                "facilities_outside_boundaries", "network_problems", "population_total",
                "population_within_distance", "population_within_travel_time",
                "coe_meeting_threshold", "coe_total"}


def test_analyze_writes_outputs_and_stores_results(tmp_path, capsys):
    roads = frame([dict(road_class="lokal")], [line((0, 2), (8, 2))])
    path = save_project(make_project(roads=roads), tmp_path / "micro.gpkg")
    out = tmp_path / "hasil"
    assert main(["analyze", str(path), "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "5 desa; without a Pustu: 1;" in printed
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert SUMMARY_KEYS <= set(summary)
    assert summary["facility_counts"] == {"puskesmas": 2, "pustu": 4, "posyandu": 4}
    gaps = pd.read_csv(out / "gaps.csv", encoding="utf-8-sig")
    assert len(gaps) == summary["gaps_total"] and "message" in gaps
    assert gaps["message"].str.contains("has no Puskesmas").any()  # English outputs
    pr = pd.read_csv(out / "priority.csv", encoding="utf-8-sig")
    assert list(pr["priority_rank"]) == [1, 2, 3, 4, 5]
    g = nx.read_graphml(out / "network.graphml")
    assert g.number_of_edges() == 7
    import pyogrio

    assert len(pyogrio.read_dataframe(out / "desa_coverage.gpkg")) == 5
    loaded = load_result(open_project(path))
    assert loaded is not None and loaded.summary["gaps_total"] == summary["gaps_total"]


def test_analyze_bad_project_is_a_clear_error(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "missing.gpkg"), "--out", str(tmp_path)]) == 1
    assert "missing.gpkg" in capsys.readouterr().err


def test_analyze_with_a_coe_indicator_list_keeps_it_and_names_the_rule(tmp_path, capsys):
    """The district of tests.ilp_gis.test_coe: PKM_B's shares (1, 1, 0.5, 0.5, 0.5) weighted by
    the list's 2, 1, 1, 0, 1 indicators give 80% (meets); PKM_A has no data."""
    from ilp_gis import coe
    from tests.ilp_gis.test_coe import INDICATORS, district

    path = save_project(district(), tmp_path / "coe.gpkg")
    lst = tmp_path / "indikator.toml"
    lst.write_text(INDICATORS, encoding="utf-8")
    assert main(["analyze", str(path), "--out", str(tmp_path / "h"), "--coe-indicators",
                 str(lst)]) == 0
    printed = capsys.readouterr().out
    assert "COE: 1 dari 2 unit yang ditetapkan memenuhi ambang (skor: rata-rata bagian " \
           "kelompok (dibobot jumlah indikator); tidak ada data penilaian)" in printed
    project = open_project(path)
    assert project.meta[coe.META_INDICATORS] == INDICATORS
    assert load_result(project).summary["coe_indicators"]["total"] == 5


def test_analyze_with_a_bad_coe_indicator_list_writes_nothing(tmp_path, capsys):
    from tests.ilp_gis.test_coe import district

    path = save_project(district(), tmp_path / "coe.gpkg")
    before = path.read_bytes()
    lst = tmp_path / "salah.toml"
    lst.write_text('[gedung.a]\nlabel = "A"\n', encoding="utf-8")
    out = tmp_path / "h"
    assert main(["analyze", str(path), "--out", str(out), "--coe-indicators", str(lst)]) == 1
    err = capsys.readouterr().err
    assert "salah.toml" in err and "\"gedung\"" in err and "Traceback" not in err
    assert not out.exists() and path.read_bytes() == before
