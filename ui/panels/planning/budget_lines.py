"""The budget-lines tab of the planning panel: the project's budget table, edited cell by cell
(each edit parsed, then one undoable command), lines added, deleted or imported from a
workbook.  Imports Qt, pandas, ``ilp_gis``, ``layers.budget_import`` and ui.table_model."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import budget as B
from ilp_gis import model
from ilp_gis.errors import IlpError
from ilp_gis.i18n import format_rupiah, register_catalog, tr
from ui.panels.planning.undo import SetFrameCommand
from ui.table_model import FrameModel, is_missing

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



class BudgetLinesTab:
    """The budget-lines tab, a mixin of :class:`~ui.panels.planning.panel.PlanningPanel`."""

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
        if (is_missing(old) and parsed.value is None) or old == parsed.value:
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


register_catalog("ui", "panels.planning.budget_lines")
