"""The main window on the shared store: *Berkas → Buka dari basis data…* checks a kabupaten (or
the whole province) out of the store into the window (rows keep their store id and version);
*Simpan* then sends the edits back with those row versions (``check_in``), and a row someone
else changed meanwhile opens the conflict dialog (keep mine / keep theirs / per field) instead
of overwriting; *Riwayat fasilitas…* shows a facility's audit trail.  The password typed in
stays in the window's memory, never in the project.  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt, ``layers.pgstore`` and the store
dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ilp_gis.errors import IlpError
from ilp_gis.i18n import register_catalog
from ui import app as qtapp
from ui.qtext import qtr
from ui.worker import Task

MAX_ROUNDS = 5
"""Conflict dialogs in one save before giving up (someone keeps changing the same rows)."""


class StoreFiles:
    """Opening from and saving to the shared store."""

    store_login = None  # layers.pgstore.connection.StoreLogin of the open store project
    store_project = None  # the project object that came from it

    def in_store(self) -> bool:
        """Whether the window's project came from the store (its saves go there)."""
        return self.store_login is not None and self.state.project is self.store_project

    def store_title(self) -> str:
        from layers.pgstore.checkout import PROVINCE
        from layers.pgstore.pull import META_KABUPATEN

        kab = self.state.project.meta.get(META_KABUPATEN, "")
        area = qtr("ui.store.area_province") if kab == PROVINCE else \
            self._kabupaten_name(kab)
        return qtr("ui.store.window_title", store=self.store_login.label(), area=area)

    def _kabupaten_name(self, code: str) -> str:
        kab = self.state.project.layers.get("kabupaten")
        if kab is not None and "code" in kab.columns and "name" in kab.columns:
            names = kab.loc[kab["code"].astype(str) == code, "name"]
            if len(names) and isinstance(names.iat[0], str):
                return f"{names.iat[0]} ({code})"
        return code

    # -- open ------------------------------------------------------------------------------------
    def open_store_dialog(self) -> None:
        from ui.store_open_dialog import StoreOpenDialog

        if not self.maybe_save():
            return
        last = self.store_login.target if self.store_login is not None else \
            str(qtapp.settings().value("store/target", "") or "")
        dialog = StoreOpenDialog(self, target=last)
        if dialog.exec() != QDialog.Accepted or dialog.login() is None:
            return
        self.open_store(dialog.login(), dialog.kabupaten())

    def open_store(self, login, kabupaten: str | None, *, wait: bool = False) -> Task | None:
        """Check ``kabupaten`` (None: the whole province) out of the store into the window."""
        import psycopg

        from layers.pgstore.checkout import check_out
        from layers.pgstore.connection import StoreError

        def job(progress=None, is_cancelled=None):
            from ilp_gis.i18n import has
            from ilp_gis.jobs import checkpoint

            def step(name: str, i: int, n: int) -> None:
                label = f"ui.layer.{name}"
                text = qtr("ui.store.open.reading_layer", layer=qtr(label), i=i + 1, n=n) \
                    if has(label) else qtr("ui.store.open.reading_table", i=i + 1, n=n)
                checkpoint(progress, is_cancelled, 0.05 + 0.9 * i / max(n, 1), text)

            checkpoint(progress, is_cancelled, 0.02, qtr("ui.store.open.reading"))
            try:
                with login.connect() as conn:
                    project = check_out(conn, kabupaten, source=login.source(), step=step)
            except psycopg.Error as exc:  # a server gone mid-read: said, nothing opened
                raise StoreError(qtr("ui.store.open.failed_read", store=login.label(),
                                     why=str(exc).strip())) from exc
            checkpoint(progress, is_cancelled, 1.0)
            return project

        def done(project) -> None:
            project.dirty = False
            self.store_login, self.store_project = login, project
            self.set_project(project)
            # the connection without its password, to offer next time
            qtapp.settings().setValue("store/target", login.source())
            self.statusBar().showMessage(qtr("ui.store.opened", title=self.store_title()),
                                         5000)

        if wait:
            done(job())
            return None
        return self.run_task("open", job, qtr("ui.store.open.label",
                                              store=login.label()), on_done=done)

    # -- save ------------------------------------------------------------------------------------
    def save_to_store(self) -> bool:
        """Send the window's edits to the store with their row versions; conflicts are settled
        in the conflict dialog (cancel: nothing is written, the edits stay in the window)."""
        import psycopg

        from layers.pgstore.checkout import check_in
        from layers.pgstore.connection import StoreError

        project = self.state.project
        choices: dict = {}
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            for _round in range(MAX_ROUNDS):
                with self.store_login.connect() as conn:
                    result = check_in(conn, project, choices=choices)
                    if result.applied:
                        break
                    geometries = self._their_geometries(conn, result.conflicts)
                QApplication.restoreOverrideCursor()
                try:
                    picked = self.ask_conflicts(result.conflicts, geometries)
                finally:
                    QApplication.setOverrideCursor(Qt.WaitCursor)
                if picked is None:
                    self.statusBar().showMessage(qtr("ui.store.save.cancelled"), 6000)
                    return False
                choices = picked
            else:
                raise IlpError(qtr("ui.store.save.busy", n=MAX_ROUNDS))
        except (IlpError, psycopg.Error) as exc:
            QApplication.restoreOverrideCursor()
            qtapp.show_error(self, exc if isinstance(exc, IlpError) else StoreError(
                qtr("ui.store.save.failed", why=str(exc).strip())))
            return False
        QApplication.restoreOverrideCursor()
        project.dirty = False
        self.set_project(project)
        self.statusBar().showMessage(qtr(
            "ui.store.save.done", updated=result.updated, inserted=result.inserted,
            deleted=result.deleted, resolved=result.resolved), 6000)
        return True

    def _their_geometries(self, conn, conflicts) -> dict:
        from layers.pgstore.checkout import conflict_key
        from layers.pgstore.edits import GEOMETRY, read_geometry

        return {conflict_key(c): read_geometry(conn, c.layer, c.rid) for c in conflicts
                if c.theirs is not None and GEOMETRY in (c.mine or {})}

    def ask_conflicts(self, conflicts, geometries) -> dict | None:
        """The conflict dialog; the choices made, None when cancelled."""
        from ui.store_conflict_dialog import ConflictDialog

        dialog = ConflictDialog(conflicts, self, geometries=geometries)
        self.conflict_dialog = dialog  # reachable by tests while it is open
        try:
            return dialog.choices() if dialog.exec() == QDialog.Accepted else None
        finally:
            self.conflict_dialog = None

    # -- history ---------------------------------------------------------------------------------
    def facility_history(self) -> None:
        from ui.store_history_dialog import HistoryDialog

        trail = self.selected_history()
        if trail is None:
            return
        title, entries = trail
        HistoryDialog(title, entries, self).exec()

    def selected_history(self) -> tuple[str, list[dict]] | None:
        """(facility name, its audit trail) of the one selected facility; a message and None
        when it cannot be shown."""
        import pandas as pd

        from layers.pgstore.edits import history
        from layers.pgstore.push import ROW_ID
        from ui.state import key_of

        keys = self.selected_facilities()
        if len(keys) != 1:
            self.statusBar().showMessage(qtr("ui.edit.select_one"), 4000)
            return None
        if not self.in_store():
            QMessageBox.information(self, qtr("ui.store.history.menu"),
                                    qtr("ui.store.history.not_store"))
            return None
        fac = self.state.project.facilities
        row = fac.iloc[key_of(fac, "facilities").index(keys[0])]
        rid = row.get(ROW_ID)
        name = str(row.get("name") or keys[0])
        if rid is None or pd.isna(rid):
            QMessageBox.information(self, qtr("ui.store.history.menu"),
                                    qtr("ui.store.history.new_row", name=name))
            return None
        try:
            with self.store_login.connect() as conn:
                return name, history(conn, "facilities", int(rid))
        except IlpError as exc:
            qtapp.show_error(self, exc)
            return None


register_catalog("ui", "window.store_io")
