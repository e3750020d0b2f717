"""The action plan (rencana aksi) in the GUI: one row per action with every field (kegiatan,
lokasi, penanggung jawab, mitra, jadwal, anggaran and its budget line, status, realisasi,
output, catatan), edited cell by cell — each edit checked by the domain
(:func:`ilp_gis.monitoring.actions.update_action`) and then one undoable command on the
window's stack — plus the payments (realisasi) of the selected action, and the XLSX of the
Pokja meeting written and read back with :mod:`reports.action_plan_xlsx` and
:mod:`layers.action_plan_import`.  Imports Qt, pandas, ``ilp_gis``, ``layers``, ``reports`` and
the planning panel's undo command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
from PySide6.QtCore import QDate
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ilp_gis import budget as B
from ilp_gis.errors import IlpError, InputError
from ilp_gis.i18n import format_rupiah, register_catalog, tr
from ilp_gis.monitoring import actions as A
from layers import action_plan_import  # noqa: F401  (registers the column headers)
from ui.panels.planning.undo import SetFrameCommand
from ui.panels.table_view import panel_table
from ui.table_model import FrameModel, is_missing

ACTION_COLUMNS = [  # (column, header key, kind); "lokasi" and "spent" are derived
    ("action_id", "actions.col.action_id", "text"),
    ("kegiatan", "actions.col.kegiatan", "text"),
    ("lokasi", "monev.actions.col.lokasi", "text"),
    ("fac_id", "actions.col.fac_id", "text"),
    ("responsible", "actions.col.responsible", "text"),
    ("partners", "actions.col.partners", "text"),
    ("start", "actions.col.start", "date"),
    ("end", "actions.col.end", "date"),
    ("budget_amount", "actions.col.budget_amount", "rupiah"),
    ("budget_id", "actions.col.budget_id", "text"),
    ("funding_source", "actions.col.funding_source", "label:funding"),
    ("status", "actions.col.status", "label:action_status"),
    ("spent", "actions.col.spent", "rupiah"),
    ("late_text", "actions.col.late", "text"),
    ("output", "actions.col.output", "text"),
    ("note", "actions.col.note", "text"),
]
EDITABLE = ("kegiatan", "lokasi", "fac_id", "responsible", "partners", "start", "end",
            "budget_amount", "budget_id", "funding_source", "status", "output", "note")
PAYMENT_COLUMNS = [("date", "actions.col.date", "date"), ("amount", "actions.col.amount", "rupiah"),
                   ("note", "actions.col.note", "text")]


def _empty_spending() -> pd.DataFrame:
    return pd.DataFrame({"action_id": pd.Series(dtype=object), "date": pd.Series(dtype=object),
                         "amount": pd.Series(dtype=float), "note": pd.Series(dtype=object)})


class ActionPlanPanel(QWidget):
    """The action plan of ``project``; every change is a command on ``undo_stack``."""

    def __init__(self, project, undo_stack: QUndoStack | None = None, *,
                 on_changed: Callable[[str], None] | None = None,
                 today: Callable[[], dt.date] = dt.date.today, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.on_changed = on_changed
        self.today = today
        cols = [(c, tr(k), kind) for c, k, kind in ACTION_COLUMNS]
        self.model = FrameModel(cols, editable=EDITABLE, on_edit=self._edit_cell)
        self.view = self._table(self.model)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked
                                  | QAbstractItemView.EditKeyPressed)
        self.pay_model = FrameModel([(c, tr(k), kind) for c, k, kind in PAYMENT_COLUMNS])
        self.pay_view = self._table(self.pay_model)

        self.add_button = QPushButton(tr("monev.actions.add"))
        self.delete_button = QPushButton(tr("monev.actions.delete"))
        self.import_button = QPushButton(tr("monev.actions.import"))
        self.export_button = QPushButton(tr("monev.actions.export"))
        self.add_button.clicked.connect(self.add_action)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self._import_dialog)
        self.export_button.clicked.connect(self._export_dialog)
        self.summary = QLabel()
        top = QHBoxLayout()
        for b in (self.add_button, self.delete_button, self.import_button, self.export_button):
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(self.summary)

        self.pay_title = QLabel()
        self.pay_date = QDateEdit()
        self.pay_date.setCalendarPopup(True)
        self.pay_date.setDisplayFormat("dd/MM/yyyy")
        self.pay_date.setDate(QDate(self.today()))
        self.pay_amount = QLineEdit()
        self.pay_amount.setPlaceholderText(tr("monev.actions.pay_amount"))
        self.pay_note = QLineEdit()
        self.pay_note.setPlaceholderText(tr("actions.col.note"))
        self.pay_button = QPushButton(tr("monev.actions.pay_add"))
        self.pay_delete = QPushButton(tr("monev.actions.pay_delete"))
        self.pay_button.clicked.connect(self._pay_from_form)
        self.pay_delete.clicked.connect(self.delete_selected_payment)
        form = QHBoxLayout()
        form.addWidget(self.pay_date)
        form.addWidget(self.pay_amount, 1)
        form.addWidget(self.pay_note, 2)
        form.addWidget(self.pay_button)
        form.addWidget(self.pay_delete)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.pay_title)
        rl.addLayout(form)
        rl.addWidget(self.pay_view)
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([1000, 330])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._refresh_payments())
        self.refresh()
        project.changed.connect(self._on_project_change)
        self.destroyed.connect(lambda *_: self._disconnect())

    # -- helpers ------------------------------------------------------------------------------
    _table = staticmethod(panel_table)  # the panels' one table style

    def _disconnect(self) -> None:
        try:
            self.project.changed.disconnect(self._on_project_change)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def _on_project_change(self, name: str) -> None:
        if name in (A.PLAN_TABLE, A.SPENDING_TABLE, "desa"):
            self.refresh()

    def _error(self, exc: BaseException) -> None:
        QMessageBox.warning(self, tr("monev.actions.error_title"), str(exc))

    def _push(self, name: str, frame: pd.DataFrame, text: str) -> None:
        empty = A.empty_plan if name == A.PLAN_TABLE else _empty_spending
        self.undo_stack.push(SetFrameCommand(self.project, name, frame.reset_index(drop=True),
                                             text, after=lambda: self._changed(name),
                                             empty=empty))

    def _changed(self, name: str) -> None:
        if self.on_changed:
            self.on_changed(name)

    # -- showing ------------------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """The plan as shown: the stored columns plus ``lokasi`` (desa name), ``spent`` and
        ``late_text`` as of today."""
        prog = A.progress(self.project, self.today())
        t = prog.actions.copy()
        names = {}  # the names of the plan's desa only (not a nation's 86,000 every refresh)
        wanted = {str(c) for c in t["desa_code"] if not is_missing(c)}
        if wanted and self.project.has("desa"):
            desa = self.project.desa
            codes = desa["code"].astype(str)
            hit = codes.isin(wanted).to_numpy()
            names = dict(zip(codes[hit], desa["name"][hit], strict=False))
        t["lokasi"] = [names.get(str(c), c) if not is_missing(c) else None
                       for c in t["desa_code"]]
        t["late_text"] = [tr("monev.actions.late", days=int(d)) if lt else None
                          for lt, d in zip(t["late"], t["days_late"], strict=True)]
        return t

    def refresh(self) -> None:
        selected = self.selected_id()
        t = self.frame()
        self.model.set_frame(t)
        budget = pd.to_numeric(t["budget_amount"], errors="coerce").sum(min_count=1)
        spent = pd.to_numeric(t["spent"], errors="coerce").sum(min_count=1)
        self.summary.setText(tr("monev.actions.summary", n=len(t), late=int(t["late"].sum()),
                                budget=format_rupiah(budget), spent=format_rupiah(spent)))
        if selected is not None:
            hit = t.index[t["action_id"] == selected]
            if len(hit):
                self.view.selectRow(int(hit[0]))
        self._refresh_payments()

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows or rows[0].row() >= len(self.model.frame):
            return None
        return str(self.model.frame.at[rows[0].row(), "action_id"])

    def _refresh_payments(self) -> None:
        aid = self.selected_id()
        s = A.spending(self.project)
        rows = s[s["action_id"] == aid] if aid else s.iloc[0:0]
        self.pay_model.set_frame(rows)
        self.pay_title.setText(tr("monev.actions.payments", id=aid) if aid
                               else tr("monev.actions.payments_none"))
        for w in (self.pay_button, self.pay_delete, self.pay_amount, self.pay_note,
                  self.pay_date):
            w.setEnabled(aid is not None)

    # -- editing ------------------------------------------------------------------------------
    def _parse(self, column: str, value: Any) -> dict[str, Any]:
        """The plan fields an edit of ``column`` sets (raises InputError in the UI language)."""
        text = value.strip() if isinstance(value, str) else value
        text = None if text in ("", None) else text
        if column == "budget_amount":
            p = B.parse_amount(text)
            if p.status == "error":
                raise InputError(p.message)
            return {"budget_amount": p.value}
        if column == "funding_source":
            p = B.parse_source(text)
            if p.status == "error":
                raise InputError(p.message)
            return {"funding_source": p.value}
        if column == "lokasi":
            return {"desa_code": self._desa_code(text)}
        if column == "budget_id":
            return self._budget_line(text)
        return {column: text}

    def _desa_code(self, text) -> str | None:
        if text is None:
            return None
        desa = self.project.desa
        key = str(text).strip().lower()
        hit = desa[(desa["code"].astype(str).str.lower() == key)
                   | (desa["name"].astype(str).str.lower() == key)]
        if len(hit) != 1:
            raise InputError(tr("monev.actions.bad_desa", desa=str(text), n=len(hit)))
        return str(hit["code"].iloc[0])

    def _budget_line(self, text) -> dict[str, Any]:
        """A budget line by its id: the action takes its funding source (and amount when the
        action has none)."""
        if text is None:
            return {"budget_id": None}
        budget = self.project.budget
        hit = budget[budget["budget_id"].astype(str) == str(text)] if len(budget) else budget
        if not len(hit):
            raise InputError(tr("monev.actions.bad_budget_id", id=str(text)))
        return {"budget_id": str(text), "funding_source": hit["source"].iloc[0]}

    def _edit_cell(self, row: int, column: str, value: Any) -> bool:
        aid = str(self.model.frame.at[row, "action_id"])
        try:
            fields = self._parse(column, value)
            work = self.project.snapshot()
            before = A.plan(work)
            old = before.loc[before["action_id"] == aid].iloc[0]
            if all((is_missing(old[k]) and v is None) or old[k] == v for k, v in fields.items()):
                return False
            A.update_action(work, aid, **fields)
        except InputError as exc:
            self._error(exc)
            return False
        header = tr(dict((c, k) for c, k, _ in ACTION_COLUMNS)[column])
        self._push(A.PLAN_TABLE, work.tables[A.PLAN_TABLE],
                   tr("monev.actions.undo_edit", column=header, id=aid))
        return True

    def add_action(self, **fields) -> str | None:
        work = self.project.snapshot()
        fields.setdefault("kegiatan", tr("monev.actions.new_kegiatan"))
        try:
            aid = A.add_action(work, **fields)
        except InputError as exc:
            self._error(exc)
            return None
        self._push(A.PLAN_TABLE, work.tables[A.PLAN_TABLE], tr("monev.actions.undo_add", id=aid))
        self.view.scrollToBottom()
        return aid

    def delete_selected(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if not rows:
            return
        ids = {str(self.model.frame.at[r, "action_id"]) for r in rows}
        plan = A.plan(self.project)
        pay = A.spending(self.project)
        self.undo_stack.beginMacro(tr("monev.actions.undo_delete", n=len(ids)))
        self._push(A.PLAN_TABLE, plan[~plan["action_id"].isin(ids)], "")
        if len(pay) and pay["action_id"].isin(ids).any():
            self._push(A.SPENDING_TABLE, pay[~pay["action_id"].isin(ids)], "")
        self.undo_stack.endMacro()

    def record_payment(self, date, amount, note: str = "") -> bool:
        """Add a payment (realisasi) to the selected action; ``amount`` as written."""
        aid = self.selected_id()
        if aid is None:
            return False
        try:
            p = B.parse_amount(amount)
            if p.status == "error" or p.value is None:
                raise InputError(p.message or tr("monev.actions.no_amount"))
            work = self.project.snapshot()
            A.record_spending(work, aid, date, p.value, note)
        except InputError as exc:
            self._error(exc)
            return False
        self._push(A.SPENDING_TABLE, work.tables[A.SPENDING_TABLE],
                   tr("monev.actions.undo_pay", id=aid))
        return True

    def _pay_from_form(self) -> None:
        if self.record_payment(self.pay_date.date().toPython(), self.pay_amount.text(),
                               self.pay_note.text()):
            self.pay_amount.clear()
            self.pay_note.clear()

    def delete_selected_payment(self) -> None:
        rows = sorted({i.row() for i in self.pay_view.selectionModel().selectedRows()})
        aid = self.selected_id()
        if not rows or aid is None:
            return
        pay = A.spending(self.project)
        mine = pay.index[pay["action_id"] == aid]
        drop = [mine[r] for r in rows if r < len(mine)]
        self._push(A.SPENDING_TABLE, pay.drop(index=drop),
                   tr("monev.actions.undo_pay_delete", id=aid))

    # -- XLSX ---------------------------------------------------------------------------------
    def export_xlsx(self, path):
        from reports.action_plan_xlsx import write_action_plan

        return write_action_plan(self.project, path, as_of=self.today())

    def import_xlsx(self, path) -> tuple[int, int, int]:
        """Apply an edited workbook (one undoable step); returns (added, updated, payments)."""
        from layers.action_plan_import import read_action_plan

        work = self.project.snapshot()
        added, updated, payments, report = read_action_plan(path, work)
        self.undo_stack.beginMacro(tr("monev.actions.undo_import", added=added, updated=updated))
        for name in (A.PLAN_TABLE, A.SPENDING_TABLE):
            if work.tables.get(name) is not self.project.tables.get(name):
                self._push(name, work.tables[name], "")
        self.undo_stack.endMacro()
        self.project.append_import_report(report)
        self.last_import_report = report
        return added, updated, payments

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("monev.actions.import"), "",
                                              tr("monev.actions.filter"))
        if not path:
            return
        try:
            added, updated, payments = self.import_xlsx(path)
        except IlpError as exc:
            self._error(exc)
            return
        skipped = int((self.last_import_report["status"] == "skipped").sum())
        QMessageBox.information(self, tr("monev.actions.import"), tr(
            "monev.actions.imported", added=added, updated=updated, payments=payments,
            skipped=skipped))

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("monev.actions.export"),
                                              tr("monev.actions.file_name"),
                                              tr("monev.actions.filter"))
        if not path:
            return
        try:
            out = self.export_xlsx(path)
        except IlpError as exc:
            self._error(exc)
            return
        QMessageBox.information(self, tr("monev.actions.export"),
                                tr("monev.actions.exported", path=str(out)))


register_catalog("ui", "panels.monev.action_plan")
