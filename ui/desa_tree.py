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
KEY_ROLE = Qt.UserRole + 12  # a kabupaten row's code, a kecamatan row's key
_RIGHT = Qt.AlignRight | Qt.AlignVCenter
_SEP = "\x1f"  # between the kabupaten and kecamatan code of a kecamatan row's key
COLUMNS = ("name", "population", "pustu", "posyandu", "gaps")
_FIGURES = COLUMNS[1:]


class DesaTree(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.desa_items: dict[str, QTreeWidgetItem] = {}  # the desa rows made so far
        self._pending: dict[str, tuple] = {}  # kecamatan key -> (its row, its desa) unmade
        self._kec_of: dict[str, str] = {}  # desa code -> its kecamatan key
        self._missing: dict[str, bool] = {}
        self._names = pd.DataFrame({"sort": [], "kec_id": []})
        self._built_for: tuple | None = None
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
        self.tree.itemExpanded.connect(self._on_expanded)
        self.filter.textChanged.connect(self._apply_filter)
        state.result_changed.connect(self.rebuild)
        state.project_replaced.connect(self.rebuild)
        state.selection_changed.connect(self._on_selection_change)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([qtr(f"ui.desa_tree.col.{c}") for c in COLUMNS])
        self.filter.setPlaceholderText(qtr("ui.desa_tree.filter"))
        self.rebuild(force=True)

    def _frame(self) -> pd.DataFrame | None:
        res = self.state.result
        if res is not None and res.desa is not None and len(res.desa):
            return res.desa
        return self.state.project.desa if self.state.project.has("desa") else None

    def rebuild(self, *, force: bool = False) -> None:
        """The tree of the current project and result, built once for them (opening a project
        announces both the project and its empty result: one build, not two).  Kabupaten and
        kecamatan rows are made at once; the desa rows of a kecamatan when it is opened, found
        by the filter or selected on the map (a province's thousands of desa cost nothing
        until then)."""
        built_for = (self.state.project, self.state.revision, self.state.result)
        if not force and self._built_for is not None and all(
                a is b for a, b in zip(built_for, self._built_for, strict=True)):
            return
        self._built_for = built_for
        self.tree.blockSignals(True)
        self.tree.clear()
        self.desa_items = {}
        self._pending = {}
        self._kec_of = {}
        desa = self._frame()
        if desa is None or not len(desa):
            self.summary.setText(qtr("ui.desa_tree.empty"))
            self.tree.blockSignals(False)
            return
        frame = self._figures(desa)
        self._missing = {c: bool(frame[c].isna().all()) for c in _FIGURES}
        kec_names = self._kecamatan_names(frame)
        kab_names = self._kabupaten_names()
        frame["kab_key"] = frame["kab"].fillna("–")
        frame["kec_key"] = frame["kec"].fillna("–")
        frame["kab_label"] = [str(kab_names.get(k, k)) for k in frame["kab_key"]]
        frame["kec_label"] = [str(kec_names.get(k, k)) for k in frame["kec_key"]]
        frame["sort"] = frame["name"].str.lower()
        frame = frame.sort_values(["kab_label", "kab_key", "kec_label", "kec_key", "sort"],
                                  key=lambda s: s.str.lower(), kind="stable")
        frame["kec_id"] = frame["kab_key"] + _SEP + frame["kec_key"]
        self._kec_of = dict(zip(frame["code"], frame["kec_id"], strict=True))
        self._names = frame[["sort", "kec_id"]]
        kab_sums = frame.groupby("kab_key", sort=False)[list(_FIGURES)].sum(min_count=1)
        kec_sums = frame.groupby(["kab_key", "kec_key"], sort=False)[list(_FIGURES)].sum(
            min_count=1)
        kab_item = None
        for (kab, kec), rows in frame.groupby(["kab_key", "kec_key"], sort=False):
            if kab_item is None or kab_item.data(0, KEY_ROLE) != kab:
                kab_rows = frame["code"][frame["kab_key"].to_numpy() == kab]
                kab_item = self._item(self.tree, rows["kab_label"].iat[0],
                                      kab_sums.loc[kab].tolist(), kab_rows.tolist())
                kab_item.setData(0, KEY_ROLE, kab)
                kab_item.setExpanded(True)
            kec_item = self._item(kab_item, rows["kec_label"].iat[0],
                                  kec_sums.loc[(kab, kec)].tolist(), rows["code"].tolist())
            kec_id = rows["kec_id"].iat[0]
            kec_item.setData(0, KEY_ROLE, kec_id)
            kec_item.setChildIndicatorPolicy(QTreeWidgetItem.ShowIndicator)
            self._pending[kec_id] = (kec_item, rows)
        self.summary.setText(tr("ui.desa_tree.summary", kab=self.tree.topLevelItemCount(),
                                kec=frame["kec"].nunique(), desa=len(frame)))
        self.tree.blockSignals(False)
        if self.filter.text().strip():
            self._apply_filter(self.filter.text())
        self._on_selection_change(*self.state.selection)

    def _figures(self, desa: pd.DataFrame) -> pd.DataFrame:
        """Each desa's code, names, parent codes and figures (NaN where never loaded)."""
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
        return frame

    def _fill(self, key: str) -> None:
        """Make the desa rows of the kecamatan ``key`` if not yet made."""
        pending = self._pending.pop(key, None)
        if pending is None:
            return
        kec_item, rows = pending
        text = self.filter.text().strip().lower()
        blocked = self.tree.blockSignals(True)
        try:
            figures = rows[list(_FIGURES)].to_numpy(dtype=float).tolist()
            for code, name, values in zip(rows["code"], rows["name"], figures, strict=True):
                item = self._item(kec_item, name, values, [code])
                if text and text not in name.lower():
                    item.setHidden(True)
                self.desa_items[code] = item
            kec_item.setChildIndicatorPolicy(
                QTreeWidgetItem.DontShowIndicatorWhenChildless)
        finally:
            self.tree.blockSignals(blocked)

    def fill_all(self) -> None:
        """Every desa row made (what a test or an export of the whole tree needs)."""
        for key in list(self._pending):
            self._fill(key)

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        if item.parent() is not None:
            self._fill(item.data(0, KEY_ROLE))

    def _item(self, parent, name: str, figures: list, codes: list[str]) -> QTreeWidgetItem:
        """One line: an area's name and figures (the sums of its desa)."""
        missing = self._missing
        values = [str(name)]
        for c, v in zip(_FIGURES, figures, strict=True):
            values.append("–" if missing[c] else num_text(v))
        item = QTreeWidgetItem(parent, values)
        item.setData(0, CODES_ROLE, codes)
        for i, c in enumerate(_FIGURES, start=1):
            item.setTextAlignment(i, _RIGHT)
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
            keys = keys if layer == "desa" else ()
            for kec_id in {self._kec_of.get(k) for k in keys} & self._pending.keys():
                self._fill(kec_id)
            show_selection(self.tree, self.desa_items, keys)
        finally:
            self._syncing = False

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        if needle and self._pending:  # the kecamatan with a matching desa get their rows
            found = self._names["sort"].str.contains(needle, regex=False).to_numpy()
            for kec_id in set(self._names["kec_id"][found]) & self._pending.keys():
                self._fill(kec_id)
        filter_tree(self.tree, text)


register_catalog("ui", "desa_tree")
