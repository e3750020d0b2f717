"""Tables size their columns from the texts shown on their first rows (never from every row of
a province), capped; the attribute table is filled once when a project is opened; the panels'
frame model reads each cell from a list made once."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from ui.table_model import DataFrameModel, FrameModel, fit_columns, sortable_view


def test_columns_fit_the_first_rows_and_the_header(qtbot):
    long_name = "Pustu Sumber Waras Kidul"
    frame = pd.DataFrame({"fac_id": ["a", "b", "c"], "name": ["X", long_name, "Y"],
                          "note": ["w" * 300, "", None]})
    model = DataFrameModel(frame, "facilities")
    proxy, view = sortable_view(model, None, selection=QAbstractItemView.ExtendedSelection,
                                 edit_triggers=QAbstractItemView.NoEditTriggers)
    qtbot.addWidget(view)
    proxy.sort(-1)  # the frame's own order, as the attribute table shows it
    fit_columns(view, rows=2, widest=260)
    fm = view.fontMetrics()
    assert view.columnWidth(1) >= fm.horizontalAdvance(long_name)
    assert view.columnWidth(2) == 260  # the 300 w's are cut at the cap
    head = view.horizontalHeader().fontMetrics().horizontalAdvance(
        str(model.headerData(0, Qt.Horizontal, Qt.DisplayRole)))
    assert view.columnWidth(0) >= head  # "a" is narrower than its header
    fit_columns(view, rows=1, widest=260)  # only "X" measured in the name column now
    assert view.columnWidth(1) < fm.horizontalAdvance(long_name)


def test_frame_model_values_from_the_frame():
    model = FrameModel([("amount", "Jumlah", "rupiah"), ("year", "Tahun", "int"),
                        ("gone", "Tidak ada", "text")])
    model.set_frame(pd.DataFrame({"amount": [1500000.0, None], "year": [2026, 2027]},
                                 index=[7, 9]))
    assert model.value(0, 0) == 1500000.0 and model.value(1, 1) == 2027
    assert model.text(1, 0) == "–" and model.value(0, 2) is None
    model.set_frame(None)
    assert model.rowCount() == 0


def test_attribute_table_filled_once_per_open(qtbot, window, monkeypatch):
    table = window.table
    fills = []
    real = DataFrameModel.set_frame
    monkeypatch.setattr(DataFrameModel, "set_frame",
                        lambda self, *a, **k: fills.append(self) or real(self, *a, **k))
    window.state.set_project(window.state.project)
    assert fills.count(table.model) == 1
    assert table.model.rowCount() == len(window.state.project.facilities)

