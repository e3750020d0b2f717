"""Qt table models over (Geo)DataFrames with Indonesian number formats: :class:`DataFrameModel`
shows a layer's own columns (keyed rows, sortable, filterable), :class:`FrameModel` a fixed list
of columns with typed formats (money, states).  Imports Qt, ``ilp_gis``, ``layers`` and ui.state."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from ilp_gis.i18n import format_date, format_number, format_rupiah, has, tr
from layers.symbology import FUNDING_STYLES
from ui.qtext import qtr
from ui.state import field_label, key_of

CODE_LABELS = {"type": "facility.", "parent_type": "facility.", "child_type": "facility.",
               "kind": "gap."}
"""Columns holding codes shown by their label (the code stays the value edited and sorted)."""

SORT_ROLE = Qt.UserRole + 1  # raw value, for numeric sorting
KEY_ROLE = Qt.UserRole + 2  # the row's feature key


def _int(role) -> int:
    return role if isinstance(role, int) else int(role.value)


# Roles as plain ints: comparing enum members on every data() call is very slow in Python.
_DISPLAY, _EDIT, _TOOLTIP, _ALIGN = (_int(r) for r in (Qt.DisplayRole, Qt.EditRole,
                                                       Qt.ToolTipRole, Qt.TextAlignmentRole))
_TEXT_ROLES = frozenset((_DISPLAY, _EDIT, _TOOLTIP))
_SORT, _KEY = _int(SORT_ROLE), _int(KEY_ROLE)
_RIGHT = Qt.AlignRight | Qt.AlignVCenter
_BACKGROUND = _int(Qt.BackgroundRole)
_FRAME_ROLES = frozenset((_DISPLAY, _EDIT, _TOOLTIP, _ALIGN, _BACKGROUND))


class DataFrameModel(QAbstractTableModel):
    """Read-mostly model of a frame's non-geometry columns.

    ``editable`` names columns the person may edit; an edit calls ``on_edit(key, column, value)``
    (the main window turns it into an undoable command) instead of writing into the frame.
    """

    def __init__(self, frame=None, layer: str = "", *, editable: tuple[str, ...] = (),
                 on_edit: Callable[[str, str, Any], None] | None = None,
                 headers: Callable[[str], str] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.headers = headers or field_label  # column name -> header text
        self.layer = layer
        self.editable = set(editable)
        self.on_edit = on_edit
        self.set_frame(frame, layer)

    def set_frame(self, frame, layer: str | None = None) -> None:
        self.beginResetModel()
        if layer is not None:
            self.layer = layer
        if frame is None:
            frame = pd.DataFrame()
        geom = getattr(frame, "geometry", None)
        geom_name = geom.name if geom is not None and hasattr(frame, "_geometry_column_name") else None
        self.columns = [c for c in frame.columns if c != geom_name]
        self.frame = frame
        self._values = [frame[c].tolist() for c in self.columns]
        self.keys = key_of(frame, self.layer)
        self._key_rows = {k: i for i, k in enumerate(self.keys)}
        self.endResetModel()

    def row_of(self, key: str) -> int | None:
        return self._key_rows.get(key)

    def column_of(self, name: str) -> int | None:
        try:
            return self.columns.index(name)
        except ValueError:
            return None

    def rowCount(self, parent=None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.keys)

    def columnCount(self, parent=None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def raw(self, row: int, col: int) -> Any:
        return self._values[col][row]

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        role = _int(role)
        if role not in _TEXT_ROLES and role not in (_SORT, _KEY, _ALIGN):
            return None
        if not index.isValid():
            return None
        v = self._values[index.column()][index.row()]
        if role in _TEXT_ROLES:
            if role != _EDIT and isinstance(v, str):
                prefix = CODE_LABELS.get(self.columns[index.column()])
                if prefix is not None and has(prefix + v):
                    return qtr(prefix + v)  # "Posyandu", not the stored code "posyandu"
            return display(v)
        if role == _SORT:
            if is_missing(v):
                return -math.inf
            if isinstance(v, (bool, np.bool_)):
                return int(v)
            if isinstance(v, (int, float, np.integer, np.floating)):
                return float(v)
            return str(v)
        if role == _KEY:
            return self.keys[index.row()]
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            return _RIGHT
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if _int(role) != _DISPLAY:
            return None
        if orientation == Qt.Horizontal:
            return self.headers(self.columns[section]) if section < len(self.columns) else None
        return str(section + 1)

    def flags(self, index: QModelIndex):
        f = super().flags(index)
        if index.isValid() and self.columns[index.column()] in self.editable and self.on_edit:
            f |= Qt.ItemIsEditable
        return f

    def setData(self, index: QModelIndex, value, role: int = Qt.EditRole) -> bool:  # noqa: N802
        if role != Qt.EditRole or not index.isValid() or self.on_edit is None:
            return False
        col = self.columns[index.column()]
        if col not in self.editable:
            return False
        text = value.strip() if isinstance(value, str) else value
        return bool(self.on_edit(self.keys[index.row()], col, text if text != "" else None)
                    is not False)


def is_missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return isinstance(v, float) and math.isnan(v)
    except TypeError:
        return False


def display(v: Any) -> str:
    if is_missing(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "✓" if v else "✗"
    if isinstance(v, (int, np.integer)):
        return format_number(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return format_number(f, 0)
        return format_number(f, 2 if abs(f) < 100 else 1)
    if hasattr(v, "isoformat"):
        return format_date(v)
    return str(v)


_ROOT = QModelIndex()


class FrameModel(QAbstractTableModel):
    """A table model over a DataFrame: ``columns`` = [(column, header, kind)], kind one of
    ``text``, ``int``, ``number``, ``rupiah``, ``date`` (ISO text), ``funding_state``,
    ``label:<prefix>``.

    Editable columns call ``on_edit(row, column, value)`` instead of changing the frame.
    """

    def __init__(self, columns: list[tuple[str, str, str]], *, editable: tuple[str, ...] = (),
                 on_edit: Callable[[int, str, Any], bool] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.spec = columns
        self.editable = set(editable)
        self.on_edit = on_edit
        self.frame = pd.DataFrame()
        self._cells: dict[str, list] = {}

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        self.beginResetModel()
        self.frame = (pd.DataFrame() if frame is None else pd.DataFrame(frame)).reset_index(
            drop=True)
        # each shown column as a list once: a view sizing its columns asks every cell of its
        # first rows several times, and a DataFrame lookup per cell is slow
        self._cells = {name: self.frame[name].tolist() for name, _, _ in self.spec
                       if name in self.frame.columns}
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.spec)

    def value(self, row: int, col: int) -> Any:
        name = self.spec[col][0]
        cells = self._cells.get(name)
        return None if cells is None else cells[row]

    def text(self, row: int, col: int) -> str:
        v = self.value(row, col)
        kind = self.spec[col][2]
        if is_missing(v):
            return "–" if kind in ("number", "rupiah", "int") else ""
        if kind == "rupiah":
            return format_rupiah(v)
        if kind == "number":
            return format_number(v, 1 if float(v) % 1 else 0)
        if kind == "int":
            return format_number(v)
        if kind == "funding_state":
            return tr(f"budget.state.{v}")
        if kind.startswith("label:"):
            key = f"{kind[6:]}.{v}"
            return tr(key) if key != tr(key) else str(v)
        if kind == "date":  # an ISO date as planners read it ("30 September 2026")
            try:
                return format_date(dt.date.fromisoformat(str(v)[:10]))
            except ValueError:
                return str(v)
        if kind == "codes":  # ";"-joined funding sources
            return ", ".join(tr(f"funding.{s}") for s in str(v).split(";") if s)
        return str(v)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        role = _int(role)
        if role not in _FRAME_ROLES or not index.isValid():
            return None
        r, c = index.row(), index.column()
        kind = self.spec[c][2]
        if role == _DISPLAY or role == _TOOLTIP:
            return self.text(r, c)
        if role == _EDIT:
            v = self.value(r, c)
            return "" if is_missing(v) else str(v)
        if role == _ALIGN and kind in ("number", "rupiah", "int"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == _BACKGROUND and kind == "funding_state":
            style = FUNDING_STYLES.get(str(self.value(r, c)))
            if style is not None and style.fill:
                colour = QColor(style.fill)
                colour.setAlpha(110)
                return QBrush(colour)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return self.spec[section][1] if section < len(self.spec) else None
        return str(section + 1)

    def flags(self, index: QModelIndex):
        f = super().flags(index)
        if index.isValid() and self.spec[index.column()][0] in self.editable and self.on_edit:
            f |= Qt.ItemIsEditable
        return f

    def setData(self, index: QModelIndex, value, role: int = Qt.EditRole) -> bool:  # noqa: N802
        if role != Qt.EditRole or not index.isValid() or self.on_edit is None:
            return False
        col = self.spec[index.column()][0]
        if col not in self.editable:
            return False
        return bool(self.on_edit(index.row(), col, value))


class FilterProxy(QSortFilterProxyModel):
    """Search over every column (case-insensitive, literal text) plus an optional key filter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.column_filters: dict[str, set[str]] = {}

    def set_search(self, text: str) -> None:
        self.setFilterFixedString(text)

    def set_column_filter(self, column: str, values: set[str] | None) -> None:
        self.beginFilterChange()  # Qt >= 6.9: begin/end replace the deprecated invalidateFilter
        if values:
            self.column_filters[column] = {str(v) for v in values}
        else:
            self.column_filters.pop(column, None)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def lessThan(self, left, right) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is type(b):
            return a < b
        return str(a) < str(b)

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802
        model = self.sourceModel()
        for column, allowed in self.column_filters.items():
            c = model.column_of(column)
            if c is not None and str(model.raw(row, c)) not in allowed:
                return False
        return super().filterAcceptsRow(row, parent)


def sortable_view(model: DataFrameModel, parent, *, selection, edit_triggers) -> tuple:
    """``(proxy, view)``: a sortable, filterable row-selecting table over ``model`` — the one
    set-up every data table of the app shares (columns sized from the first 60 rows)."""
    from PySide6.QtWidgets import QAbstractItemView, QTableView

    proxy = FilterProxy(parent)
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.horizontalHeader().setResizeContentsPrecision(60)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(edit_triggers)
    view.verticalHeader().setDefaultSectionSize(22)
    return proxy, view


def fit_columns(view, *, rows: int = 40, widest: int = 260) -> None:
    """Each column of ``view`` as wide as its header and the texts of its first ``rows`` rows,
    at most ``widest`` pixels: what ``resizeColumnsToContents`` gives, measured on the shown
    text alone (that asks each cell for every role, slow over a province's 40 columns)."""
    model = view.model()
    cell_fm = view.fontMetrics()
    head_fm = view.horizontalHeader().fontMetrics()
    n = min(model.rowCount(), rows)
    for c in range(model.columnCount()):
        head = model.headerData(c, Qt.Horizontal, Qt.DisplayRole)
        width = head_fm.horizontalAdvance(str(head or "")) + 28  # room for the sort arrow
        for r in range(n):
            text = model.data(model.index(r, c), Qt.DisplayRole)
            if text:
                width = max(width, cell_fm.horizontalAdvance(str(text)) + 14)
        view.setColumnWidth(c, min(width, widest))

