"""Network problems agree everywhere (issue 13): summary.json, the network tree, the PDF and
the XLSX give one count of network problems; notes such as "parent name matched" are kept apart (not
counted, not listed, one line in the PDF)."""

from __future__ import annotations

import json
import subprocess

import openpyxl
import pytest

from ilp_gis.analysis import analyze
from ilp_gis.i18n import language
from layers.analysis_io import write_outputs
from layers.project_file import open_project
from reports.pdf import build_report
from reports.xlsx_tables import write_tables
from tests.ilp_gis.micro import facilities_frame, facility_rows, make_project
from ui.network_tree import NetworkTree
from ui.state import AppState


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _counts(qtbot, project, result, tmp_path) -> tuple[int, int, str, str]:
    write_outputs(result, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    from_json = sum(summary["network_problems"].values())
    info_json = sum(summary["network_info"].values())
    st = AppState(project, analyze_fn=analyze, load_result_fn=lambda p: None)
    st.set_result(result)
    tree = NetworkTree(st)
    qtbot.addWidget(tree)
    assert tree.problem_count() == from_json
    pdf = build_report(project, result, tmp_path / "plan.pdf", kind="plan", lang="id")
    book = openpyxl.load_workbook(write_tables(project, result, tmp_path / "t.xlsx", lang="id"))
    rows = list(book["Masalah jejaring"].iter_rows(values_only=True))
    assert rows[0][0] == "Tingkat"
    levels = [r[0] for r in rows[1:]]
    assert levels.count("masalah") == from_json
    assert levels.count("catatan (bukan masalah)") == info_json
    return from_json, info_json, tree.summary.text(), _pdf_text(pdf)


def test_hand_made_network_problems_agree(qtbot, tmp_path):
    # PT_A1 <-> PT_A2 a cycle of two Pustu (wrong tier twice and one cycle), PY_A2 under a
    # Posyandu (wrong tier), PY_B2 under an unknown parent, Puskesmas A left without Pustu;
    # PY_A1b names its parent by name only ("Pustu A1"): a note, not a problem.
    rows = facility_rows()
    changes = {"PT_A1": {"parent_id": "PT_A2"}, "PT_A2": {"parent_id": "PT_A1"},
               "PY_A2": {"parent_id": "PY_A1a"}, "PY_B2": {"parent_id": "NOPE"},
               "PY_A1b": {"parent_name": "Pustu A1"}}
    for r in rows:
        r.update(changes.get(r["fac_id"], {}))
    project = make_project(facilities=facilities_frame(rows))
    with language("id"):
        result = analyze(project)
        problems = result.network_problems
        expected = int((problems["severity"] == "problem").sum())
        n_info = int((problems["severity"] == "info").sum())
        # 3 wrong tier + 1 cycle + 1 unknown parent + 1 Puskesmas without Pustu, at least
        assert expected >= 6
        from_json, info_json, tree_text, text = _counts(qtbot, project, result, tmp_path)
    assert from_json == expected and info_json == n_info
    assert f"{expected} masalah jejaring" in tree_text
    assert f"Masalah jejaring ({expected})" in text
    if n_info:
        assert "Catatan, bukan masalah" in text


def test_sample_network_problems_agree(qtbot, tmp_path):
    from tests.conftest import SAMPLE_PROJECT

    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample_data/kabupaten_contoh.gpkg not generated yet")
    project = open_project(SAMPLE_PROJECT)
    with language("id"):
        result = analyze(project)
        from_json, info_json, tree_text, text = _counts(qtbot, project, result, tmp_path)
    assert f"{from_json} masalah jejaring" in tree_text
    assert f"Masalah jejaring ({from_json})" in text
    # the notes ("nama induk dicocokkan") are one line, not one row each
    assert info_json > 0
    label = "nama induk"
    lines = [ln for ln in text.splitlines() if label in ln.lower()]
    assert len(lines) <= 2, lines
