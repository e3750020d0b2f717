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
