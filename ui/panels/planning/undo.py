"""Undo commands of the planning panel: swap a whole project layer or table, so undo/redo is
exact.  Imports Qt, pandas and ``ilp_gis``."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from PySide6.QtGui import QUndoCommand

from ilp_gis import model


class SetFrameCommand(QUndoCommand):
    """Replace a project layer/table by a new frame; undo puts the old one back."""

    def __init__(self, project, name: str, new: pd.DataFrame, text: str,
                 after: Callable[[], None] | None = None,
                 empty: Callable[[], pd.DataFrame] | None = None) -> None:
        super().__init__(text)
        self.project = project
        self.name = name
        self.old = _current(project, name, empty)
        self.new = new
        self.after = after

    def _put(self, frame) -> None:
        if self.name in model.LAYERS:
            self.project.set_layer(self.name, frame)
        else:
            self.project.set_table(self.name, frame)
        if self.after:
            self.after()

    def redo(self) -> None:
        self._put(self.new.copy())

    def undo(self) -> None:
        self._put(self.old.copy())


def _current(project, name: str, empty: Callable[[], pd.DataFrame] | None = None) -> pd.DataFrame:
    """The frame kept as ``name`` now; a table not kept yet is ``empty()`` (default: the
    scenario actions' empty table)."""
    if name in model.LAYERS:
        return pd.DataFrame(project.layer(name)).copy()
    frame = project.tables.get(name)
    if frame is None:
        if empty is None:
            from ilp_gis.scenario import empty_actions  # at first use: siting, scipy

            empty = empty_actions
        return empty()
    return pd.DataFrame(frame).copy()

