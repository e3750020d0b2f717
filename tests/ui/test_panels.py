"""Panels: layers (visibility, order, thematic legend), gaps (filters, priority parts, zoom),
dashboard (figures and bars per kecamatan), table model (formats, sorting, search)."""

from __future__ import annotations

import math

import pandas as pd
from PySide6.QtCore import Qt

from ui.dashboard import Dashboard, kpis
from ui.gaps_panel import GapsPanel
from ui.layers_panel import NAME_ROLE, LayersPanel
from ui.table_model import SORT_ROLE, DataFrameModel, FilterProxy


def test_layers_panel_drives_visibility_order_and_theme(qtbot, state):
    panel = LayersPanel(state)
    qtbot.addWidget(panel)
    item = panel.list.item(0)
    assert item.data(NAME_ROLE) == "facilities"
    item.setCheckState(Qt.Unchecked)
    assert state.setting("facilities").visible is False
    panel.list.setCurrentRow(0)
    panel._move(1)
    assert [s.name for s in state.layer_settings][:2] == ["network", "facilities"]
    i = panel.field.findData("priority_score")
    assert i > 0
    panel.field.setCurrentIndex(i)
    assert state.thematic.field == "priority_score"
    texts = [panel.legend.item(r).text() for r in range(panel.legend.count())]
    assert any("–" in t for t in texts)  # class ranges in the legend
    panel.method.setCurrentIndex(1)
    assert state.thematic.method == "natural"


def test_gaps_panel_filters_and_explains_priority(qtbot, state):
    panel = GapsPanel(state)
    qtbot.addWidget(panel)
    assert panel.proxy.rowCount() == len(state.result.gaps)
    # sorted by priority rank
    ranks = [panel.proxy.data(panel.proxy.index(r, 0), SORT_ROLE) for r in range(panel.proxy.rowCount())]
    assert ranks == sorted(ranks)
    panel.kind_box.setCurrentIndex(panel.kind_box.findData("no_pustu"))
    assert panel.proxy.rowCount() == 3
    panel.kec_box.setCurrentIndex(panel.kec_box.findData("Kec 2"))
    assert panel.proxy.rowCount() == 2
    zooms = []
    state.zoom_requested.connect(lambda layer, keys: zooms.append((layer, keys)))
    panel.view.selectRow(0)
    key = state.highlight[1][0]
    assert state.highlight[0] == "gaps" and key.startswith("no_pustu:35.07.02")
    assert zooms and zooms[-1] == ("gaps", (key,))
    text = panel.detail.text()
    assert "Prioritas: belum terlayani" in text and "0,80" in text


def test_dashboard_figures_and_bars(qtbot, state):
    dash = Dashboard(state)
    qtbot.addWidget(dash)
    figures = {k: v for k, v, _d, _s in kpis(state.result)}
    assert figures["ui.dash.k.desa_pustu"] == "50,0%"
    assert figures["ui.dash.k.posyandu_dusun"] == "0,42"
    assert len(dash.cards) == len(figures)
    labels, values = dash.chart_values()
    assert labels == ["Kec 2", "Kec 1"]
    assert math.isclose(values[0], 1 / 3) and math.isclose(values[1], 2 / 3)
    dash.metric_box.setCurrentIndex(dash.metric_box.findData("posyandu_share"))
    assert dash.chart.values == dash.chart_values()[1]


def test_table_model_shows_labels_of_codes_and_edits_the_code(qtbot):
    import layers.symbology  # noqa: F401 - registers the gap labels

    frame = pd.DataFrame({"type": ["posyandu", "pustu", "klinik"],
                          "kind": ["no_pustu", None, "kader_deficit"]})
    model = DataFrameModel(frame, "x")
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["Posyandu", "Pustu", "klinik"]
    assert model.data(model.index(0, 1)) == "Desa tanpa Pustu"
    assert model.data(model.index(0, 0), Qt.EditRole) == "posyandu"  # the stored code
    assert model.raw(0, 0) == "posyandu"
    proxy.set_search("Desa tanpa")
    assert proxy.rowCount() == 1


def test_table_model_formats_sorts_and_searches(qtbot):
    frame = pd.DataFrame({"name": ["Beta", "alpha", None], "population": [1234.5, float("nan"), 20.0],
                          "ok": [True, False, True]})
    model = DataFrameModel(frame, "x")
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    assert model.data(model.index(0, 1)) == "1.234,5"
    assert model.data(model.index(1, 1)) == ""  # missing stays empty, never 0
    assert model.data(model.index(2, 2)) == "✓"
    proxy.sort(1, Qt.AscendingOrder)
    assert [proxy.data(proxy.index(r, 0)) for r in range(3)] == ["alpha", "", "Beta"]
    proxy.set_search("ALP")
    assert proxy.rowCount() == 1
    proxy.set_search("")
    proxy.set_column_filter("name", {"Beta"})
    assert proxy.rowCount() == 1


def test_dashboard_says_which_input_is_missing(qtbot):
    """Only boundaries and Puskesmas (like the real Kabupaten Malang): the Pustu and
    Posyandu figures read "tidak ada data" with what to load; the per-kecamatan chart of a
    Pustu share draws no bars (never 0%) and names the missing list."""
    from ilp_gis.analysis import analyze
    from tests.ui.conftest import make_project
    from ui.state import AppState

    project = make_project()
    fac = project.facilities
    project.set_layer("facilities", fac[fac["type"] == "puskesmas"])
    state = AppState(project)
    state.set_result(analyze(project))
    figures = {k: (v, d) for k, v, d, _s in kpis(state.result)}
    assert figures["ui.dash.k.desa_pustu"] == ("tidak ada data", "muat daftar Pustu")
    assert figures["ui.dash.k.posyandu_dusun"] == ("tidak ada data", "muat daftar Posyandu")
    assert figures["ui.dash.k.pop_pustu"][1] == "muat daftar Pustu"
    dash = Dashboard(state)
    qtbot.addWidget(dash)
    dash.metric_box.setCurrentIndex(dash.metric_box.findData("pustu_share"))
    assert dash.chart_values() == ([], []) and dash.chart.values == []
    assert dash.chart_missing.text() == "tidak ada data — muat daftar Pustu"
    dash.metric_box.setCurrentIndex(dash.metric_box.findData("pop_puskesmas_share"))
    assert len(dash.chart_values()[0]) == 2  # Puskesmas and population are there
    assert dash.chart_missing.text() == ""


def test_posyandu_per_dusun_card_follows_the_summary_figure_and_its_basis():
    """The card reads the summary's Posyandu per dusun/RW (dusun, else RW, else the PODES area
    heads proxy, named as such); with no desa giving both numbers it says "tidak ada data" and
    what to load — never "345 Posyandu untuk 0 dusun/RW"."""
    from types import SimpleNamespace

    from ilp_gis.inputs import Inventory

    def card(per):
        res = SimpleNamespace(summary={"desa_total": 2, "posyandu_per_area": per}, gaps=None,
                              desa=pd.DataFrame({"n_posyandu": [2.0, 1.0],
                                                 "dusun_count": [math.nan, math.nan]}))
        return {k: (v, d) for k, v, d, _s in kpis(res, Inventory.everything())}[
            "ui.dash.k.posyandu_dusun"]

    value, detail = card({"basis": {"area_heads": 2}, "desa": 2, "posyandu": 3.0,
                          "units": 24.0, "ratio": 0.125})
    assert value == "0,12"  # 3 / 24, two decimals
    assert detail.startswith("3 Posyandu untuk 24 dusun/RW") and "proksi" in detail
    assert card({"basis": {"dusun_count": 2}, "desa": 2, "posyandu": 3.0, "units": 4.0,
                 "ratio": 0.75}) == ("0,75", "3 Posyandu untuk 4 dusun/RW")
    assert card({"basis": {}, "desa": 0, "posyandu": None, "units": None, "ratio": None}) == (
        "tidak ada data", "muat jumlah dusun/RW per desa")
