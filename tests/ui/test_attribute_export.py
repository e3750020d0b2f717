"""The attribute table's CSV export keeps formula-like text as text (one guard,
``layers.safe_cells``, like every other CSV ilp-gis writes)."""

from __future__ import annotations


def test_attribute_export_escapes_formulas_and_control_characters(qtbot, state, tmp_path):
    from tests.reports.test_output_safety import scan_outputs
    from ui.attribute_table import AttributeTable

    fac = state.project.facilities.copy()
    fac.loc[fac.index[0], "name"] = '=HYPERLINK("http://x","y")'
    fac.loc[fac.index[1], "name"] = "Pustu\x07Bel"
    state.project.set_layer("facilities", fac)
    table = AttributeTable(state)
    qtbot.addWidget(table)
    table.set_layer("facilities")
    table.refresh()
    table.export_csv(str(tmp_path / "fasilitas.csv"))
    assert scan_outputs(tmp_path) == (0, 1)
    text = (tmp_path / "fasilitas.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and "Pustu\\x07Bel" in text
