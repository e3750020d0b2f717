"""QApplication set-up for the desktop app: settings, language (Qt translator routed to the one
catalogue), logging to a file, and a global exception hook that shows an error dialog instead
of dying silently."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ilp_gis import i18n
from ilp_gis.errors import IlpError
from ilp_gis.i18n import register_catalog, tr
from ui.qtext import CatalogTranslator, ui_locale

log = logging.getLogger("ilp_gis.ui")
ORG, APP = "ILP-GIS", "ilp-gis"
_translator: CatalogTranslator | None = None
_log_path: list[str | None] = [None]


def settings() -> QSettings:
    """INI settings in the user's profile (same format on Windows and Linux)."""
    return QSettings(QSettings.IniFormat, QSettings.UserScope, ORG, APP)


def saved_language() -> str:
    lang = str(settings().value("language", "") or "")
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def set_language(lang: str, *, persist: bool = True) -> None:
    i18n.set_language(lang)
    QLocale.setDefault(ui_locale())  # widgets built from now on write numbers the same way
    if persist:
        settings().setValue("language", i18n.get_language())


def install_translator(app: QCoreApplication) -> CatalogTranslator:
    global _translator
    if _translator is None:
        _translator = CatalogTranslator(app)
        app.installTranslator(_translator)
    return _translator


def make_app(argv: list[str] | None = None, *, lang: str | None = None,
             log_path: str | None = None) -> QApplication:
    """Create (or reuse) the QApplication with translator, settings and the exception hook."""
    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName(tr("app.name"))
    set_language(lang or saved_language(), persist=False)  # --lang is for this run only
    install_translator(app)
    _log_path[0] = log_path
    install_excepthook()
    return app


def error_text(exc: BaseException) -> str:
    if isinstance(exc, IlpError):
        return str(exc)
    return tr("ui.app.crash", error=f"{type(exc).__name__}: {exc}", log=_log_path[0] or "–")


def show_error(parent, exc: BaseException, details: str | None = None) -> None:
    """The one error dialog: domain errors as their message, the rest with the log file."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Warning if isinstance(exc, IlpError) else QMessageBox.Critical)
    box.setWindowTitle(tr("ui.app.error_title"))
    box.setText(error_text(exc))
    if details and not isinstance(exc, IlpError):
        box.setDetailedText(details)
    box.setTextInteractionFlags(Qt.TextSelectableByMouse)
    box.exec()


def _excepthook(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("unhandled exception\n%s", details)
    app = QApplication.instance()
    if app is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        show_error(app.activeWindow(), exc, details)
    except Exception:  # never raise from the hook itself
        sys.__excepthook__(exc_type, exc, tb)


def install_excepthook() -> None:
    sys.excepthook = _excepthook


register_catalog("ui", "app")
