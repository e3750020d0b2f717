"""The Monev report (issue 14): PDF A4 and XLSX sheets from the hand-made history of
tests/ilp_gis/test_monev.py, through ``ilp-gis report --kind monev``; missing said as missing."""

from __future__ import annotations

import openpyxl
import pytest

from ilp_gis.monitoring import actions as A
from layers.project_file import save_project
from reports.pdf import build_report
from tests.ilp_gis import micro
from tests.ilp_gis.test_monev import monev_project
from tests.reports.helpers import page_sizes, pdf_text
from ui.cli import main


@pytest.fixture()
def monev_gpkg(tmp_path):
    path = tmp_path / "monev.gpkg"
    save_project(monev_project(), path)
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_monev_pdf_says_what_changed(monev_gpkg, tmp_path, capsys):
    out = tmp_path / "monev.pdf"
    assert main(["report", str(monev_gpkg), "--kind", "monev", "-o", str(out),
                 "--as-of", "2027-03-31"]) == 0
    assert "Ditulis" in capsys.readouterr().out
    sizes = page_sizes(out)
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in sizes)  # A4 portrait
    text = _flat(pdf_text(out))
    assert "Laporan Monitoring dan Evaluasi ILP" in text
    assert "Dibandingkan: Triwulan III 2026 → Triwulan IV 2026" in text
    assert "Pustu 4 5 +1" in text and "Celah layanan 7 6 -1" in text
    assert "Desa tanpa Pustu" in text  # the gap closed in B2
    assert "K4 ibu hamil 30,0% 15,0% +15,0 poin 25,0% kini mencapai target" in text
    assert "K1 ibu hamil tidak ada data — impor dengan \"ilp-gis pws import\"" in text
    assert "Baik (mencapai target, naik)" in text  # A1's PWS class
    assert "4 desa: tidak ada data bulan ini (bukan 0)" in text
    assert "Peta kelas PWS per indikator" in text
    assert "Rp 60.000.000 Rp 12.000.000" in text  # BOK 2027: plan and spent
    assert "RA-0003 Tambah bidan A2" in text and " 30 Berjalan" in text  # 30 days late
    assert "RA-0002 Latih kader A1" in text and "Posyandu kurang kader" in text
    assert "Keadaan celah menurut periode tersimpan terakhir (Triwulan IV 2026)" in text


def test_monev_pdf_in_english_and_a_month_chosen(tmp_path):
    p = monev_project()
    out = build_report(p, None, tmp_path / "m.pdf", kind="monev", lang="en",
                       as_of="2027-03-31", month="Februari 2027")
    text = _flat(pdf_text(out))
    assert "ILP Monitoring and Evaluation Report" in text and "PWS month: February 2027" in text
    assert "K4 ibu hamil" not in text and "ANC 4th visit (K4)" in text
    assert "tidak ada data" not in text


def test_monev_with_nothing_loaded_says_which_import(tmp_path):
    out = build_report(micro.make_project(), None, tmp_path / "empty.pdf", kind="monev",
                       as_of="2026-12-31")
    text = _flat(pdf_text(out))
    assert "ilp-gis period save" in text and "ilp-gis pws import" in text
    assert "ilp-gis actions add" in text
    assert "Aksi terlambat tidak ada data" in text  # no plan: not "0 late"
    assert "Tidak ada data PWS" in text


def test_monev_spending_above_plan_is_marked(tmp_path):
    p = micro.make_project()
    A.add_action(p, kegiatan="Renovasi", start="2026-02-01", budget_amount=10e6,
                 funding_source="apbd")
    A.record_spending(p, "RA-0001", "2026-03-01", 12e6)
    text = _flat(pdf_text(build_report(p, None, tmp_path / "s.pdf", kind="monev",
                                       as_of="2026-12-31")))
    assert "120,0% (melebihi rencana)" in text


def test_monev_xlsx_sheets(monev_gpkg, tmp_path):
    out = tmp_path / "monev.xlsx"
    assert main(["report", str(monev_gpkg), "--kind", "monev", "-o", str(out),
                 "--as-of", "2027-03-31"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Ringkasan", "Celah berubah", "Indikator", "PWS K4 ibu hamil",
                             "Realisasi anggaran", "Aksi terlambat", "Selesai, celah terbuka"]
    head = [r for r in wb["Ringkasan"].iter_rows(values_only=True)]
    assert ("Pustu", 4, 5, 1, None) in head
    ind = {r[0]: r for r in wb["Indikator"].iter_rows(values_only=True)}
    assert ind["K4 ibu hamil"][2] == pytest.approx(0.3) and ind["K4 ibu hamil"][5] == \
        "kini mencapai target"
    assert ind["K1 ibu hamil"][2] is None  # missing stays empty, never 0
    assert "tidak ada data" in ind["K1 ibu hamil"][-1]
    pws_rows = list(wb["PWS K4 ibu hamil"].iter_rows(values_only=True))
    assert pws_rows[1][:2] == (1, "A1") and pws_rows[1][-1] == "Baik (mencapai target, naik)"
    assert pws_rows[2][8] is None and pws_rows[2][-1] == "tidak ada data"  # A2: no values
    late = list(wb["Aksi terlambat"].iter_rows(values_only=True))
    assert late[1][0] == "RA-0003" and late[1][5] == 30
    spend = {(r[0], r[1]): r for r in wb["Realisasi anggaran"].iter_rows(values_only=True)}
    assert spend[("BOK", 2027)][3:5] == (60e6, 12e6)
    # totals rows: BOK 2027 (2 actions, Rp 60 m planned, 12 m spent) + DAK Fisik 2026 (1, 1.5 bn,
    # 1.4 bn): 3 actions, Rp 1.56 bn, 1.412 bn, spent share 1.412 / 1.56 (weighted, not the mean)
    total = spend[("Jumlah (2 baris)", None)]
    assert total[2:5] == (3, 1_560_000_000, 1_412_000_000) and total[7] == 1
    assert total[5] == pytest.approx(1.412 / 1.56)
    assert late[-1][0] == "Jumlah (1 baris)" and late[-1][5] is None  # days late: no sum
    assert late[-1][6:8] == (50_000_000, 0)
    gaps = list(wb["Celah berubah"].iter_rows(values_only=True))
    assert gaps[-1] == ("Jumlah (1 baris)", None, None, None, None, 1, 0)
    for ws in wb:  # every sheet set up for print
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.oddFooter.right.text == "Halaman &P dari &N", ws.title
    assert wb["Ringkasan"].print_title_rows == "$6:$6"  # its table's header, below the title


def test_monev_bad_month_writes_nothing(monev_gpkg, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert main(["report", str(monev_gpkg), "--kind", "monev", "-o", str(out),
                 "--month", "Triwulan I 2027"]) == 1
    assert "bukan bulan" in capsys.readouterr().err
    assert not out.exists()
    assert main(["report", str(monev_gpkg), "--kind", "plan", "-o",
                 str(tmp_path / "x.xlsx")]) == 1  # XLSX only for the Monev kind
    assert not (tmp_path / "x.xlsx").exists()
