"""Analysis, reports and web maps on a project read from the shared store give what the same
project gives from its GeoPackage: the sample district pushed to the throwaway PostgreSQL +
PostGIS server, read back whole (the province) and as its kabupaten (a team's check-out), and
analysed; the summary, every result table, the result files, the summary PDF's text, the XLSX
tables and the web map agree both ways."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from ilp_gis.analysis import analyze, store_result
from ilp_gis.project import Project
from ilp_gis.results import RESULT_TABLES
from layers.analysis_io import write_outputs
from layers.pgstore.checkout import check_out
from layers.pgstore.connection import connect
from layers.pgstore.pull import pull_project
from layers.pgstore.push import push_project
from layers.project_file import open_project

_FOLIUM_ID = re.compile(r"_[0-9a-f]{32}(?![0-9a-f])")  # folium names every element with a random id


def _outputs(project: Project, folder) -> dict[str, object]:
    """Everything the comparison looks at, computed from ``project``."""
    from reports.pdf import build_report
    from reports.webmap.export import export_webmap
    from reports.xlsx_tables import write_tables
    from tests.reports.helpers import pdf_text

    folder.mkdir()
    result = analyze(project)
    tables = Project(layers=dict(project.layers), meta=dict(project.meta))
    store_result(tables, result)
    files = write_outputs(result, folder / "hasil")
    pdf = build_report(project, result, folder / "ringkasan.pdf", kind="summary")
    xlsx = write_tables(project, result, folder / "tabel.xlsx")
    html = export_webmap(project, result, folder / "peta.html").read_text("utf-8")
    return {
        "summary": _timeless(json.loads(json.dumps(result.summary, default=str))),
        "tables": {name: tables.tables.get(name, tables.layers.get(name))
                   for name in RESULT_TABLES.values()},
        "files": {p.name: _timeless(json.loads(p.read_text("utf-8"))) if p.suffix == ".json"
                  else p.read_bytes() for p in files if p.suffix in (".json", ".csv")},
        "pdf": pdf_text(pdf),
        "xlsx": _workbook_values(xlsx),
        "webmap": _FOLIUM_ID.sub("_ID", html),
    }


def _timeless(summary: dict) -> dict:
    """The summary without the run's own timings (they differ between any two runs)."""
    summary.pop("timings_s", None)
    return summary


def _workbook_values(path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _assert_same(a: dict, b: dict) -> None:
    assert a["summary"] == b["summary"]
    assert sorted(a["tables"]) == sorted(b["tables"])
    for name, left in a["tables"].items():
        right = b["tables"][name]
        assert (left is None) == (right is None), name
        if left is None:
            continue
        assert len(left) > 0 or name == "result_network_problems", name
        if isinstance(left, gpd.GeoDataFrame):
            assert left.geometry.geom_equals_exact(right.geometry, 1e-9).all(), name
            left, right = pd.DataFrame(left.drop(columns=left.geometry.name)), \
                pd.DataFrame(right.drop(columns=right.geometry.name))
        pd.testing.assert_frame_equal(pd.DataFrame(left).reset_index(drop=True),
                                      pd.DataFrame(right).reset_index(drop=True), obj=name)
    assert a["files"] == b["files"]
    assert a["pdf"] == b["pdf"]
    assert a["xlsx"] == b["xlsx"]
    assert a["webmap"] == b["webmap"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_analysis_reports_and_web_map_from_the_store_equal_those_from_the_geopackage(
        store_url, sample_project_path, tmp_path):
    original = open_project(sample_project_path, skip_tables=RESULT_TABLES.values())
    kabupaten = str(original.layers["kabupaten"]["code"].iat[0])
    with connect(store_url) as conn:
        push_project(conn, original)
        province = pull_project(conn)
        team = check_out(conn, kabupaten)
    for project in (province, team):  # the stored results are replaced by a fresh analysis
        for name in RESULT_TABLES.values():
            project.tables.pop(name, None)
            project.layers.pop(name, None)
    from_file = _outputs(original, tmp_path / "berkas")
    assert from_file["summary"]["desa_total"] == len(original.desa) > 0
    assert len(from_file["tables"]["result_gaps"]) > 0
    _assert_same(from_file, _outputs(province, tmp_path / "provinsi"))
    _assert_same(from_file, _outputs(team, tmp_path / "kabupaten"))
