"""The planning panel's answers reach the GUI map: a siting run's chosen sites and a compared
scenario's sites and changed desa are drawn over the map (ui.map.plan_overlay), in the colour
of their action, with a legend; a new project clears them."""

from __future__ import annotations

import pandas as pd
from PySide6.QtGui import QColor

from ui.map.plan_overlay import CLOSED_COLOUR, SITE_STYLES


def _pixel(canvas, img, lon, lat) -> QColor:
    x, y = canvas.renderer.to_local(lon, lat)
    sx, sy = canvas.view.to_screen(x, y, canvas.width(), canvas.height())
    r = img.devicePixelRatio()
    return img.pixelColor(int(round(sx * r)), int(round(sy * r)))


def _shown(qtbot, window):
    canvas = window.canvas
    canvas.full_extent()
    qtbot.wait(50)
    return canvas, canvas.grab().toImage()


def test_siting_sites_reach_the_map(qtbot, window):
    panel, st = window.planning_panel, window.state
    assert st.plan_sites is None
    panel.mode_k.setChecked(True)
    panel.k_spin.setValue(1)
    panel.limit_spin.setValue(2.0)
    task = panel.run_siting()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=30000)
    assert task.outcome == "finished", panel.siting_label.text()
    sites = st.plan_sites
    assert sites is not None and len(sites) == 1 == len(panel.siting_result.sites)
    act = sites["action"].iloc[0]
    assert act in ("new_pustu", "upgrade_pustu")
    assert "belum disimpan" in st.plan_title
    canvas, img = _shown(qtbot, window)
    g = sites.geometry.iloc[0]
    assert _pixel(canvas, img, g.x, g.y).name() == SITE_STYLES[act][1]


def test_compared_scenario_sites_and_changes_reach_the_map(qtbot, window):
    panel, st = window.planning_panel, window.state
    panel.push_scenario("Pustu C", pd.DataFrame([{
        "action": "upgrade_pustu", "fac_id": "pst2", "amount": 5e8}]))
    panel.scenario_list.setCurrentRow(0)
    task = panel.compare_selected()
    qtbot.waitUntil(lambda: panel.compare_button.isEnabled(), timeout=60000)
    assert task.outcome == "finished"
    assert "Pustu C" in st.plan_title
    assert list(st.plan_sites["action"]) == ["upgrade_pustu"]
    assert list(st.plan_sites["fac_id"]) == ["pst2"]
    changes = st.plan_changes
    assert changes is not None and set(changes["code"]) == set(st.project.desa["code"])
    canvas, img = _shown(qtbot, window)
    fac = st.project.facilities.set_index("fac_id").geometry
    assert _pixel(canvas, img, fac["pst2"].x, fac["pst2"].y).name() == \
        SITE_STYLES["upgrade_pustu"][1]
    closed = changes[changes["gaps_closed"].fillna(0) > 0]
    if len(closed):  # a desa whose gap the upgrade closes is tinted green
        c = st.project.desa.set_index("code").loc[closed["code"].iloc[0]].geometry
        p = c.representative_point()
        px = _pixel(canvas, img, p.x, p.y)
        assert px.green() > px.red(), (px.name(), CLOSED_COLOUR)
    # cleared, then the stored scenario clicked in the list: its sites and stored changes again
    st.set_plan(None, None)
    panel.scenario_list.itemClicked.emit(panel.scenario_list.item(0))
    assert list(st.plan_sites["fac_id"]) == ["pst2"] and "Pustu C" in st.plan_title
    again = st.plan_changes
    assert again is not None and set(again["code"]) == set(changes["code"])
    assert again.set_index("code")["gaps_closed"].to_dict() == \
        changes.set_index("code")["gaps_closed"].to_dict()
    st.set_project(st.project.copy())
    assert st.plan_sites is None and st.plan_changes is None
