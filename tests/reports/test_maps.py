"""The vector map renderer: holes, islands, zones, labels, scale bar, legend."""

from __future__ import annotations

import numpy as np
import pytest
from reportlab.pdfgen.canvas import Canvas
from shapely.geometry import box

from ilp_gis.i18n import tr
from layers import symbology as sym
from reports import maps
from tests.reports.helpers import pdf_text, render

DPI = 72  # one pixel per point: page coordinates map straight onto pixels


def _draw(project, result, tmp_path, **opts):
    data = maps.prepare_map_data(project, result)
    path = tmp_path / "map.pdf"
    canv = Canvas(str(path), pagesize=(600, 400))
    tf = maps.draw_map(canv, 20, 20, 560, 360, data, maps.MapOptions(**opts))
    canv.showPage()
    canv.save()
    img = render(path, tmp_path, dpi=DPI)[0]
    return data, tf, img


def _pixel(img, tf, data, lon, lat):
    import geopandas as gpd
    from shapely.geometry import Point

    p = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(data.crs).iloc[0]
    x, y = tf.point(p.x, p.y)
    return img[int(round(img.shape[0] - y)), int(round(x))].astype(int)


def test_holes_stay_empty_and_islands_are_drawn(tiny, tmp_path):
    project, result = tiny
    data, tf, img = _draw(project, result, tmp_path, labels=False, graticule=False,
                          kecamatan_labels=False, facilities=False)
    desa = project.desa
    hole_desa = desa.geometry.iloc[3]
    assert len(hole_desa.interiors) == 1
    hx, hy = hole_desa.interiors[0].centroid.x, hole_desa.interiors[0].centroid.y
    assert (_pixel(img, tf, data, hx, hy) >= 250).all(), "the enclave must stay white"
    island = desa.geometry.iloc[8].geoms[1].centroid
    assert (_pixel(img, tf, data, island.x, island.y) < 250).any(), "the island is drawn"
    sea = (island.x, island.y + 0.009)  # between the island and the coast
    assert (_pixel(img, tf, data, *sea) >= 250).all()


def test_district_across_utm_zones_is_projected_to_one_zone(straddling, tmp_path):
    project, result = straddling
    data, tf, img = _draw(project, result, tmp_path)
    assert data.crs.to_epsg() in (32750, 32751)
    b = np.array(data.desa.total_bounds)
    assert np.isfinite(b).all()
    width_km = (b[2] - b[0]) / 1000
    assert 18 < width_km < 22  # 6 × 0.03° ≈ 19.8 km at 8.7° S: not distorted
    assert img.std() > 20


def test_label_placer_never_overlaps():
    placer = maps.LabelPlacer((0, 0, 200, 100))
    placed = []
    for i in range(200):
        x, y = 10 + (i * 37) % 180, 10 + (i * 53) % 80
        spot = placer.place(f"Desa {i}", x, y, "IlpSans", 6)
        if spot:
            placed.append(spot)
    boxes = [b for cell in placer.grid.values() for b in cell]
    uniq = list({b: None for b in boxes})
    for i, a in enumerate(uniq):
        for b in uniq[i + 1:]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])
    assert placed and placer.skipped > 0  # some fit, the rest are skipped


@pytest.mark.parametrize("metres_per_pt, expected", [(10, 0.5), (100, 5), (37, 2), (1000, 50)])
def test_scale_bar_uses_round_kilometres(metres_per_pt, expected):
    tf = maps.Transform(0, 0, 1 / metres_per_pt, 0, 0, (0, 0, 500, 300))
    assert maps.scale_length_km(tf, 60) == expected


def test_degree_labels_follow_the_language():
    from ilp_gis.i18n import language

    assert maps.furniture._deg_text(112.5, 0.5, "lon") == "112,5° BT"
    assert maps.furniture._deg_text(-8.25, 0.25, "lat") == "8,25° LS"
    with language("en"):
        assert maps.furniture._deg_text(-8.25, 0.25, "lat") == "8.25° S"
        assert maps.furniture._deg_text(120, 1, "lon") == "120° E"


def test_legend_comes_from_the_symbology_and_shows_what_is_on_the_map(tiny):
    project, result = tiny
    data = maps.prepare_map_data(project, result)
    items = maps.legend_items(data)
    labels = [label for _, label, _ in items]
    assert sym.FACILITY_STYLES["puskesmas"].label in labels
    assert sym.PRECURSOR_STYLE.label in labels
    assert sym.GAP_STYLES["no_pustu"].label in labels
    assert sym.GAP_STYLES["coe_below_threshold"].label not in labels  # not on this map
    styles = [s for _, _, s in items]
    assert sym.GAP_STYLES["no_pustu"] in styles  # the very same style objects
    # every area gap has a black-and-white cue (hatch or dash), not colour alone
    for kind in ("no_pustu", "posyandu_deficit", "beyond_distance", "no_puskesmas"):
        st = sym.GAP_STYLES[kind]
        assert st.hatch or st.dash


def test_atlas_subset_keeps_only_the_kecamatan(tiny):
    project, result = tiny
    data = maps.prepare_map_data(project, result)
    sub = data.subset("53.10.02")
    assert set(sub.desa["kecamatan_code"]) == {"53.10.02"}
    assert set(sub.desa_gap) <= set(sub.desa["code"])
    assert sub.kecamatan_gap == {"53.10.02": "no_puskesmas"}
    assert sub.focus == "53.10.02" and len(sub.full_kecamatan) == 2


def test_empty_project_draws_a_message_not_a_crash(tmp_path):
    from ilp_gis.project import Project

    data = maps.prepare_map_data(Project(), None)
    canv = Canvas(str(tmp_path / "e.pdf"), pagesize=(600, 400))
    maps.draw_sheet(canv, (600, 400), data, maps.SheetText("T", "S", "–", "–"))
    canv.save()
    assert (tmp_path / "e.pdf").stat().st_size > 0
    assert tr("map.no_data") in pdf_text(tmp_path / "e.pdf")


def test_speck_polygons_become_dots():
    canv = Canvas("unused.pdf")
    tf = maps.Transform(0, 0, 1e-4, 0, 0, (0, 0, 100, 100))  # 10 km per point
    path, n = maps.paths.area_path(canv, np.array([box(0, 0, 50, 50)], dtype=object), tf)
    assert n == 1 and " re" in path.getCode()
