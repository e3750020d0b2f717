"""The scenarios tab of the planning panel: the stored scenarios and their actions, compared
with the baseline on the planning lane (the analysis runs on a copy of the project); the
comparison is then kept in the project, as ``scenario compare`` keeps it, for the report, the
XLSX and the web map.  Imports Qt, pandas, ``ilp_gis`` and ui.table_model/ui.worker."""

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
        self.scenario_list.itemClicked.connect(self._show_stored)
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

    def push_scenario(self, name: str, actions: pd.DataFrame, measure=None) -> None:
        """Store a scenario with the coverage ``measure`` its sites were chosen by, so its
        comparison measures as the planner did (undoable)."""
        tmp = self.project.copy()
        scenario.set_scenario(tmp, name, actions, measure=measure)  # validates (InputError)
        self._push_tables(tmp, tr("planning.undo.scenario", name=name))

    def delete_selected_scenario(self) -> None:
        item = self.scenario_list.currentItem()
        if item is None:
            return
        tmp = self.project.copy()
        scenario.delete_scenario(tmp, item.text())  # its measure and stored comparison too
        self._push_tables(tmp, tr("planning.undo.delete_scenario", name=item.text()))

    def _push_tables(self, tmp, text: str) -> None:
        """Put the scenario tables of ``tmp`` that differ into the project, as one undo step."""
        names = [t for t in (scenario.TABLE, scenario.MEASURE_TABLE, scenario.COMPARISON_TABLE,
                             scenario.DESA_CHANGES_TABLE)
                 if t in tmp.tables and (t not in self.project.tables or not pd.DataFrame(
                     tmp.tables[t]).equals(pd.DataFrame(self.project.tables[t])))]
        self.undo_stack.beginMacro(text)
        try:
            for t in names:
                self.undo_stack.push(SetFrameCommand(self.project, t, pd.DataFrame(tmp.tables[t]),
                                                     text, after=lambda t=t: self._changed(t)))
        finally:
            self.undo_stack.endMacro()

    def _show_stored(self, item) -> None:
        """A scenario clicked in the list: its sites on the map, with the desa its stored
        comparison closes or opens gaps in."""
        name = item.text() if item is not None else ""
        if name:
            self.scenario_shown.emit(name)

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
        if outcome.name in scenario.scenario_names(self.project):
            # kept in the project for the report, the XLSX and the web map (undoable)
            tmp = self.project.copy()
            scenario.store_outcome(tmp, outcome)
            self._push_tables(tmp, tr("planning.undo.compare", name=outcome.name))
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
