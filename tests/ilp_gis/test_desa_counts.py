"""Facilities known by count and facilities known one by one never count twice: per desa and
type one source (the facility list when that type was loaded for the desa's kabupaten, else the
per-desa table), the disagreements named, Posyandu per dusun/RW with its basis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis import desa_counts
from ilp_gis.analysis import analyze
from tests.ilp_gis.micro import frame, make_project, pt, square


def test_choose_uses_the_list_where_its_type_was_loaded_else_the_table():
    desa = pd.DataFrame({"count_pustu": [2.0, 1.0, np.nan, 0.0],
                         "count_poskesdes": [1.0, np.nan, np.nan, 2.0],
                         "count_posyandu": [3.0, 3.0, np.nan, np.nan]})
    points = {"pustu": np.array([1.0, 0.0, 0.0, 0.0]), "precursor": np.zeros(4),
              "posyandu": np.array([3.0, 0.0, 0.0, 0.0])}
    loaded = {"pustu": np.array([True, False, False, False]),
              "posyandu": np.array([True, True, False, False])}
    got = desa_counts.choose(desa, points, loaded)
    assert got["pustu_count_source"].tolist() == ["points", "table", None, "table"]
    assert got["n_pustu"].tolist() == [1.0, 1.0, 0.0, 2.0]  # the table's 0 Pustu + 2 Poskesdes
    assert got["n_pustu_precursor"].tolist() == [0.0, 0.0, 0.0, 2.0]
    assert got["posyandu_count_source"].tolist() == ["points", "points", None, None]
    assert got["n_posyandu"].tolist() == [3.0, 0.0, 0.0, 0.0]
    # desa 0: table 2 Pustu, list 1; desa 1: table 3 Posyandu, list 0
    assert got["count_disagreement"].tolist() == ["pustu", "posyandu", "", ""]


def test_area_units_dusun_then_rw_then_area_heads():
    desa = pd.DataFrame({"dusun_count": [4.0, np.nan, np.nan, np.nan],
                         "rw_count": [9.0, 5.0, np.nan, np.nan],
                         "area_heads": [20.0, 20.0, 12.0, np.nan]})
    units, basis = desa_counts.area_units(desa)
    assert units[:3].tolist() == [4.0, 5.0, 12.0] and np.isnan(units[3])
    assert basis.tolist() == ["dusun_count", "rw_count", "area_heads", None]
    need = desa_counts.need_units(desa)  # the proxy never raises a Posyandu need
    assert need[:2].tolist() == [4.0, 5.0] and np.isnan(need[2:]).all()
    fig = desa_counts.posyandu_per_area(np.array([2.0, 5.0, 3.0, 1.0]), units, basis)
    assert fig["basis"] == {"dusun_count": 1, "rw_count": 1, "area_heads": 1}
    assert fig["ratio"] == 10.0 / 21.0 and fig["desa"] == 3


def _two_kabupaten_project():
    """Kabupaten 35.07 has a Pustu list (one Pustu, in desa 1); kabupaten 35.08 has none."""
    rows, geoms = [], []
    for i, (code, kec) in enumerate((("35.07.01.2001", "35.07.01"), ("35.07.01.2002", "35.07.01"),
                                     ("35.08.01.2001", "35.08.01"), ("35.08.01.2002", "35.08.01"))):
        rows.append({"code": code, "name": f"Desa {i}", "kecamatan_code": kec,
                     "kecamatan_name": f"Kec {kec}", "population": 1000.0,
                     "count_pustu": [2.0, 0.0, 1.0, 0.0][i], "count_posyandu": 2.0,
                     "rw_count": 4.0})
        geoms.append(square(2 * i, 0, 2 * i + 2, 2))
    desa = frame(rows, geoms)
    fac = frame([{"fac_id": "PK", "name": "Puskesmas", "type": "puskesmas"},
                 {"fac_id": "PT", "name": "Pustu Satu", "type": "pustu", "parent_id": "PK"}],
                [pt(1, 1), pt(1.5, 1)])
    return make_project(desa=desa, facilities=fac, kecamatan=False)


def test_analysis_counts_each_desa_from_one_source_and_names_the_disagreements():
    project = _two_kabupaten_project()
    result = analyze(project)
    d = result.desa.set_index("code")
    assert d["pustu_count_source"].tolist() == ["points", "points", "table", "table"]
    assert d["has_pustu"].tolist() == [True, False, True, False]
    assert d["count_disagreement"].tolist() == ["pustu", "", "", ""]  # table 2, list 1
    assert d["posyandu_count_source"].tolist() == ["table"] * 4  # no Posyandu list at all
    s = result.summary
    assert s["count_sources"]["pustu"] == {"points": 2, "table": 2, "none": 0, "disagree": 1}
    assert s["facility_counts"]["pustu"] == 1 + 1  # one point + one by the table's count
    assert s["facility_counts"]["posyandu"] == 8
    assert s["desa_without_pustu"] == 2
    assert s["posyandu_per_area"] == {"basis": {"rw_count": 4}, "desa": 4, "posyandu": 8.0,
                                      "units": 16.0, "ratio": 0.5}
    # RW counts give the Posyandu need (target.posyandu_per_dusun Posyandu per RW)
    per_dusun = project.rules.value("target.posyandu_per_dusun")
    assert d["posyandu_needed"].tolist() == [4.0 * per_dusun] * 4
    k = result.kecamatan.set_index("code")
    assert k.loc["35.08.01", "n_pustu"] == 1  # known by the table's count


def test_a_desa_the_table_left_blank_is_neither_without_pustu_nor_a_gap():
    project = _two_kabupaten_project()
    desa = project.desa.copy()
    desa.loc[desa["code"] == "35.08.01.2002", ["count_pustu", "count_posyandu"]] = np.nan
    project.set_layer("desa", desa)
    result = analyze(project)
    d = result.desa.set_index("code")
    assert d.loc["35.08.01.2002", "pustu_count_source"] is None
    assert np.isnan(d.loc["35.08.01.2002", "posyandu_deficit"])
    assert result.summary["desa_without_pustu"] == 1  # 35.07.01.2002 (the list), not the blank
    assert result.summary["count_sources"]["pustu"]["none"] == 1
    gaps = result.gaps
    assert "35.08.01.2002" not in set(gaps.loc[gaps["kind"] == "no_pustu", "desa_code"])
    assert "35.07.01.2002" in set(gaps.loc[gaps["kind"] == "no_pustu", "desa_code"])


def test_count_sources_reach_the_cli_pdf_and_xlsx(tmp_path):
    """The two-kabupaten project: the lines say where each desa's count came from and where the
    table disagrees with the list, and the XLSX desa sheet has the per-desa source columns."""
    import openpyxl
    import pypdf

    from reports.pdf.report import build_report
    from reports.xlsx_tables import write_tables

    project = _two_kabupaten_project()
    result = analyze(project)
    lines = desa_counts.count_lines(result.summary)
    assert lines[0].startswith("Pustu: jumlah dari tabel per desa di 2 desa, dari daftar "
                               "fasilitas di 2 desa; di 1 desa tabel per desa menyebut")
    assert lines[1].startswith("Posyandu: jumlah dari tabel per desa di 4 desa")
    # a list disagreeing with a table is named even when no desa took the table's count
    only_list = {"count_sources": {"pustu": {"points": 5, "table": 0, "none": 0, "disagree": 3}}}
    assert "di 3 desa tabel per desa" in desa_counts.count_lines(only_list)[0]
    assert desa_counts.count_lines({"count_sources": {
        "pustu": {"points": 5, "table": 0, "none": 0, "disagree": 0}}}) == []

    ws = openpyxl.load_workbook(write_tables(project, result, tmp_path / "t.xlsx"),
                                read_only=True)["Cakupan desa"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    got = {r[head.index("Kode")]: (r[head.index("Sumber jumlah Pustu")],
                                   r[head.index("Pustu menurut tabel per desa")],
                                   r[head.index("Tabel per desa ≠ daftar fasilitas")])
           for r in rows[1:]}
    assert got["35.07.01.2001"] == ("daftar fasilitas", 2, "Pustu")
    assert got["35.08.01.2001"] == ("tabel per desa", 1, None)

    pdf = build_report(project, result, tmp_path / "laporan.pdf")
    text = " ".join(pypdf.PdfReader(pdf).pages[0].extract_text().split())
    assert "Posyandu: jumlah dari tabel per desa di 4 desa" in text
