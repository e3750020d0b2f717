"""Undoable edits (QUndoCommand): every facility edit swaps the facility frame, so undo restores
the data exactly; the analysis result of the state before the edit is kept and restored with
the undo (no re-run needed), while a redo re-runs the analysis in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from ilp_gis.i18n import register_catalog
from ui.qtext import qtr
from ui.state import AppState


class FrameSwap(QUndoCommand):
    """Replace the facility layer by ``after``; undo puts ``before`` (and its result) back."""

    def __init__(self, state: AppState, after, text: str, *,
                 on_change: Callable[[bool], None] | None = None) -> None:
        super().__init__(text)
        self.state = state
        self.before = state.project.facilities
        self.after = after
        self.result_before = state.result if state.result_is_current else None
        self.result_after = None
        self.on_change = on_change  # called with True when the analysis must re-run

    def redo(self) -> None:
        self.state.set_facilities(self.after)
        if self.result_after is not None:
            self.state.set_result(self.result_after, self.state.revision)
        if self.on_change:
            self.on_change(self.result_after is None)

    def undo(self) -> None:
        if self.state.result_is_current:
            self.result_after = self.state.result
        self.state.set_facilities(self.before)
        if self.result_before is not None:
            self.state.set_result(self.result_before, self.state.revision)
        if self.on_change:
            self.on_change(self.result_before is None)


def add_facility(state: AppState, record: dict[str, Any], **kw) -> FrameSwap:
    after = state.with_facility_added(dict(record))
    name = record.get("name") or ""
    return FrameSwap(state, after, qtr("ui.cmd.add", name=name), **kw)


def move_facility(state: AppState, fac_id: str, lon: float, lat: float, **kw) -> FrameSwap:
    return FrameSwap(state, state.with_facility_moved(fac_id, lon, lat),
                     qtr("ui.cmd.move", fac_id=fac_id), **kw)


def delete_facility(state: AppState, fac_id: str, **kw) -> FrameSwap:
    return FrameSwap(state, state.with_facility_deleted(fac_id),
                     qtr("ui.cmd.delete", fac_id=fac_id), **kw)


def set_value(state: AppState, fac_id: str, column: str, value: Any, **kw) -> FrameSwap:
    return FrameSwap(state, state.with_facility_value(fac_id, column, value),
                     qtr("ui.cmd.set", fac_id=fac_id, column=column), **kw)


register_catalog("ui", "commands")
