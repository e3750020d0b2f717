"""The area tree (issue 17): Kabupaten → Kecamatan → Desa beside the network tree, with the
figures of each area summed from its desa, "–" (tooltip "tidak ada data") for a figure never
loaded, and selection shared with the map both ways."""

from __future__ import annotations

from ilp_gis.analysis import analyze


def _rows(tree):
    out = {}

    def visit(item, depth):
        out[(depth, item.text(0))] = [item.text(i) for i in range(1, 5)]
        for i in range(item.childCount()):
            visit(item.child(i), depth + 1)

    for i in range(tree.topLevelItemCount()):
        visit(tree.topLevelItem(i), 0)
    return out


def test_tree_levels_and_sums(qtbot, window):
    from ilp_gis.i18n import format_number

    window.state.set_result(analyze(window.state.project))
    tree = window.desa_tree.tree
    assert window.areas_dock.widget() is window.desa_tree
    window.desa_tree.fill_all()
    rows = _rows(tree)
    desa = window.state.result.desa
    assert sum(1 for (d, _n) in rows if d == 2) == len(desa)
    for kec, part in desa.groupby("kecamatan_code"):
        name = window.state.project.kecamatan.set_index("code")["name"].get(kec)
        got = rows[(1, name)]
        assert got[0] == format_number(float(part["population"].sum()), 0)
        assert got[1] == format_number(float(part["n_pustu"].sum()), 0)
    gaps = window.state.result.gaps
    total = format_number(float(len(gaps[gaps["desa_code"].notna()])), 0)
    top = tree.topLevelItem(0)
    assert top.text(4) == total


def test_missing_population_reads_no_data(qtbot, window):
    project = window.state.project
    project.desa["population"] = float("nan")
    window.state.set_result(analyze(project))
    tree = window.desa_tree.tree
    top = tree.topLevelItem(0)
    assert top.text(1) == "–" and "tidak ada data" in top.toolTip(1)


def test_selection_both_ways(qtbot, window):
    window.state.set_result(analyze(window.state.project))
    panel = window.desa_tree
    code = str(window.state.result.desa["code"].iloc[0])
    window.state.select("desa", [code])
    assert panel.desa_items[code].isSelected()
    zooms = []
    window.state.zoom_requested.connect(lambda layer, keys: zooms.append((layer, keys)))
    kec_item = panel.desa_items[code].parent()
    panel.tree.clearSelection()
    kec_item.setSelected(True)
    layer, keys = window.state.selection
    assert layer == "desa" and code in keys and len(keys) == kec_item.childCount()
    panel._on_click(kec_item, 0)
    assert zooms and zooms[-1][0] == "desa" and set(zooms[-1][1]) == set(keys)
    panel.filter.setText(window.state.result.desa["name"].iloc[0][:4])
    assert not panel.desa_items[code].isHidden()


def test_desa_rows_made_when_needed(qtbot, window):
    """A kecamatan's desa rows are made when it is opened, when the filter finds one of its
    desa or when one is selected on the map; until then it only shows it can be opened."""
    from PySide6.QtWidgets import QTreeWidgetItem

    panel = window.desa_tree
    window.state.set_result(analyze(window.state.project))
    top = panel.tree.topLevelItem(0)
    kec1, kec2 = top.child(0), top.child(1)
    assert (kec1.text(0), kec2.text(0)) == ("Kec 1", "Kec 2")
    assert kec1.childCount() == kec2.childCount() == 0 and panel.desa_items == {}
    assert kec1.childIndicatorPolicy() == QTreeWidgetItem.ShowIndicator
    kec1.setExpanded(True)
    assert [kec1.child(i).text(0) for i in range(kec1.childCount())] == \
        ["Desa A", "Desa B", "Desa C"]
    assert kec2.childCount() == 0
    panel.filter.setText("desa e")  # a desa of the unopened Kec 2
    assert kec2.childCount() == 3 and not kec2.isHidden()
    shown = [kec2.child(i).text(0) for i in range(3) if not kec2.child(i).isHidden()]
    assert shown == ["Desa E"]
    assert all(kec1.child(i).isHidden() for i in range(3)) and kec1.isHidden()
    panel.filter.clear()


def test_selection_makes_the_rows_it_shows(qtbot, window):
    panel = window.desa_tree
    window.state.set_result(analyze(window.state.project))
    code = "35.07.02.2003"  # Desa F, in Kec 2
    window.state.select("desa", [code])
    item = panel.desa_items[code]
    assert item.text(0) == "Desa F" and item.isSelected() and item.parent().isExpanded()
    assert panel.tree.topLevelItem(0).child(0).childCount() == 0  # Kec 1 left unmade


def test_tree_built_once_per_open(qtbot, window, monkeypatch):
    """Opening a project announces the project and its (empty) result: the tree is built
    once for both; a new result builds it again."""
    from ui import desa_tree

    panel = window.desa_tree
    builds = []
    real = desa_tree.DesaTree._figures
    monkeypatch.setattr(desa_tree.DesaTree, "_figures",
                        lambda self, *a: builds.append(1) or real(self, *a))
    window.state.set_project(window.state.project)
    assert len(builds) == 1
    window.state.set_result(analyze(window.state.project))
    assert len(builds) == 2
    assert panel.tree.topLevelItem(0).text(4) != "–"


def test_names_are_never_cut(qtbot, window):
    window.state.set_result(analyze(window.state.project))
    window.desa_tree.fill_all()
    for tree in (window.desa_tree.tree, window.network_tree.tree):
        tree.expandAll()
        qtbot.wait(20)
        fm = tree.fontMetrics()
        indent = tree.indentation()
        widest = 0

        def visit(item, depth, fm=fm, step=indent):
            nonlocal widest
            widest = max(widest, fm.horizontalAdvance(item.text(0)) + depth * step)
            for i in range(item.childCount()):
                visit(item.child(i), depth + 1)

        for i in range(tree.topLevelItemCount()):
            visit(tree.topLevelItem(i), 1)
        assert tree.columnWidth(0) >= widest
