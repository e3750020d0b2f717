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
_BLOCK = 512  # rows of a column made into Python values at once (DataFrameModel)


class DataFrameModel(QAbstractTableModel):
    """Read-mostly model of a frame's non-geometry columns.

    ``editable`` names columns the person may edit; an edit calls ``on_edit(key, column, value)``
    (the main window turns it into an undoable command) instead of writing into the frame.

    The model orders and filters its rows itself, on whole columns (:meth:`sort_rows`,
    :meth:`set_column_filter`): a national table's 300,000 rows sorted or filtered through a
    proxy's per-row Python calls would freeze the window for seconds.  Model row ``r`` shows
    the frame's row ``order[r]``; a column's cells become Python values when first asked for.
    """

    def __init__(self, frame=None, layer: str = "", *, editable: tuple[str, ...] = (),
                 on_edit: Callable[[str, str, Any], None] | None = None,
                 headers: Callable[[str], str] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.headers = headers or field_label  # column name -> header text
        self.layer = layer
        self.editable = set(editable)
        self.on_edit = on_edit
        self.column_filters: dict[str, set[str]] = {}
        self._sorted: tuple[int, bool] | None = None  # (column, descending)
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
        # per column, its cells as Python values in blocks of _BLOCK rows, made when first
        # shown (sizing the columns from the first rows converts one block, not 300,000 rows)
        self._cells: list[dict[int, list]] = [{} for _ in self.columns]
        self._keys = key_of(frame, self.layer)
        self._key_source: dict[str, int] | None = None  # made at first use
        self._arrange()  # the sort and the column filters stay (as a proxy's would)
        self.endResetModel()

    # -- row order and filters ---------------------------------------------------------------
    def _arrange(self) -> None:
        """The shown rows: the column filters applied, in the sorted order (else the frame's)."""
        n = len(self._keys)
        order = np.arange(n, dtype=np.int64)
        sorted_ = self._sorted is not None and self._sorted[0] < len(self.columns)
        if sorted_:
            order = self._sort_order(*self._sorted)
        filters = [(c, a) for c, a in self.column_filters.items() if c in self.columns]
        if filters:
            keep = np.ones(n, dtype=bool)
            for column, allowed in filters:
                texts = self.frame[column].astype(str).to_numpy()
                keep &= np.isin(texts, list(allowed))
            order = order[keep[order]]
        self.order = order
        self.keys = [self._keys[i] for i in order] if sorted_ or filters else self._keys
        self._key_rows: dict[str, int] | None = None  # made at first use

    def _sort_order(self, col: int, descending: bool) -> np.ndarray:
        """Frame positions sorted by column ``col`` as the sort role compares them (a stable
        sort, as Qt's): numbers (and booleans) by value, anything else by its text; missing
        cells below every value (first when ascending, last when descending)."""
        series = self.frame[self.columns[col]]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            rank = pd.to_numeric(series, errors="coerce").astype(float).to_numpy(
                dtype=float, na_value=np.nan)
            rank = np.where(np.isnan(rank), -np.inf, rank)
        else:
            cells = self._column(col)
            texts = ["" if is_missing(v) else str(v) for v in cells]
            missing = np.fromiter((is_missing(v) for v in cells), dtype=bool, count=len(cells))
            codes, _ = pd.factorize(np.array(texts, dtype=object), sort=True)
            rank = np.where(missing, -1, codes)
        return np.argsort(-rank if descending else rank, kind="stable")

    def sort_rows(self, col: int, descending: bool = False) -> None:
        """Show the rows sorted by column ``col`` (``-1``: the frame's own order)."""
        self.layoutAboutToBeChanged.emit()
        self._sorted = None if col < 0 else (int(col), bool(descending))
        self._arrange()
        self.layoutChanged.emit()

    def set_column_filter(self, column: str, values: set[str] | None) -> None:
        """Show only the rows whose ``column`` (as text) is one of ``values`` (None: all)."""
        if not values and column not in self.column_filters:
            return  # nothing filtered before or after
        self.beginResetModel()
        if values:
            self.column_filters[column] = {str(v) for v in values}
        else:
            self.column_filters.pop(column, None)
        self._arrange()
        self.endResetModel()

    def _column(self, col: int) -> list:
        """Every cell of column ``col`` as Python values (what sorting by a text needs)."""
        return self.frame[self.columns[col]].tolist()

    def _cell(self, col: int, row: int) -> Any:
        """The Python value of frame row ``row`` in column ``col``."""
        blocks = self._cells[col]
        part = blocks.get(row // _BLOCK)
        if part is None:
            start = row - row % _BLOCK
            part = blocks[row // _BLOCK] = \
                self.frame[self.columns[col]].iloc[start:start + _BLOCK].tolist()
        return part[row % _BLOCK]

    # -- reading -------------------------------------------------------------------------------
    def row_of(self, key: str) -> int | None:
        if self._key_rows is None:
            self._key_rows = self._source_rows() if self.keys is self._keys else \
                {k: r for r, k in enumerate(self.keys)}
        return self._key_rows.get(key)

    def source_row(self, key: str) -> int | None:
        """The frame position of the row with ``key`` (shown or filtered out)."""
        return self._source_rows().get(key)

    def _source_rows(self) -> dict[str, int]:
        if self._key_source is None:
            self._key_source = {k: i for i, k in enumerate(self._keys)}
        return self._key_source

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
        return self._cell(col, int(self.order[row]))

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        role = _int(role)
        if role not in _TEXT_ROLES and role not in (_SORT, _KEY, _ALIGN):
            return None
        if not index.isValid():
            return None
        v = self._cell(index.column(), int(self.order[index.row()]))
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
    """Search over every column (case-insensitive, literal text); sorting and the column
    filters are the source :class:`DataFrameModel`'s own (whole columns at once), so the proxy
    never calls Python once per row unless a search text is set."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseInsensitive)

    @property
    def column_filters(self) -> dict[str, set[str]]:
        return self.sourceModel().column_filters

    def set_search(self, text: str) -> None:
        self.setFilterFixedString(text)

    def set_column_filter(self, column: str, values: set[str] | None) -> None:
        self.sourceModel().set_column_filter(column, values)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        model = self.sourceModel()
        if model is None:
            return
        model.sort_rows(column, order == Qt.DescendingOrder)


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

