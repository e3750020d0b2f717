"""The Monev panel of the main window: one tab per view over one project — the action plan
(rencana aksi, edited with undo) and the PWS views.  Bound to one project: the window builds it
anew for another project or language.  Imports Qt and the Monev tab modules."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ilp_gis.i18n import register_catalog, tr
from ui.panels.monev.action_plan import ActionPlanPanel
from ui.panels.monev.pws_view import PwsView


class MonevPanel(QWidget):
    def __init__(self, project, undo_stack: QUndoStack, *,
                 on_changed: Callable[[str], None] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.actions = ActionPlanPanel(project, undo_stack, on_changed=on_changed)
        self.pws = PwsView(project)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.actions, tr("monev.tab.actions"))
        self.tabs.addTab(self.pws, tr("monev.tab.pws"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)


register_catalog("ui", "panels.monev.panel")
