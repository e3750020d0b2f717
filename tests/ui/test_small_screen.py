"""Issue 17: the desktop app works on a 1366×768 laptop screen — no tool bar action pushed
into the overflow menu (``Laporan PDF`` stays on the bar), every layer row visible without
scrolling, and the network tree's columns (names and counts) inside its panel."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton


def test_1366x768_toolbar_layers_and_tree(qtbot, window):
    window.resize(1366, 768)
    qtbot.wait(100)
    bar = window.toolbar
    ext = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert ext is None or not ext.isVisible()  # nothing hidden in the overflow
    report = window.act_report
    assert bar.widgetForAction(report).isVisible()
    right = bar.widgetForAction(report).geometry().right()
    assert right <= bar.width()
    # the layer list is as tall as its rows
    lst = window.layers_panel.list
    rows = lst.count()
    assert rows == len(window.state.layer_settings)
    last = lst.visualItemRect(lst.item(rows - 1))
    assert last.bottom() <= lst.viewport().height()
    # the network tree: name, Pustu and Posyandu counts fit the dock's width
    window.tree_dock.raise_()
    qtbot.wait(50)
    tree = window.network_tree.tree
    assert [tree.headerItem().text(i) for i in range(3)] == ["Fasilitas", "Pustu", "Posyandu"]
    top = window.network_tree.items["pkm1"]
    assert (top.text(1), top.text(2)) == ("2", "3")  # Pustu A, B; Posyandu A1, B1 and C1
    width = sum(tree.columnWidth(i) for i in range(3))
    assert width <= tree.viewport().width()
