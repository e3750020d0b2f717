"""``ilp-gis report|tables|webmap --db DATABASE [--kabupaten PP.KK]``: the outputs of a project
read from the shared store, end to end through the command line, are those of the GeoPackage
``ilp-gis db pull`` writes from the same store (PDF text, workbook cells, web map data); the
store is only read; unclear sources are refused before anything is written."""

from __future__ import annotations

import re
import shutil

import openpyxl
import psycopg
import pypdf

from layers.pgstore.connection import connect
from layers.pgstore.push import push_project
from layers.project_file import open_project
from tests.layers.pgstore.store_fixtures import KAB_A, two_kabupaten_project
from ui.cli import main


def _pdf_text(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def _sheets(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def _html_data(path) -> str:
    """The web map's page with the ids folium draws at random (32 hex digits) blanked."""
    return re.sub(r"[0-9a-f]{32}", "#", path.read_text("utf-8"))


def _store_state(url: str) -> tuple:
    """What a write into the store would change: the audit rows and every row version."""
    with psycopg.connect(url) as conn:
        audit = conn.execute("SELECT count(*) FROM ilp_audit").fetchone()[0]
        versions = conn.execute(
            "SELECT sum(_row_version), count(*) FROM facilities").fetchone()
        layers = conn.execute("SELECT count(*) FROM ilp_layers").fetchone()[0]
    return audit, tuple(versions), layers


def test_outputs_from_the_store_equal_those_of_the_pulled_geopackage(
        store_url, sample_project_path, tmp_path, capsys):
    copy = shutil.copy(sample_project_path, tmp_path / "proyek.gpkg")
    assert main(["analyze", str(copy), "--out", str(tmp_path / "analisis")]) == 0
    with connect(store_url) as conn:  # the province with its stored analysis
        push_project(conn, open_project(copy))
    pulled = tmp_path / "ditarik.gpkg"
    assert main(["db", "pull", store_url, str(pulled)]) == 0
    before = _store_state(store_url)
    for name, source in (("berkas", [str(pulled)]), ("basis", ["--db", store_url])):
        assert main(["report", *source, "--kind", "summary",
                     "-o", str(tmp_path / f"{name}.pdf")]) == 0
        assert main(["tables", *source, "-o", str(tmp_path / f"{name}.xlsx")]) == 0
        assert main(["webmap", *source, "-o", str(tmp_path / f"{name}.html")]) == 0
    capsys.readouterr()
    text = _pdf_text(tmp_path / "basis.pdf")
    assert len(text) > 1 and any("Pustu" in page for page in text)
    assert text == _pdf_text(tmp_path / "berkas.pdf")
    sheets = _sheets(tmp_path / "basis.xlsx")
    assert len(sheets) > 1 and sum(len(rows) for rows in sheets.values()) > 10
    assert sheets == _sheets(tmp_path / "berkas.xlsx")
    html = _html_data(tmp_path / "basis.html")
    assert "FeatureCollection" in html
    assert html == _html_data(tmp_path / "berkas.html")
    assert _store_state(store_url) == before  # only read


def test_one_kabupaten_is_analysed_in_memory_as_its_pulled_geopackage(store_url, tmp_path,
                                                                     capsys):
    with connect(store_url) as conn:  # two kabupaten, no stored analysis
        push_project(conn, two_kabupaten_project())
    pulled = tmp_path / "kab.gpkg"
    assert main(["db", "pull", "--kabupaten", KAB_A, store_url, str(pulled)]) == 0
    before = _store_state(store_url)
    assert main(["tables", "--db", store_url, "--kabupaten", KAB_A,
                 "-o", str(tmp_path / "basis.xlsx")]) == 0
    assert main(["tables", str(pulled), "-o", str(tmp_path / "berkas.xlsx")]) == 0
    capsys.readouterr()
    sheets = _sheets(tmp_path / "basis.xlsx")
    assert sheets == _sheets(tmp_path / "berkas.xlsx")
    desa = sheets["Cakupan desa"]  # KAB_A's two desa, not the other kabupaten's one
    assert desa[0][:2] == ("Kode", "Desa/Kelurahan")
    assert sorted(row[:2] for row in desa[1:] if str(row[0]).startswith("35.")) == [
        (f"{KAB_A}.01.2001", "Sumber"), (f"{KAB_A}.01.2002", "Kidul")]
    assert desa[-1][0] == "Jumlah (2 desa)"
    assert _store_state(store_url) == before


def test_an_unclear_source_is_refused_and_nothing_written(store_url, sample_project_path,
                                                         tmp_path, capsys):
    for command, suffix in (("report", ".pdf"), ("tables", ".xlsx"), ("webmap", ".html")):
        out = tmp_path / f"keluaran{suffix}"
        assert main([command, "-o", str(out)]) == 1
        assert "--db" in capsys.readouterr().err
        assert main([command, str(sample_project_path), "--db", store_url, "-o", str(out)]) == 1
        assert "tidak keduanya" in capsys.readouterr().err
        assert main([command, str(sample_project_path), "--kabupaten", "35.07",
                     "-o", str(out)]) == 1
        assert "--kabupaten" in capsys.readouterr().err
        assert main([command, "--db", store_url, "-o", str(out)]) == 1  # an empty store
        assert "belum berisi proyek" in capsys.readouterr().err
        assert main([command, "--db", store_url, "--service-file",
                     str(tmp_path / "tidak_ada.conf"), "-o", str(out)]) == 1
        assert "tidak_ada.conf" in capsys.readouterr().err
        assert not out.exists()
