"""The site-optimisation tab of the planning panel: where to build (greedy answer shown first,
the exact one when HiGHS is done), on the planning lane with cancel; the answer can be saved as
a scenario.  Imports Qt, numpy, pandas, pyproj, ``ilp_gis`` and ui.table_model/ui.worker."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import budget as B
from ilp_gis import scenario, siting
from ilp_gis.errors import IlpError
from ilp_gis.i18n import format_number, format_rupiah, register_catalog, tr
from ilp_gis.siting.models import OBJECTIVES
from ui.qtext import ui_locale
from ui.table_model import FrameModel
from ui.worker import Task, start

# Results crossing threads: objects made in the worker hold pyproj objects bound to the worker
# thread's PROJ context and must not be kept in the UI thread.  Previews cross as plain data,
# final results are re-made with CRS objects of the UI thread once the worker is idle.


class _PlainSiting:
    """A greedy preview without geometry or CRS (safe to hand to the UI thread)."""

    def __init__(self, res) -> None:
        self.method = res.method
        self.mip_gap = res.mip_gap
        self.population_gained = res.population_gained
        self.cost = res.cost
        sites = res.sites
        self.sites = pd.DataFrame(sites.drop(columns="geometry"))


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


class _Bridge(QObject):
    """Carries the greedy answer from the worker thread to the UI thread."""

    greedy = Signal(object)


class SitingTab:
    """The siting tab, a mixin of :class:`~ui.panels.planning.panel.PlanningPanel`."""

    def _siting_tab(self) -> QWidget:
        self._bridge = _Bridge(self)
        self._bridge.greedy.connect(self._on_greedy)
        w = QWidget()
        lay = QVBoxLayout(w)
        form = QFormLayout()
        self.type_combo = QComboBox()
        self.type_combo.addItem(tr("facility.pustu"), "pustu")
        self.type_combo.addItem(tr("facility.posyandu"), "posyandu")
        form.addRow(tr("planning.siting.type"), self.type_combo)
        self.objective_combo = QComboBox()  # the question asked (Pustu: four, Posyandu: one)
        for name in OBJECTIVES:
            self.objective_combo.addItem(tr(f"siting.objective.{name}"), name)
        self.objective_combo.currentIndexChanged.connect(self._objective_changed)
        form.addRow(tr("planning.siting.objective"), self.objective_combo)

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
        self.limit_spin.setLocale(ui_locale())  # "5,0 km" in Indonesian, "5.0 km" in English
        self.limit_spin.setRange(0.1, 600)
        self.limit_spin.setDecimals(1)
        self.limit_spin.setValue(float(self.project.rules.value("limit.pustu_distance_km")))
        self.limit_kind.currentIndexChanged.connect(self._limit_default)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
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

    def _type_changed(self) -> None:
        """Posyandu are sited where desa are short of them (the target per dusun), the one
        question asked of them: the reach and the other questions are for Pustu."""
        pustu = self.type_combo.currentData() == "pustu"
        self.limit_kind.blockSignals(True)
        self.limit_kind.clear()
        if pustu:
            self.limit_kind.addItem(tr("planning.siting.km"), "km")
            self.limit_kind.addItem(tr("planning.siting.min"), "min")
        else:
            self.limit_kind.addItem(tr("planning.siting.deficit"), "deficit")
        self.limit_kind.blockSignals(False)
        if not pustu:
            self.objective_combo.setCurrentIndex(0)
        self.objective_combo.setEnabled(pustu)
        self._limit_default()
        self._objective_changed()

    def _objective_changed(self) -> None:
        """Budget or count for the most coverage, a count for p-median, neither for the least
        cost for every desa and for LSCP."""
        obj = self.objective_combo.currentData()
        if obj == "pmedian":
            self.mode_k.setChecked(True)
        for wdg in (self.mode_budget, self.budget_edit):
            wdg.setEnabled(obj == "mclp")
        for wdg in (self.mode_k, self.k_spin):
            wdg.setEnabled(obj in ("mclp", "pmedian"))

    def _limit_default(self) -> None:
        rules = self.project.rules
        t = self.type_combo.currentData()
        self.limit_spin.setEnabled(self.limit_kind.currentData() != "deficit")
        if self.limit_kind.currentData() == "deficit":
            self.limit_spin.setValue(float(rules.value("target.posyandu_per_dusun")))
        elif self.limit_kind.currentData() == "km":
            self.limit_spin.setValue(float(rules.value(f"limit.{t}_distance_km",
                                                       rules.value("limit.pustu_distance_km"))))
        else:
            self.limit_spin.setValue(float(rules.value("limit.pustu_travel_min")))

    def _siting_args(self) -> dict[str, Any]:
        obj = self.objective_combo.currentData()
        args: dict[str, Any] = {"site_type": self.type_combo.currentData(), "objective": obj}
        if obj in ("every_desa", "lscp"):
            pass  # the model itself says how many sites
        elif obj == "pmedian":
            args["k"] = int(self.k_spin.value())
        elif self.mode_budget.isChecked():
            parsed = B.parse_amount(self.budget_edit.text(), max_amount=math.inf)  # a total, not a line
            if parsed.value is None or parsed.status == "error":
                raise IlpError(tr("siting.budget_unreadable", value=self.budget_edit.text()))
            args["budget"] = float(parsed.value)
        else:
            args["k"] = int(self.k_spin.value())
        if self.limit_kind.currentData() == "km":
            args["limit_km"] = float(self.limit_spin.value())
        elif self.limit_kind.currentData() == "min":
            args["limit_min"] = float(self.limit_spin.value())
        # "deficit": no limit — the desa short of Posyandu against the target per dusun
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
            bridge.greedy.emit(_PlainSiting(res))

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
        start(task, lane="planning")
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
        if isinstance(result, siting.SitingResult) and result.objective != "mclp":
            self.siting_label.setText(self.siting_label.text() + " " + siting.answer_text(result))
        elif isinstance(result, siting.SitingResult) and result.problem is not None \
                and result.problem.measure is not None \
                and result.problem.measure.unit == "deficit" and result.problem.notes:
            # how many desa are short of how many Posyandu (the last note of that problem)
            self.siting_label.setText(self.siting_label.text() + " "
                                      + result.problem.notes[-1])

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
        if (result.problem is not None and result.problem.population_uncovered == 0
                and result.problem.population_total > 0):
            self.siting_label.setText(tr("siting.all_covered", type=tr(
                f"facility.{result.problem.site_type}")))
        # the map shows each site as the scenario action it would be (new Pustu, upgrade, ...)
        self.sites_ready.emit(result.sites.assign(
            action=scenario.actions_from_siting(result)["action"].to_numpy(object)))
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
        self.push_scenario(name, acts, measure=self.siting_result.problem.measure)
        self.tabs.setCurrentIndex(3)
        return name


register_catalog("ui", "panels.planning.siting")
