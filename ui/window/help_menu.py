"""The Help menu of the main window: the tour (the README) and About.  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt and ``ilp_gis``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from ilp_gis.i18n import register_catalog
from ui.qtext import qtr


class HelpMenu:
    """Tour and About."""

    def open_tour(self) -> None:
        readme = _readme_path()
        if readme is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(readme)))
        else:
            QMessageBox.information(self, qtr("ui.act.tour"), qtr("ui.help.no_readme"))

    def about(self) -> None:
        from ilp_gis import __version__

        QMessageBox.about(self, qtr("ui.act.about"), qtr("ui.help.about", version=__version__))



def _readme_path() -> Path | None:
    here = Path(__file__).resolve().parents[1]  # ui/
    for cand in (here / "resources" / "README.md", here.parent / "README.md"):
        if cand.exists():
            return cand
    return None


register_catalog("ui", "window.help_menu")
