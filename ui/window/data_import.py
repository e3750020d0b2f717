"""Data into the main window: the import dialog, and files dropped on the window (a project
file is opened, anything else goes to the import dialog).  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt, ``layers.project_file`` and
ui.import_dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog

from layers.project_file import is_project_file


class DataImport:
    """Import dialog and dropped files."""

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and paths[0].suffix.lower() == ".gpkg" and is_project_file(paths[0]):
            if self.maybe_save():
                self.open_path(paths[0])
            return
        self.import_dialog(paths)

    def import_dialog(self, paths=None) -> None:
        from ui.import_dialog import ImportDialog

        dlg = ImportDialog(self.state, self, paths=paths or [])
        if dlg.exec() == QDialog.Accepted and dlg.project is not None:
            self.take_import(dlg)

    def take_import(self, dlg) -> None:
        """The imported project in place of the open one.  A new project replaces it only
        after the open one's unsaved changes are saved or let go (cancel keeps it)."""
        if dlg.mode == "new" and not self.maybe_save():
            return
        self.set_project(dlg.project)
        self.state.project.dirty = True
        self._update_title()

