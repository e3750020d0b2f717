"""The planning panel: a QWidget with four tabs over one project (``PlanningPanel(project,
undo_stack, on_changed=callable)``).  The state lives in the :class:`ilp_gis.project.Project`;
every edit is a ``QUndoCommand`` on the given stack.  Imports Qt, ``ilp_gis`` and its tab
modules; long work runs on the ``planning`` lane of :mod:`ui.worker`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import budget as B
from ilp_gis import scenario, siting
from ilp_gis.i18n import register_catalog, tr
from ui.panels.planning.budget_lines import BudgetLinesTab
from ui.panels.planning.budget_sync import BudgetSyncTab
from ui.panels.planning.scenarios import ScenariosTab
from ui.panels.planning.siting import SitingTab
from ui.panels.table_view import panel_table
from ui.worker import Task


class PlanningPanel(BudgetLinesTab, BudgetSyncTab, SitingTab, ScenariosTab, QWidget):
    """Budget lines, budget sync, siting and scenarios for one project.

    Tabs call the shared helpers ``_table``, ``_changed`` and ``_error`` defined here.

    Signals for the main window's map: ``sites_ready(GeoDataFrame)`` (chosen sites, EPSG:4326,
    with the scenario ``action`` each would be),
    ``funding_ready(GeoDataFrame)`` (desa with ``funding_state``, styled by
    ``layers.symbology.FUNDING_STYLES``), ``comparison_ready(GeoDataFrame)`` (desa with the
    scenario's before/after changes), ``scenario_shown(name)`` (a stored scenario clicked:
    show its sites and stored changes).
    """

    sites_ready = Signal(object)
    funding_ready = Signal(object)
    comparison_ready = Signal(object)
    scenario_shown = Signal(str)

    def __init__(self, project, undo_stack: QUndoStack | None = None, *,
                 on_changed: Callable[[str], None] | None = None, result=None,
                 parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.on_changed = on_changed
        self.result = result  # baseline AnalysisResult (set_result / loaded from the project)
        self.sync: B.BudgetSync | None = None
        self.siting_result: siting.SitingResult | None = None
        self.siting_task: Task | None = None
        self.scenario_task: Task | None = None
        self.outcome: scenario.ScenarioOutcome | None = None

        self.tabs = QTabWidget(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self.tabs.addTab(self._budget_tab(), tr("planning.tab.budget"))
        self.tabs.addTab(self._sync_tab(), tr("planning.tab.sync"))
        self.tabs.addTab(self._siting_tab(), tr("planning.tab.siting"))
        self.tabs.addTab(self._scenario_tab(), tr("planning.tab.scenarios"))
        self._refresh_budget()
        self._refresh_scenarios()
        project.changed.connect(self._on_project_change)
        self.destroyed.connect(lambda *_: self._disconnect())
        if result is not None:  # a panel built for a loaded analysis shows its sync at once
            self.refresh_sync()

    def _disconnect(self) -> None:
        try:
            self.project.changed.disconnect(self._on_project_change)
        except Exception:  # noqa: BLE001 - already gone
            pass

    # -- helpers ------------------------------------------------------------------------------
    _table = staticmethod(panel_table)  # the panels' one table style

    def _changed(self, name: str) -> None:
        if self.on_changed:
            self.on_changed(name)

    def _error(self, exc: BaseException) -> None:
        QMessageBox.warning(self, tr("planning.error_title"), str(exc))

    def _on_project_change(self, name: str) -> None:
        if name == "budget":
            self._refresh_budget()
        elif name == scenario.TABLE:
            self._refresh_scenarios()


register_catalog("ui", "panels.planning.panel")
