"""Reports drawn from the real Kabupaten Malang boundaries (skipped when the data is absent)."""

from __future__ import annotations

import pytest
from reportlab.pdfgen.canvas import Canvas

from reports import maps
from reports.pdf import build_report
from tests.reports.conftest import DATE
from tests.reports.fixtures import make_result, malang_project
from tests.reports.helpers import page_sizes, pdf_text, render

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def malang():
    from tests.conftest import REAL_MALANG

    if not (REAL_MALANG / "desa.gpkg").exists():
        pytest.skip("real public data (../shared/real_data/kabupaten_malang) is not present")
    project = malang_project(REAL_MALANG)
    return project, make_result(project)


def test_kota_malang_enclave_stays_a_hole_on_the_map(malang, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    project, result = malang
    kab = project.kabupaten.geometry.iloc[0]
    parts = getattr(kab, "geoms", [kab])
    holes = [Polygon(r) for p in parts for r in p.interiors]
    assert holes, "Kab. Malang has the Kota Malang enclave"
    enclave = max(holes, key=lambda h: h.area)
    data = maps.prepare_map_data(project, result)
    path = tmp_path / "malang.pdf"
    canv = Canvas(str(path), pagesize=(800, 800))
    tf = maps.draw_map(canv, 10, 10, 780, 780, data, maps.MapOptions(
        labels=False, kecamatan_labels=False, graticule=False, facilities=False))
    canv.save()
    img = render(path, tmp_path, dpi=72)[0]
    pt = gpd.GeoSeries([enclave.representative_point()], crs="EPSG:4326").to_crs(data.crs)[0]
    x, y = tf.point(pt.x, pt.y)
    assert (img[int(img.shape[0] - y), int(x)] >= 250).all(), "the enclave is not filled"
    inside = gpd.GeoSeries([project.desa.geometry.iloc[0].representative_point()],
                           crs="EPSG:4326").to_crs(data.crs)[0]
    x, y = tf.point(inside.x, inside.y)
    assert (img[int(img.shape[0] - y), int(x)] < 250).any(), "a desa is filled"


def test_wallmap_and_plan_of_the_real_district(malang, tmp_path):
    project, result = malang
    wall = build_report(project, result, tmp_path / "dinding.pdf", kind="wallmap", date=DATE)
    assert len(page_sizes(wall)) == 1
    text = " ".join(pdf_text(wall).split())
    assert "Kabupaten Malang" in text and "UTM zone 49S" in text
    assert "KEPANJEN" in text  # kecamatan labels placed
    img = render(wall, tmp_path, dpi=20)[0]
    assert img.std() > 20
    # the whole-district plan is timed and sized by bench/bench_reports.py; here one kecamatan
    plan = build_report(project, result, tmp_path / "laporan.pdf", kind="plan", date=DATE,
                        kecamatan="Kepanjen")
    assert len(page_sizes(plan)) >= 6
    assert plan.stat().st_size < 5_000_000
    text = pdf_text(plan)
    assert "Kecamatan Kepanjen" in text and "Cakupan: Kecamatan Kepanjen" in text
