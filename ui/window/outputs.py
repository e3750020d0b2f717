"""Outputs of the main window: the web map (optionally opened in the browser) and the PDF
report, each written in a worker from a snapshot of the project.  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt and ``reports``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ilp_gis.i18n import get_language, register_catalog
from ui.qtext import qtr


class Outputs:
    """Web map and PDF report."""

    def export_webmap(self, path: str | None = None, *, then_open: bool = False) -> None:
        from reports.webmap import export_webmap

        if self.state.result is None:
            QMessageBox.information(self, qtr("ui.act.webmap"), qtr("ui.output.analyse_first"))
            return
        if path is None:
            path = self._ask_path("ui.act.webmap", "peta.html", "HTML (*.html)")
            if not path:
                return

        def done(_value) -> None:
            self._last_webmap = path
            self.statusBar().showMessage(qtr("cli.written", path=path), 5000)
            if then_open:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self._write("webmap", "ui.act.webmap", export_webmap, path, done, online_basemap=False)

    def open_in_browser(self) -> None:
        last = getattr(self, "_last_webmap", None)
        if last and Path(last).exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(last)))
            return
        import tempfile

        path = str(Path(tempfile.gettempdir()) / "ilp-gis-peta.html")
        self.export_webmap(path, then_open=True)

    def export_report(self) -> None:
        from reports.pdf import build_report

        path = self._ask_path("ui.act.report", "laporan.pdf", "PDF (*.pdf)")
        if not path:
            return
        self._write("report", "ui.act.report", build_report, path, lambda _v: (
            self.statusBar().showMessage(qtr("cli.written", path=path), 5000),
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))))

    def _ask_path(self, title_key: str, name: str, file_filter: str) -> str:
        """The file to write, asked beside the last project ("" when the person cancels)."""
        path, _ = QFileDialog.getSaveFileName(self, qtr(title_key),
                                              str(Path(self._last_dir()) / name), file_filter)
        return path

    def _write(self, kind: str, title_key: str, fn: Callable, path: str, on_done: Callable,
               **options) -> None:
        """Write one output with ``fn`` from a snapshot of the project, in a worker."""
        snap, result, lang = self.state.snapshot(), self.state.result, get_language()

        def job(progress=None, is_cancelled=None):
            return fn(snap, result, path, lang=lang, progress=progress, is_cancelled=is_cancelled,
                      **options)

        self.run_task(kind, job, qtr(title_key), on_done=on_done)


register_catalog("ui", "window.outputs")
