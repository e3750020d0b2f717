"""The attribute table: any layer of the project or the analysis, searchable and sortable,
with the selection synced both ways with the map (through :class:`ui.state.AppState`)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import register_catalog
from layers.safe_cells import csv_frame
from ui.qtext import qtr
from ui.state import AppState
from ui.table_model import KEY_ROLE, DataFrameModel, fit_columns, sortable_view

TABLE_LAYERS = ("facilities", "desa", "kecamatan", "gaps", "import_report", "budget")
EDITABLE_FACILITY_COLUMNS = ("name", "type", "parent_id", "nurses", "midwives", "nakes", "kader",
                             "level")


class AttributeTable(QWidget):
    edit_requested = Signal(str, str, object)  # fac_id, column, value

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.layer_box = QComboBox()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.export_button = QPushButton()
        self.model = DataFrameModel(layer="facilities", editable=EDITABLE_FACILITY_COLUMNS,
                                    on_edit=self._on_cell_edit)
        self.proxy, self.view = sortable_view(
            self.model, self, selection=QAbstractItemView.ExtendedSelection,
            edit_triggers=QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.view.setAlternatingRowColors(True)
        top = QHBoxLayout()
        self.layer_label = QLabel()
        top.addWidget(self.layer_label)
        top.addWidget(self.layer_box)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.view)
        for name in TABLE_LAYERS:
            self.layer_box.addItem("", name)
        self.layer_box.currentIndexChanged.connect(self._on_layer_pick)
        self.search.textChanged.connect(self._on_search)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection)
        self.export_button.clicked.connect(self._export)
        state.project_replaced.connect(self.refresh)
        state.result_changed.connect(self._on_result)
        state.layer_changed.connect(self._on_layer_change)
        state.selection_changed.connect(self._on_selection_change)
        self.retranslate()
        self.refresh()

    @property
    def layer(self) -> str:
        return self.layer_box.currentData()

    def set_layer(self, name: str) -> None:
        i = self.layer_box.findData(name)
        if i >= 0:
            self.layer_box.setCurrentIndex(i)

    def retranslate(self) -> None:
        for i in range(self.layer_box.count()):
            self.layer_box.setItemText(i, qtr(f"ui.layer.{self.layer_box.itemData(i)}"))
        self.layer_label.setText(qtr("ui.table.layer"))
        self.search.setPlaceholderText(qtr("ui.table.search"))
        self.search.setToolTip(qtr("ui.table.search_tip"))
        self.export_button.setText(qtr("ui.table.export"))
        self.export_button.setToolTip(qtr("ui.table.export_tip"))
        self.model.set_frame(self.model.frame, self.model.layer)
        self._update_count()

    def frame_for(self, name: str):
        st = self.state
        res = st.result
        if name == "desa" and res is not None and res.desa is not None:
            return res.desa
        if name == "kecamatan" and res is not None and res.kecamatan is not None:
            return res.kecamatan
        if name == "gaps":
            if res is None or res.gaps is None:
                return None
            g = res.gaps
            return g.sort_values("priority_rank") if "priority_rank" in g.columns else g
        return st.project.layer(name)

    def refresh(self) -> None:
        self.model.set_frame(self.frame_for(self.layer), self.layer)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.proxy.sort(-1)
        fit_columns(self.view, widest=260)
        self._on_selection_change(*self.state.selection)
        self._update_count()

    def _on_result(self) -> None:
        """A new analysis result: the table again when the layer shown comes from it (an open
        announces the project and then its empty result: the facilities are shown once)."""
        if self.frame_for(self.layer) is not self.model.frame:
            self.refresh()

    def _update_count(self) -> None:
        self.count_label.setText(qtr("ui.table.count", shown=self.proxy.rowCount(),
                                     total=self.model.rowCount()))

    def _on_layer_pick(self, _i: int) -> None:
        self.refresh()

    def _on_layer_change(self, name: str) -> None:
        if name == self.layer or (name == "facilities" and self.layer == "facilities"):
            self.refresh()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    def _on_cell_edit(self, key: str, column: str, value) -> bool:
        if self.layer != "facilities":
            return False
        self.edit_requested.emit(key, column, value)
        return True

    def selected_keys(self) -> list[str]:
        rows = self.view.selectionModel().selectedRows()
        return [self.proxy.data(r, KEY_ROLE) for r in rows]

    def _on_view_selection(self, *_args) -> None:
        if self._syncing:
            return
        keys = self.selected_keys()
        layer = self.layer
        self._syncing = True
        try:
            if layer == "gaps" and keys:
                self.state.select("gaps", keys)
            elif layer in ("facilities", "desa", "kecamatan"):
                self.state.select(layer, keys)
        finally:
            self._syncing = False

    def _on_selection_change(self, layer: str, keys: tuple) -> None:
        if self._syncing:
            return
        if layer and layer != self.layer and keys:
            self.set_layer(layer)  # show the layer that was selected on the map
        sm = self.view.selectionModel()
        self._syncing = True
        try:
            sel = QItemSelection()
            first = None
            for k in keys if layer == self.layer else ():
                r = self.model.row_of(k)
                if r is None:
                    continue
                idx = self.proxy.mapFromSource(self.model.index(r, 0))
                if idx.isValid():
                    last = self.proxy.index(idx.row(), max(self.model.columnCount() - 1, 0))
                    sel.select(idx, last)
                    first = first or idx
            sm.select(sel, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            if first is not None:
                self.view.scrollTo(first)
        finally:
            self._syncing = False

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, qtr("ui.table.export"), f"{self.layer}.csv",
                                              "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> None:
        frame = self.model.frame
        cols = self.model.columns
        csv_frame(frame[cols]).to_csv(path, index=False, encoding="utf-8-sig", sep=";",
                                      decimal=",")


register_catalog("ui", "attribute_table")
