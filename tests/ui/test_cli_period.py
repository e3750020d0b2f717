"""``ilp-gis period save|list|compare|delete`` on a copy of the sample (issue 14)."""

from __future__ import annotations

import shutil

from ui.cli import main


def _analysed(sample_project_path, tmp_path):
    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    assert main(["analyze", str(proj), "--out", str(tmp_path / "d")]) == 0
    return proj


def test_period_save_list_compare_delete(sample_project_path, tmp_path, capsys):
    proj = _analysed(sample_project_path, tmp_path)
    capsys.readouterr()
    assert main(["period", "save", str(proj), "--period", "Triwulan III 2026",
                 "--note", "rapat Pokja"]) == 0
    assert "Periode Triwulan III 2026 disimpan" in capsys.readouterr().out
    # the same period twice is refused (exit 1), the file is left as it was
    before = proj.read_bytes()
    assert main(["period", "save", str(proj), "--period", "2026-Q3"]) == 1
    assert "sudah disimpan" in capsys.readouterr().err
    assert proj.read_bytes() == before
    assert main(["period", "save", str(proj), "--period", "TW4 2026"]) == 0
    assert main(["period", "list", str(proj)]) == 0
    out = capsys.readouterr().out
    assert "2026-Q3  Triwulan III 2026" in out and "rapat Pokja" in out and "2026-Q4" in out
    csv = tmp_path / "perubahan.csv"
    assert main(["period", "compare", str(proj), "2026-Q3", "Triwulan IV 2026", "-o",
                 str(csv)]) == 0
    out = capsys.readouterr().out
    assert "Perubahan dari Triwulan III 2026 ke Triwulan IV 2026" in out
    assert "Desa yang mendapat Pustu: 0" in out  # nothing changed between the two freezes
    header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Kode desa,Desa,Kode kecamatan,Pustu baru")
    assert main(["period", "delete", str(proj), "--period", "2026-Q3"]) == 0
    assert main(["period", "list", str(proj)]) == 0
    assert "2026-Q3" not in capsys.readouterr().out.split("dihapus")[-1]


def test_period_needs_an_analysis_and_a_known_period(sample_project_path, tmp_path, capsys):
    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    assert main(["period", "save", str(proj), "--period", "2026-Q3"]) == 1
    assert "belum dianalisis" in capsys.readouterr().err
    assert main(["period", "compare", str(proj), "2026-Q3", "2026-Q4"]) == 1
    assert "belum disimpan" in capsys.readouterr().err
    assert main(["--lang", "en", "period", "save", str(proj), "--period", "Quarter 5"]) != 0
    assert "unknown period" in capsys.readouterr().err
