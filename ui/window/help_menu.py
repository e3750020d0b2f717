"""The Help menu of the main window: the in-app help page (F1, offline) and About.  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt and ``ilp_gis``."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from ilp_gis.i18n import register_catalog
from ui.qtext import plain, qtr


class HelpMenu:
    """Tour and About."""

    def open_tour(self) -> None:
        """The help page in the UI language, inside the app (works offline)."""
        from ui.help_view import HelpDialog

        dlg = getattr(self, "_help_dialog", None)
        if dlg is None:
            dlg = self._help_dialog = HelpDialog(self)
        dlg.show()
        dlg.raise_()

    def about(self) -> None:
        from ilp_gis import __version__

        QMessageBox.about(self, plain(qtr("ui.act.about")), qtr("ui.help.about", version=__version__))



register_catalog("ui", "window.help_menu")
