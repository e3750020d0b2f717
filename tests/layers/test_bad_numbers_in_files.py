"""Small bad files whose numbers must not be guessed: each problem is named on its row (file,
row, real reason), every good row is kept, and the budget CSV reads every line ending and
UTF-16 through the one CSV reader of every table."""

from __future__ import annotations

import openpyxl
import pytest

from ilp_gis.errors import InputError
from ilp_gis.project import Project
from ilp_gis.rules import default_rules
from layers import csv_text, readers
from layers.budget_import import read_budget
from layers.importing import import_files
from layers.project_file import open_project
from ui import cli

GOOD_ROWS = [["Puskesmas Alpha", -8.05, 112.55, "Puskesmas"],
             ["Pustu Beta", -7.95, 112.65, "Pustu"]]


def _report(path, lang=None):
    rep = import_files(Project(), facilities=[(None, path)], lang=lang)
    frame = rep.frame
    return rep, frame[frame["row"] > 0].set_index("row"), frame[frame["row"] == 0]


def test_formula_without_saved_value_is_named(tmp_path):
    f = tmp_path / "faskes.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["nama", "lintang", "bujur", "jenis"])
    ws.append(GOOD_ROWS[0])
    ws.append(["Pustu Rumus", "=B2+0.1", "=C2", "Pustu"])  # openpyxl saves no value
    ws.append(GOOD_ROWS[1])
    wb.save(f)
    rep, rows, files = _report(f)
    assert rows.loc[3, "status"] == "doubtful"  # kept without a position, never dropped
    assert rows.loc[3, "problem"] == "formula_without_value;location_unknown"
    assert "rumus tanpa nilai tersimpan" in rows.loc[3, "message"]
    assert "buka dan simpan berkas di Excel" in rows.loc[3, "message"]
    assert "koordinat kosong" not in rows.loc[3, "message"]
    assert "baris 3, kolom 'lintang'" in " ".join(files["message"])  # the row Excel shows, as in the row column
    assert rows.loc[[2, 4], "status"].tolist() == ["imported", "imported"]
    assert rep.layer_counts["facilities"] == 3  # every row kept, the formula row unlocated
    _, rows_en, _ = _report(f, lang="en")
    assert "formula without a saved value" in rows_en.loc[3, "message"]


def test_tab_rows_under_a_semicolon_header_are_named(tmp_path):
    f = tmp_path / "faskes.csv"
    f.write_text("nama;lintang;bujur;jenis\n"
                 "Puskesmas Alpha;-8,05;112,55;Puskesmas\n"
                 "Pustu Tab\t-7,95\t112,65\tPustu\n"
                 "Pustu Beta;-7,95;112,65;Pustu\n", "utf-8")
    res = readers.read_table(f)
    assert res.mixed_rows == {3: "\t"} and len(res.frame) == 3
    rep, rows, files = _report(f)
    assert rows.loc[3, "status"] == "doubtful" and "mixed_delimiter" in rows.loc[3, "problem"]
    assert "pemisah lain daripada judul kolom" in rows.loc[3, "message"]
    assert "koordinat kosong" not in rows.loc[3, "message"]
    assert "1 baris dipisah tab, padahal judul kolom dipisah ';'" in " ".join(files["message"])
    assert rep.layer_counts["facilities"] == 3  # the tab row kept without a position


def test_inf_coordinate_is_not_called_metres(tmp_path):
    f = tmp_path / "faskes.csv"
    f.write_text("nama,lat,lon,jenis\nPuskesmas Alpha,-8.05,112.55,Puskesmas\n"
                 "Pustu Inf,-7.95,inf,Pustu\n", "utf-8")
    rep, rows, _ = _report(f)
    assert rows.loc[3, "problem"] == "not_finite_coordinates;location_unknown"
    assert "bukan bilangan terhingga" in rows.loc[3, "message"]
    assert "UTM" not in rows.loc[3, "message"]
    assert rep.layer_counts["facilities"] == 2  # kept, location unknown


BUDGET = ("No;Sumber Dana;TA;Uraian Kegiatan;Desa;Pagu (Rp)\n"
          "1;DAK Fisik;2026;Pembangunan Pustu;35.07.01.2001;Rp 1.250.000.000\n"
          "2;BOK;2026;Pelatihan kader;35.07.01.2002;250 jt\n")


@pytest.mark.parametrize("newline, encoding", [
    ("\r", "utf-8"), ("\r\n", "utf-8-sig"), ("\n", "utf-16"), ("\r", "utf-16"),
    ("\r\n", "utf-16-le"), ("\n", "utf-16-be"), ("\r", "cp1252"),
])
def test_budget_csv_any_line_ending_and_utf16(tmp_path, newline, encoding):
    f = tmp_path / "anggaran.csv"
    f.write_bytes(BUDGET.replace("\n", newline).encode(encoding))
    budget, report = read_budget(f)
    assert list(budget["amount"]) == [1.25e9, 250e6]
    assert list(report["row"]) == [2, 3] and list(report["status"]) == ["imported", "fixed"]


def test_budget_csv_reads_like_the_facility_reader(tmp_path):
    """One CSV reader: the budget sees the rows the facility reader sees."""
    f = tmp_path / "anggaran.csv"
    f.write_bytes(BUDGET.replace("\n", "\r").encode("utf-16"))
    src = csv_text.read_csv_text(f)
    assert src.delimiter == ";" and src.encoding == "utf-16" and "\r" not in src.text
    table = readers.read_table(f)
    assert list(table.frame["Pagu (Rp)"]) == ["Rp 1.250.000.000", "250 jt"]


def test_budget_numbers_not_guessed(tmp_path):
    f = tmp_path / "anggaran.csv"
    f.write_text("No;Sumber Dana;TA;Uraian Kegiatan;Desa;Pagu (Rp)\n"
                 "1;DAK Fisik;2026;Pembangunan Pustu;35.07.01.2001;1,2,3\n"
                 "2;DAK Fisik;2026;Pembangunan Pustu;35.07.01.2001;1.2.3\n"
                 "3;BOK;2026;Pelatihan kader;35.07.01.2001;123456789012345678901\n"
                 "4\t BOK\t2026\tPelatihan kader\t35.07.01.2001\t5 jt\n"
                 "5;BOK;2026;Pelatihan kader;35.07.01.2001;5 jt\n", "utf-8")
    budget, report = read_budget(f)
    by_row = report.set_index("row")
    for row, text in ((2, "1,2,3"), (3, "1.2.3")):
        assert by_row.loc[row, "status"] == "doubtful"
        assert f"anggaran.csv, baris {row}: '{text}': pemisah ribuan tidak beraturan" in \
            by_row.loc[row, "message"]
    assert by_row.loc[4, "status"] == "skipped" and by_row.loc[4, "problem"] == "bad_amount"
    assert "melebihi batas satu baris Rp 10 T" in by_row.loc[4, "message"]
    assert by_row.loc[5, "status"] == "skipped" and by_row.loc[5, "problem"] == "mixed_delimiter"
    assert "dipisah tab, padahal judul kolom dipisah ';'" in by_row.loc[5, "message"]
    b = budget.set_index("budget_id")
    assert sorted(b.index) == ["1", "2", "5"]  # good and doubtful rows kept, none guessed
    assert b["amount"].isna().loc[["1", "2"]].all() and b.loc["5", "amount"] == 5e6


def test_budget_xlsx_absurd_numbers_and_the_rules_bound(tmp_path):
    f = tmp_path / "anggaran.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No", "Sumber Dana", "TA", "Uraian Kegiatan", "Pagu (Rp)"])
    ws.append([1, "DAK Fisik", 2026, "Pembangunan Pustu", 1e308])
    ws.append([2, "DAK Fisik", 2026, "Pembangunan Pustu", 2e9])
    wb.save(f)
    _, report = read_budget(f, lang="en")
    assert report["status"].tolist()[0] == "skipped"
    assert "exceeds the limit of one line, Rp 10 tn (rule budget.max_line_amount)" in \
        report["message"].iloc[0]
    strict = default_rules().with_values(budget__max_line_amount=1e9)
    budget, report = read_budget(f, rules=strict)
    assert report["problem"].tolist() == ["bad_amount", "bad_amount"] and budget.empty


def test_damaged_budget_workbook_is_input_error(tmp_path):
    f = tmp_path / "anggaran.xlsx"
    f.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(InputError, match="tidak dapat dibaca"):
        read_budget(f)


def test_cli_budget_utf16_cr_and_nothing_written_on_failure(tmp_path, capsys):
    good = tmp_path / "anggaran.csv"
    good.write_bytes(BUDGET.replace("\n", "\r").encode("utf-16"))
    proj = tmp_path / "p.gpkg"
    assert cli.main(["import", str(proj), "--budget", str(good)]) == 0
    assert len(open_project(proj).layers["budget"]) == 2
    bad = tmp_path / "bukan_anggaran.csv"
    bad.write_bytes("nama\tlat\rA\t1\r".encode("utf-16"))
    other = tmp_path / "q.gpkg"
    code = cli.main(["import", str(other), "--budget", str(bad)])
    captured = capsys.readouterr()
    assert code == 1 and "kolom wajib tidak ditemukan" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not other.exists()
