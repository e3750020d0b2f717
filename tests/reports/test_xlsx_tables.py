"""The XLSX workbook: sheets, headers, formats, missing values and formula safety."""

from __future__ import annotations

import openpyxl
import pytest

from reports.xlsx_tables import write_tables


@pytest.fixture(scope="module")
def workbook(tiny, tmp_path_factory):
    project, result = tiny
    path = write_tables(project, result, tmp_path_factory.mktemp("x") / "tabel.xlsx")
    return openpyxl.load_workbook(path)


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def _table(ws):
    """Header, data rows and the totals row of a sheet with a totals row."""
    head, rows = _rows(ws)
    assert ws.auto_filter.ref.endswith(str(len(rows)))  # the filter stops above the totals
    return head, rows[:-1], dict(zip(head, rows[-1], strict=True))


def test_one_sheet_per_table_with_frozen_header_filter_and_widths(workbook):
    expected = ["Kelengkapan data", "Cakupan desa", "Ringkasan per kecamatan",
                "Kesenjangan menurut prioritas", "Prioritas desa", "Jejaring",
                "Masalah jejaring", "Unit COE", "Indikator COE", "Strata Posyandu",
                "Kekurangan Posyandu", "Lokus ILP", "Daftar baris anggaran", "Total anggaran",
                "Aksi yang didanai dan belum", "Sinkronisasi anggaran",
                "Pentahapan per tahun anggaran", "Laporan impor", "Aturan yang dipakai"]
    assert workbook.sheetnames == expected
    for ws in workbook:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.column_dimensions["A"].width >= 8, ws.title
        assert ws["A1"].font.b


def test_desa_sheet_values_and_missing_values(workbook, tiny):
    _, result = tiny
    head, rows, _total = _table(workbook["Cakupan desa"])
    assert head[:3] == ("Kode", "Desa/Kelurahan", "Kecamatan")
    assert len(rows) == len(result.desa)
    by_name = {r[1]: dict(zip(head, r, strict=False)) for r in rows}
    assert by_name["Sukamaju"]["Penduduk"] == 1500
    assert by_name["Sidomulyo"]["Penduduk"] is None  # missing stays missing, never 0
    assert by_name["Sukamaju"]["Ada Pustu"] == "ya"
    ws = workbook["Cakupan desa"]
    pop_col = head.index("Penduduk") + 1
    assert ws.cell(2, pop_col).number_format == "#,##0"
    share_col = head.index("Posyandu dengan kader cukup") + 1
    assert ws.cell(2, share_col).number_format == "0.0%"


def test_money_and_years(workbook):
    ws = workbook["Daftar baris anggaran"]
    head, rows = _rows(ws)
    amount = head.index("Jumlah (Rp)") + 1
    assert ws.cell(2, amount).value == 1_250_000_000
    assert ws.cell(2, amount).number_format == '"Rp" #,##0'
    assert ws.cell(2, head.index("Tahun") + 1).number_format == "0"
    totals = dict((r[0], r[3]) for r in _rows(workbook["Total anggaran"])[1])
    assert totals["DAK Fisik"] == 1_250_000_000
    assert totals["Total"] == 1_307_500_000  # its totals row says "Total", as the PDF


def test_budget_sync_sheet(workbook):
    pytest.importorskip("ilp_gis.budget")
    ws = workbook["Sinkronisasi anggaran"]  # one row per gap, with the action closing it
    head, rows = _rows(ws)
    assert "Status pendanaan" in head and "Aksi" in head
    states = {r[head.index("Status pendanaan")] for r in rows}
    assert states <= {"Didanai", "Didanai sebagian", "Belum didanai"} and states
    ws = workbook["Aksi yang didanai dan belum"]  # the money lives on the actions, each costed once
    head, rows = _rows(ws)
    assert "Kekurangan (Rp)" in head and "Menutup kesenjangan" in head
    col = head.index("Jumlah (Rp)") + 1
    assert ws.cell(2, col).number_format == '"Rp" #,##0'
    gap_ids = [g for r in rows for g in (r[head.index("ID kesenjangan")] or "").split(", ") if g]
    assert len(gap_ids) == len(set(gap_ids))  # a gap is closed by one action only
    ws = workbook["Total anggaran"]  # "Untuk kesenjangan (Rp)" filled from the sync
    head, rows = _rows(ws)
    assert all(r[head.index("Untuk kesenjangan (Rp)")] is not None for r in rows)


def test_input_text_never_becomes_a_formula(tiny, tmp_path):
    import pandas as pd

    project, result = tiny
    p = project.copy()
    evil = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]
    budget = pd.concat([p.budget, pd.DataFrame([
        {"budget_id": f"E{i}", "source": "dau", "year": 2027, "activity": "other",
         "amount": 1.0, "note": text} for i, text in enumerate(evil)])], ignore_index=True)
    p.set_layer("budget", budget)
    path = write_tables(p, result, tmp_path / "aman.xlsx")
    ws = openpyxl.load_workbook(path)["Daftar baris anggaran"]
    head = [c.value for c in ws[1]]
    col = head.index("Catatan") + 1
    notes = {ws.cell(r, col).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    for text in evil:
        cell = notes[text]
        assert cell.data_type == "s", text  # stored as text, not a formula
    # and nothing in the whole workbook is a formula
    wb = openpyxl.load_workbook(path)
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_english_headers(tiny, tmp_path):
    project, result = tiny
    wb = openpyxl.load_workbook(write_tables(project, result, tmp_path / "t.xlsx", lang="en"))
    assert "Desa coverage" in wb.sheetnames and "Rules used" in wb.sheetnames
    assert wb["Rules used"]["A1"].value == "Rule"
    assert all(ws.oddFooter.right.text == "Page &P of &N" for ws in wb)
    head, rows, total = _table(wb["Desa coverage"])
    assert total["Code"] == "Total (12 desa)"


def test_import_and_rules_sheets(workbook, tiny):
    project, _ = tiny
    head, rows = _rows(workbook["Laporan impor"])
    assert len(rows) == len(project.import_report)
    assert {r[head.index("Status")] for r in rows} == {"diimpor", "diperbaiki", "dilewati",
                                                       "diragukan"}
    head, rows = _rows(workbook["Aturan yang dipakai"])
    assert len(rows) == len(project.rules.all())
    assert ("target.posyandu_min_kader", 5) in {(r[0], r[1]) for r in rows}


def test_the_coe_sheet_shows_each_unit_with_its_five_groups_and_rule(workbook):
    """The tiny district designates one unit: Puskesmas Kota Lama with Pustu Sukamaju and its
    2 Posyandu; only group shares are given (0.9, 1.0, 0.8, 0.7, 0.9): 0.86, meets 0.8."""
    head, rows = _rows(workbook["Unit COE"])
    assert len(rows) == 1
    r = dict(zip(head, rows[0], strict=True))
    assert (r["Puskesmas"], r["Pustu unit"], r["Posyandu"]) == (
        "Puskesmas Kota Lama", "Pustu Sukamaju", 2)
    assert r["Skor kesiapan"] == pytest.approx(0.86)
    assert [r[k] for k in ("Infrastruktur", "Kebijakan", "SDM", "Bahan/alat penunjang",
                           "Model pelayanan")] == pytest.approx([0.9, 1.0, 0.8, 0.7, 0.9])
    assert r["Memenuhi ambang"] == "ya"
    assert r["Cara menghitung skor"] == "rata-rata bagian kelompok (dibobot jumlah indikator)"
    head, rows = _rows(workbook["Indikator COE"])
    assert len(rows) == 20 and {row[head.index("Terkonfirmasi")] for row in rows} == {"tidak"}
    assert all(row[head.index("Sumber")] for row in rows)


def test_multi_district_projects_get_a_district_sheet(tiny, tmp_path):
    import pandas as pd

    project, result = tiny
    k = pd.DataFrame(result.kecamatan).copy()
    k.loc[1, "code"] = "53.11.02"  # the second kecamatan now lies in another district
    from ilp_gis.results import AnalysisResult

    multi = AnalysisResult(desa=result.desa, kecamatan=k, gaps=result.gaps, graph=result.graph,
                           edges=result.edges, network_problems=result.network_problems,
                           summary=result.summary, coe=result.coe)
    wb = openpyxl.load_workbook(write_tables(project, multi, tmp_path / "m.xlsx"))
    head, rows, total = _table(wb["Ringkasan per kabupaten"])
    assert total["Kode"] == "Jumlah (2 kabupaten/kota)" and total["Jumlah desa"] == 12
    assert [r[0] for r in rows] == ["53.10", "53.11"]
    assert rows[0][head.index("Nama")] == "Kabupaten Contoh Uji"
    assert rows[0][head.index("Jumlah desa")] == 6


def test_every_label_is_translated_in_a_fresh_process(tmp_path):
    """The workbook registers every catalogue it reads (nothing else imported first)."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, openpyxl\n"
        "from tests.reports.fixtures import make_result, tiny_project\n"
        "from reports.xlsx_tables import write_tables\n"
        "p = tiny_project()\n"
        "wb = openpyxl.load_workbook(write_tables(p, make_result(p), sys.argv[1]))\n"
        "cells = {c for ws in wb for row in ws.iter_rows(values_only=True) for c in row}\n"
        "keys = ('gap.', 'funding_state.', 'xlsx.', 'report.')\n"
        "bad = sorted(c for c in cells if isinstance(c, str) and c.startswith(keys))\n"
        "assert not bad, bad\n"
        "assert any(isinstance(c, str) and c.startswith('Desa tanpa Pustu') for c in cells)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.xlsx")], cwd=repo,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_totals_rows(workbook):
    # desa: population 1500 + 250 n for the 12 desa n = 0..11, desa 5 (Sidomulyo) unknown:
    # 12 * 1500 + 250 * 66 - (1500 + 250 * 5) = 31,750; Posyandu in desa 0,0,1,2,2,3,4,6,6,7,
    # 9,10,11 = 13; ranks and distances are not added up
    head, rows, total = _table(workbook["Cakupan desa"])
    assert total["Kode"] == "Jumlah (12 desa)" and len(rows) == 12
    assert total["Penduduk"] == 31_750 and total["Posyandu"] == 13
    assert total["Peringkat prioritas"] is None and total["Jarak ke Pustu (km)"] is None
    assert total["Posyandu dengan kader cukup"] is None  # a share without its weights: none
    ws = workbook["Cakupan desa"]
    assert ws.cell(len(rows) + 2, head.index("Penduduk") + 1).number_format == "#,##0"
    # kecamatan: a Pustu (or, in this fixture's simple analysis, a Poskesdes) in desa 0 and 2
    # of kecamatan 01 and 6 and 9 of 02: 4 of 12 desa; the share is 4 / 12 of the totals
    head, rows, total = _table(workbook["Ringkasan per kecamatan"])
    assert total["Kode"] == "Jumlah (2 kecamatan)"
    assert total["Jumlah desa"] == 12 and total["Desa dengan Pustu (dari yang membutuhkan)"] == 4
    # this fixture's roll-up predates the desa-needing-a-Pustu column: the share is over
    # every desa, as in its rows (pustu_base)
    assert total["% desa dengan Pustu (dari yang membutuhkan)"] == pytest.approx(4 / 12)
    assert total["Penduduk"] == 31_750
    share = total["% penduduk dalam batas jarak Pustu"]
    assert share == pytest.approx(total["Penduduk dalam batas jarak Pustu"] / 31_750)
    # budget lines: 1,250,000,000 + 45,000,000 + 12,500,000
    head, rows, total = _table(workbook["Daftar baris anggaran"])
    assert total["Jumlah (Rp)"] == 1_307_500_000 and total["ID anggaran"] == "Jumlah (3 baris)"
    assert total["Tahun"] is None  # years are not added up
    ws = workbook["Daftar baris anggaran"]
    assert ws.cell(len(rows) + 2, head.index("Jumlah (Rp)") + 1).number_format == '"Rp" #,##0'
    # the network: 13 Posyandu under their Puskesmas or directly
    head, rows, total = _table(workbook["Jejaring"])
    assert total["ID fasilitas"] == "Jumlah (1 Puskesmas)"
    for sheet in ("Kesenjangan menurut prioritas", "Laporan impor", "Aturan yang dipakai",
                  "Kelengkapan data", "Masalah jejaring"):  # nothing to add up: no totals row
        assert not any(isinstance(c, str) and c.startswith("Jumlah (")
                       for r in workbook[sheet].iter_rows(values_only=True) for c in r), sheet


def test_every_sheet_is_set_up_for_print(workbook):
    for ws in workbook:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.oddFooter.right.text == "Halaman &P dari &N", ws.title
        assert ws.oddHeader.left.text == "Kabupaten Contoh Uji"  # the district on every page


def test_rules_sheet_numbers_and_confirmed_words(workbook, tiny):
    project, _ = tiny
    ws = workbook["Aturan yang dipakai"]
    head, rows = _rows(ws)
    col = head.index("Nilai") + 1
    by_name = {ws.cell(r, 1).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    big = [c for c in by_name.values() if isinstance(c.value, (int, float)) and c.value >= 1e6]
    assert big and all(c.number_format == "#,##0" for c in big)  # "1.500.000.000"
    frac = [c for c in by_name.values()
            if isinstance(c.value, float) and not float(c.value).is_integer()]
    assert frac and all(c.number_format == "#,##0.0##" for c in frac)
    words = {r[head.index("Terkonfirmasi")] for r in rows}
    assert words <= {"ya", "belum"} and "belum" in words  # the PDF's words, never "tidak"


def test_inputs_sheet_says_belum_dimuat_as_the_pdf(workbook):
    head, rows = _rows(workbook["Kelengkapan data"])
    states = {r[0]: r[1] for r in rows}
    assert states["batas desa/kelurahan"] == "dimuat"
    missing = [s for s in states.values() if s != "dimuat"]
    assert missing and all(s.startswith("belum dimuat — muat ") for s in missing)
