"""The planning panel: budget lines, budget sync, site optimisation and scenarios.

``PlanningPanel(project, undo_stack, on_changed=callable)`` is a QWidget with four tabs.  The
state lives in the :class:`ilp_gis.project.Project`; every edit of the budget lines or the
scenarios is a ``QUndoCommand`` on the given stack that swaps whole frames (so undo/redo is
exact).  Long work (optimisation, scenario analysis) runs in :mod:`ui.worker` tasks with
cancel; the greedy answer of the optimisation is shown as soon as it exists, the exact one
when HiGHS is done.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import budget as B
from ilp_gis import model, scenario, siting
from ilp_gis.errors import IlpError
from ilp_gis.i18n import format_number, format_rupiah, register_catalog, tr
from layers.symbology import FUNDING_STYLES
from ui.worker import Task

# ==================================================================================================
# Table models
# ==================================================================================================


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return isinstance(v, float) and math.isnan(v)
    except TypeError:
        return False


_ROOT = QModelIndex()


class FrameModel(QAbstractTableModel):
    """A table model over a DataFrame: ``columns`` = [(column, header, kind)], kind one of
    ``text``, ``int``, ``number``, ``rupiah``, ``funding_state``, ``label:<prefix>``.

    Editable columns call ``on_edit(row, column, value)`` instead of changing the frame.
    """

    def __init__(self, columns: list[tuple[str, str, str]], *, editable: tuple[str, ...] = (),
                 on_edit: Callable[[int, str, Any], bool] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.spec = columns
        self.editable = set(editable)
        self.on_edit = on_edit
        self.frame = pd.DataFrame()

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        self.beginResetModel()
        self.frame = (pd.DataFrame() if frame is None else pd.DataFrame(frame)).reset_index(
            drop=True)
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.spec)

    def value(self, row: int, col: int) -> Any:
        name = self.spec[col][0]
        return self.frame.at[row, name] if name in self.frame.columns else None

    def text(self, row: int, col: int) -> str:
        v = self.value(row, col)
        kind = self.spec[col][2]
        if _missing(v):
            return "–" if kind in ("number", "rupiah", "int") else ""
        if kind == "rupiah":
            return format_rupiah(v)
        if kind == "number":
            return format_number(v, 1 if float(v) % 1 else 0)
        if kind == "int":
            return format_number(v)
        if kind == "funding_state":
            return tr(f"budget.state.{v}")
        if kind.startswith("label:"):
            key = f"{kind[6:]}.{v}"
            return tr(key) if key != tr(key) else str(v)
        if kind == "codes":  # ";"-joined funding sources
            return ", ".join(tr(f"funding.{s}") for s in str(v).split(";") if s)
        return str(v)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        kind = self.spec[c][2]
        if role == Qt.DisplayRole or role == Qt.ToolTipRole:
            return self.text(r, c)
        if role == Qt.EditRole:
            v = self.value(r, c)
            return "" if _missing(v) else str(v)
        if role == Qt.TextAlignmentRole and kind in ("number", "rupiah", "int"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and kind == "funding_state":
            style = FUNDING_STYLES.get(str(self.value(r, c)))
            if style is not None and style.fill:
                colour = QColor(style.fill)
                colour.setAlpha(110)
                return QBrush(colour)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return self.spec[section][1] if section < len(self.spec) else None
        return str(section + 1)

    def flags(self, index: QModelIndex):
        f = super().flags(index)
        if index.isValid() and self.spec[index.column()][0] in self.editable and self.on_edit:
            f |= Qt.ItemIsEditable
        return f

    def setData(self, index: QModelIndex, value, role: int = Qt.EditRole) -> bool:  # noqa: N802
        if role != Qt.EditRole or not index.isValid() or self.on_edit is None:
            return False
        col = self.spec[index.column()][0]
        if col not in self.editable:
            return False
        return bool(self.on_edit(index.row(), col, value))


# ==================================================================================================
# Results crossing threads
# ==================================================================================================
# pyproj gives every thread its own PROJ context and every CRS object is bound to the context of
# the thread that made it.  Objects made in a worker must therefore not be kept (nor freed while
# the worker runs) in the UI thread: previews cross as plain data, final results are re-made
# with CRS objects of the UI thread once the worker is idle.


# Worse, a QThreadPool thread is a "foreign" thread for Python: each run gets a fresh Python
# thread state, pyproj's thread-local owner of the PROJ context dies at the end of the run while
# the native thread keeps pointing at the freed context, and the next run in that thread
# crashes inside PROJ.  So planning work runs on ONE long-lived Python thread instead.
_EXECUTOR = None
SYNC_INLINE_MAX_GAPS = 20_000
"""Up to this many gaps budget sync runs inline (well under a second); above, in the worker."""


def start(task: Task) -> Task:
    """Run ``task`` on the planning worker thread (a persistent Python thread)."""
    global _EXECUTOR
    if _EXECUTOR is None:
        from concurrent.futures import ThreadPoolExecutor

        _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ilp-planning")
    _EXECUTOR.submit(task.run_here)
    return task


class _PlainSiting:
    """A greedy preview without geometry or CRS (safe to hand to the UI thread)."""

    def __init__(self, res) -> None:
        self.method = res.method
        self.mip_gap = res.mip_gap
        self.population_gained = res.population_gained
        self.cost = res.cost
        sites = res.sites
        self.sites = pd.DataFrame(sites.drop(columns="geometry"))


def _plain_siting(res) -> _PlainSiting:
    return _PlainSiting(res)


def _rehome_siting(res) -> None:
    """Re-make the CRS objects of a finished SitingResult in the calling (UI) thread."""
    from pyproj import CRS

    if res.sites.crs is not None:
        res.sites = res.sites.set_crs(CRS.from_wkt(res.sites.crs.to_wkt()), allow_override=True)
    p = res.problem
    if p is not None:
        p.crs = CRS.from_wkt(CRS(p.crs).to_wkt())
        if p.candidates.crs is not None:
            p.candidates = p.candidates.set_crs(p.crs, allow_override=True)


# ==================================================================================================
# Undo commands
# ==================================================================================================


class SetFrameCommand(QUndoCommand):
    """Replace a project layer/table by a new frame; undo puts the old one back."""

    def __init__(self, project, name: str, new: pd.DataFrame, text: str,
                 after: Callable[[], None] | None = None) -> None:
        super().__init__(text)
        self.project = project
        self.name = name
        self.old = _current(project, name)
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


def _current(project, name: str) -> pd.DataFrame:
    if name in model.LAYERS:
        return pd.DataFrame(project.layer(name)).copy()
    frame = project.tables.get(name)
    return scenario.empty_actions() if frame is None else pd.DataFrame(frame).copy()


# ==================================================================================================
# The panel
# ==================================================================================================

BUDGET_COLUMNS = [
    ("budget_id", "planning.col.budget_id", "text"),
    ("source", "planning.col.source", "label:funding"),
    ("year", "planning.col.year", "text"),
    ("activity", "planning.col.activity", "label:activity"),
    ("target_desa", "planning.col.target_desa", "text"),
    ("target_facility", "planning.col.target_facility", "text"),
    ("amount", "planning.col.amount", "rupiah"),
    ("status", "planning.col.status", "label:budget_status"),
    ("note", "planning.col.note", "text"),
]


class _Bridge(QObject):
    """Carries the greedy answer from the worker thread to the UI thread."""

    greedy = Signal(object)


class PlanningPanel(QWidget):
    """Budget lines, budget sync, siting and scenarios for one project.

    Signals for the main window's map: ``sites_ready(GeoDataFrame)`` (chosen sites, EPSG:4326),
    ``funding_ready(GeoDataFrame)`` (desa with ``funding_state``, styled by
    ``layers.symbology.FUNDING_STYLES``), ``comparison_ready(GeoDataFrame)`` (desa with the
    scenario's before/after changes).
    """

    sites_ready = Signal(object)
    funding_ready = Signal(object)
    comparison_ready = Signal(object)

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
        self._bridge = _Bridge(self)
        self._bridge.greedy.connect(self._on_greedy)

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

    def _disconnect(self) -> None:
        try:
            self.project.changed.disconnect(self._on_project_change)
        except Exception:  # noqa: BLE001 - already gone
            pass

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _table(model_: QAbstractTableModel) -> QTableView:
        view = QTableView()
        view.setModel(model_)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        view.horizontalHeader().setStretchLastSection(True)
        view.verticalHeader().setDefaultSectionSize(22)
        view.setAlternatingRowColors(True)
        # Columns wide enough for their headers and values (measured on the first rows only,
        # so a national table stays fast), re-measured whenever the table is refilled.
        view.horizontalHeader().setResizeContentsPrecision(100)
        model_.modelReset.connect(view.resizeColumnsToContents)
        view.resizeColumnsToContents()
        return view

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

    # ==============================================================================================
    # Tab 1: budget lines
    # ==============================================================================================
    def _budget_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        cols = [(c, tr(k), kind) for c, k, kind in BUDGET_COLUMNS]
        self.budget_model = FrameModel(cols, editable=tuple(c for c, _, _ in BUDGET_COLUMNS),
                                       on_edit=self._edit_budget_cell)
        self.budget_view = self._table(self.budget_model)
        self.budget_view.setEditTriggers(QAbstractItemView.DoubleClicked
                                         | QAbstractItemView.EditKeyPressed)
        buttons = QHBoxLayout()
        self.add_line_button = QPushButton(tr("planning.budget.add"))
        self.delete_line_button = QPushButton(tr("planning.budget.delete"))
        self.import_button = QPushButton(tr("planning.budget.import"))
        self.add_line_button.clicked.connect(self.add_budget_line)
        self.delete_line_button.clicked.connect(self.delete_selected_lines)
        self.import_button.clicked.connect(self._import_dialog)
        for b in (self.add_line_button, self.delete_line_button, self.import_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.budget_total_label = QLabel()
        buttons.addWidget(self.budget_total_label)
        lay.addLayout(buttons)
        lay.addWidget(self.budget_view)
        return w

    def _refresh_budget(self) -> None:
        frame = pd.DataFrame(self.project.budget)
        self.budget_model.set_frame(frame)
        total = pd.to_numeric(frame.get("amount"), errors="coerce").sum() if len(frame) else 0
        self.budget_total_label.setText(tr("planning.budget.total", n=len(frame),
                                           total=format_rupiah(total)))

    def _edit_budget_cell(self, row: int, column: str, value: Any) -> bool:
        text = value.strip() if isinstance(value, str) else value
        if column == "amount":
            parsed = B.parse_amount(text)
        elif column == "year":
            parsed = B.parse_year(text)
        elif column == "source":
            parsed = B.parse_source(text)
        elif column == "activity":
            parsed = B.parse_activity(text)
        elif column == "status":
            parsed = B.parse_status(text)
        else:
            parsed = B.Parsed(None if text in ("", None) else str(text))
        if parsed.status == "error":
            QMessageBox.warning(self, tr("planning.error_title"), parsed.message)
            return False
        if column == "budget_id" and parsed.value is None:
            return False
        frame = pd.DataFrame(self.project.budget).copy()
        old = frame.at[row, column]
        if (_missing(old) and parsed.value is None) or old == parsed.value:
            return False
        if column == "year":
            frame[column] = frame[column].astype("Int64")
        elif column == "amount":
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype(object)
        frame.at[row, column] = parsed.value
        self.undo_stack.push(SetFrameCommand(
            self.project, "budget", frame,
            tr("planning.undo.edit", column=tr(dict((c, k) for c, k, _ in BUDGET_COLUMNS)[column]),
               row=row + 1),
            after=lambda: self._changed("budget")))
        return True

    def add_budget_line(self) -> None:
        frame = pd.DataFrame(self.project.budget).copy()
        ids = set(frame["budget_id"].astype(str)) if len(frame) else set()
        n = len(frame) + 1
        while f"BL-{n:04d}" in ids:
            n += 1
        row = {c: None for c in model.BUDGET.column_names}
        row.update({"budget_id": f"BL-{n:04d}", "source": model.FundingSource.OTHER.value,
                    "year": pd.Timestamp.now().year + 1, "activity": model.Activity.OTHER.value,
                    "amount": math.nan, "status": model.BudgetStatus.PROPOSED.value})
        new = pd.concat([frame, pd.DataFrame([row])], ignore_index=True) if len(frame) \
            else pd.DataFrame([row])
        self.undo_stack.push(SetFrameCommand(self.project, "budget", new,
                                             tr("planning.undo.add"),
                                             after=lambda: self._changed("budget")))
        self.budget_view.scrollToBottom()

    def delete_selected_lines(self) -> None:
        rows = sorted({i.row() for i in self.budget_view.selectionModel().selectedRows()})
        if not rows:
            return
        frame = pd.DataFrame(self.project.budget)
        new = frame.drop(index=frame.index[rows]).reset_index(drop=True)
        self.undo_stack.push(SetFrameCommand(self.project, "budget", new,
                                             tr("planning.undo.delete", n=len(rows)),
                                             after=lambda: self._changed("budget")))

    def import_budget(self, path) -> pd.DataFrame:
        """Append the lines of a budget workbook (undoable); returns the import report."""
        from layers.budget_import import read_budget

        lines, report = read_budget(path, desa=self.project.desa,
                                    facilities=self.project.facilities)
        frame = pd.DataFrame(self.project.budget)
        new = pd.concat([frame, lines], ignore_index=True) if len(frame) else lines
        self.undo_stack.push(SetFrameCommand(self.project, "budget", new,
                                             tr("planning.undo.import", n=len(lines)),
                                             after=lambda: self._changed("budget")))
        self.project.append_import_report(report)
        return report

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("planning.budget.import"), "",
                                              tr("planning.budget.filter"))
        if not path:
            return
        try:
            report = self.import_budget(path)
        except IlpError as exc:
            self._error(exc)
            return
        counts = report["status"].value_counts()
        QMessageBox.information(self, tr("planning.budget.import"), tr(
            "planning.budget.imported", imported=int(counts.get("imported", 0)),
            fixed=int(counts.get("fixed", 0)), doubtful=int(counts.get("doubtful", 0)),
            skipped=int(counts.get("skipped", 0))))

    # ==============================================================================================
    # Tab 2: budget sync
    # ==============================================================================================
    def _sync_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        top = QHBoxLayout()
        self.sync_button = QPushButton(tr("planning.sync.refresh"))
        self.sync_button.clicked.connect(self.refresh_sync)
        self.sync_label = QLabel(tr("planning.sync.no_result"))
        self.sync_label.setWordWrap(True)
        top.addWidget(self.sync_button)
        top.addWidget(self.sync_label, 1)
        lay.addLayout(top)
        self.sync_model = FrameModel([
            ("priority_rank", tr("budget.col.priority_rank"), "int"),
            ("kind", tr("budget.col.kind"), "label:gap"),
            ("desa_name", tr("budget.col.desa"), "text"),
            ("kecamatan_name", tr("budget.col.kecamatan"), "text"),
            ("funding_state", tr("budget.col.state"), "funding_state"),
            ("sources", tr("budget.col.sources"), "codes"),
            ("years", tr("budget.col.years"), "text"),
            ("amount", tr("budget.col.amount"), "rupiah"),
            ("needed", tr("budget.col.needed"), "rupiah"),
            ("shortfall", tr("budget.col.shortfall"), "rupiah"),
        ])
        self.totals_model = FrameModel([
            ("source", tr("budget.col.source"), "label:funding"),
            ("year", tr("budget.col.year"), "text"),
            ("lines", tr("budget.col.lines"), "int"),
            ("amount", tr("budget.col.amount"), "rupiah"),
            ("amount_on_gaps", tr("budget.col.amount_on_gaps"), "rupiah"),
        ])
        self.state_filter = QComboBox()
        self.state_filter.addItem(tr("planning.sync.all"), "")
        for s in B.FUNDING_STATES:
            self.state_filter.addItem(tr(f"budget.state.{s}"), s)
        self.state_filter.currentIndexChanged.connect(self._show_sync)
        top.addWidget(self.state_filter)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self._table(self.sync_model))
        split.addWidget(self._table(self.totals_model))
        split.setSizes([300, 120])
        lay.addWidget(split)
        return w

    def set_result(self, result) -> None:
        """Give the panel the baseline analysis result (the main window does after analyse)."""
        self.result = result
        self.outcome = None
        if result is not None:
            self.refresh_sync()

    def _baseline(self):
        if self.result is None:
            try:
                from ilp_gis.analysis import load_result

                self.result = load_result(self.project)
            except ImportError:
                self.result = None
        return self.result

    def refresh_sync(self) -> None:
        """Budget sync of the baseline: inline for a district, in the planning worker for a
        large project (a national one takes ~20 s) so the window never freezes."""
        result = self._baseline()
        self._sync_token = token = object()  # a newer refresh wins over an older one
        if result is None:
            self.sync_label.setText(tr("planning.sync.no_result"))
            self.sync = None
            self.sync_model.set_frame(None)
            self.totals_model.set_frame(None)
            return
        gaps = getattr(result, "gaps", None)
        if gaps is None or len(gaps) <= SYNC_INLINE_MAX_GAPS:
            self._show_sync_result(B.budget_sync(self.project, result))
            return
        project = self.project.snapshot()

        def work(progress=None, is_cancelled=None):
            return B.budget_sync(project, result)

        task = Task(work, label="budget-sync", parent=self)
        task.finished.connect(lambda sync: self._show_sync_result(sync)
                              if self._sync_token is token else None)
        task.failed.connect(lambda exc, _tb: self._error(exc))
        self.sync_label.setText(tr("planning.sync.running"))
        start(task)

    def _show_sync_result(self, sync) -> None:
        self.sync = sync
        c = self.sync.counts
        self.sync_label.setText(tr("planning.sync.counts", funded=c["funded"],
                                   partly=c["partly"], unfunded=c["unfunded"]))
        self.totals_model.set_frame(self.sync.totals)
        self._show_sync()
        if self.project.has("desa"):
            self.funding_ready.emit(B.funding_layer(self.sync, self.project.desa))

    def _show_sync(self) -> None:
        if self.sync is None:
            return
        gf = self.sync.gap_funding.sort_values(["priority_rank", "gap_id"], na_position="last")
        state = self.state_filter.currentData()
        if state:
            gf = gf[gf["funding_state"] == state]
        self.sync_model.set_frame(gf)

    # ==============================================================================================
    # Tab 3: siting
    # ==============================================================================================
    def _siting_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        form = QFormLayout()
        self.type_combo = QComboBox()
        self.type_combo.addItem(tr("facility.pustu"), "pustu")
        self.type_combo.addItem(tr("facility.posyandu"), "posyandu")
        form.addRow(tr("planning.siting.type"), self.type_combo)

        self.mode_budget = QRadioButton(tr("planning.siting.by_budget"))
        self.mode_k = QRadioButton(tr("planning.siting.by_k"))
        self.mode_budget.setChecked(True)
        group = QButtonGroup(w)
        group.addButton(self.mode_budget)
        group.addButton(self.mode_k)
        self.budget_edit = QLineEdit("Rp 5 M")
        self.budget_edit.setPlaceholderText("Rp 5 M · 750 jt · 5000000000")
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 10000)
        self.k_spin.setValue(5)
        row = QHBoxLayout()
        row.addWidget(self.mode_budget)
        row.addWidget(self.budget_edit)
        row.addWidget(self.mode_k)
        row.addWidget(self.k_spin)
        form.addRow(tr("planning.siting.limit_money"), row)

        self.limit_kind = QComboBox()
        self.limit_kind.addItem(tr("planning.siting.km"), "km")
        self.limit_kind.addItem(tr("planning.siting.min"), "min")
        self.limit_spin = QDoubleSpinBox()
        self.limit_spin.setRange(0.1, 600)
        self.limit_spin.setDecimals(1)
        self.limit_spin.setValue(float(self.project.rules.value("limit.pustu_distance_km")))
        self.limit_kind.currentIndexChanged.connect(self._limit_default)
        self.type_combo.currentIndexChanged.connect(self._limit_default)
        row2 = QHBoxLayout()
        row2.addWidget(self.limit_kind)
        row2.addWidget(self.limit_spin)
        form.addRow(tr("planning.siting.limit"), row2)
        lay.addLayout(form)

        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr("planning.siting.run"))
        self.cancel_button = QPushButton(tr("planning.siting.cancel"))
        self.cancel_button.setEnabled(False)
        self.save_scenario_button = QPushButton(tr("planning.siting.save"))
        self.save_scenario_button.setEnabled(False)
        self.run_button.clicked.connect(self.run_siting)
        self.cancel_button.clicked.connect(self.cancel_siting)
        self.save_scenario_button.clicked.connect(self.save_siting_scenario)
        for b in (self.run_button, self.cancel_button, self.save_scenario_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.siting_label = QLabel(tr("planning.siting.hint"))
        self.siting_label.setWordWrap(True)
        lay.addWidget(self.siting_label)
        self.sites_model = FrameModel([
            ("order", tr("planning.col.order"), "int"),
            ("kind", tr("planning.col.kind"), "label:planning.kind"),
            ("name", tr("planning.col.name"), "text"),
            ("desa_code", tr("planning.col.target_desa"), "text"),
            ("cost", tr("planning.col.cost"), "rupiah"),
            ("pop_gained", tr("planning.col.pop_gained"), "int"),
        ])
        lay.addWidget(self._table(self.sites_model))
        return w

    def _limit_default(self) -> None:
        rules = self.project.rules
        t = self.type_combo.currentData()
        if self.limit_kind.currentData() == "km":
            self.limit_spin.setValue(float(rules.value(f"limit.{t}_distance_km",
                                                       rules.value("limit.pustu_distance_km"))))
        else:
            self.limit_spin.setValue(float(rules.value("limit.pustu_travel_min")))

    def _siting_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"site_type": self.type_combo.currentData()}
        if self.mode_budget.isChecked():
            parsed = B.parse_amount(self.budget_edit.text())
            if parsed.value is None or parsed.status == "error":
                raise IlpError(tr("siting.budget_unreadable", value=self.budget_edit.text()))
            args["budget"] = float(parsed.value)
        else:
            args["k"] = int(self.k_spin.value())
        if self.limit_kind.currentData() == "km":
            args["limit_km"] = float(self.limit_spin.value())
        else:
            args["limit_min"] = float(self.limit_spin.value())
        return args

    def run_siting(self) -> Task | None:
        try:
            args = self._siting_args()
        except IlpError as exc:
            self._error(exc)
            return None
        project = self.project.copy()  # the worker reads a snapshot, never the live project
        bridge = self._bridge

        def on_greedy(res):  # worker thread: hand over plain data only (no pyproj objects)
            bridge.greedy.emit(_plain_siting(res))

        def work(progress=None, is_cancelled=None):
            return siting.plan_sites(project, **args, on_greedy=on_greedy,
                                     progress=progress, is_cancelled=is_cancelled)

        task = Task(work, label="siting", parent=self)
        task.finished.connect(self._on_siting_done)
        task.failed.connect(lambda exc, _tb: self._on_siting_failed(exc))
        task.cancelled.connect(self._on_siting_cancelled)
        task.progress.connect(lambda f, m: self.siting_label.setText(
            f"{m} ({int(f * 100)}%)" if m else self.siting_label.text()))
        self.siting_task = task
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.save_scenario_button.setEnabled(False)
        self.siting_label.setText(tr("siting.progress.build"))
        start(task)
        return task

    def cancel_siting(self) -> None:
        if self.siting_task is not None:
            self.siting_task.cancel()

    def _show_siting(self, result) -> None:
        if isinstance(result, siting.SitingResult):
            self.siting_result = result
            sites = pd.DataFrame(result.sites.drop(columns="geometry"))
        else:  # the greedy preview: plain data
            sites = result.sites
        self.sites_model.set_frame(sites)
        gap = result.mip_gap
        self.siting_label.setText(tr(
            "planning.siting.result", method=tr(f"siting.method.{result.method}"),
            n=len(result.sites), pop=format_number(result.population_gained),
            cost=format_rupiah(result.cost),
            gap="–" if not np.isfinite(gap) else format_number(100 * gap, 2) + "%"))

    def _on_greedy(self, result) -> None:
        if self.siting_task is not None and self.siting_task.running:
            self._show_siting(result)
            self.siting_label.setText(self.siting_label.text() + " — "
                                      + tr("planning.siting.searching"))

    def _siting_finished(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.save_scenario_button.setEnabled(self.siting_result is not None
                                             and len(self.siting_result.sites) > 0)

    def _on_siting_done(self, result) -> None:
        _rehome_siting(result)
        self._show_siting(result)
        if result.problem is not None and result.problem.population_uncovered == 0:
            self.siting_label.setText(tr("siting.all_covered", type=tr(
                f"facility.{result.problem.site_type}")))
        self.sites_ready.emit(result.sites)
        self._siting_finished()

    def _on_siting_failed(self, exc) -> None:
        self._siting_finished()
        self.siting_label.setText(str(exc))
        if not isinstance(exc, IlpError):
            raise exc
        self._error(exc)

    def _on_siting_cancelled(self) -> None:
        self._siting_finished()
        self.siting_label.setText(tr("error.cancelled"))

    def save_siting_scenario(self, name: str | None = None) -> str | None:
        if self.siting_result is None:
            return None
        name = name or tr("planning.siting.scenario_name", type=tr(
            f"facility.{self.siting_result.problem.site_type}"),
            n=len(self.siting_result.sites))
        names = scenario.scenario_names(self.project)
        base, i = name, 2
        while name in names:
            name = f"{base} ({i})"
            i += 1
        acts = scenario.actions_from_siting(self.siting_result)
        self.push_scenario(name, acts)
        self.tabs.setCurrentIndex(3)
        return name

    # ==============================================================================================
    # Tab 4: scenarios
    # ==============================================================================================
    def _scenario_tab(self) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        left = QVBoxLayout()
        self.scenario_list = QListWidget()
        self.scenario_list.currentTextChanged.connect(self._show_actions)
        self.compare_button = QPushButton(tr("planning.scenario.compare"))
        self.delete_scenario_button = QPushButton(tr("planning.scenario.delete"))
        self.compare_button.clicked.connect(self.compare_selected)
        self.delete_scenario_button.clicked.connect(self.delete_selected_scenario)
        left.addWidget(self.scenario_list)
        left.addWidget(self.compare_button)
        left.addWidget(self.delete_scenario_button)
        lay.addLayout(left, 1)
        right = QSplitter(Qt.Vertical)
        self.actions_model = FrameModel([
            ("action", tr("planning.col.action"), "label:scenario.action"),
            ("name", tr("planning.col.name"), "text"),
            ("fac_id", tr("planning.col.target_facility"), "text"),
            ("desa_code", tr("planning.col.target_desa"), "text"),
            ("count", tr("planning.col.count"), "number"),
            ("amount", tr("planning.col.amount"), "rupiah"),
            ("source", tr("planning.col.source"), "label:funding"),
            ("year", tr("planning.col.year"), "text"),
        ])
        self.compare_model = FrameModel([
            ("kecamatan_name", tr("scenario.col.kecamatan"), "text"),
            ("gaps_before", tr("scenario.col.gaps_before"), "int"),
            ("gaps_after", tr("scenario.col.gaps_after"), "int"),
            ("gaps_closed", tr("scenario.col.gaps_closed"), "int"),
            ("pop_newly_covered", tr("scenario.col.pop_newly_covered"), "int"),
            ("cost", tr("scenario.col.cost"), "rupiah"),
            ("cost_per_person", tr("scenario.col.cost_per_person"), "rupiah"),
        ])
        right.addWidget(self._table(self.actions_model))
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        self.compare_label = QLabel(tr("planning.scenario.hint"))
        self.compare_label.setWordWrap(True)
        bl.addWidget(self.compare_label)
        bl.addWidget(self._table(self.compare_model))
        right.addWidget(box)
        lay.addWidget(right, 3)
        return w

    def _refresh_scenarios(self) -> None:
        current = self.scenario_list.currentItem().text() if self.scenario_list.currentItem() \
            else None
        self.scenario_list.blockSignals(True)
        self.scenario_list.clear()
        names = scenario.scenario_names(self.project)
        self.scenario_list.addItems(names)
        self.scenario_list.blockSignals(False)
        if names:
            self.scenario_list.setCurrentRow(names.index(current) if current in names
                                             else len(names) - 1)
        else:
            self.actions_model.set_frame(None)
        self._show_actions(self.scenario_list.currentItem().text()
                           if self.scenario_list.currentItem() else "")

    def _show_actions(self, name: str) -> None:
        self.actions_model.set_frame(scenario.scenario_actions(self.project, name) if name
                                     else None)
        if self.outcome is None or self.outcome.name != name:
            self.compare_model.set_frame(None)
            self.compare_label.setText(tr("planning.scenario.hint"))

    def push_scenario(self, name: str, actions: pd.DataFrame) -> None:
        """Store a scenario (undoable)."""
        tmp = self.project.copy()
        scenario.set_scenario(tmp, name, actions)  # validates; raises InputError
        self.undo_stack.push(SetFrameCommand(self.project, scenario.TABLE,
                                             tmp.tables[scenario.TABLE],
                                             tr("planning.undo.scenario", name=name),
                                             after=lambda: self._changed(scenario.TABLE)))

    def delete_selected_scenario(self) -> None:
        item = self.scenario_list.currentItem()
        if item is None:
            return
        acts = scenario.all_actions(self.project)
        new = acts[acts["scenario"] != item.text()].reset_index(drop=True)
        self.undo_stack.push(SetFrameCommand(self.project, scenario.TABLE, new,
                                             tr("planning.undo.delete_scenario",
                                                name=item.text()),
                                             after=lambda: self._changed(scenario.TABLE)))

    def compare_selected(self, analyze=None) -> Task | None:
        item = self.scenario_list.currentItem()
        if item is None:
            return None
        name = item.text()
        project = self.project.copy()
        baseline = self._baseline()

        def work(progress=None, is_cancelled=None):
            return scenario.run_scenario(project, name, baseline=baseline, analyze=analyze,
                                         progress=progress, is_cancelled=is_cancelled)

        task = Task(work, label="scenario", parent=self)
        task.finished.connect(self._on_compared)
        task.failed.connect(lambda exc, _tb: self._on_compare_failed(exc))
        task.cancelled.connect(lambda: self.compare_button.setEnabled(True))
        self.compare_button.setEnabled(False)
        self.compare_label.setText(tr("scenario.progress.analyze", name=name))
        self.scenario_task = task
        start(task)
        return task

    def _on_compared(self, outcome) -> None:
        # Keep only plain tables: frames built in the worker carry pyproj objects tied to the
        # worker thread's PROJ context, which must not outlive that thread.
        outcome.project = outcome.result = None
        self.compare_button.setEnabled(True)
        if self.project.has("desa"):
            self.comparison_ready.emit(scenario.change_layer(outcome, self.project.desa))
        self.outcome = outcome
        self.compare_model.set_frame(outcome.comparison)
        t = outcome.total
        self.compare_label.setText(tr(
            "planning.scenario.summary", name=outcome.name, closed=int(t["gaps_closed"]),
            new=int(t["gaps_new"]), pop=format_number(t["pop_newly_covered"]),
            cost=format_rupiah(outcome.cost),
            per=format_rupiah(t["cost_per_person"])))

    def _on_compare_failed(self, exc) -> None:
        self.compare_button.setEnabled(True)
        self.compare_label.setText(str(exc))
        if not isinstance(exc, IlpError):
            raise exc
        self._error(exc)


register_catalog("ui", "planning_panel")
