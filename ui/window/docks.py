"""Dock tab bars the main window leaves behind: tabifying docks in a second and third dock area
makes Qt (6.x) build one tab bar more per group than it uses; the extra one stays visible at
the spot the group had before the first layout and paints a grey box over whatever lies there
(the legend, the attribute table's title) in a window grab and after some relayouts.
:func:`hide_stray_tab_bars` hides them once the layout is applied.  Imports Qt only."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QTabWidget
from shiboken6 import getCppPointer


def _on_edge(bar: QRect, dock: QRect, position: QTabWidget.TabPosition) -> bool:
    """Whether ``bar`` lies along the side of ``dock`` where the window puts its tabs."""
    near = 3
    if position == QTabWidget.South:
        return abs(bar.top() - dock.bottom() - 1) <= near and bar.left() < dock.right()
    if position == QTabWidget.North:
        return abs(dock.top() - bar.bottom() - 1) <= near and bar.left() < dock.right()
    if position == QTabWidget.West:
        return abs(dock.left() - bar.right() - 1) <= near and bar.top() < dock.bottom()
    return abs(bar.left() - dock.right() - 1) <= near and bar.top() < dock.bottom()


def stray_tab_bars(window: QMainWindow) -> list[QTabBar]:
    """Visible dock tab bars of ``window`` that lie away from the docks whose tabs they hold
    (the tab bar Qt uses sits on the edge of its group's current dock)."""
    docks = {getCppPointer(d)[0]: d for d in window.findChildren(QDockWidget)}
    out = []
    for bar in window.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
        if not bar.isVisible():
            continue
        mine = [docks.get(bar.tabData(i)) for i in range(bar.count())]
        shown = [d for d in mine if d is not None and d.isVisible() and not d.isFloating()]
        if not shown:
            continue
        if not any(_on_edge(bar.geometry(), d.geometry(),
                            window.tabPosition(window.dockWidgetArea(d))) for d in shown):
            out.append(bar)
    return out


def hide_stray_tab_bars(window: QMainWindow) -> int:
    """Hide the stray tab bars of ``window``; how many were hidden."""
    bars = stray_tab_bars(window)
    for bar in bars:
        bar.hide()
    return len(bars)
