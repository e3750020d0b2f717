"""The budget-sync tab of the planning panel: the actions that close the baseline's gaps, each
with the gaps it closes, matched with the budget lines (inline for a district, on the planning
lane for a large project), and the totals per source and year.  Imports Qt, pandas, ``ilp_gis`` and ui.table_model/ui.worker."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import budget as B
from ilp_gis.i18n import format_rupiah, register_catalog, tr
from ui.table_model import FrameModel
from ui.worker import Task, start

SYNC_INLINE_MAX_GAPS = 20_000
"""Up to this many gaps budget sync runs inline (well under a second); above, in the worker."""


class BudgetSyncTab:
    """The budget-sync tab, a mixin of :class:`~ui.panels.planning.panel.PlanningPanel`."""

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
            ("action_id", tr("budget.col.action_id"), "text"),
            ("priority_rank", tr("budget.col.priority_rank"), "int"),
            ("activity", tr("budget.col.activity"), "label:activity"),
            ("desa_name", tr("budget.col.desa"), "text"),
            ("kecamatan_name", tr("budget.col.kecamatan"), "text"),
            ("gap_labels", tr("budget.col.closes"), "text"),
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

    def show_analysis_pending(self, pending: bool) -> None:
        """Tell the tab an analysis is scheduled or running (``pending``) or has ended without a
        result: without a result its line says the sync follows the analysis, not "run it"."""
        if self.result is not None or self.sync is not None:
            return
        self.sync_label.setText(tr("planning.sync.pending" if pending else "planning.sync.no_result"))

    def _baseline(self):
        if self.result is None:
            from ilp_gis.analysis import load_result

            self.result = load_result(self.project)
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
        start(task, lane="planning")

    def _show_sync_result(self, sync) -> None:
        self.sync = sync
        c = self.sync.action_counts
        g = self.sync.counts
        self.sync_label.setText(tr("planning.sync.counts", funded=c["funded"],
                                   partly=c["partly"], unfunded=c["unfunded"],
                                   gaps=sum(g.values()), shortfall=format_rupiah(self.sync.shortfall),
                                   issues=int((self.sync.lines["issue"] != "").sum())
                                   if len(self.sync.lines) else 0))
        self.totals_model.set_frame(self.sync.totals)
        self._show_sync()
        if self.project.has("desa"):
            self.funding_ready.emit(B.funding_layer(self.sync, self.project.desa))

    def _show_sync(self) -> None:
        if self.sync is None:
            return
        gf = self.sync.actions.sort_values(["priority_rank", "action_id"], na_position="last")
        state = self.state_filter.currentData()
        if state:
            gf = gf[gf["funding_state"] == state]
        self.sync_model.set_frame(gf)


register_catalog("ui", "panels.planning.budget_sync")
