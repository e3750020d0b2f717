"""Edits of the main window: every change of a facility is an undoable command (add, move,
delete, set values), then the analysis is scheduled again.  A mixin of
:class:`ui.window.main_window.MainWindow`; imports Qt, ui.commands and ui.facility_dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMessageBox

from ilp_gis.i18n import register_catalog
from ui import commands
from ui.qtext import qtr


class WindowEdits:
    """Undoable facility edits."""

    def _after_edit(self, rerun: bool) -> None:
        self._update_title()
        if rerun:
            self.schedule_analysis()

    def push(self, make: Callable[[], commands.FrameSwap]) -> bool:
        if self.still_loading():  # the facilities are not read yet: nothing to edit
            self.statusBar().showMessage(qtr("ui.open.wait_loading"), 5000)
            return False
        try:
            cmd = make()
        except (KeyError, ValueError) as exc:
            QMessageBox.warning(self, qtr("ui.edit.title"), str(exc).strip("'\""))
            return False
        cmd.on_change = self._after_edit
        self.undo_stack.push(cmd)
        return True

    def edit_value(self, fac_id: str, column: str, value) -> bool:
        return self.push(lambda: commands.set_value(self.state, fac_id, column, value))

    def _on_add_requested(self, lon: float, lat: float) -> None:
        from ui.facility_dialog import FacilityDialog

        if self.still_loading():
            self.statusBar().showMessage(qtr("ui.open.wait_loading"), 5000)
            return
        dlg = FacilityDialog(self.state, self, lon=lon, lat=lat)
        if dlg.exec() == QDialog.Accepted:
            record = dlg.record()
            self.push(lambda: commands.add_facility(self.state, record))

    def _on_move_requested(self, fac_id: str, lon: float, lat: float) -> None:
        self.push(lambda: commands.move_facility(self.state, fac_id, lon, lat))

    def selected_facilities(self) -> list[str]:
        layer, keys = self.state.selection
        return list(keys) if layer == "facilities" else []

    def delete_selected(self) -> None:
        keys = self.selected_facilities()
        if not keys:
            self.statusBar().showMessage(qtr("ui.edit.select_first"), 4000)
            return
        self.undo_stack.beginMacro(qtr("ui.cmd.delete", fac_id=", ".join(keys[:3])))
        for k in keys:
            self.push(lambda k=k: commands.delete_facility(self.state, k))
        self.undo_stack.endMacro()
        self.state.clear_selection()

    def edit_selected(self) -> None:
        from ui.facility_dialog import FacilityDialog

        keys = self.selected_facilities()
        if len(keys) != 1:
            self.statusBar().showMessage(qtr("ui.edit.select_one"), 4000)
            return
        dlg = FacilityDialog(self.state, self, fac_id=keys[0])
        if dlg.exec() != QDialog.Accepted:
            return
        changes = dlg.changes()
        if not changes:
            return
        self.undo_stack.beginMacro(qtr("ui.cmd.set", fac_id=keys[0], column=", ".join(changes)))
        for col, val in changes.items():
            self.push(lambda c=col, v=val: commands.set_value(self.state, keys[0], c, v))
        self.undo_stack.endMacro()


register_catalog("ui", "window.edits")
