"""Budget import from XLSX/CSV as budget offices keep them."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from ilp_gis.errors import InputError
from layers.budget_import import read_budget

DESA = pd.DataFrame({"code": ["35.07.01.2001", "35.07.01.2002"],
                     "code_bps": ["3507010001", "3507010002"],
                     "name": ["Sumberejo", "Kedungrejo"]})


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Anggaran"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_with_title_rows_and_many_formats(tmp_path):
    f = _xlsx(tmp_path / "anggaran.xlsx", [
        ["RENCANA ANGGARAN ILP KABUPATEN CONTOH"],
        [],
        ["No", "Sumber Dana", "TA", "Uraian Kegiatan", "Desa", "Faskes", "Pagu (Rp)", "Status",
         "Keterangan"],
        [1, "DAK Fisik", 2026, "Pembangunan Pustu", "35.07.01.2001", None, "Rp 1.250.000.000",
         "Usulan", "prioritas"],
        [2, "dak-fisik", "TA 2026", "Peningkatan Poskesdes menjadi Pustu", "3507012002", None,
         "1,25 M", "DPA", None],
        [3, "BOK", 2027, "Pelatihan kader Posyandu", "Kedungrejo", None, "250 jt", None, None],
        [4, "APBDes", "2026", "Pembentukan Posyandu", "3507010001", None, 25000000, None, None],
        [5, "CSR/pihak ketiga", 2026, "Pengadaan alkes", "Desa X", None, "1.250.000,00", None,
         None],
        [None, None, None, None, None, None, None, None, None],
        [6, "Dana Desa", "tahun depan", "Posyandu baru", "35.07.01.2001", None, "25 jt", None,
         None],
        [7, "DAU", 2026, "Rehab Pustu", "35.07.01.2001", None, "seratus juta", None, None],
        [2, "Kas desa", 2026, "Rapat", "35.07.01.2001", None, "5 jt", None, None],
        ["Jumlah", None, None, None, None, None, "2.775.000.000", None, None],
    ])
    budget, report = read_budget(f, desa=DESA)
    assert len(report) == 10  # one report row per data row after the header
    assert list(report["row"]) == list(range(4, 14))
    by_row = report.set_index("row")
    assert by_row.loc[4, "status"] == "imported"
    assert by_row.loc[5, "status"] == "fixed"  # TA 2026, 1,25 M, code without dots
    assert by_row.loc[6, "status"] == "fixed"  # name → code, 250 jt
    assert by_row.loc[7, "status"] == "fixed"  # BPS code
    assert by_row.loc[8, "status"] == "doubtful" and "Desa X" in by_row.loc[8, "message"]
    assert by_row.loc[9, "status"] == "skipped"  # empty row
    assert by_row.loc[10, "status"] == "skipped" and "tahun depan" in by_row.loc[10, "message"]
    assert by_row.loc[11, "status"] == "skipped" and "seratus juta" in by_row.loc[11, "message"]
    assert "anggaran.xlsx, baris 11" in by_row.loc[11, "message"]
    assert by_row.loc[12, "status"] == "doubtful"  # duplicate id, unknown source & activity
    assert by_row.loc[13, "status"] == "skipped" and by_row.loc[13, "problem"] == "total_row"

    b = budget.set_index("budget_id")
    assert len(b) == 6
    assert b.loc["1", "amount"] == 1.25e9 and b.loc["1", "source"] == "dak_fisik"
    assert b.loc["2", "activity"] == "upgrade_pustu" and b.loc["2", "status"] == "disetujui"
    assert b.loc["2", "target_desa"] == "35.07.01.2002" and b.loc["2", "year"] == 2026
    assert b.loc["3", "target_desa"] == "35.07.01.2002" and b.loc["3", "amount"] == 250e6
    assert b.loc["4", "target_desa"] == "35.07.01.2001" and b.loc["4", "source"] == "dana_desa"
    assert b.loc["5", "amount"] == 1_250_000 and b.loc["5", "source"] == "pihak_ketiga"
    assert b.loc["2-12", "source"] == "lainnya" and b.loc["2-12", "activity"] == "other"
    assert pd.isna(b.loc["3", "status"])  # missing stays missing


def test_csv_semicolon_english_headers_and_generated_ids(tmp_path):
    f = tmp_path / "budget.csv"
    f.write_text("source;year;activity;target_desa;amount\n"
                 "DAK Non Fisik;2026;Penambahan nakes;35.07.01.2001;60.000.000\n"
                 "donor;2026;Orientasi kader;35.07.01.2002;\n", "utf-8")
    budget, report = read_budget(f, lang="en")
    assert list(report["status"]) == ["fixed", "doubtful"]
    assert "id" in report["message"].iloc[0]
    assert list(budget["budget_id"]) == ["budget-2", "budget-3"]
    assert budget["amount"].iloc[0] == 60e6 and pd.isna(budget["amount"].iloc[1])
    assert "amount is empty" in report["message"].iloc[1]


def test_mapping_and_missing_columns(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("Dana,Tahun,Menu,Pagu Indikatif 2026\nBOK,2026,Pelatihan kader,1500000\n",
                 "utf-8")
    with pytest.raises(InputError, match="Pagu Indikatif 2026"):
        read_budget(f)
    budget, report = read_budget(f, mapping={"amount": "Pagu Indikatif 2026"})
    assert budget["amount"].iloc[0] == 1_500_000 and budget["source"].iloc[0] == "bok"
    assert report["status"].iloc[0] == "doubtful"  # no target desa/facility


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="tidak ditemukan"):
        read_budget(tmp_path / "nope.xlsx")
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(InputError, match="XLSX atau CSV"):
        read_budget(bad)
