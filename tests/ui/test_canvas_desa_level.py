"""The GUI map draws a facility known only by its desa as a hollow marker of its type at the
desa point, and survives one without any location (issue 12 §1)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from layers import symbology as sym
from tests.ilp_gis import micro

from .conftest import shown_canvas


def _state():
    from ilp_gis.analysis import analyze
    from ui.state import AppState

    rows = micro.facility_rows()
    for r in rows:
        r["location_quality"] = "desa" if r["fac_id"] == "PT_C1" else "exact"
    rows.append(dict(fac_id="PY_X", name="Posyandu Tanpa Lokasi", type="posyandu", xy=(0, 0),
                     location_quality="unknown"))
    fac = micro.facilities_frame(rows)
    fac.loc[fac["fac_id"] == "PY_X", "geometry"] = None
    project = micro.make_project(facilities=fac)
    st = AppState(project, analyze_fn=analyze, load_result_fn=lambda p: None)
    st.set_result(analyze(project))
    return st, fac


def _pixel(c, img, lon, lat) -> QColor:
    x, y = c.renderer.to_local(lon, lat)
    sx, sy = c.view.to_screen(x, y, c.width(), c.height())
    r = img.devicePixelRatio()
    return img.pixelColor(int(round(sx * r)), int(round(sy * r)))


def test_desa_level_pustu_is_hollow_and_unlocated_is_not_drawn(qtbot):
    state, fac = _state()
    c = shown_canvas(qtbot, state, (900, 500))
    img = c.render_static()
    layer = c.renderer.layers["facilities"]
    styles = dict(zip(fac["fac_id"], layer.styles, strict=True))
    assert styles["PT_C1"] == "desa_pustu" and styles["PT_A1"] == "pustu"
    pts = fac.set_index("fac_id").geometry
    hollow = _pixel(c, img, pts["PT_C1"].x, pts["PT_C1"].y)
    solid = _pixel(c, img, pts["PT_A2"].x, pts["PT_A2"].y)
    assert solid.name() == sym.FACILITY_STYLES["pustu"].fill
    assert hollow.name() == sym.DESA_LEVEL_STYLES["pustu"].fill  # white inside the outline


def test_dashboard_says_which_facilities_distance_coverage_left_out():
    from ui.dashboard import kpis

    state, _ = _state()
    rows = {key: detail for key, _, detail, _ in kpis(state.result)}
    assert "1 Pustu tanpa koordinat tidak dihitung dalam cakupan jarak" in rows[
        "ui.dash.k.pop_pustu"]
