"""A facility's history in the shared store: every audited change (when, who, what kind) and,
for each changed field, the value before and after — read from the store's audit table by
``layers.pgstore.edits.history``.  Imports Qt."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ilp_gis.i18n import format_date, register_catalog
from ui.qtext import qtr
from ui.state import field_label
from ui.store_conflict_dialog import show_value

_HIDDEN = {"_rid", "_row_version", "_kab", "geom"}
_OPS = {"insert": "ui.store.history.op_insert", "update": "ui.store.history.op_update",
        "delete": "ui.store.history.op_delete"}


def history_lines(trail: list[dict]) -> list[tuple[str, str, str, str, str, str]]:
    """``(when, who, what, field, before, after)`` per changed field of every audit entry,
    oldest first; an entry changing only the location or nothing shown says so once."""
    lines = []
    for entry in trail:
        at = entry["at"]
        when = f"{format_date(at)} {at:%H:%M:%S}" if hasattr(at, "strftime") else str(at)
        what = qtr(_OPS.get(entry["op"], "ui.store.history.op_update"))
        before, after = entry["before"] or {}, entry["after"] or {}
        fields = [c for c in entry["changed"] if c not in _HIDDEN]
        if entry["op"] == "insert":
            fields = [c for c in fields if after.get(c) is not None]
        if "geom" in entry["changed"]:
            fields.append("geom")
        if not fields:
            lines.append((when, entry["who"], what, "–", "–", "–"))
        for column in fields:
            if column == "geom":  # the audit holds it as GeoJSON
                lines.append((when, entry["who"], what, qtr("ui.store.history.location"),
                              _place(before.get("geom")), _place(after.get("geom"))))
                continue
            lines.append((when, entry["who"], what, field_label(column),
                          show_value(before.get(column)), show_value(after.get(column))))
    return lines


def _place(geojson) -> str:
    """A stored location as the conflict dialog shows it (a point as its coordinates)."""
    if not isinstance(geojson, dict) or "type" not in geojson:
        return "–"
    from shapely.geometry import shape

    try:
        return show_value(shape(geojson))
    except (ValueError, TypeError, AttributeError):
        return str(geojson.get("type"))


class HistoryDialog(QDialog):
    def __init__(self, title: str, trail: list[dict], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(qtr("ui.store.history.title", name=title))
        self.resize(900, 420)
        lines = history_lines(trail)
        heads = ("when", "who", "what", "field", "before", "after")
        self.table = QTableWidget(len(lines), len(heads))
        self.table.setHorizontalHeaderLabels([qtr(f"ui.store.history.col_{h}") for h in heads])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for r, line in enumerate(lines):
            for c, text in enumerate(line):
                self.table.setItem(r, c, QTableWidgetItem(str(text)))
        header = self.table.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        header.setSectionResizeMode(5, QHeaderView.Stretch)
        intro = QLabel(qtr("ui.store.history.intro", n=len(trail)) if trail
                       else qtr("ui.store.history.empty"))
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)


register_catalog("ui", "store_history_dialog")
