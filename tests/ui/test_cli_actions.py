"""``ilp-gis actions add|spend|list|export|import`` on a copy of the sample (issue 14)."""

from __future__ import annotations

import shutil

import openpyxl

from ui.cli import main


def test_actions_round_trip(sample_project_path, tmp_path, capsys):
    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    assert main(["actions", "list", str(proj)]) == 0
    assert "Belum ada aksi" in capsys.readouterr().out
    assert main(["actions", "add", str(proj), "--kegiatan", "Bangun Pustu Lelatuka",
                 "--jenis", "pembangunan pustu", "--desa", "Lelatuka", "--pj", "Seksi Yankes",
                 "--mulai", "2026-02-01", "--selesai", "30/09/2026", "--anggaran", "Rp 1,5 M",
                 "--sumber", "DAK Fisik", "--status", "berjalan"]) == 0
    assert main(["actions", "spend", str(proj), "RA-0001", "--tanggal", "2026-05-10",
                 "--jumlah", "600 jt"]) == 0
    capsys.readouterr()
    assert main(["actions", "list", str(proj), "--as-of", "2026-10-15"]) == 0
    out = capsys.readouterr().out
    assert "1 aksi, 1 terlambat" in out and "realisasi Rp 600.000.000 (40,0%)" in out
    xlsx = tmp_path / "ra.xlsx"
    assert main(["actions", "export", str(proj), str(xlsx), "--as-of", "2026-10-15"]) == 0
    wb = openpyxl.load_workbook(xlsx)
    assert wb["Rencana aksi"].cell(4, 1).value == "RA-0001"
    before = proj.read_bytes()
    assert main(["actions", "add", str(proj), "--kegiatan", "x", "--anggaran", "lima"]) == 1
    assert "tidak terbaca" in capsys.readouterr().err
    assert main(["actions", "spend", str(proj), "RA-0099", "--tanggal", "2026-05-10",
                 "--jumlah", "1"]) == 1
    assert proj.read_bytes() == before  # nothing written when a command fails
    assert main(["actions", "import", str(proj), str(xlsx)]) == 0
    assert "0 aksi baru, 1 diperbarui, 0 pembayaran baru" in capsys.readouterr().out
