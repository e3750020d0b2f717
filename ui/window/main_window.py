"""The main window: map canvas in the centre, docked panels, language, title and status bar,
feature info; menus, project files, long work, edits, data import, outputs and help come from
one mixin module each in this package.  Imports Qt, ``ilp_gis`` and the ui/ panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ilp_gis.i18n import format_number, get_language, register_catalog
from ui import app as qtapp
from ui.attribute_table import AttributeTable
from ui.dashboard import Dashboard
from ui.desa_tree import DesaTree
from ui.gaps_panel import GapsPanel
from ui.layers_panel import LayersPanel
from ui.map import MapCanvas, Tool
from ui.network_tree import NetworkTree
from ui.panels.monev import MonevPanel
from ui.qtext import qtr
from ui.state import AppState, field_label
from ui.window.actions import WindowActions
from ui.window.data_import import DataImport
from ui.window.docks import hide_stray_tab_bars
from ui.window.edits import WindowEdits
from ui.window.help_menu import HelpMenu
from ui.window.outputs import Outputs
from ui.window.project_io import ProjectFiles
from ui.window.store_io import StoreFiles
from ui.window.tasks import WindowTasks
from ui.worker import Task

if TYPE_CHECKING:
    from ui.panels.planning import PlanningPanel

AUTOSAVE_MINUTES = 3


class MainWindow(WindowActions, ProjectFiles, StoreFiles, WindowTasks, WindowEdits, DataImport,
                 Outputs, HelpMenu, QMainWindow):
    def __init__(self, state: AppState | None = None, *,
                 autosave_minutes: float | None = None) -> None:
        super().__init__()
        self.state = state or AppState()
        self.undo_stack = QUndoStack(self)
        self.tasks: dict[str, Task] = {}
        self._texts: list[tuple[Any, str, str]] = []  # (object, setter, key)
        self._docks_fitted = False
        self.canvas = MapCanvas(self.state)
        self.setCentralWidget(self.canvas)
        self.setAcceptDrops(True)
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_status()
        self.analysis_timer = QTimer(self)
        self.analysis_timer.setSingleShot(True)
        self.analysis_timer.setInterval(300)
        self.analysis_timer.timeout.connect(self.run_analysis)
        self.autosave_timer = QTimer(self)
        minutes = AUTOSAVE_MINUTES if autosave_minutes is None else autosave_minutes
        self.autosave_timer.setInterval(int(minutes * 60_000))
        self.autosave_timer.timeout.connect(self.autosave)
        if minutes > 0:
            self.autosave_timer.start()
        self.state.dirty_changed.connect(self._update_title)
        self.state.project_replaced.connect(self._update_title)
        self.state.result_changed.connect(self._on_result)
        self.state.project_replaced.connect(self._rebuild_planning_panel)
        self.state.project_replaced.connect(self._rebuild_monev_panel)
        self.state.result_changed.connect(self._on_planning_result)
        self.undo_stack.cleanChanged.connect(lambda _c: self._update_title())
        self.canvas.cursor_moved.connect(self._on_cursor)
        self.canvas.scale_changed.connect(self._on_scale)
        self.canvas.identified.connect(self._on_identify)
        self.canvas.add_requested.connect(self._on_add_requested)
        self.canvas.move_requested.connect(self._on_move_requested)
        self.table.edit_requested.connect(self.edit_value)
        self.layers_panel.zoom_to_layer.connect(self.canvas.zoom_to_layer)
        self.resize(1400, 900)
        self.retranslate()
        self._update_title()
        # Qt leaves a stray tab bar per extra tabbed dock group: hidden once laid out and
        # whenever a tab is switched (see ui.window.docks)
        self.tabifiedDockWidgetActivated.connect(lambda _d: self.settle_docks())

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self.settle_docks)

    def settle_docks(self) -> int:
        """Hide the dock tab bars Qt built and does not use; how many were hidden."""
        if not self._docks_fitted:  # the first layout: the bottom dock fitted to the screen
            self._docks_fitted = True
            self._fit_docks_to_height()
        return hide_stray_tab_bars(self)

    # -- building --------------------------------------------------------------------------------
    def _text(self, obj, setter: str, key: str) -> None:
        self._texts.append((obj, setter, key))

    def _dock(self, widget: QWidget, key: str, area, name: str) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self._text(dock, "setWindowTitle", key)
        return dock

    def _build_docks(self) -> None:
        s = self.state
        self.layers_panel = LayersPanel(s)
        self.network_tree = NetworkTree(s)
        self.desa_tree = DesaTree(s)
        self.identify_table = QTableWidget(0, 2)
        self.identify_table.horizontalHeader().setStretchLastSection(True)
        self.identify_table.verticalHeader().hide()
        self.gaps_panel = GapsPanel(s)
        self.dashboard = Dashboard(s)
        self.table = AttributeTable(s)
        self.layers_dock = self._dock(_scrolled(self.layers_panel), "ui.dock.layers",
                                      Qt.LeftDockWidgetArea, "layers")  # scrolls on a laptop
        self.tree_dock = self._dock(self.network_tree, "ui.dock.network", Qt.LeftDockWidgetArea,
                                    "network")
        self.areas_dock = self._dock(self.desa_tree, "ui.dock.areas", Qt.LeftDockWidgetArea,
                                     "areas")
        self.identify_dock = self._dock(self.identify_table, "ui.dock.identify",
                                        Qt.LeftDockWidgetArea, "identify")
        self.tabifyDockWidget(self.layers_dock, self.tree_dock)
        self.tabifyDockWidget(self.tree_dock, self.areas_dock)
        self.tabifyDockWidget(self.areas_dock, self.identify_dock)
        self.layers_dock.raise_()
        self.dashboard_dock = self._dock(self.dashboard, "ui.dock.dashboard",
                                         Qt.RightDockWidgetArea, "dashboard")
        self.gaps_dock = self._dock(self.gaps_panel, "ui.dock.gaps", Qt.RightDockWidgetArea, "gaps")
        self.tabifyDockWidget(self.dashboard_dock, self.gaps_dock)
        self.dashboard_dock.raise_()
        self.table_dock = self._dock(self.table, "ui.dock.table", Qt.BottomDockWidgetArea, "table")
        # built at first use (its tab shown, or asked for): its siting and scenario modules
        # (scipy, HiGHS) are not needed for the first map frame
        self._planning_panel: PlanningPanel | None = None
        self.planning_dock = self._dock(QWidget(), "ui.dock.planning",
                                        Qt.BottomDockWidgetArea, "planning")
        self.planning_dock.visibilityChanged.connect(self._on_planning_shown)
        self.tabifyDockWidget(self.table_dock, self.planning_dock)
        self.monev_panel = self._make_monev_panel()
        # scrolled: its tables and charts would otherwise ask ~550 px of a 768 px screen
        self.monev_dock = self._dock(_scrolled(self.monev_panel), "ui.dock.monev",
                                     Qt.BottomDockWidgetArea, "monev")
        self.tabifyDockWidget(self.planning_dock, self.monev_dock)
        self.table_dock.raise_()
        self.resizeDocks([self.layers_dock, self.dashboard_dock], [300, 430], Qt.Horizontal)
        self.resizeDocks([self.table_dock], [220], Qt.Vertical)

    def resizeEvent(self, event) -> None:  # noqa: N802
        """On a short screen (a 1366x768 laptop) the table/planning dock gives the map and the
        side panels more room; on a tall one it keeps its 220 pixels."""
        super().resizeEvent(event)
        old, new = event.oldSize().height(), event.size().height()
        if self.isVisible() and new != old and (old < 0 or (old < 850) != (new < 850)):
            self._fit_docks_to_height()

    def _fit_docks_to_height(self) -> None:
        self.resizeDocks([self.table_dock], [170 if self.height() < 850 else 220], Qt.Vertical)

    @property
    def planning_panel(self) -> PlanningPanel:
        """The planning panel of the shown project, built when first needed."""
        if self._planning_panel is None:
            self._planning_panel = self._make_planning_panel()
            self.planning_dock.setWidget(self._planning_panel)
        return self._planning_panel

    def _on_planning_shown(self, shown: bool) -> None:
        if shown and self._planning_panel is None:
            _ = self.planning_panel  # its tab was opened: build it now

    def _make_planning_panel(self) -> PlanningPanel:
        from ui.panels.planning import PlanningPanel

        panel = PlanningPanel(self.state.project, self.undo_stack,
                              on_changed=lambda _name: self._update_title(),
                              result=self.state.result)
        # the planning panel's answers reach the map (ui.map.plan_overlay)
        panel.sites_ready.connect(lambda sites: self.state.set_plan(
            sites, None, qtr("map.plan.siting")))
        panel.comparison_ready.connect(lambda changes: self._show_comparison(panel, changes))
        panel.scenario_shown.connect(self._show_scenario)
        if self.state.result is None and self.analysis_pending():
            panel.show_analysis_pending(True)
        return panel

    def _show_scenario(self, name: str) -> None:
        """A stored scenario on the map: its sites, and the desa its last stored comparison
        closes or opens gaps in (none when it was never compared)."""
        from ilp_gis import scenario

        project = self.state.project
        changes = scenario.stored_desa_changes(project, name)
        if len(changes) and {"gaps_closed", "gaps_new"} <= set(changes.columns):
            changes = changes.rename(columns={"desa_code": "code"})[
                ["code", "gaps_closed", "gaps_new"]]
        else:
            changes = None
        self.state.set_plan(scenario.scenario_sites(project, name), changes,
                            qtr("map.plan.scenario", name=name))

    def _show_comparison(self, panel: PlanningPanel, changes) -> None:
        """A compared scenario on the map: its sites and the desa whose gaps it closes/opens."""
        from ilp_gis import scenario

        name = panel.outcome.name if panel.outcome is not None else ""
        sites = scenario.scenario_sites(self.state.project, name) if name else None
        self.state.set_plan(sites, changes, qtr("map.plan.scenario", name=name))

    def _rebuild_planning_panel(self) -> None:
        """The planning panel is bound to one project: build it anew for another project or
        another language (not before it is first needed)."""
        old = self._planning_panel
        if old is None:
            return
        self._planning_panel = self._make_planning_panel()
        self.planning_dock.setWidget(self._planning_panel)
        old.deleteLater()

    def _make_monev_panel(self) -> MonevPanel:
        return MonevPanel(self.state.project, self.undo_stack,
                          on_changed=lambda _name: self._update_title())

    def _rebuild_monev_panel(self) -> None:
        """Bound to one project like the planning panel: built anew for another project or
        language (keeping the tab the person was on)."""
        old = self.monev_panel
        self.monev_panel = self._make_monev_panel()
        self.monev_panel.tabs.setCurrentIndex(old.tabs.currentIndex())
        area = self.monev_dock.widget()
        area.takeWidget()  # taken back first: a scroll area deletes the widget it replaces
        area.setWidget(self.monev_panel)
        old.deleteLater()

    def _on_planning_result(self) -> None:
        if self.state.result is not None and self._planning_panel is not None:
            self._planning_panel.set_result(self.state.result)


    # -- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        for obj, setter, key in self._texts:
            getattr(obj, setter)(qtr(key))
        self.act_undo.setText(qtr("ui.act.undo"))
        self.act_redo.setText(qtr("ui.act.redo"))
        self.lang_actions[get_language()].setChecked(True)
        self.identify_table.setHorizontalHeaderLabels([qtr("ui.identify.field"),
                                                       qtr("ui.identify.value")])
        for panel in (self.layers_panel, self.network_tree, self.desa_tree, self.gaps_panel,
                      self.dashboard, self.table):
            panel.retranslate()
        if getattr(self, "_planning_panel", None) is not None:
            self._rebuild_planning_panel()
        if getattr(self, "monev_panel", None) is not None:
            self._rebuild_monev_panel()
        self.canvas.invalidate()
        self._on_scale(self.canvas.scale_denominator())
        self._update_title()

    def set_language(self, lang: str) -> None:
        qtapp.set_language(lang)
        self.retranslate()

    # -- title, status ---------------------------------------------------------------------------
    def _update_title(self, *_args) -> None:
        p = self.state.project
        name = self.store_title() if self.in_store() else \
            p.path.name if p.path else qtr("ui.untitled")
        dirty = p.dirty or not self.undo_stack.isClean()
        self.setWindowModified(dirty)
        self.setWindowTitle(f"{name}[*] — {qtr('app.title')}")

    def _on_cursor(self, lon: float, lat: float, zone: str, e: float, n: float) -> None:
        self.coord_label.setText(qtr("ui.status.lonlat", lat=f"{format_number(lat, 5)}",
                                     lon=f"{format_number(lon, 5)}"))
        self.utm_label.setText(qtr("ui.status.utm", zone=zone, e=format_number(e, 0),
                                   n=format_number(n, 0)))

    def _on_scale(self, denominator: float) -> None:
        self.scale_label.setText(qtr("ui.status.scale", n=format_number(round(denominator, -1), 0)))


    # -- identify --------------------------------------------------------------------------------
    def _on_identify(self, layer: str, key: str) -> None:
        frame = self.table.frame_for(layer)
        if frame is None:
            return
        from ui.state import key_of
        from ui.table_model import display

        keys = key_of(frame, layer)
        if key not in keys:
            return
        row = frame.iloc[keys.index(key)]
        items = [(c, row[c]) for c in frame.columns if c != getattr(frame, "_geometry_column_name",
                                                                      None)]
        self.identify_table.setRowCount(len(items))
        for i, (c, v) in enumerate(items):
            self.identify_table.setItem(i, 0, QTableWidgetItem(field_label(c)))
            self.identify_table.setItem(i, 1, QTableWidgetItem(display(v)))
        self.identify_table.resizeColumnToContents(0)
        if self.canvas.tool == Tool.IDENTIFY:
            self.identify_dock.show()
            self.identify_dock.raise_()


register_catalog("ui", "window.main_window")


def _scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area that resizes it: a dock whose panel is taller than
    a laptop screen scrolls instead of pushing the window past the screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setWidget(widget)
    return area
