"""The main window's actions, menus, tool bar and status bar widgets (every text registered for
retranslation).  A mixin of :class:`ui.window.main_window.MainWindow`; imports Qt, ui.map
and ilp_gis.i18n."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from ilp_gis.i18n import register_catalog
from ui.map import Tool


class WindowActions:
    """Actions, menus, tool bar and status bar of the main window."""

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
        self.act_open_store = A("ui.act.open_store", self.open_store_dialog, None,
                                "ui.tip.open_store")
        self.act_history = A("ui.act.history", self.facility_history, None, "ui.tip.history")
        self.act_save = A("ui.act.save", self.save, QKeySequence.Save, "ui.tip.save")
        self.act_save_as = A("ui.act.save_as", self.save_as, QKeySequence("Ctrl+Shift+S"),
                             "ui.tip.save_as")
        self.act_import = A("ui.act.import", self.import_dialog, QKeySequence("Ctrl+I"),
                            "ui.tip.import")
        self.act_browser = A("ui.act.browser", self.open_in_browser, None, "ui.tip.browser")
        self.out_actions = {
            k: A(f"ui.out.menu.{k}", lambda k=k: self.export_output(k), None, f"ui.out.tip.{k}")
            for k in ("plan", "summary", "wallmap", "atlas", "atlas_desa", "xlsx", "webmap")}
        self.act_report = self.out_actions["plan"]
        self.act_report.setShortcut(QKeySequence("Ctrl+P"))
        self._text(self.act_report, "setIconText", "ui.out.toolbar.plan")  # short, in the bar
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

        tools = self.tool_actions
        m = menu("ui.menu.file")
        _fill(m, self.act_new, self.act_open, self.act_open_store)
        self.recent_menu = m.addMenu("")
        self._text(self.recent_menu, "setTitle", "ui.menu.recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        _fill(m, None, self.act_save, self.act_save_as, None, self.act_import, None,
              self.act_quit)
        _fill(menu("ui.menu.edit"), self.act_undo, self.act_redo, None, tools[Tool.ADD],
              tools[Tool.MOVE], self.act_edit, self.act_delete, None, self.act_history)
        _fill(menu("ui.menu.view"), tools[Tool.PAN], tools[Tool.IDENTIFY], tools[Tool.SELECT],
              tools[Tool.ZOOM], None, self.act_full, self.act_zoom_sel, self.act_zoom_in,
              self.act_zoom_out, None,
              *(d.toggleViewAction() for d in (self.layers_dock, self.tree_dock, self.areas_dock,
                                               self.identify_dock, self.dashboard_dock,
                                               self.gaps_dock, self.table_dock)))
        _fill(menu("ui.menu.analysis"), self.act_analyse, self.act_cancel)
        o = self.out_actions
        _fill(menu("ui.menu.outputs"), o["plan"], o["summary"], None, o["wallmap"], o["atlas"],
              o["atlas_desa"], None, o["xlsx"], o["webmap"], self.act_browser)
        _fill(menu("ui.menu.language"), *self.lang_actions.values())
        _fill(menu("ui.menu.help"), self.act_tour, self.act_about)
        tb = self.toolbar = self.addToolBar("")
        tb.setObjectName("main_toolbar")
        self._text(tb, "setWindowTitle", "ui.toolbar")
        _fill(tb, self.act_open, self.act_save, self.act_import, None, tools[Tool.PAN],
              tools[Tool.IDENTIFY], tools[Tool.SELECT], tools[Tool.ZOOM], self.act_full,
              None, tools[Tool.ADD], tools[Tool.MOVE], self.act_undo,
              self.act_redo, None, self.act_analyse, self.act_report)

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



def _fill(bar, *items: QAction | None) -> None:
    """Add ``items`` to a menu or tool bar in order; ``None`` adds a separator."""
    for item in items:
        if item is None:
            bar.addSeparator()
        else:
            bar.addAction(item)


register_catalog("ui", "window.actions")
