"""The gaps panel: every gap of the analysis sorted by priority, filtered by kind and
kecamatan; clicking a gap zooms the map to it and highlights it; the parts of the priority
score are shown below the list."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import format_number, has, register_catalog, tr
from layers import symbology as sym
from ui.qtext import qtr
from ui.state import AppState
from ui.table_model import KEY_ROLE, DataFrameModel, sortable_view
from ui.worker import Task, work_out_after_slot

ASYNC_GAPS = 20_000
"""From this many gaps on, the list's frame is made off the UI thread."""
SHOWN_COLUMNS = ("priority_rank", "kind_label", "desa_name", "kecamatan_name", "message",
                 "priority_score", "gap_id")


def swatch(colour: str, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(colour))
    return QIcon(pm)


class GapsPanel(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.kind_box = QComboBox()
        self.kec_box = QComboBox()
        self.model = DataFrameModel(layer="gaps")
        self._task: Task | None = None  # the worker making a national list
        self._built_for = None
        self.proxy, self.view = sortable_view(
            self.model, self, selection=QAbstractItemView.SingleSelection,
            edit_triggers=QAbstractItemView.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.RichText)
        self.detail.setMinimumHeight(60)
        form = QFormLayout()
        self.kind_label, self.kec_label = QLabel(), QLabel()
        form.addRow(self.kind_label, self.kind_box)
        form.addRow(self.kec_label, self.kec_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(form)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.detail)
        self.kind_box.currentIndexChanged.connect(self._apply_filters)
        self.kec_box.currentIndexChanged.connect(self._apply_filters)
        self.view.selectionModel().selectionChanged.connect(self._on_pick)
        self.view.clicked.connect(self._on_click)
        state.result_changed.connect(self.rebuild)
        state.project_replaced.connect(self.rebuild)
        self.retranslate()

    def retranslate(self) -> None:
        self.kind_label.setText(qtr("ui.gaps.kind"))
        self.kec_label.setText(qtr("ui.gaps.kecamatan"))
        self.rebuild()

    def frame(self, res=None):
        """The gaps shown (of ``res``, else of the current result); plain data, no Qt."""
        res = self.state.result if res is None else res
        if res is None or res.gaps is None or not len(res.gaps):
            return pd.DataFrame(columns=list(SHOWN_COLUMNS))
        gaps = res.gaps
        geom = gaps.geometry.name if hasattr(gaps, "_geometry_column_name") else None
        names = [c for c in gaps.columns if c != geom] + ["kind_label"]
        cols = [c for c in SHOWN_COLUMNS if c in names]
        order = cols + [c for c in names if c not in cols]
        rows = None
        if "priority_rank" in gaps.columns:  # the order DataFrame.sort_values gave
            rank = gaps["priority_rank"].reset_index(drop=True)
            rows = rank.sort_values(na_position="last").index.to_numpy()
            if np.array_equal(rows, np.arange(len(rows))):
                rows = None  # stored in priority order already: the result's own columns
        # the shown columns in priority order (a nation has 214,000 gaps): the result's own
        # columns when they are in that order, else one copy
        g = pd.DataFrame({c: gaps[c].take(rows) if rows is not None else gaps[c]
                          for c in order if c != "kind_label"}, copy=False)
        labels = {k: tr(f"gap.{k}") if has(f"gap.{k}") else str(k)
                  for k in pd.unique(g["kind"])}  # a few kinds over a nation's gaps
        g.insert(order.index("kind_label"), "kind_label",
                 pd.Series(g["kind"].map(labels).tolist(), index=g.index))  # as a list infers
        return g

    def rebuild(self) -> None:
        """The list of the current result's gaps; from :data:`ASYNC_GAPS` gaps on, its frame
        (a copy of the shown columns in priority order) is made in a worker thread and the
        UI thread only shows it."""
        res = self.state.result
        n = len(res.gaps) if res is not None and res.gaps is not None else 0
        self._built_for = res
        if n < ASYNC_GAPS:
            self._task = None
            self._show(self.frame())
            return
        work_out_after_slot(self, lambda: self.frame(res), self._show, label="gaps")

    def _show(self, frame) -> None:
        self._task = None
        self.model.set_frame(frame, "gaps")
        for box, col, all_key in ((self.kind_box, "kind", "ui.gaps.all_kinds"),
                                  (self.kec_box, "kecamatan_name", "ui.gaps.all_kecamatan")):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(qtr(all_key), None)
            if col in frame.columns:
                # each value and how often it occurs, counted once over a nation's gaps
                found = frame[col].dropna().astype(str).value_counts(sort=False)
                present = set(found.index)
                if col == "kind":
                    order = [k for k in sym.GAP_KINDS if k in present]
                    order += sorted(present - set(order))
                    for k in order:
                        n = int(found[k])
                        style = sym.GAP_STYLES.get(k)
                        label = f"{tr('gap.' + k) if has('gap.' + k) else k} ({n})"
                        if style is not None:
                            box.addItem(swatch(style.fill or style.stroke), label, k)
                        else:
                            box.addItem(label, k)
                else:
                    for v in sorted(present):
                        box.addItem(v, v)
            i = box.findData(current)
            box.setCurrentIndex(max(i, 0))
            box.blockSignals(False)
        self._apply_filters()
        self.view.sortByColumn(0, Qt.AscendingOrder)
        self.view.resizeColumnsToContents()
        mc = self.model.column_of("message")
        if mc is not None:
            self.view.setColumnWidth(mc, min(self.view.columnWidth(mc), 320))
        self.detail.setText(qtr("ui.gaps.none") if not len(frame) else "")

    def _apply_filters(self, *_args) -> None:
        self.proxy.set_column_filter("kind", {self.kind_box.currentData()}
                                     if self.kind_box.currentData() else None)
        self.proxy.set_column_filter("kecamatan_name", {self.kec_box.currentData()}
                                     if self.kec_box.currentData() else None)

    def _current_key(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.data(rows[0], KEY_ROLE) if rows else None

    def _on_click(self, index) -> None:
        key = self.proxy.data(index, KEY_ROLE)
        if key:
            self.state.request_zoom("gaps", [key])

    def _on_pick(self, *_args) -> None:
        key = self._current_key()
        if not key:
            return
        self.state.set_highlight("gaps", [key])
        self.state.request_zoom("gaps", [key])
        self.detail.setText(self.describe(key))

    def describe(self, key: str) -> str:
        """The gap's message and the parts of its desa's priority score."""
        res = self.state.result
        row_i = self.model.source_row(key)
        if res is None or row_i is None:
            return ""
        row = self.model.frame.iloc[row_i]
        lines = [f"<b>{row.get('kind_label', '')}</b> — {row.get('message', '') or ''}"]
        desa = res.desa
        code = row.get("desa_code")
        if desa is not None and isinstance(code, str) and "code" in desa.columns:
            hit = desa[desa["code"] == code]
            if len(hit):
                d = hit.iloc[0]
                parts = []
                for col in ("priority_unserved", "priority_travel", "priority_burden"):
                    if col in desa.columns:
                        parts.append(f"{qtr('ui.field.' + col)}: {format_number(d[col], 2)}")
                lines.append(tr("ui.gaps.priority", score=format_number(d.get("priority_score"), 2),
                                rank=format_number(d.get("priority_rank"))))
                if parts:
                    lines.append(" · ".join(parts))
        return "<br>".join(lines)


register_catalog("ui", "gaps_panel")
