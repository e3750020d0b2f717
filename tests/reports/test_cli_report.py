"""``ilp-gis report`` and ``ilp-gis tables`` from the command line."""

from __future__ import annotations

import pytest

from ui import cli


@pytest.fixture
def saved_project(tiny, tmp_path):
    from ilp_gis.analysis import store_result
    from layers.project_file import save_project

    project, result = tiny
    p = project.copy()
    store_result(p, result)
    return save_project(p, tmp_path / "proyek.gpkg")


def test_report_wallmap_for_one_kecamatan(saved_project, tmp_path, capsys):
    out = tmp_path / "peta.pdf"
    rc = cli.main(["report", str(saved_project), "-o", str(out), "--kind", "wallmap",
                   "--paper", "a4", "--kecamatan", "Kota Lama"])
    assert rc == 0 and out.exists()
    assert "Ditulis" in capsys.readouterr().out


def test_report_unknown_kecamatan_exits_1_with_a_message(saved_project, tmp_path, capsys):
    rc = cli.main(["report", str(saved_project), "-o", str(tmp_path / "x.pdf"),
                   "--kecamatan", "Atlantis"])
    assert rc == 1
    assert "Atlantis" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_tables_in_english(saved_project, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    rc = cli.main(["--lang", "en", "tables", str(saved_project), "-o", str(out)])
    assert rc == 0 and out.exists()
    assert "Written" in capsys.readouterr().out


def test_missing_project_file(tmp_path, capsys):
    rc = cli.main(["tables", str(tmp_path / "tidak_ada.gpkg"), "-o", str(tmp_path / "t.xlsx")])
    assert rc == 1
    assert "tidak_ada.gpkg" in capsys.readouterr().err


def test_report_top_sets_the_priority_list_and_a_negative_one_is_refused(saved_project, tmp_path,
                                                                          capsys):
    from tests.reports.helpers import pdf_text

    out = tmp_path / "laporan.pdf"
    assert cli.main(["report", str(saved_project), "-o", str(out), "--top", "1"]) == 0
    text = pdf_text(out)
    assert "Ditampilkan 1 tempat teratas dari" in text
    assert "Lampiran: Daftar lengkap kesenjangan menurut prioritas" in text
    capsys.readouterr()
    bad = tmp_path / "x.pdf"
    assert cli.main(["report", str(saved_project), "-o", str(bad), "--top", "-2"]) == 1
    assert "baris prioritas" in capsys.readouterr().err and not bad.exists()
