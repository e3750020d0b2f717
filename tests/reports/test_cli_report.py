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


@pytest.fixture
def analysed_sample(tmp_path):
    """A copy of the bundled sample with its analysis stored (roads and settlements kept)."""
    import shutil
    from pathlib import Path

    from ilp_gis.analysis import analyze, store_result
    from layers.project_file import open_project, save_project

    sample = Path(__file__).resolve().parents[2] / "sample_data" / "kabupaten_contoh.gpkg"
    path = Path(shutil.copyfile(sample, tmp_path / "contoh.gpkg"))
    project = open_project(path)
    assert project.has("roads") and project.has("settlements")
    store_result(project, analyze(project))
    save_project(project)
    return path


def spy_reads(monkeypatch) -> list[str]:
    """The names of the layers and tables the project reader reads from now on."""
    from layers import project_file

    read: list[str] = []
    real = project_file._read_frame
    monkeypatch.setattr(project_file, "_read_frame",
                        lambda src, name, *how: read.append(name) or real(src, name, *how))
    return read


def test_tables_leave_roads_unread_and_write_the_same_cells(analysed_sample, tmp_path,
                                                            monkeypatch):
    """With an analysis stored, the workbook never reads the roads and settlements layers
    (a national project: ~1.3 M features) and holds exactly what a full read writes."""
    import openpyxl

    from layers.project_file import open_project
    from reports.xlsx_tables import write_tables

    full = write_tables(open_project(analysed_sample), None, tmp_path / "penuh.xlsx")

    read = spy_reads(monkeypatch)
    assert cli.main(["tables", str(analysed_sample), "-o", str(tmp_path / "cli.xlsx")]) == 0
    assert "desa" in read and "result_desa" in read
    assert "roads" not in read and "settlements" not in read

    def cells(p):
        return {ws.title: list(ws.iter_rows(values_only=True))
                for ws in openpyxl.load_workbook(p)}

    assert cells(tmp_path / "cli.xlsx") == cells(full)


def test_report_leaves_roads_unread_and_writes_the_same_text(analysed_sample, tmp_path,
                                                            monkeypatch):
    """With an analysis stored, the plan report never reads the roads and settlements layers
    and prints exactly what a report from a full read prints."""
    import datetime as dt

    from pypdf import PdfReader

    from layers.project_file import open_project
    from reports.pdf import build_report

    today = dt.date.today()
    full = build_report(open_project(analysed_sample), None, tmp_path / "penuh.pdf", date=today)

    read = spy_reads(monkeypatch)
    out = tmp_path / "cli.pdf"
    assert cli.main(["report", str(analysed_sample), "-o", str(out)]) == 0
    assert "desa" in read and "result_desa" in read
    assert "roads" not in read and "settlements" not in read

    def text(p):
        return [page.extract_text() for page in PdfReader(p).pages]

    assert text(out) == text(full)


def test_webmap_leaves_settlements_unread_and_writes_the_same_page(analysed_sample, tmp_path,
                                                                  monkeypatch):
    """With an analysis stored, the web map never reads the settlements layer (a national
    project: ~300,000 points) and writes the page a full read writes (folium's random element
    ids aside)."""
    import re

    from layers.project_file import open_project
    from reports.webmap import export_webmap

    full = export_webmap(open_project(analysed_sample), None, tmp_path / "penuh.html")

    read = spy_reads(monkeypatch)
    assert cli.main(["webmap", str(analysed_sample), "-o", str(tmp_path / "cli.html")]) == 0
    assert "desa" in read and "roads" in read and "result_desa" in read
    assert "settlements" not in read

    def page(p):
        return re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_ID", p.read_text(encoding="utf-8"))

    assert page(tmp_path / "cli.html") == page(full)
