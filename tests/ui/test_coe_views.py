"""COE units in the GUI: marked in the network tree, listed with their five groups in the
dashboard, outlined on the map with a legend entry.

The district is the one of ``tests.ilp_gis.test_coe`` (analysed for real): units PKM_A (Pustu
PT_A2 with Posyandu PY_A1b and PY_A2, no score) and PKM_B (no Pustu designated, group shares
1, 1, 0.5, 0.5, 0.5 with the default list of 4 indicators per group: 70%, below 80%); PKM_X is
scored but not designated; its Pustu PT_C1 is designated but makes no unit.
"""

from __future__ import annotations

import pytest

from ilp_gis.analysis import analyze
from layers import symbology as sym
from tests.ilp_gis.micro import km
from tests.ilp_gis.test_coe import district
from ui.coe_table import CoeTable
from ui.layers_panel import LayersPanel
from ui.network_tree import COE_MARK, NetworkTree


@pytest.fixture
def coe_state():
    from ui.state import AppState

    project = district()
    st = AppState(project, analyze_fn=analyze, load_result_fn=lambda p: None)
    st.set_result(analyze(project))
    return st


def test_the_tree_marks_every_member_of_a_unit(qtbot, coe_state):
    tree = NetworkTree(coe_state)
    qtbot.addWidget(tree)
    marked = {k for k, it in tree.items.items() if it.text(0).endswith(COE_MARK)}
    assert marked == {"PKM_A", "PT_A2", "PY_A1b", "PY_A2", "PKM_B"}
    assert "2 unit COE" in tree.summary.text()
    tip = tree.items["PY_A2"].toolTip(0)
    assert "Unit COE COE-PKM_A: Puskesmas A + Pustu A2 + 2 Posyandu" in tip
    assert "skor 70% (di bawah ambang)" in tree.items["PKM_B"].toolTip(0)


def test_the_dashboard_lists_the_units_with_their_five_groups(qtbot, coe_state):
    table = CoeTable(coe_state)
    qtbot.addWidget(table)
    t = table.table
    heads = [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())]
    assert heads[3:9] == ["Skor", "Infrastruktur", "Kebijakan", "SDM", "Bahan/alat penunjang",
                          "Model pelayanan"]
    rows = [[t.item(i, j).text() for j in range(t.columnCount())] for i in range(t.rowCount())]
    assert [r[0] for r in rows] == ["Puskesmas A", "Puskesmas B"]  # PKM_X is no COE
    a, b = rows
    assert a[1] == "Pustu A2" and a[2] == "2" and a[3] == "–" and a[9] == "belum dapat dinilai"
    assert b[3:9] == ["70%", "100%", "100%", "50%", "50%", "50%"]
    assert b[9] == "di bawah" and b[10].startswith("rata-rata bagian kelompok")
    assert "Pustu C1" in table.note.text()
    t.itemClicked.emit(t.item(0, 1))
    assert set(coe_state.selection[1]) == {"PKM_A", "PT_A2"}
    t.itemClicked.emit(t.item(1, 4))  # any cell of a row: that row's unit
    assert set(coe_state.selection[1]) == {"PKM_B"}
    # every row shown without a scroll bar of its own (the dashboard scrolls)
    assert t.height() == t.horizontalHeader().height() + sum(
        t.rowHeight(i) for i in range(t.rowCount())) + 4


def test_the_map_outlines_the_units_desa_with_a_legend_entry(qtbot, coe_state):
    from ui.map.canvas import MapCanvas

    panel = LayersPanel(coe_state)
    qtbot.addWidget(panel)
    legend = [panel.legend.item(r).text() for r in range(panel.legend.count())]
    assert sym.COE_UNIT_STYLE.label in legend and sym.COE_MEMBER_STYLE.label in legend
    canvas = MapCanvas(coe_state)
    qtbot.addWidget(canvas)
    canvas.resize(500, 400)
    canvas.full_extent()
    x, y = canvas.renderer.to_local(*_lonlat(5.0, 0.6))  # desa A2, a desa of unit PKM_A
    sx, sy = canvas.view.to_screen(x, y, canvas.width(), canvas.height())
    shown = canvas.render_static().pixelColor(int(sx), int(sy))
    coe_state.set_visible("coe", False)
    hidden = canvas.render_static().pixelColor(int(sx), int(sy))
    assert shown != hidden
    assert shown.red() > shown.blue()  # the gold fill of a unit's desa
    legend = [panel.legend.item(r).text() for r in range(panel.legend.count())]
    assert sym.COE_UNIT_STYLE.label not in legend


def _lonlat(x_km: float, y_km: float) -> tuple[float, float]:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:32749", "EPSG:4326", always_xy=True)
    return t.transform(*km(x_km, y_km))

