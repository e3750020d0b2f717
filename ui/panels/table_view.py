"""The table view every panel shows its frames in: whole rows selected, interactive column
widths measured on the first rows (a national table stays fast) and re-measured when the table
is refilled, the last column stretched, alternating rows.  Imports Qt only."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def panel_table(model: QAbstractTableModel) -> QTableView:
    """A :class:`QTableView` of ``model`` in the panels' one style."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setResizeContentsPrecision(100)
    model.modelReset.connect(view.resizeColumnsToContents)
    view.resizeColumnsToContents()
    return view
