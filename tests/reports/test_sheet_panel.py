"""The side panel of the wall map and atlas (issue 17): key figures of the district (the same
numbers as the report's key-figure page), data sources with their dates in the UI language, the
locator inset showing the district inside its province with its neighbours when a context layer
is loaded (else the kecamatan with a frame in degrees, never an empty box), and on each atlas
page a table of the kecamatan's desa with a totals row."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from ilp_gis.analysis import analyze
from ilp_gis.i18n import format_number
from layers.project_file import open_project
from reports.maps import prepare_map_data
from reports.pdf import build_report
from reports.pdf.context import ReportContext, source_lines
from reports.pdf.figures import key_figures
from tests.conftest import REAL_DATA
from tests.reports.helpers import pdf_text, render

DATE = dt.date(2026, 12, 3)
OUTLINE = REAL_DATA / "indonesia_outline"


def _with_context(project):
    """The sample (code 99.01, near 122° E 8.5° S) inside a made-up province with a neighbour
    province to the west and two kabupaten beside it."""
    ctx = gpd.GeoDataFrame({
        "level": ["provinsi", "provinsi", "kabupaten", "kabupaten"],
        "code": ["99", "98", "99.02", "98.01"],
        "name": ["Provinsi Contoh", "Provinsi Tetangga", "Kabupaten Sebelah", "Kabupaten Barat"],
        "parent_code": [None, None, "99", "98"], "kind": [None, None, "kabupaten", "kabupaten"]},
        geometry=[box(121.5, -9.5, 124.5, -8.0), box(118.0, -9.5, 121.5, -8.0),
                  box(122.25, -9.0, 123.5, -8.2), box(120.5, -9.0, 121.5, -8.2)],
        crs="EPSG:4326")
    project.set_layer("context", ctx)
    return project


@pytest.fixture
def sample(sample_project_path):
    project = open_project(sample_project_path)
    return project, analyze(project)


def test_context_cut_to_the_province(sample):
    project, result = sample
    plain = prepare_map_data(project, result)
    assert plain.context is None and plain.context_extent is None
    data = prepare_map_data(_with_context(project), result)
    assert data.province_names == ("Provinsi Contoh",)
    assert set(data.context["name"]) == {"Provinsi Contoh", "Provinsi Tetangga",
                                         "Kabupaten Sebelah", "Kabupaten Barat"}
    assert data.context.crs == data.crs
    x0, y0, x1, y1 = data.context_extent
    kx0, ky0, kx1, ky1 = data.kabupaten.total_bounds
    assert x0 <= kx0 and y0 <= ky0 and x1 >= kx1 and y1 >= ky1  # the district inside
    assert (x1 - x0) > 3 * (kx1 - kx0)  # the province around it, not the district alone


def test_wall_map_panel_says_figures_sources_and_place(sample, tmp_path):
    project, result = sample
    path = build_report(_with_context(project), result, tmp_path / "wall.pdf", kind="wallmap",
                        date=DATE)
    text = pdf_text(path)
    ctx = ReportContext(project, result, "wallmap", None, None, None, DATE)
    f = key_figures(ctx)
    assert "Angka utama" in text
    assert f"{format_number(f['desa_with_pustu'])} / {format_number(f['desa_pustu_required'])}" in text
    assert f"{format_number(f['coe_ok'])} / {format_number(f['coe_total'])}" in text
    assert "Peta lokasi: Provinsi Contoh dan sekitarnya" in text
    assert "Sebelah" in text  # the neighbour is named, without its "Kabupaten"
    assert "Sumber data:" in text
    assert "generator contoh ILP-GIS" in text
    assert "generator:" not in text and "fictional: True" not in text  # no raw English facts
    # the district is drawn filled in the inset: its red in the panel's lower half
    page = render(path, tmp_path, dpi=40)[0]
    h, w, _ = page.shape
    panel = page[h // 2:, int(w * 0.78):].astype(int)
    red = (abs(panel[..., 0] - 0xE7) < 20) & (abs(panel[..., 1] - 0x4C) < 25) \
        & (abs(panel[..., 2] - 0x3C) < 25)
    assert red.sum() > 20


def test_inset_without_context_has_a_degree_frame(sample, tmp_path):
    project, result = sample
    path = build_report(project, result, tmp_path / "wall.pdf", kind="wallmap", date=DATE)
    text = pdf_text(path)
    assert "Peta lokasi" in text and "dan sekitarnya" not in text
    # the main map's frame labels every 0.2°; the inset adds its own (whole-degree) frame
    assert text.count("° BT") > 8


def test_atlas_page_has_the_desa_table(sample, tmp_path):
    project, result = sample
    path = build_report(project, result, tmp_path / "atlas.pdf", kind="atlas", date=DATE)
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(str(path)).pages]
    ctx = ReportContext(project, result, "atlas", None, None, None, DATE)
    from reports.pdf.context import kecamatan_order

    first = kecamatan_order(ctx)[0]
    desa = result.desa[result.desa["kecamatan_code"] == first]
    page = pages[1]
    assert "Desa di kecamatan ini" in page
    assert f"Jumlah ({len(desa)} desa)" in page
    pop = format_number(float(desa["population"].sum()))
    assert pop in page
    shown = [n for n in desa["name"] if n in page]
    more = len(desa) - len(shown)
    if more > 0:  # the rows that did not fit are counted, never silently left out
        assert f"dan {more} desa lagi" in page or "desa lagi" in page
    assert "Angka utama" in pages[0] and "Angka utama" not in page


def test_sources_name_roles_in_the_ui_language(tmp_path):
    from ilp_gis.project import Project

    p = Project()
    p.set_meta_json("sources_json", [{"role": "facilities", "file": "puskesmas.csv",
                                      "date": "2026-11-02"},
                                     {"role": "context", "file": "provinsi.gpkg"}])
    lines = source_lines(p)
    assert lines[0].startswith("Fasilitas: puskesmas.csv (2 November 2026")
    assert lines[1] == "Wilayah sekitar: provinsi.gpkg"


def test_real_malang_inside_east_java(real_malang, tmp_path):
    if not (OUTLINE / "provinsi.gpkg").exists():
        pytest.skip("real public data (../shared/real_data/indonesia_outline) is not present")
    from ilp_gis.project import Project
    from layers.importing import import_files

    project = Project()
    import_files(project, kabupaten=real_malang / "kabupaten.gpkg",
                 kecamatan=real_malang / "kecamatan.gpkg", desa=real_malang / "desa.gpkg",
                 context=[OUTLINE / "provinsi.gpkg", OUTLINE / "kabupaten.gpkg"])
    result = analyze(project)
    data = prepare_map_data(project, result)
    assert data.province_names == ("Jawa Timur",)
    names = set(data.context["name"])
    assert {"Kabupaten Blitar", "Kota Malang", "Kota Batu", "Kabupaten Lumajang"} <= names
    assert "Kabupaten Aceh Selatan" not in names  # cut to the province's surroundings
    path = build_report(project, result, tmp_path / "wall.pdf", kind="wallmap", date=DATE)
    text = pdf_text(path)
    assert "Peta lokasi: Jawa Timur dan sekitarnya" in text
    assert "Blitar" in text
    # Malang has no Pustu or Posyandu list: those figures say so, never 0
    assert "tidak ada data — muat daftar Pustu" in text
    assert "tidak ada data — muat daftar Posyandu" in text
    assert "0 / 390" not in text
    pages = build_report(project, result, tmp_path / "desa.pdf", kind="atlas", per_desa=True,
                         kecamatan=str(project.kecamatan["name"].iloc[0]), date=DATE)
    first = pdf_text(pages)
    assert "tidak ada data — muat daftar Pustu" in first and "Pustu\n0" not in first
    assert np.isfinite(data.context_extent).all()


def test_atlas_per_desa_pages(sample, tmp_path):
    project, result = sample
    from pypdf import PdfReader

    from reports.pdf.context import resolve_kecamatan

    kec = resolve_kecamatan(project, result, "Air Tuka")
    desa = result.desa[result.desa["kecamatan_code"] == kec].sort_values(
        "name", key=lambda s: s.astype(str).str.lower())
    path = build_report(project, result, tmp_path / "desa.pdf", kind="atlas", per_desa=True,
                        kecamatan="Air Tuka", date=DATE)
    pages = [p.extract_text() for p in PdfReader(str(path)).pages]
    assert len(pages) == len(desa)  # one page per desa of the kecamatan, in name order
    fac = project.facilities
    for page, (code, name) in zip(pages, zip(desa["code"], desa["name"], strict=True),
                                  strict=True):
        assert f"Desa {name}, Kecamatan Air Tuka" in page
        assert "Angka desa" in page
        pos = fac[(fac["desa_code"] == code) & (fac["type"] == "posyandu")]
        if len(pos):
            assert "Posyandu di desa ini" in page
            assert f"Jumlah ({len(pos)})" in page
            kader = pos["kader"].astype(float).sum()
            assert format_number(kader) in page


def test_per_desa_only_for_the_atlas(sample_project_path, tmp_path):
    from ui.cli import main

    out = tmp_path / "x.pdf"
    assert main(["report", str(sample_project_path), "-o", str(out), "--kind", "wallmap",
                 "--per-desa"]) == 1
    assert not out.exists()
