"""Decimal numbers in the desktop app follow the UI language (issue 17): Indonesian "5,0",
English "5.0" — in tables, the dashboard, the planning panel's spin box and when a number
is typed back into the attribute table."""

from __future__ import annotations

import numpy as np

from ilp_gis.i18n import format_number


def _cell(model, row: int, column: str) -> str:
    col = model.columns.index(column)
    return model.data(model.index(row, col))


def test_table_cells_and_spin_box_follow_the_language(qtbot, window):
    from ui.table_model import display

    st = window.state
    fac = st.project.facilities.copy()
    fac["kader"] = fac["kader"].astype(float)
    fac.loc[fac["fac_id"] == "psy1", "kader"] = 5.5
    st.set_facilities(fac)
    window.table.refresh()
    model = window.table.model
    row = list(model.keys).index("psy1")
    assert _cell(model, row, "kader") == "5,50"
    assert display(np.float64(1234.5)) == "1.234,5"
    spin = window.planning_panel.limit_spin
    spin.setValue(5.0)
    assert spin.text() == "5,0"
    window.set_language("en")
    try:
        window.table.refresh()
        model = window.table.model
        assert _cell(model, row, "kader") == "5.50"
        assert display(np.float64(1234.5)) == "1,234.5"
        spin = window.planning_panel.limit_spin  # the panel is rebuilt for the language
        spin.setValue(5.0)
        assert spin.text() == "5.0"
    finally:
        window.set_language("id")


def test_dashboard_figures_use_the_decimal_comma(qtbot, window):
    from ilp_gis.i18n import set_language
    from ui.dashboard import kpis

    figures = kpis(window.state.result)
    shares = [text for _key, text, _detail, _v in figures if text.endswith("%")]
    assert shares and all("." not in t for t in shares)
    # 3 of the tiny district's 6 desa have a Pustu in the fixture analysis: 3/6 = 50,0%
    assert "50,0%" in shares and "100,0%" in shares
    set_language("en")
    try:
        shares = [text for _key, text, _d, _v in kpis(window.state.result) if text.endswith("%")]
        assert "50.0%" in shares and all("," not in t for t in shares)
    finally:
        set_language("id")


def test_a_number_typed_as_the_table_shows_it_is_read(qtbot, window, shown_errors):
    st = window.state
    assert window.edit_value("psy2", "kader", "7,5")
    assert float(st.project.facilities.set_index("fac_id").at["psy2", "kader"]) == 7.5
    window._expected_errors = 0
    before = float(st.project.facilities.set_index("fac_id").at["psy3", "kader"])
    import PySide6.QtWidgets as W

    warned = []
    orig = W.QMessageBox.warning
    W.QMessageBox.warning = staticmethod(lambda *a, **k: warned.append(a[2]))
    try:
        assert not window.edit_value("psy3", "kader", "lima")
    finally:
        W.QMessageBox.warning = orig
    assert warned and "bukan angka" in warned[0] and format_number(1234.5, 1) in warned[0]
    assert float(st.project.facilities.set_index("fac_id").at["psy3", "kader"]) == before
