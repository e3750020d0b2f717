"""The main window: map canvas in the centre, docked panels, menus, tool bar, status bar,
project handling (new/open/save/recent/autosave/recovery), edits with undo/redo and long work
in workers with a progress bar and Cancel."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ilp_gis.errors import ProjectError
from ilp_gis.i18n import format_date, format_number, get_language, register_catalog
from ilp_gis.project import Project
from ui import app as qtapp
from ui import commands
from ui.attribute_table import AttributeTable
from ui.canvas import MapCanvas, Tool
from ui.dashboard import Dashboard
from ui.gaps_panel import GapsPanel
from ui.layers_panel import LayersPanel
from ui.network_tree import NetworkTree
from ui.panels.planning import PlanningPanel
from ui.qtext import qtr
from ui.state import AppState, field_label
from ui.worker import Task, start

log = logging.getLogger("ilp_gis.ui")
MAX_RECENT = 8
AUTOSAVE_MINUTES = 3


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    return Path(base or Path.home() / ".ilp-gis") / "recovery"


def recovery_path(project_path: Path | None) -> Path:
    """Where the autosave copy of ``project_path`` (or of an unsaved project) goes."""
    if project_path is None:
        return recovery_dir() / "tanpa-nama.recovery.gpkg"
    digest = hashlib.sha1(str(Path(project_path).resolve()).encode("utf-8")).hexdigest()[:10]
    return recovery_dir() / f"{Path(project_path).stem}-{digest}.recovery.gpkg"


class MainWindow(QMainWindow):
    def __init__(self, state: AppState | None = None, *, autosave_minutes: float | None = None,
                 ask=None) -> None:
        super().__init__()
        self.state = state or AppState()
        self.undo_stack = QUndoStack(self)
        self.tasks: dict[str, Task] = {}
        self._texts: list[tuple[Any, str, str]] = []  # (object, setter, key)
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
        self.identify_table = QTableWidget(0, 2)
        self.identify_table.horizontalHeader().setStretchLastSection(True)
        self.identify_table.verticalHeader().hide()
        self.gaps_panel = GapsPanel(s)
        self.dashboard = Dashboard(s)
        self.table = AttributeTable(s)
        self.layers_dock = self._dock(self.layers_panel, "ui.dock.layers", Qt.LeftDockWidgetArea,
                                      "layers")
        self.tree_dock = self._dock(self.network_tree, "ui.dock.network", Qt.LeftDockWidgetArea,
                                    "network")
        self.identify_dock = self._dock(self.identify_table, "ui.dock.identify",
                                        Qt.LeftDockWidgetArea, "identify")
        self.tabifyDockWidget(self.layers_dock, self.tree_dock)
        self.tabifyDockWidget(self.tree_dock, self.identify_dock)
        self.layers_dock.raise_()
        self.dashboard_dock = self._dock(self.dashboard, "ui.dock.dashboard",
                                         Qt.RightDockWidgetArea, "dashboard")
        self.gaps_dock = self._dock(self.gaps_panel, "ui.dock.gaps", Qt.RightDockWidgetArea, "gaps")
        self.tabifyDockWidget(self.dashboard_dock, self.gaps_dock)
        self.dashboard_dock.raise_()
        self.table_dock = self._dock(self.table, "ui.dock.table", Qt.BottomDockWidgetArea, "table")
        self.planning_panel = self._make_planning_panel()
        self.planning_dock = self._dock(self.planning_panel, "ui.dock.planning",
                                        Qt.BottomDockWidgetArea, "planning")
        self.tabifyDockWidget(self.table_dock, self.planning_dock)
        self.table_dock.raise_()
        self.resizeDocks([self.layers_dock, self.dashboard_dock], [300, 430], Qt.Horizontal)
        self.resizeDocks([self.table_dock], [220], Qt.Vertical)

    def _make_planning_panel(self) -> PlanningPanel:
        return PlanningPanel(self.state.project, self.undo_stack,
                             on_changed=lambda _name: self._update_title(),
                             result=self.state.result)

    def _rebuild_planning_panel(self) -> None:
        """The planning panel is bound to one project: build it anew for another project or
        another language."""
        old = self.planning_panel
        self.planning_panel = self._make_planning_panel()
        self.planning_dock.setWidget(self.planning_panel)
        old.deleteLater()

    def _on_planning_result(self) -> None:
        if self.state.result is not None:
            self.planning_panel.set_result(self.state.result)

    def _action(self, key: str, slot: Callable | None = None, shortcut=None, tip: str | None = None,
                checkable: bool = False) -> QAction:
        act = QAction(self)
        self._text(act, "setText", key)
        self._text(act, "setToolTip", tip or key)
        self._text(act, "setStatusTip", tip or key)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        if slot is not None:
            act.triggered.connect(lambda _checked=False: slot())
        return act

    def _build_actions(self) -> None:
        A = self._action  # noqa: N806
        self.act_new = A("ui.act.new", self.new_project, QKeySequence.New, "ui.tip.new")
        self.act_open = A("ui.act.open", self.open_dialog, QKeySequence.Open, "ui.tip.open")
        self.act_save = A("ui.act.save", self.save, QKeySequence.Save, "ui.tip.save")
        self.act_save_as = A("ui.act.save_as", self.save_as, QKeySequence("Ctrl+Shift+S"),
                             "ui.tip.save_as")
        self.act_import = A("ui.act.import", self.import_dialog, QKeySequence("Ctrl+I"),
                            "ui.tip.import")
        self.act_webmap = A("ui.act.webmap", self.export_webmap, None, "ui.tip.webmap")
        self.act_browser = A("ui.act.browser", self.open_in_browser, None, "ui.tip.browser")
        self.act_report = A("ui.act.report", self.export_report, QKeySequence("Ctrl+P"),
                            "ui.tip.report")
        self.act_quit = A("ui.act.quit", self.close, QKeySequence.Quit)
        self.act_undo = self.undo_stack.createUndoAction(self)
        self.act_undo.setShortcut(QKeySequence.Undo)
        self.act_redo = self.undo_stack.createRedoAction(self)
        self.act_redo.setShortcut(QKeySequence.Redo)
        self.act_delete = A("ui.act.delete", self.delete_selected, QKeySequence.Delete,
                            "ui.tip.delete")
        self.act_edit = A("ui.act.edit", self.edit_selected, QKeySequence("F2"), "ui.tip.edit")
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for tool, key, sc in ((Tool.PAN, "ui.act.pan", "P"), (Tool.IDENTIFY, "ui.act.identify", "I"),
                              (Tool.SELECT, "ui.act.select", "S"), (Tool.ZOOM, "ui.act.zoom_box", "Z"),
                              (Tool.ADD, "ui.act.add", "A"), (Tool.MOVE, "ui.act.move", "M")):
            act = A(key, lambda t=tool: self.canvas.set_tool(t), QKeySequence(sc),
                    key.replace("ui.act.", "ui.tip."), checkable=True)
            self.tool_group.addAction(act)
            self.tool_actions[tool] = act
        self.tool_actions[Tool.PAN].setChecked(True)
        self.act_full = A("ui.act.full_extent", self.canvas.full_extent, QKeySequence("Ctrl+0"),
                          "ui.tip.full_extent")
        self.act_zoom_sel = A("ui.act.zoom_selection", self.canvas.zoom_to_selection,
                              QKeySequence("Ctrl+J"), "ui.tip.zoom_selection")
        self.act_zoom_in = A("ui.act.zoom_in", lambda: self.canvas.zoom_by(1.5), QKeySequence.ZoomIn)
        self.act_zoom_out = A("ui.act.zoom_out", lambda: self.canvas.zoom_by(1 / 1.5),
                              QKeySequence.ZoomOut)
        self.act_analyse = A("ui.act.analyse", self.run_analysis, QKeySequence("F5"),
                             "ui.tip.analyse")
        self.act_cancel = A("ui.act.cancel", self.cancel_tasks, None, "ui.tip.cancel")
        self.lang_group = QActionGroup(self)
        self.lang_actions = {}
        for lang, key in (("id", "ui.act.lang_id"), ("en", "ui.act.lang_en")):
            act = A(key, lambda lg=lang: self.set_language(lg), None, key, checkable=True)
            self.lang_group.addAction(act)
            self.lang_actions[lang] = act
        self.act_tour = A("ui.act.tour", self.open_tour, QKeySequence.HelpContents, "ui.tip.tour")
        self.act_about = A("ui.act.about", self.about)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.menus = {}

        def menu(key):
            m = mb.addMenu("")
            self._text(m, "setTitle", key)
            self.menus[key] = m
            return m

        m = menu("ui.menu.file")
        for a in (self.act_new, self.act_open):
            m.addAction(a)
        self.recent_menu = m.addMenu("")
        self._text(self.recent_menu, "setTitle", "ui.menu.recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        for a in (self.act_save, self.act_save_as):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_import, self.act_report, self.act_webmap, self.act_browser):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = menu("ui.menu.edit")
        for a in (self.act_undo, self.act_redo):
            m.addAction(a)
        m.addSeparator()
        for t in (Tool.ADD, Tool.MOVE):
            m.addAction(self.tool_actions[t])
        m.addAction(self.act_edit)
        m.addAction(self.act_delete)
        m = menu("ui.menu.view")
        for t in (Tool.PAN, Tool.IDENTIFY, Tool.SELECT, Tool.ZOOM):
            m.addAction(self.tool_actions[t])
        m.addSeparator()
        for a in (self.act_full, self.act_zoom_sel, self.act_zoom_in, self.act_zoom_out):
            m.addAction(a)
        m.addSeparator()
        for d in (self.layers_dock, self.tree_dock, self.identify_dock, self.dashboard_dock,
                  self.gaps_dock, self.table_dock):
            m.addAction(d.toggleViewAction())
        m = menu("ui.menu.analysis")
        m.addAction(self.act_analyse)
        m.addAction(self.act_cancel)
        m = menu("ui.menu.language")
        for a in self.lang_actions.values():
            m.addAction(a)
        m = menu("ui.menu.help")
        m.addAction(self.act_tour)
        m.addAction(self.act_about)
        tb = self.addToolBar("")
        tb.setObjectName("main_toolbar")
        self._text(tb, "setWindowTitle", "ui.toolbar")
        for a in (self.act_open, self.act_save, self.act_import):
            tb.addAction(a)
        tb.addSeparator()
        for t in (Tool.PAN, Tool.IDENTIFY, Tool.SELECT, Tool.ZOOM):
            tb.addAction(self.tool_actions[t])
        for a in (self.act_full, self.act_zoom_sel):
            tb.addAction(a)
        tb.addSeparator()
        for t in (Tool.ADD, Tool.MOVE):
            tb.addAction(self.tool_actions[t])
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        tb.addSeparator()
        tb.addAction(self.act_analyse)
        tb.addAction(self.act_report)

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.coord_label = QLabel()
        self.utm_label = QLabel()
        self.scale_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_tasks)
        self._text(self.cancel_button, "setText", "ui.act.cancel")
        self.progress.hide()
        self.cancel_button.hide()
        for w in (self.progress, self.cancel_button, self.coord_label, self.utm_label,
                  self.scale_label):
            sb.addPermanentWidget(w)

    # -- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        for obj, setter, key in self._texts:
            getattr(obj, setter)(qtr(key))
        self.act_undo.setText(qtr("ui.act.undo"))
        self.act_redo.setText(qtr("ui.act.redo"))
        self.lang_actions[get_language()].setChecked(True)
        self.identify_table.setHorizontalHeaderLabels([qtr("ui.identify.field"),
                                                       qtr("ui.identify.value")])
        for panel in (self.layers_panel, self.network_tree, self.gaps_panel, self.dashboard,
                      self.table):
            panel.retranslate()
        if getattr(self, "planning_panel", None) is not None:
            self._rebuild_planning_panel()
        self.canvas.invalidate()
        self._on_scale(self.canvas.scale_denominator())
        self._update_title()

    def set_language(self, lang: str) -> None:
        qtapp.set_language(lang)
        self.retranslate()

    # -- title, status ---------------------------------------------------------------------------
    def _update_title(self, *_args) -> None:
        p = self.state.project
        name = p.path.name if p.path else qtr("ui.untitled")
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

    # -- tasks ---------------------------------------------------------------------------------
    def run_task(self, kind: str, fn: Callable, label: str, *, on_done: Callable | None = None,
                 on_error: Callable | None = None, on_cancel: Callable | None = None) -> Task:
        old = self.tasks.get(kind)
        if old is not None and old.running:
            old.cancel()
        task = Task(fn, label=label)
        self.tasks[kind] = task
        task.progress.connect(lambda f, m, t=task: self._on_progress(t, f, m))
        if on_done:
            task.finished.connect(on_done)
        task.failed.connect(on_error or (lambda exc, tb: qtapp.show_error(self, exc, tb)))
        if on_cancel:
            task.cancelled.connect(on_cancel)
        task.cancelled.connect(lambda: self.statusBar().showMessage(qtr("error.cancelled"), 4000))
        task.done.connect(lambda k=kind, t=task: self._on_task_done(k, t))
        self.progress.setValue(0)
        self.progress.setFormat(f"{label} %p%")
        self.progress.show()
        self.cancel_button.show()
        task._started = time.perf_counter()
        start(task)
        return task

    def _on_progress(self, task: Task, fraction: float, message: str) -> None:
        if self.tasks.get("analysis") is task or task in self.tasks.values():
            self.progress.setValue(int(fraction * 1000))
            if message:
                self.statusBar().showMessage(f"{task.label}: {message}")

    def _on_task_done(self, kind: str, task: Task) -> None:
        if self.tasks.get(kind) is task:
            del self.tasks[kind]
        if not any(t.running for t in self.tasks.values()):
            self.progress.hide()
            self.cancel_button.hide()

    def cancel_tasks(self) -> None:
        self.analysis_timer.stop()
        for t in self.tasks.values():
            t.cancel()

    def shutdown(self) -> None:
        """Stop timers and work (cancel, then wait for the workers to return)."""
        from ui.worker import wait_all

        self.autosave_timer.stop()
        self.cancel_tasks()
        wait_all(15.0)

    def busy(self) -> bool:
        """True until every task's result has been handled in the UI thread: a task leaves
        ``tasks`` only in ``_on_task_done``, which Qt delivers after its ``finished`` handler
        (a worker's own ``running``/``outcome`` flags change before that)."""
        return bool(self.tasks)

    # -- analysis --------------------------------------------------------------------------------
    def schedule_analysis(self) -> None:
        if self.state.analysis_available():
            self.analysis_timer.start()

    def run_analysis(self) -> None:
        self.analysis_timer.stop()
        if not self.state.analysis_available():
            self.statusBar().showMessage(qtr("ui.analysis.unavailable"), 6000)
            return
        if not self.state.project.has("desa"):
            self.statusBar().showMessage(qtr("ui.analysis.no_desa"), 6000)
            return
        job = self.state.analysis_job()
        self.run_task("analysis", job, qtr("ui.analysis.label"), on_done=self._on_analysis_done)

    def _on_analysis_done(self, value) -> None:
        revision, result = value
        if not self.state.set_result(result, revision):
            self.schedule_analysis()  # an edit came in meanwhile: analyse the newest data

    def _on_result(self) -> None:
        res = self.state.result
        if res is not None:
            n = len(res.gaps) if res.gaps is not None else 0
            self.statusBar().showMessage(qtr("ui.analysis.done", gaps=n), 5000)

    # -- edits -----------------------------------------------------------------------------------
    def _after_edit(self, rerun: bool) -> None:
        self._update_title()
        if rerun:
            self.schedule_analysis()

    def push(self, make: Callable[[], commands.FrameSwap]) -> bool:
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

    # -- projects ------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to go on."""
        if not (self.state.project.dirty or not self.undo_stack.isClean()):
            return True
        answer = QMessageBox.question(
            self, qtr("ui.unsaved.title"), qtr("ui.unsaved.text", name=self.state.project.title),
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def set_project(self, project: Project, result=None) -> None:
        self.cancel_tasks()
        self.undo_stack.clear()
        self.state.set_project(project, result)
        if result is None and project.has("desa"):
            stored = self.state.stored_result()
            if stored is not None:
                self.state.set_result(stored)
            else:
                self.schedule_analysis()
        self._update_title()

    def new_project(self) -> None:
        if self.maybe_save():
            self.set_project(Project())

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, qtr("ui.act.open"), self._last_dir(),
                                              qtr("ui.filter.project"))
        if path:
            self.open_path(path)

    def _last_dir(self) -> str:
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def open_path(self, path: str | Path, *, check_recovery: bool = True,
                  wait: bool = False) -> Task | None:
        """Open a project file in a worker; a recovery copy newer than the file is offered."""
        from layers.project_file import open_project

        path = Path(path)
        source, recovered = path, False
        rec = recovery_path(path)
        if check_recovery and rec.exists() and path.exists() and \
                rec.stat().st_mtime > path.stat().st_mtime:
            when = time.localtime(rec.stat().st_mtime)
            import datetime as dt

            stamp = dt.datetime(*when[:6])
            answer = QMessageBox.question(
                self, qtr("ui.recovery.title"),
                qtr("ui.recovery.text", name=path.name, when=f"{format_date(stamp)} "
                    f"{stamp:%H:%M}"), QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
            if answer == QMessageBox.Yes:
                source, recovered = rec, True

        def job(progress=None, is_cancelled=None):
            from ilp_gis.jobs import checkpoint

            checkpoint(progress, is_cancelled, 0.05, qtr("ui.open.reading"))
            project = open_project(source)
            checkpoint(progress, is_cancelled, 1.0)
            return project

        def done(project: Project) -> None:
            if recovered:
                project.path = path.resolve()
                project.dirty = True
            self.set_project(project)
            self.add_recent(path)
            self.statusBar().showMessage(qtr("ui.open.done", name=path.name), 4000)

        if wait:
            done(job())
            return None
        return self.run_task("open", job, qtr("ui.open.label", name=path.name), on_done=done)

    def offer_untitled_recovery(self) -> bool:
        """At start: offer the recovery copy of a never-saved project, if one was left."""
        from layers.project_file import open_project

        rec = recovery_path(None)
        if not rec.exists():
            return False
        answer = QMessageBox.question(self, qtr("ui.recovery.title"),
                                      qtr("ui.recovery.untitled"),
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        if answer != QMessageBox.Yes:
            rec.unlink(missing_ok=True)
            return False
        try:
            project = open_project(rec)
        except ProjectError as exc:
            qtapp.show_error(self, exc)
            return False
        project.path = None
        project.dirty = True
        self.set_project(project)
        return True

    def save(self) -> bool:
        if self.state.project.path is None:
            return self.save_as()
        return self._save_to(self.state.project.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, qtr("ui.act.save_as"),
                                              str(Path(self._last_dir()) / "proyek.gpkg"),
                                              qtr("ui.filter.project"))
        if not path:
            return False
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        """Save to ``path`` in a worker (a national project takes many seconds) behind a modal
        progress dialog, so the window keeps painting; returns whether it was saved."""
        from layers.project_file import save_project

        try:
            if self.state.result is not None and self.state.result_is_current:
                try:
                    from ilp_gis.analysis import store_result

                    store_result(self.state.project, self.state.result)
                except ImportError:
                    pass
        except Exception as exc:  # noqa: BLE001 - shown to the person, nothing lost
            qtapp.show_error(self, ProjectError(qtr("ui.save.failed", file=str(path),
                                                    why=str(exc))))
            return False
        snap = self.state.snapshot()
        revision, undo_index = self.state.revision, self.undo_stack.index()
        outcome: dict[str, Any] = {}
        task = Task(lambda progress=None, is_cancelled=None: save_project(snap, path,
                                                                          progress=progress),
                    label=qtr("ui.save.label", name=path.name))
        dialog = QProgressDialog(task.label, "", 0, 1000, self)
        dialog.setCancelButton(None)  # the save is atomic; it is never left half-done
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        loop = QEventLoop()
        task.progress.connect(lambda f, _m: dialog.setValue(int(f * 1000)))
        task.finished.connect(lambda _v: outcome.setdefault("saved", True))
        task.failed.connect(lambda exc, _tb: outcome.setdefault("error", exc))
        task.done.connect(loop.quit)
        start(task)
        if "saved" not in outcome and "error" not in outcome:
            loop.exec()
        dialog.close()
        dialog.deleteLater()
        exc = outcome.get("error")
        if exc is not None:
            qtapp.show_error(self, exc if isinstance(exc, ProjectError) else
                             ProjectError(qtr("ui.save.failed", file=str(path), why=str(exc))))
            return False
        if self.state.revision == revision and self.undo_stack.index() == undo_index:
            self.undo_stack.setClean()
            self.state.mark_saved()
        self.state.project.path = path
        self.state.project.meta.update(snap.meta)  # created / modified / format version
        self.add_recent(path)
        recovery_path(path).unlink(missing_ok=True)
        recovery_path(None).unlink(missing_ok=True)
        self.statusBar().showMessage(qtr("ui.save.done", name=path.name), 4000)
        self._update_title()
        return True

    def autosave(self, *, wait: bool = False) -> Path | None:
        """Write a recovery copy of unsaved work (in a worker; the project stays unsaved)."""
        if not (self.state.project.dirty or not self.undo_stack.isClean()):
            return None
        from layers.project_file import save_project

        snap = self.state.snapshot()
        target = recovery_path(self.state.project.path)

        def job(progress=None, is_cancelled=None):
            target.parent.mkdir(parents=True, exist_ok=True)
            return save_project(snap, target, progress=progress)

        if wait:
            return job()
        self.run_task("autosave", job, qtr("ui.autosave.label"),
                      on_done=lambda p: self.statusBar().showMessage(qtr("ui.autosave.done"), 3000),
                      on_error=lambda exc, tb: log.warning("autosave failed: %s", exc))
        return target

    def recent_files(self) -> list[str]:
        value = qtapp.settings().value("recent", []) or []
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value]

    def add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [p] + [r for r in self.recent_files() if r != p]
        qtapp.settings().setValue("recent", items[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            a = self.recent_menu.addAction(qtr("ui.menu.recent_empty"))
            a.setEnabled(False)
        for i, f in enumerate(files):
            a = self.recent_menu.addAction(f"&{i + 1} {Path(f).name}")
            a.setToolTip(f)
            a.triggered.connect(lambda _c=False, f=f: self.maybe_save() and self.open_path(f))

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.maybe_save():
            self.shutdown()
            if not (self.state.project.dirty or not self.undo_stack.isClean()):
                recovery_path(self.state.project.path).unlink(missing_ok=True)
            event.accept()
        else:
            event.ignore()

    # -- drop files ----------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and paths[0].suffix.lower() == ".gpkg" and _is_project(paths[0]):
            if self.maybe_save():
                self.open_path(paths[0])
            return
        self.import_dialog(paths)

    # -- import, outputs -------------------------------------------------------------------------
    def import_dialog(self, paths=None) -> None:
        from ui.import_dialog import ImportDialog

        dlg = ImportDialog(self.state, self, paths=paths or [])
        if dlg.exec() == QDialog.Accepted and dlg.project is not None:
            self.set_project(dlg.project)
            self.state.project.dirty = True
            self._update_title()

    def _webmap_fn(self):
        try:
            from reports.webmap import export_webmap
        except ImportError:
            QMessageBox.information(self, qtr("ui.act.webmap"), qtr("ui.output.unavailable"))
            return None
        return export_webmap

    def export_webmap(self, path: str | None = None, *, then_open: bool = False) -> None:
        fn = self._webmap_fn()
        if fn is None:
            return
        if self.state.result is None:
            QMessageBox.information(self, qtr("ui.act.webmap"), qtr("ui.output.analyse_first"))
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, qtr("ui.act.webmap"),
                                                  str(Path(self._last_dir()) / "peta.html"),
                                                  "HTML (*.html)")
            if not path:
                return
        snap, result, lang = self.state.snapshot(), self.state.result, get_language()

        def job(progress=None, is_cancelled=None):
            return fn(snap, result, path, online_basemap=False, lang=lang, progress=progress,
                      is_cancelled=is_cancelled)

        def done(_value) -> None:
            self._last_webmap = path
            self.statusBar().showMessage(qtr("cli.written", path=path), 5000)
            if then_open:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.run_task("webmap", job, qtr("ui.act.webmap"), on_done=done)

    def open_in_browser(self) -> None:
        last = getattr(self, "_last_webmap", None)
        if last and Path(last).exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(last)))
            return
        import tempfile

        path = str(Path(tempfile.gettempdir()) / "ilp-gis-peta.html")
        self.export_webmap(path, then_open=True)

    def export_report(self) -> None:
        try:
            from reports.pdf_report import build_report as fn
        except ImportError:
            QMessageBox.information(self, qtr("ui.act.report"), qtr("ui.output.unavailable"))
            return
        path, _ = QFileDialog.getSaveFileName(self, qtr("ui.act.report"),
                                              str(Path(self._last_dir()) / "laporan.pdf"),
                                              "PDF (*.pdf)")
        if not path:
            return
        snap, result, lang = self.state.snapshot(), self.state.result, get_language()

        def job(progress=None, is_cancelled=None):
            return fn(snap, result, path, lang=lang, progress=progress, is_cancelled=is_cancelled)

        self.run_task("report", job, qtr("ui.act.report"), on_done=lambda _v: (
            self.statusBar().showMessage(qtr("cli.written", path=path), 5000),
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))))

    # -- help ------------------------------------------------------------------------------------
    def open_tour(self) -> None:
        readme = _readme_path()
        if readme is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(readme)))
        else:
            QMessageBox.information(self, qtr("ui.act.tour"), qtr("ui.help.no_readme"))

    def about(self) -> None:
        from ilp_gis import __version__

        QMessageBox.about(self, qtr("ui.act.about"), qtr("ui.help.about", version=__version__))


def _readme_path() -> Path | None:
    here = Path(__file__).resolve().parent
    for cand in (here / "resources" / "README.md", here.parent / "README.md"):
        if cand.exists():
            return cand
    return None


def _is_project(path: Path) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            rows = con.execute("SELECT table_name FROM gpkg_contents").fetchall()
    except sqlite3.DatabaseError:
        return False
    return any(r[0] == "meta" for r in rows)


register_catalog("ui", "main_window")
