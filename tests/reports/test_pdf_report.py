"""The PDF planning report, wall map and atlas: pages, sizes, text, fonts, rendering."""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A3, A4

from ilp_gis.errors import Cancelled, InputError
from ilp_gis.i18n import format_number
from reports.pdf import build_report, key_figures
from tests.reports.conftest import DATE
from tests.reports.helpers import page_sizes, pdf_text, render

A4P = (round(A4[0]), round(A4[1]))
A4L = (A4P[1], A4P[0])
A3P = (round(A3[0]), round(A3[1]))
A3L = (A3P[1], A3P[0])


@pytest.fixture(scope="module")
def plan_pdf(tiny, tmp_path_factory):
    project, result = tiny
    path = tmp_path_factory.mktemp("plan") / "laporan.pdf"
    build_report(project, result, path, date=DATE)
    return path


def test_plan_pages_sizes_and_templates(plan_pdf, tiny):
    sizes = page_sizes(plan_pdf)
    # cover, contents, figures, landscape map, gaps, 2 kecamatan, network, budget, appendix
    assert len(sizes) >= 10
    assert sizes[0] == A4P and sizes[1] == A4P and sizes[2] == A4P
    assert sizes[3] == A4L, "the district map page is landscape"
    assert sizes.count(A4L) == 1
    assert all(s in (A4P, A4L) for s in sizes)


def test_plan_text_has_the_analysis_figures_in_indonesian(plan_pdf, tiny):
    _, result = tiny
    s = result.summary
    text = pdf_text(plan_pdf)
    for label in ("Laporan Perencanaan ILP", "Angka kunci ILP", "Kesenjangan menurut prioritas",
                  "Kecamatan Kota Lama", "Kecamatan Pantai Indah", "Jejaring Puskesmas",
                  "Anggaran", "Aturan yang dipakai", "Laporan impor", "Halaman 3",
                  "23 November 2026", "DATA FIKTIF", "Sumber data", "desa.shp"):
        assert label in text, label
    lines = [ln.strip() for ln in text.splitlines()]

    def has_row(label: str, value: str) -> bool:  # a table row: label cell, then value cell
        return any(a == label and b == value for a, b in zip(lines, lines[1:], strict=False)) or any(
            ln.startswith(label) and ln.endswith(" " + value) for ln in lines)

    assert has_row("Jumlah desa/kelurahan", format_number(s["desa_total"]))
    assert has_row("Desa/kelurahan tanpa Pustu", format_number(s["desa_without_pustu"]))
    assert has_row("Desa/kelurahan tanpa Posyandu", format_number(s["desa_without_posyandu"]))
    for ftype, label in (("puskesmas", "Jumlah Puskesmas"), ("pustu", "Jumlah Pustu"),
                         ("posyandu", "Jumlah Posyandu")):
        assert has_row(label, format_number(s["facility_counts"][ftype]))
    assert "31.750" in text  # population total, Indonesian thousands separator
    assert format_number(s["population_within_distance"]["puskesmas"]) in text
    # money in Rp with dots, budget grouped per source
    assert "Rp 1.250.000.000" in text and "Rp 1.307.500.000" in text  # line and total
    assert "DAK Fisik" in text and "Dana Desa/APBDes" in text


def test_plan_in_english_uses_english_labels_and_formats(tiny, tmp_path):
    project, result = tiny
    path = build_report(project, result, tmp_path / "report.pdf", lang="en", date=DATE)
    text = pdf_text(path)
    assert "ILP Planning Report" in text and "Key ILP figures" in text
    assert "31,750" in text and "Rp 1,250,000,000" in text and "FICTIONAL DATA" in text
    assert "Page 2" in text


def test_plan_fonts_are_embedded(plan_pdf):
    from pypdf import PdfReader

    reader = PdfReader(str(plan_pdf))
    fonts = {}
    for page in reader.pages[:3]:
        res = page["/Resources"].get_object()
        for _, ref in res.get("/Font", {}).items():
            f = ref.get_object()
            fonts[f["/BaseFont"]] = f
    assert fonts
    for name, f in fonts.items():
        assert f["/Subtype"] == "/TrueType" or f["/Subtype"] == "/Type0", name
        desc = f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object()[
            "/FontDescriptor"]
        assert "/FontFile2" in desc.get_object(), f"{name} is not embedded"
        assert "DejaVu" in str(name) or "Vera" in str(name)


def test_plan_is_reproducible(tiny, tmp_path):
    project, result = tiny
    a = build_report(project, result, tmp_path / "a.pdf", date=DATE).read_bytes()
    b = build_report(project, result, tmp_path / "b.pdf", date=DATE).read_bytes()
    assert a == b


def test_plan_a3_paper(tiny, tmp_path):
    project, result = tiny
    sizes = page_sizes(build_report(project, result, tmp_path / "a3.pdf", paper="A3",
                                    date=DATE))
    assert sizes[0] == A3P and A3L in sizes


def test_plan_pages_are_not_blank(plan_pdf, tmp_path):
    pages = render(plan_pdf, tmp_path, dpi=30)
    assert len(pages) == len(page_sizes(plan_pdf))
    for i, img in enumerate(pages):
        assert img.std() > 5, f"page {i + 1} looks blank"
    # the map page has plenty of colour (gap fills), not just text
    m = pages[3].astype(int)
    colourful = (abs(m[..., 0] - m[..., 1]) > 40).mean()
    assert colourful > 0.05


def test_plan_for_one_kecamatan(tiny, tmp_path):
    project, result = tiny
    path = build_report(project, result, tmp_path / "kec.pdf", kecamatan="pantai indah",
                        date=DATE)
    text = pdf_text(path)
    assert "Cakupan: Kecamatan Pantai Indah" in text
    assert "Kecamatan Pantai Indah" in text and "Kecamatan Kota Lama" not in text
    assert "Sukamaju" not in text  # a desa of the other kecamatan
    from ilp_gis.inputs import inventory

    figures = key_figures(type("C", (), {"result": result, "desa": result.desa[
        result.desa["kecamatan_code"] == "53.10.02"], "kec_code": "53.10.02",
        "project": project, "gaps": result.gaps, "inputs": inventory(project)})())
    assert figures["desa_total"] == 6


def test_summary_has_no_per_kecamatan_maps(tiny, tmp_path):
    project, result = tiny
    path = build_report(project, result, tmp_path / "sum.pdf", kind="summary", date=DATE)
    sizes = page_sizes(path)
    assert A4L not in sizes
    text = pdf_text(path)
    assert "Ringkasan per kecamatan" in text and "Ringkasan Perencanaan ILP" in text
    assert "Kecamatan Kota Lama" not in text  # no per-kecamatan sections


def test_wallmap_is_one_a3_landscape_page_with_map_furniture(tiny, tmp_path):
    project, result = tiny
    path = build_report(project, result, tmp_path / "dinding.pdf", kind="wallmap", date=DATE,
                        author="Seksi Yankes")
    assert page_sizes(path) == [A3L]
    text = " ".join(pdf_text(path).split())
    for label in ("Peta Kesenjangan Layanan Primer", "Legenda", "Puskesmas", "Pustu",
                  "Desa tanpa Pustu", "Kecamatan tanpa Puskesmas", "km", "° BT", "° LS",
                  "Seksi Yankes", "23 November 2026", "DATA FIKTIF", "Peta lokasi",
                  "UTM zone 49S"):
        assert label in text, label
    img = render(path, tmp_path, dpi=25)[0]
    assert img.std() > 20


def test_atlas_has_an_overview_and_one_page_per_kecamatan(tiny, tmp_path):
    project, result = tiny
    path = build_report(project, result, tmp_path / "atlas.pdf", kind="atlas", date=DATE)
    sizes = page_sizes(path)
    assert sizes == [A3L] * 3
    text = pdf_text(path)
    assert "Kecamatan Kota Lama" in text and "Kecamatan Pantai Indah" in text
    one = build_report(project, result, tmp_path / "one.pdf", kind="atlas",
                       kecamatan="53.10.01", paper="A4", date=DATE)
    assert page_sizes(one) == [A4L]


def test_map_crossing_utm_zones_is_drawn(straddling, tmp_path):
    project, result = straddling
    path = build_report(project, result, tmp_path / "zona.pdf", kind="wallmap", date=DATE)
    text = pdf_text(path)
    assert "120,00° BT" in text or "120° BT" in text
    assert "UTM zone 51S" in text
    img = render(path, tmp_path, dpi=25)[0]
    assert img.std() > 20


def test_bad_options_give_clear_messages(tiny, tmp_path):
    project, result = tiny
    with pytest.raises(InputError, match="Jenis laporan 'poster' tidak dikenal"):
        build_report(project, result, tmp_path / "x.pdf", kind="poster")
    with pytest.raises(InputError, match="Ukuran kertas 'B5'"):
        build_report(project, result, tmp_path / "x.pdf", paper="B5")
    with pytest.raises(InputError, match="Kecamatan 'Atlantis' tidak ada.*Kota Lama"):
        build_report(project, result, tmp_path / "x.pdf", kecamatan="Atlantis")
    assert not list(tmp_path.iterdir())


def test_progress_and_cancel(tiny, tmp_path):
    project, result = tiny
    seen = []
    build_report(project, result, tmp_path / "p.pdf", progress=lambda f, m=None: seen.append(f),
                 date=DATE)
    assert seen and seen[-1] == 1.0
    assert all(b >= a - 1e-9 for a, b in zip(seen, seen[1:], strict=False))
    calls = {"n": 0}

    def cancel_later():
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(Cancelled):
        build_report(project, result, tmp_path / "c.pdf", is_cancelled=cancel_later)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "p.pdf"]
    assert leftovers == [], "a cancelled report leaves no file behind"


def test_report_from_a_saved_project_uses_the_stored_analysis(tiny, tmp_path):
    from ilp_gis.analysis import store_result
    from layers.project_file import open_project, save_project

    project, result = tiny
    p = project.copy()
    store_result(p, result)
    opened = open_project(save_project(p, tmp_path / "proyek.gpkg"))
    path = build_report(opened, None, tmp_path / "dari_berkas.pdf", date=DATE)
    text = pdf_text(path)
    assert "31.750" in text and "Puskesmas Kota Lama" in text


def test_desa_only_project_still_gets_kecamatan_and_district_outlines(tmp_path):
    from ilp_gis.project import Project
    from tests.reports.fixtures import make_result, tiny_project

    full = tiny_project(budget=False)
    project = Project(layers={"desa": full.desa, "facilities": full.facilities})
    result = make_result(project)
    path = build_report(project, result, tmp_path / "minimal.pdf", kind="atlas", date=DATE)
    assert len(page_sizes(path)) == 3  # overview + 2 kecamatan dissolved from the desa
    text = " ".join(pdf_text(path).split())
    assert "KOTA LAMA" in text and "PANTAI INDAH" in text
    plan = build_report(project, result, tmp_path / "plan.pdf", date=DATE)
    assert "Anggaran" in pdf_text(plan) and "Belum ada baris anggaran" in pdf_text(plan)


def test_map_labels_are_copied_once_despite_their_halo(tiny, tmp_path):
    import shutil
    import subprocess

    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    project, result = tiny
    path = build_report(project, result, tmp_path / "w.pdf", kind="wallmap", date=DATE)
    text = subprocess.run([exe, str(path), "-"], capture_output=True, text=True).stdout
    assert text.count("PANTAI INDAH") == 1
    assert text.count("Sukamaju") == 1
