"""The network tree: Puskesmas → Pustu → Posyandu from the analysis graph.

Counts per node, problems marked (colour, icon and tooltip), the members of each COE unit
marked "[COE]" with their unit in the tooltip; clicking a node selects it and zooms
the map to it; a facility selected on the map is selected here.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.coe import unit_members, units_only
from ilp_gis.i18n import format_number, format_percent, register_catalog, tr
from layers import symbology as sym
from ui.qtext import qtr
from ui.state import AppState
from ui.tree_filter import filter_tree, show_selection

KEY_ROLE = Qt.UserRole + 10
_TYPES = ("puskesmas", "pustu", "posyandu")


COE_MARK = "[COE]"


def _unit_text(unit: dict) -> str:
    """A COE unit for a tooltip: its id, members, score and verdict."""
    score = unit.get("score")
    meets = unit.get("meets")
    verdict = tr("ui.tree.coe_undecided") if meets is None or pd.isna(meets) else \
        tr("ui.tree.coe_meets") if bool(meets) else tr("ui.tree.coe_below")
    n = unit.get("posyandu_count")
    return tr("ui.tree.coe_unit", unit=unit.get("unit_id") or "–", pkm=unit.get("name") or "–",
              pustu=unit.get("pustu_name") or "–",
              n="–" if n is None or pd.isna(n) else int(n),
              score="–" if score is None or pd.isna(score) else format_percent(float(score), 0),
              verdict=verdict)


class NetworkTree(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.items: dict[str, QTreeWidgetItem] = {}
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        # names never cut: every column as wide as its longest text, scrolled sideways
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.filter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
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
        # the network below a facility as two short numbers, so a 300-pixel panel shows them
        self.tree.setHeaderLabels([qtr("ui.tree.facility"), qtr("ui.tree.col.pustu"),
                                   qtr("ui.tree.col.posyandu")])
        for col, t in ((1, "pustu"), (2, "posyandu")):
            self.tree.headerItem().setToolTip(col, qtr(f"ui.tree.col.{t}_tip"))
        self.filter.setPlaceholderText(qtr("ui.tree.filter"))
        self.rebuild()

    def problems(self, severity: str = "problem") -> dict[str, list[str]]:
        """Facility → the messages of its network findings of ``severity`` ("problem", or
        "info" for notes such as a parent found by name, which are no problem)."""
        out: dict[str, list[str]] = {}
        rows = _findings(self.state.result, severity)
        if rows is None:
            return out
        for ids, msg, kind in zip(rows["fac_ids"], rows["message"], rows["kind"], strict=True):
            for fid in str(ids or "").replace(",", ";").split(";"):
                if fid.strip():
                    out.setdefault(fid.strip(), []).append(str(msg or kind))
        return out

    def problem_count(self) -> int:
        """The network problems of the result (findings, as summary.json and the PDF count)."""
        rows = _findings(self.state.result, "problem")
        return 0 if rows is None else len(rows)

    def rebuild(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self.items = {}
        res = self.state.result
        if res is None or res.graph is None:
            self.summary.setText(qtr("ui.tree.no_result"))
            self.tree.blockSignals(False)
            return
        g = res.graph
        problems = self.problems()
        notes = self.problems("info")
        units = units_only(res.coe)
        members = unit_members(units)
        unit_rows = {u: r for u, r in zip(units["unit_id"], units.to_dict("records"),
                                          strict=True)} if units is not None and len(units) \
            and "unit_id" in units else {}

        def name_of(n):
            return str(g.nodes[n].get("name") or n)

        def add(node, parent_item) -> QTreeWidgetItem:
            data = g.nodes[node]
            typ = str(data.get("type", ""))
            item = QTreeWidgetItem(parent_item, [name_of(node), "", ""])
            item.setData(0, KEY_ROLE, str(node))
            style = sym.FACILITY_STYLES.get(typ)
            if style is not None:
                item.setForeground(0, QBrush(QColor(style.fill).darker(120)))
            item.setToolTip(0, f"{tr('facility.' + typ) if typ in _TYPES else typ} · {node}")
            self.items[str(node)] = item
            kids = sorted(g.successors(node), key=lambda n: (_TYPES.index(g.nodes[n].get("type"))
                                                             if g.nodes[n].get("type") in _TYPES
                                                             else 9, name_of(n)))
            counts = {t: 0 for t in _TYPES}
            for k in kids:
                add(k, item)
                t = g.nodes[k].get("type")
                if t in counts:
                    counts[t] += 1
            for t in ("pustu", "posyandu"):  # grandchildren
                counts[t] += sum(1 for k in kids for kk in g.successors(k)
                                 if g.nodes[kk].get("type") == t)
            for col, t in ((1, "pustu"), (2, "posyandu")):
                if counts[t]:
                    item.setText(col, format_number(counts[t]))
                    item.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
            if str(node) in problems:
                item.setBackground(0, QBrush(QColor(sym.PROBLEM_FACILITY_STYLE.fill).lighter(150)))
                item.setText(0, "⚠ " + item.text(0))
                item.setToolTip(0, "\n".join(problems[str(node)] + notes.get(str(node), [])))
            elif str(node) in notes:  # a note only: said in the tooltip, not marked as a problem
                item.setToolTip(0, "\n".join([item.toolTip(0)] + notes[str(node)]))
            if str(node) in members:  # a member of a COE unit: marked, its unit in the tooltip
                unit = unit_rows.get(members[str(node)], {})
                item.setText(0, f"{item.text(0)} {COE_MARK}")
                item.setForeground(0, QBrush(QColor(sym.COE_MEMBER_STYLE.stroke)))
                item.setToolTip(0, "\n".join([item.toolTip(0), _unit_text(unit)]))
            return item

        roots = [n for n in g.nodes if g.nodes[n].get("type") == "puskesmas"]
        roots.sort(key=name_of)
        for r in roots:
            add(r, self.tree)
        orphans = [n for n in g.nodes if g.in_degree(n) == 0
                   and g.nodes[n].get("type") != "puskesmas"]
        if orphans:
            group = QTreeWidgetItem(self.tree, [qtr("ui.tree.orphans_n",
                                                    n=format_number(len(orphans))), "", ""])
            group.setForeground(0, QBrush(QColor("#922b21")))
            for n in sorted(orphans, key=name_of):
                add(n, group)
        counts = {t: sum(1 for n in g.nodes if g.nodes[n].get("type") == t) for t in _TYPES}
        text = tr("ui.tree.summary", pkm=counts["puskesmas"], pustu=counts["pustu"],
                  psy=counts["posyandu"], problems=self.problem_count(), facilities=len(problems))
        if unit_rows:
            text += " · " + tr("ui.tree.coe_summary", n=len(unit_rows), mark=COE_MARK)
        self.summary.setText(text)
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setExpanded(len(roots) <= 12)
        self.tree.resizeColumnToContents(0)
        self.tree.blockSignals(False)
        self._on_selection_change(*self.state.selection)

    def _selected_keys(self) -> list[str]:
        return [k for it in self.tree.selectedItems() if (k := it.data(0, KEY_ROLE))]

    def _on_tree_selection(self) -> None:
        if self._syncing:
            return
        keys = self._selected_keys()
        self._syncing = True
        try:
            self.state.select("facilities", keys)
        finally:
            self._syncing = False

    def _on_click(self, item: QTreeWidgetItem, _col: int) -> None:
        key = item.data(0, KEY_ROLE)
        if key:
            self.state.request_zoom("facilities", [key])

    def _on_selection_change(self, layer: str, keys: tuple) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            show_selection(self.tree, self.items, keys if layer == "facilities" else ())
        finally:
            self._syncing = False

    def _apply_filter(self, text: str) -> None:
        filter_tree(self.tree, text)


def _findings(result, severity: str) -> pd.DataFrame | None:
    """The result's network findings of ``severity``; None when it has none at all."""
    problems = result.network_problems if result is not None else None
    if problems is None or not len(problems):
        return None
    from ilp_gis.network import findings  # at first use: the module pulls in networkx, scipy

    return findings(problems, severity)


register_catalog("ui", "network_tree")
