"""The COE units table of the dashboard: each designated unit (1 Puskesmas + 1 Pustu + that
Pustu's Posyandu) with its score, the five indicator-group shares beside it, the verdict and the
scoring rule — the rows of the PDF COE table and the XLSX sheet (``reports.tables.coe_table``).
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import format_number, format_percent, register_catalog, tr
from ilp_gis.inputs import Inventory, missing_text
from ilp_gis.model import CoeGroup
from ui.qtext import qtr
from ui.state import AppState

COLUMNS = ("unit", "pustu", "posyandu", "score", *(g.value for g in CoeGroup), "verdict",
           "rule")


def _pct(v) -> str:
    return "–" if v is None or pd.isna(v) else format_percent(float(v), 0)


class CoeTable(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.heading = QLabel()
        f = self.heading.font()
        f.setBold(True)
        self.heading.setFont(f)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #5d6d7e;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.itemClicked.connect(self._on_click)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.heading)
        lay.addWidget(self.table)
        lay.addWidget(self.note)
        state.result_changed.connect(self.refresh)
        state.project_replaced.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(qtr("ui.coe.heading"))
        self.table.setHorizontalHeaderLabels(
            [CoeGroup(c).label if c in {g.value for g in CoeGroup} else qtr(f"ui.coe.col.{c}")
             for c in COLUMNS])
        self.refresh()

    def rows(self) -> pd.DataFrame:
        """The units shown (designated units only; the Pustu that make none are in the note)."""
        from reports.tables import coe_table, kecamatan_names  # at first use: reports is heavy

        res = self.state.result
        if res is None:
            return coe_table(None, {})
        return coe_table(res, kecamatan_names(self.state.project, res))

    def refresh(self) -> None:
        res = self.state.result
        self.table.setRowCount(0)
        self._row_keys: list[tuple] = []
        inputs = Inventory.from_summary(res.summary) if res is not None else None
        lacks = inputs.figure_missing("coe_meeting_threshold") if inputs else []
        data = self.rows() if res is not None else pd.DataFrame()  # no result: no rows
        units = data[data["unit_id"].notna()] if len(data) else data
        if res is None or lacks or not len(units):
            self.table.setVisible(False)
            self.note.setText(missing_text(lacks) if lacks else qtr("ui.coe.none"))
            return
        self.table.setVisible(True)
        self.table.setUpdatesEnabled(False)  # a nation's 2,000 units filled, then drawn once
        self.table.setRowCount(len(units))
        self._row_keys = []  # per row: (Puskesmas id, Pustu id), read when a row is clicked
        for i, r in enumerate(units.itertuples(index=False)):
            self._row_keys.append((r.fac_id, r.pustu_id))
            verdict = (tr("ui.coe.undecided") if pd.isna(r.meets) else
                       tr("ui.coe.meets") if bool(r.meets) else tr("ui.coe.below"))
            pustu = r.pustu_name if isinstance(r.pustu_name, str) else ""
            if isinstance(r.problem_label, str) and r.problem_label:
                pustu = f"{pustu} ({r.problem_label})" if pustu else r.problem_label
            cells = [r.name, pustu, "–" if pd.isna(r.posyandu_count)
                     else format_number(float(r.posyandu_count), 0), _pct(r.score),
                     *[_pct(getattr(r, g.column)) for g in CoeGroup], verdict,
                     r.rule_label or ""]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                if 2 <= j <= 8:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.setUpdatesEnabled(True)
        self.table.setFixedHeight(self.table.horizontalHeader().height()
                                  + self.table.verticalHeader().length() + 4)
        stray = data[data["unit_id"].isna()]
        notes = [tr("ui.coe.stray", pustu=r.pustu_name or r.pustu_id, problem=r.problem_label)
                 for r in stray.itertuples(index=False)]
        self.note.setText("\n".join([qtr("ui.coe.what"), *notes]))

    def _on_click(self, item: QTableWidgetItem) -> None:
        row = item.row()
        pair = self._row_keys[row] if 0 <= row < len(self._row_keys) else ()
        keys = [k for k in pair if isinstance(k, str) and k]
        if keys:
            self.state.select("facilities", keys)
            self.state.request_zoom("facilities", keys)


register_catalog("ui", "coe_table")
