"""Outputs of the main window: every output of the command line (plan PDF, summary, wall map,
atlas per kecamatan or per desa, XLSX tables, web map) through one dialog of options, and the
web map opened in the browser; each written in a worker from a snapshot of the project.  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt and ``reports``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ilp_gis.i18n import get_language, register_catalog
from ui.qtext import plain, qtr

if TYPE_CHECKING:  # imported at first use: the dialog's options come from reports.webmap
    from ui.output_dialog import OutputChoice


class Outputs:
    """Web map and PDF report."""

    def export_webmap(self, path: str | None = None, *, then_open: bool = False) -> None:
        from reports.webmap import export_webmap

        if self.state.result is None:
            QMessageBox.information(self, plain(qtr("ui.act.webmap")), qtr("ui.output.analyse_first"))
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
        """The plan report (Ctrl+P): the output dialog with the plan chosen."""
        self.export_output("plan")

    def export_output(self, kind: str = "plan") -> None:
        """Any output with its options (:mod:`ui.output_dialog`), written in a worker."""
        from PySide6.QtWidgets import QDialog

        from ui.output_dialog import OutputDialog, default_path

        if kind == "webmap" and self.state.result is None:
            QMessageBox.information(self, qtr("ui.out.kind.webmap"),
                                    qtr("ui.output.analyse_first"))
            return
        kec = self.state.project.layer("kecamatan") if self.state.project.has("kecamatan") \
            else None
        names = list(zip(kec["code"], kec["name"], strict=False)) if kec is not None else []
        dlg = OutputDialog(self, kind=kind, kecamatan=names,
                           pws_indicators=pws_choices(self.state.project))
        last = getattr(self, "_last_webmap_choice", None)
        if last is not None:
            dlg.restore_webmap(last)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dlg.choice()
        if choice.kind == "webmap":
            self._last_webmap_choice = choice  # offered again next time, even when it fails
        if choice.kind == "webmap" and self.state.result is None:
            QMessageBox.information(self, qtr("ui.out.kind.webmap"),
                                    qtr("ui.output.analyse_first"))
            return
        title = f"ui.out.kind.{choice.kind}"
        path, _ = QFileDialog.getSaveFileName(
            self, plain(qtr(title)), str(default_path(self._last_dir(), choice)),
            choice.file_filter)
        if not path:
            return
        self.write_output(choice, path)

    def write_output(self, choice: OutputChoice, path: str) -> None:
        """Write ``choice`` (an :class:`ui.output_dialog.OutputChoice`) to ``path``."""
        from reports.pdf import build_report
        from reports.pdf.front import FrontMatter
        from reports.webmap import export_webmap
        from reports.xlsx_tables import write_tables

        title = f"ui.out.kind.{choice.kind}"

        def done(_value) -> None:
            self.statusBar().showMessage(qtr("cli.written", path=path), 5000)
            if choice.kind == "webmap":
                self._last_webmap = path
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        if choice.kind == "xlsx":
            def tables(snap, result, target, *, lang, progress=None, is_cancelled=None):
                return write_tables(snap, result, target, lang=lang)

            self._write("xlsx", title, tables, path, done)
        elif choice.kind == "webmap":
            self._write("webmap", title, export_webmap, path, done, **webmap_options(choice))
        else:
            front = FrontMatter(budget_year=choice.budget_year, unit=choice.unit,
                                signer=choice.signer, signer_nip=choice.signer_nip,
                                logo=choice.logo)
            pdf_kind = "atlas" if choice.kind == "atlas_desa" else choice.kind

            def pdf(snap, result, target, **kw):
                return build_report(snap, result, target, kind=pdf_kind,
                                    per_desa=choice.kind == "atlas_desa", paper=choice.paper,
                                    kecamatan=choice.kecamatan, author=choice.author,
                                    front=front, **_top(choice), **kw)

            self._write("report", title, pdf, path, done)

    def _ask_path(self, title_key: str, name: str, file_filter: str) -> str:
        """The file to write, asked beside the last project ("" when the person cancels)."""
        path, _ = QFileDialog.getSaveFileName(self, plain(qtr(title_key)),
                                              str(Path(self._last_dir()) / name), file_filter)
        return path

    def _write(self, kind: str, title_key: str, fn: Callable, path: str, on_done: Callable,
               **options) -> None:
        """Write one output with ``fn`` from a snapshot of the project, in a worker."""
        snap, result, lang = self.state.snapshot(), self.state.result, get_language()

        def job(progress=None, is_cancelled=None):
            return fn(snap, result, path, lang=lang, progress=progress, is_cancelled=is_cancelled,
                      **options)

        self.run_task(kind, job, plain(qtr(title_key)), on_done=on_done)


def webmap_options(choice: OutputChoice) -> dict:
    """The web map's options chosen in the dialog, as :func:`reports.webmap.export_webmap`
    takes them (a wrong basemap file fails there before anything is written)."""
    from reports.webmap import DEFAULT_COLOUR_BY

    return {"colour_by": choice.colour_by or DEFAULT_COLOUR_BY,
            "basemap": Path(choice.basemap) if choice.basemap else None,
            "online_basemap": choice.online_basemap, "pws_indicator": choice.pws_indicator}


def pws_choices(project) -> list[tuple[str, str]]:
    """(key, label) of the PWS indicators with values in ``project``, in catalogue order."""
    from ilp_gis.monitoring import pws

    v = pws.values(project)
    if not len(v):
        return []
    have = set(v["indicator"].astype(str))
    return [(key, ind.label()) for key, ind in pws.default_indicators().items.items()
            if key in have]


def _top(choice: OutputChoice) -> dict:
    """The priority-list length chosen in the dialog, when the output has one."""
    return {} if choice.top is None else {"top": choice.top}


register_catalog("ui", "window.outputs")
