"""The scenarios tab of the planning panel: the stored scenarios and their actions, compared
with the baseline on the planning lane (the analysis runs on a copy; the project never
changes).  Imports Qt, pandas, ``ilp_gis`` and ui.table_model/ui.worker."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import scenario
from ilp_gis.errors import IlpError
from ilp_gis.i18n import format_number, format_rupiah, register_catalog, tr
from ui.panels.planning.undo import SetFrameCommand
from ui.table_model import FrameModel
from ui.worker import Task, start


class ScenariosTab:
    """The scenarios tab, a mixin of :class:`~ui.panels.planning.panel.PlanningPanel`."""

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
            ("cost_per_person_text", tr("scenario.col.cost_per_person"), "text"),
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
        start(task, lane="planning")
        return task

    def _on_compared(self, outcome) -> None:
        # Keep only plain tables: frames built in the worker carry pyproj objects tied to the
        # worker thread's PROJ context, which must not outlive that thread.
        outcome.project = outcome.result = None
        self.compare_button.setEnabled(True)
        self.outcome = outcome  # set first: the map's handler reads the scenario's name
        if self.project.has("desa"):
            self.comparison_ready.emit(scenario.change_layer(outcome, self.project.desa))
        comp = outcome.comparison
        self.compare_model.set_frame(comp.assign(cost_per_person_text=[
            scenario.cost_per_person_text(c, g)
            for c, g in zip(comp["cost"], comp["pop_newly_covered"], strict=True)]))
        t = outcome.total
        self.compare_label.setText(tr(
            "planning.scenario.summary", name=outcome.name, closed=int(t["gaps_closed"]),
            new=int(t["gaps_new"]), pop=format_number(t["pop_newly_covered"]),
            cost=format_rupiah(outcome.cost),
            per=scenario.cost_per_person_text(t["cost"], t["pop_newly_covered"])))

    def _on_compare_failed(self, exc) -> None:
        self.compare_button.setEnabled(True)
        self.compare_label.setText(str(exc))
        if not isinstance(exc, IlpError):
            raise exc
        self._error(exc)


register_catalog("ui", "panels.planning.scenarios")
