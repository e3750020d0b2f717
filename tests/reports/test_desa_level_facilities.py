"""Facilities known only by their desa, and one without any location, through every output
(issue 12 §1): the PDF, the wall map, the XLSX tables, the web map and the analysis files survive
the empty geometry; the desa-level ones are drawn hollow with a legend row saying why, and the
sentence on distance coverage is printed."""

from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader

from ilp_gis.analysis import analyze, store_result
from layers import symbology as sym
from layers.analysis_io import write_outputs
from layers.project_file import open_project, save_project
from reports.maps import legend_items, prepare_map_data
from reports.pdf import build_report
from reports.webmap import export_webmap
from reports.xlsx_tables import write_tables
from tests.ilp_gis import micro


@pytest.fixture
def project(tmp_path):
    rows = micro.facility_rows()
    for r in rows:
        r["location_quality"] = "exact"
        if r["fac_id"] in ("PT_C1", "PY_B2"):
            r["location_quality"] = "desa"
    rows.append(dict(fac_id="PY_X", name="Posyandu Tanpa Lokasi", type="posyandu", xy=(0, 0),
                     location_quality="unknown"))
    fac = micro.facilities_frame(rows)
    fac.loc[fac["fac_id"] == "PY_X", "geometry"] = None
    fac.loc[fac["fac_id"] == "PT_C1", "desa_code"] = "35.07.03.2001"
    fac.loc[fac["fac_id"] == "PY_B2", "desa_code"] = "35.07.02.2002"
    p = micro.make_project(facilities=fac)
    path = tmp_path / "p.gpkg"
    save_project(p, path)  # through the project file: the empty geometry too
    p = open_project(path)
    result = analyze(p)
    store_result(p, result)
    save_project(p)
    return p


def _text(pdf) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


def test_pdf_says_what_distance_coverage_left_out_and_draws_them_hollow(project, tmp_path):
    pdf = build_report(project, path=tmp_path / "r.pdf")
    text = " ".join(_text(pdf).split())
    assert "1 Pustu tanpa koordinat tidak dihitung dalam cakupan jarak" in text
    assert "2 Posyandu tanpa koordinat tidak dihitung dalam cakupan jarak" in text
    assert "Pustu — hanya desanya diketahui" in text  # the legend row
    wall = build_report(project, path=tmp_path / "w.pdf", kind="wallmap")
    assert "hanya desanya diketahui" in " ".join(_text(wall).split())


def test_map_legend_rows_for_desa_level_types_only(project):
    data = prepare_map_data(project, None)
    labels = [label for _, label, _ in legend_items(data)]
    assert sym.DESA_LEVEL_STYLES["pustu"].label in labels
    assert sym.DESA_LEVEL_STYLES["posyandu"].label in labels
    assert sym.DESA_LEVEL_STYLES["puskesmas"].label not in labels
    st = sym.facility_point_style("pustu", False, "desa")
    assert st.hollow and st.stroke == sym.FACILITY_STYLES["pustu"].fill
    assert sym.facility_point_style("pustu", True, "exact") is sym.PRECURSOR_STYLE


def test_web_map_marks_desa_level_points_and_skips_the_unlocated(project, tmp_path):
    html = export_webmap(project, None, tmp_path / "m.html").read_text("utf-8")
    assert len(re.findall(r'"dl":\s*true', html)) == 2
    assert "Posyandu Tanpa Lokasi" not in html.split("ilp-data-facilities-posyandu")[1][:5000]
    assert "hanya desanya diketahui (simbol kosong di titik desa)" in html
    assert "1 Pustu tanpa koordinat tidak dihitung dalam cakupan jarak" in html


def test_tables_and_analysis_files_survive_the_empty_geometry(project, tmp_path):
    result = analyze(project)
    written = write_outputs(result, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    assert summary["facilities_without_coordinates"] == {"puskesmas": 0, "pustu": 1,
                                                         "posyandu": 2}
    assert summary["facilities_by_location_quality"] == {"exact": 8, "fixed": 0, "desa": 2,
                                                         "unknown": 1}
    assert any(p.suffix == ".graphml" for p in written)
    xlsx = write_tables(project, path=tmp_path / "t.xlsx")
    assert xlsx.stat().st_size > 0
