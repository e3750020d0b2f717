"""The area tree: Kabupaten → Kecamatan → Desa (as DHIS2's organisation-unit tree), beside
the network tree.  Each row shows population, Pustu, Posyandu and gaps of its area; a figure
whose input was never loaded reads "–" with "tidak ada data" as its tooltip.  Clicking an area
selects its desa and zooms the map to them; a desa selected on the map is selected here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import register_catalog, tr
from reports.pdf.cells import num_text
from reports.pdf.sheet_figures import counts
from ui.qtext import qtr
from ui.state import AppState
from ui.tree_filter import filter_tree, show_selection

CODES_ROLE = Qt.UserRole + 11  # the desa codes under a row
COLUMNS = ("name", "population", "pustu", "posyandu", "gaps")
_FIGURES = COLUMNS[1:]


class DesaTree(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.desa_items: dict[str, QTreeWidgetItem] = {}
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        # names never cut: every column as wide as its longest text, scrolled sideways
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.filter)
        lay.addWidget(self.summary)
        lay.addWidget(self.tree)
        self.tree.itemSelectionChanged.connect(self._on_tree_selection)
        self.tree.itemClicked.connect(self._on_click)
        self.filter.textChanged.connect(self._apply_filter)
        state.result_changed.connect(self.rebuild)
        state.project_replaced.connect(self.rebuild)
        state.selection_changed.connect(self._on_selection_change)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([qtr(f"ui.desa_tree.col.{c}") for c in COLUMNS])
        self.filter.setPlaceholderText(qtr("ui.desa_tree.filter"))
        self.rebuild()

    def _frame(self) -> pd.DataFrame | None:
        res = self.state.result
        if res is not None and res.desa is not None and len(res.desa):
            return res.desa
        return self.state.project.desa if self.state.project.has("desa") else None

    def rebuild(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self.desa_items = {}
        desa = self._frame()
        if desa is None or not len(desa):
            self.summary.setText(qtr("ui.desa_tree.empty"))
            self.tree.blockSignals(False)
            return
        res = self.state.result
        gaps = res.gaps if res is not None and res.gaps is not None else None
        per_desa = gaps["desa_code"].value_counts() if gaps is not None and len(gaps) \
            else pd.Series(dtype=int)

        def col(name):
            return pd.to_numeric(desa[name], errors="coerce") if name in desa else \
                pd.Series(np.nan, index=desa.index)

        frame = pd.DataFrame({
            "code": desa["code"].astype(str), "name": desa["name"].astype(str),
            "kec": desa["kecamatan_code"] if "kecamatan_code" in desa else None,
            "kec_name": desa["kecamatan_name"] if "kecamatan_name" in desa else None,
            "population": col("population"), "pustu": counts(desa, "pustu"),
            "posyandu": counts(desa, "posyandu")})
        frame["gaps"] = frame["code"].map(per_desa).fillna(0) if res is not None else np.nan
        frame["kab"] = frame["kec"].map(lambda c: str(c)[:5] if isinstance(c, str) else None)
        kec_names = self._kecamatan_names(frame)
        kab_names = self._kabupaten_names()
        missing = {c: frame[c].isna().all() for c in ("population", "pustu", "posyandu", "gaps")}
        for kab, kab_rows in frame.groupby(frame["kab"].fillna("–"), sort=True):
            kab_item = self._row(self.tree, kab_names.get(kab, kab), kab_rows, missing)
            for kec, rows in kab_rows.groupby(kab_rows["kec"].fillna("–"), sort=False):
                kec_item = self._row(kab_item, kec_names.get(kec, kec), rows, missing)
                for r in rows.sort_values("name", key=lambda s: s.str.lower()).itertuples():
                    item = self._item(kec_item, r.name, [getattr(r, c) for c in _FIGURES],
                                      [r.code], missing)
                    self.desa_items[r.code] = item
            kab_item.setExpanded(True)
        self.tree.sortItems(0, Qt.AscendingOrder)
        self.summary.setText(tr("ui.desa_tree.summary", kab=self.tree.topLevelItemCount(),
                                kec=frame["kec"].nunique(), desa=len(frame)))
        self.tree.resizeColumnToContents(0)
        self.tree.blockSignals(False)
        self._on_selection_change(*self.state.selection)

    def _row(self, parent, name: str, rows: pd.DataFrame, missing: dict) -> QTreeWidgetItem:
        """An area's line: the sums of its desa."""
        return self._item(parent, name, [rows[c].sum(min_count=1) for c in _FIGURES],
                          list(rows["code"]), missing)

    def _item(self, parent, name: str, figures: list, codes: list[str],
              missing: dict) -> QTreeWidgetItem:
        """One line (a desa's own figures need no frame: thousands of desa stay quick)."""
        values = [str(name)]
        for c, v in zip(_FIGURES, figures, strict=True):
            values.append("–" if missing[c] else num_text(v))
        item = QTreeWidgetItem(parent, values)
        item.setData(0, CODES_ROLE, codes)
        for i, c in enumerate(_FIGURES, start=1):
            item.setTextAlignment(i, Qt.AlignRight | Qt.AlignVCenter)
            if values[i] == "–":
                item.setToolTip(i, qtr(f"ui.desa_tree.no_data.{c}"))
        return item

    def _kecamatan_names(self, frame: pd.DataFrame) -> dict:
        names = {}
        if self.state.project.has("kecamatan"):
            kec = self.state.project.kecamatan
            names.update(zip(kec["code"], kec["name"], strict=False))
        for code, name in zip(frame["kec"], frame["kec_name"], strict=False):
            if isinstance(code, str) and code not in names and isinstance(name, str):
                names[code] = name
        return names

    def _kabupaten_names(self) -> dict:
        if not self.state.project.has("kabupaten"):
            return {}
        kab = self.state.project.kabupaten
        out = {str(c)[:5]: n for c, n in zip(kab["code"], kab["name"], strict=False)
               if isinstance(c, str)}
        if len(kab) == 1 and not out:
            out = {None: kab["name"].iloc[0]}
        return out

    def _codes(self, item: QTreeWidgetItem) -> list[str]:
        return list(item.data(0, CODES_ROLE) or [])

    def _on_tree_selection(self) -> None:
        if self._syncing:
            return
        codes: list[str] = []
        for it in self.tree.selectedItems():
            codes += self._codes(it)
        self._syncing = True
        try:
            self.state.select("desa", codes)
        finally:
            self._syncing = False

    def _on_click(self, item: QTreeWidgetItem, _col: int) -> None:
        codes = self._codes(item)
        if codes:
            self.state.request_zoom("desa", codes)

    def _on_selection_change(self, layer: str, keys: tuple) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            show_selection(self.tree, self.desa_items, keys if layer == "desa" else ())
        finally:
            self._syncing = False

    def _apply_filter(self, text: str) -> None:
        filter_tree(self.tree, text)


register_catalog("ui", "desa_tree")
