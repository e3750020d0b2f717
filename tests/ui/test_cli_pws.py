"""``ilp-gis pws import|show`` on a copy of the sample (issue 14)."""

from __future__ import annotations

import shutil

import pandas as pd

from ui.cli import main


def test_pws_import_and_show(sample_project_path, tmp_path, capsys):
    from layers.project_file import open_project

    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    desa = open_project(proj).desa
    names = desa["name"].head(3).tolist()
    sheet = tmp_path / "k4.xlsx"
    pd.DataFrame({"Nama Desa": names + ["Desa Hantu"], "Jan": [2, 1, 0, 4],
                  "Feb": [3, "-", 1, 1], "Mar": [1, 2, "tiga", 1]}).to_excel(sheet, index=False)
    assert main(["pws", "import", str(proj), str(sheet), "--indicator", "k4",
                 "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "7 nilai dari 4 baris diimpor" in out
    assert "Desa Hantu" in out and "\"tiga\" bukan angka" in out
    project = open_project(proj)
    assert len(project.tables["pws_values"]) == 7
    report = project.import_report
    assert (report["file"] == "k4.xlsx").sum() >= 4  # every row has its report line

    csv = tmp_path / "pws.csv"
    assert main(["pws", "show", str(proj), "--indicator", "K4 ibu hamil", "--month",
                 "Maret 2026", "-o", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "PWS K4 ibu hamil, Maret 2026 (capaian yang diharapkan: 25,0%)" in out
    assert "estimasi" in out  # the sample has no ibu hamil figures: sasaran estimated
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(table) == len(desa)
    assert table["Kelas PWS"].iloc[-1] == "tidak ada data"

    # a month that is no month, an unknown indicator: exit 1, the project left as it was
    before = proj.read_bytes()
    assert main(["pws", "show", str(proj), "--indicator", "k4", "--month", "2026-Q1"]) == 1
    assert "bukan bulan" in capsys.readouterr().err
    assert main(["pws", "import", str(proj), str(sheet), "--indicator", "k99"]) == 1
    assert "tidak dikenal" in capsys.readouterr().err
    assert proj.read_bytes() == before
