"""The conflict dialog of a save to the shared store: every row someone else changed since it
was opened, its differing fields side by side (mine, theirs) with a choice per field (keep
mine / keep theirs; choosing per field is the merge; a field only I changed is kept without
asking), and buttons to choose one side for all.
A row one side deleted has one line: keep the deletion or the row.  :meth:`choices` is what
``layers.pgstore.checkout.check_in`` takes.  Imports Qt and ``layers.pgstore``."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ilp_gis.i18n import format_number, register_catalog
from layers.pgstore.checkout import WHOLE_ROW, conflict_key
from layers.pgstore.edits import GEOMETRY, KEEP_MINE, KEEP_THEIRS, EditConflict
from ui.qtext import qtr
from ui.state import field_label

_MINE_COLOUR = QColor("#fff4d6")


def row_label(conflict: EditConflict) -> str:
    """The row as a person knows it: its name and id, from whichever side still has it."""
    row = conflict.theirs or conflict.mine_row or conflict.mine or {}
    ident = next((str(row[k]) for k in ("fac_id", "code", "budget_id")
                  if row.get(k) not in (None, "")), "")
    name = row.get("name")
    layer = layer_label(conflict.layer)
    if name and ident:
        return qtr("ui.store.conflict.row", layer=layer, name=str(name), id=ident)
    return qtr("ui.store.conflict.row", layer=layer, name=str(name or ident or "-"),
               id=str(conflict.rid))


def layer_label(layer: str) -> str:
    """The layer's name in the window's language (its own name when it has none)."""
    from ilp_gis.i18n import has

    key = f"ui.layer.{layer}"
    return qtr(key) if has(key) else layer


def show_value(value) -> str:
    """A cell for the dialog: missing as a dash, a point as its coordinates."""
    if value is None:
        return "–"
    if hasattr(value, "geom_type"):
        if value.geom_type == "Point":
            return qtr("ui.store.conflict.point", lat=format_number(value.y, 5),
                       lon=format_number(value.x, 5))
        return value.geom_type
    if isinstance(value, bool):
        return qtr("ui.store.conflict.yes") if value else qtr("ui.store.conflict.no")
    if isinstance(value, float):
        return format_number(value, 2 if value != int(value) else 0)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ConflictDialog(QDialog):
    """One table: a line per (row, differing field) with mine, theirs and the choice."""

    def __init__(self, conflicts: list[EditConflict], parent=None, *,
                 geometries: dict[tuple, object] | None = None) -> None:
        super().__init__(parent)
        self.conflicts = conflicts
        geometries = geometries or {}
        self.setWindowTitle(qtr("ui.store.conflict.title"))
        self.resize(860, 420)
        intro = QLabel(qtr("ui.store.conflict.intro", n=len(conflicts)))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([qtr("ui.store.conflict.col_field"),
                                              qtr("ui.store.conflict.col_mine"),
                                              qtr("ui.store.conflict.col_theirs"),
                                              qtr("ui.store.conflict.col_keep")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeToContents)
        self.boxes: list[tuple[EditConflict, str, QComboBox]] = []
        for conflict in conflicts:
            self._add_conflict(conflict, geometries.get(conflict_key(conflict)))
        all_mine = QPushButton(qtr("ui.store.conflict.all_mine"))
        all_theirs = QPushButton(qtr("ui.store.conflict.all_theirs"))
        all_mine.clicked.connect(lambda: self.choose_all(KEEP_MINE))
        all_theirs.clicked.connect(lambda: self.choose_all(KEEP_THEIRS))
        buttons = QDialogButtonBox(QDialogButtonBox.Apply | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Apply).clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(all_mine)
        bottom.addWidget(all_theirs)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def _line(self, texts: list[str], *, heading: bool = False) -> int:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if heading:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(r, c, item)
        if heading:
            self.table.setSpan(r, 0, 1, 4)
        return r

    def _add_conflict(self, conflict: EditConflict, their_geometry) -> None:
        self._line([row_label(conflict)], heading=True)
        if conflict.mine is None or conflict.theirs is None:
            mine = qtr("ui.store.conflict.deleted") if conflict.mine is None \
                else qtr("ui.store.conflict.kept")
            theirs = qtr("ui.store.conflict.deleted") if conflict.theirs is None \
                else qtr("ui.store.conflict.changed")
            r = self._line([qtr("ui.store.conflict.whole_row"), mine, theirs])
            self._choice(r, conflict, WHOLE_ROW)
            return
        for column in conflict.asked():
            mine = conflict.mine.get(column)
            theirs = their_geometry if column == GEOMETRY else conflict.theirs.get(column)
            label = qtr("ui.store.conflict.location") if column == GEOMETRY \
                else field_label(column)
            r = self._line([label, show_value(mine), show_value(theirs)])
            self._choice(r, conflict, column)

    def _choice(self, r: int, conflict: EditConflict, column: str) -> None:
        box = QComboBox()
        box.addItem(qtr("ui.store.conflict.keep_mine"), KEEP_MINE)
        box.addItem(qtr("ui.store.conflict.keep_theirs"), KEEP_THEIRS)
        box.currentIndexChanged.connect(lambda _i, r=r, b=box: self._paint(r, b))
        self.table.setCellWidget(r, 3, box)
        self.boxes.append((conflict, column, box))
        self._paint(r, box)

    def _paint(self, r: int, box: QComboBox) -> None:
        """The winning side's cell is tinted."""
        mine = box.currentData() == KEEP_MINE
        for c in (1, 2):
            item = self.table.item(r, c)
            if item is not None:
                win = (c == 1) == mine
                item.setBackground(QBrush(_MINE_COLOUR) if win else QBrush())

    def choose_all(self, side: str) -> None:
        for _conflict, _column, box in self.boxes:
            box.setCurrentIndex(box.findData(side))

    def choose(self, conflict: EditConflict, column: str, side: str) -> None:
        for c, col, box in self.boxes:
            if c is conflict and col == column:
                box.setCurrentIndex(box.findData(side))

    def choices(self) -> dict[tuple, list[str]]:
        """:func:`~layers.pgstore.checkout.conflict_key` → the fields where mine wins."""
        out: dict[tuple, list[str]] = {conflict_key(c): [] for c in self.conflicts}
        for conflict, column, box in self.boxes:
            if box.currentData() == KEEP_MINE:
                out[conflict_key(conflict)].append(column)
        return out


register_catalog("ui", "store_conflict_dialog")
