"""Issue 17: the ``--screenshot`` picture equals the live window — no stray dock tab bar
(Qt builds one per extra tabbed group and leaves it visible where the group first was,
a grey box over the legend or the attribute table's title)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar


def _visible_bars(win):
    return [b for b in win.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly)
            if b.isVisible()]


def test_one_visible_tab_bar_per_dock_group(qtbot, window):
    from ui.window.docks import stray_tab_bars

    qtbot.waitUntil(lambda: not stray_tab_bars(window), timeout=5000)
    # three tabbed groups: layers/network/areas/identify, summary/gaps, table/planning/monev
    bars = _visible_bars(window)
    assert sorted(b.count() for b in bars) == [2, 3, 4]
    texts = {tuple(b.tabText(i) for i in range(b.count())) for b in bars}
    assert ("Ringkasan", "Kesenjangan") in texts
    # each sits on the edge of its current dock, and still after a resize and a tab switch
    window.resize(1366, 768)
    window.tree_dock.raise_()
    qtbot.wait(50)
    assert stray_tab_bars(window) == [] and len(_visible_bars(window)) == 3


def test_screenshot_has_no_grey_box_under_the_legend(qtbot, tmp_path, sample_project_path,
                                                     isolated_settings, shown_errors):
    """The picture written by ``gui --screenshot``: only the three tab bars are visible when it
    is grabbed (what the person sees), and the file is the window's size."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from ui.cli_gui import _screenshot
    from ui.window.main_window import MainWindow

    win = MainWindow(autosave_minutes=0)
    seen = []
    real_grab = win.grab
    win.grab = lambda *a: (seen.append(len(_visible_bars(win))), real_grab(*a))[1]
    out = tmp_path / "layar.png"
    assert _screenshot(QApplication.instance(), win, sample_project_path, out, "1366x768") == 0
    assert seen == [3]
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1366, 768)
    win.deleteLater()
