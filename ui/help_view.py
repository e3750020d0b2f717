"""The in-app help (F1): a page in the UI language shipped inside the package, shown in a
text browser, so it works offline and never depends on a program to open files.  Imports Qt
and ``ilp_gis.i18n``."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ilp_gis.i18n import get_language, register_catalog
from ui.qtext import qtr


def help_html(lang: str | None = None) -> str:
    """The help page of ``lang`` (the UI language by default), English when none exists."""
    lang = lang or get_language()
    base = resources.files("ui").joinpath("data")
    page = base.joinpath(f"help_{lang}.html")
    if not page.is_file():
        page = base.joinpath("help_en.html")
    return page.read_text(encoding="utf-8")


class HelpDialog(QDialog):
    """The help page in a resizable window with a Close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(qtr("ui.help.title"))
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # the page has no links out; nothing is opened
        self.browser.setHtml(help_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)
        self.resize(720, 640)


register_catalog("ui", "help_view")
