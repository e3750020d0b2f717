"""The network tree: Puskesmas → Pustu → Posyandu from the analysis graph.

Counts per node, problems marked (colour, icon and tooltip), the members of each COE unit
marked "[COE]" with their unit in the tooltip; clicking a node selects it and zooms
the map to it; a facility selected on the map is selected here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer
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
from ui.worker import Task, work_out_after_slot

KEY_ROLE = Qt.UserRole + 10
_TYPES = ("puskesmas", "pustu", "posyandu")
ASYNC_NODES = 5_000
ROW_BATCH = 300
"""Top rows made per turn of the event loop (see NetworkTree._show)."""
"""From this many facilities on, the tree is worked out off the UI thread and its rows are made
when opened."""
_PROBLEM_FILL = QColor(sym.PROBLEM_FACILITY_STYLE.fill).lighter(150).name()


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
        self.rows_pending = False  # top rows still being made, a batch per event-loop turn
        self.items: dict[str, QTreeWidgetItem] = {}  # the rows made so far
        self._pending: dict[int, tuple] = {}  # rows whose children are not made yet
        self._plan_data: dict | None = None
        self._filter_keep: set[int] | None = None  # with a filter: the rows it keeps
        self._built_for = None
        self._task: Task | None = None  # the worker working out a national tree
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
        self.tree.itemExpanded.connect(self._on_expanded)
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
        return _problems(self.state.result, severity)

    def problem_count(self) -> int:
        """The network problems of the result (findings, as summary.json and the PDF count)."""
        rows = _findings(self.state.result, "problem")
        return 0 if rows is None else len(rows)

    def rebuild(self) -> None:
        """The tree of the current result.  Below :data:`ASYNC_NODES` facilities every row is
        made at once; above, the rows' texts, counts and order are worked out in a worker
        thread (plain data, from the network's arrays: no graph is built for it) and a row's
        children are made when it is opened, found by the filter or selected on the map."""
        self._clear()
        self._task = None  # an older plan still being worked out is not shown
        res = self.state.result
        self._built_for = res
        if res is None or res.graph is None:
            self.summary.setText(qtr("ui.tree.no_result"))
            return
        project = self.state.project
        size = len(project.facilities) if project.has("facilities") else 0
        if size < ASYNC_NODES:
            self._show(_plan(res), lazy=False)
            return
        # (the graph's own size would build a loaded result's graph: the facilities tell)
        self.summary.setText(qtr("ui.tree.building", n=format_number(size)))
        work_out_after_slot(self, lambda: _plan(res), lambda plan: self._show(plan, lazy=True),
                            label="network-tree")

    def _clear(self) -> None:
        self._serial = getattr(self, "_serial", 0) + 1  # batches of rows still due: dropped
        self.rows_pending = False
        blocked = self.tree.blockSignals(True)
        self.tree.clear()
        self.tree.blockSignals(blocked)
        self.items = {}
        self._plan_data = None
        self._pending = {}

    def _show(self, plan: dict, *, lazy: bool) -> None:
        """Make the rows of ``plan`` (UI thread): the top rows, and with ``lazy`` false every
        row under them.  A nation's ~10,000 top rows are made :data:`ROW_BATCH` at a time, one
        batch per turn of the event loop, so that the window keeps answering meanwhile."""
        self._clear()
        self._task = None
        self._plan_data = plan
        rows = self._top_rows(plan)
        serial = self._serial
        if self._next_rows(rows, serial, plan, lazy):
            self.rows_pending = True

    def _top_rows(self, plan: dict):
        """Make the top rows (and the orphans' group), pausing after each batch."""
        made = 0
        for r in plan["roots"]:
            self._make(r, self.tree)
            made += 1
            if made % ROW_BATCH == 0:
                yield
        if plan["orphans"]:
            group = QTreeWidgetItem(self.tree, [qtr(
                "ui.tree.orphans_n", n=format_number(len(plan["orphans"]))), "", ""])
            group.setForeground(0, QBrush(QColor("#922b21")))
            for n in plan["orphans"]:
                self._make(n, group)
                made += 1
                if made % ROW_BATCH == 0:
                    yield

    def _next_rows(self, rows, serial: int, plan: dict, lazy: bool) -> bool:
        """Make the next batch of ``rows``; True while more are to come (the next batch is
        asked for then), nothing when the tree was cleared meanwhile."""
        if serial != self._serial:
            return False
        self.tree.blockSignals(True)
        try:
            next(rows)
        except StopIteration:
            self.rows_pending = False
            self._shown(plan, lazy)
            return False
        finally:
            self.tree.blockSignals(False)
        QTimer.singleShot(0, lambda: self._next_rows(rows, serial, plan, lazy))
        return True

    def _shown(self, plan: dict, lazy: bool) -> None:
        """Every top row is made: the summary, the first opened rows, the filter, the
        selection."""
        self.tree.blockSignals(True)
        try:
            if not lazy:
                self.fill_all()
            text = tr("ui.tree.summary", pkm=plan["counts"]["puskesmas"],
                      pustu=plan["counts"]["pustu"], psy=plan["counts"]["posyandu"],
                      problems=self.problem_count(), facilities=plan["n_problem_facilities"])
            if plan["n_units"]:
                text += " · " + tr("ui.tree.coe_summary", n=plan["n_units"], mark=COE_MARK)
            self.summary.setText(text)
            for i in range(self.tree.topLevelItemCount()):
                top = self.tree.topLevelItem(i)
                top.setExpanded(len(plan["roots"]) <= 12)
                if top.isExpanded():  # (signals blocked: made here, not on itemExpanded)
                    self._fill(top)
            self.tree.resizeColumnToContents(0)
        finally:
            self.tree.blockSignals(False)
        if self.filter.text().strip():
            self._apply_filter(self.filter.text())
        self._on_selection_change(*self.state.selection)

    def _make(self, node: int, parent_item) -> QTreeWidgetItem:
        """The row of the facility at position ``node`` of the plan (its children pending)."""
        plan = self._plan_data
        key = plan["ids"][node]
        item = QTreeWidgetItem(parent_item, [plan["texts"][node], plan["pustu"][node],
                                             plan["posyandu"][node]])
        item.setData(0, KEY_ROLE, key)
        colour = plan["colours"][node]
        if colour is not None:
            item.setForeground(0, _brush(colour))
        item.setToolTip(0, plan["tips"][node])
        for col in (1, 2):
            if item.text(col):
                item.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
        if plan["problem"][node]:
            item.setBackground(0, _brush(_PROBLEM_FILL))
        start, targets = plan["children"]
        if start[node + 1] > start[node]:
            self._pending[id(item)] = (item, node)
            item.setChildIndicatorPolicy(QTreeWidgetItem.ShowIndicator)
        self.items[key] = item
        return item

    def _fill(self, item: QTreeWidgetItem) -> None:
        """Make the children of ``item`` if not yet made."""
        pending = self._pending.pop(id(item), None)
        if pending is None:
            return
        _, node = pending
        start, targets = self._plan_data["children"]
        keep = self._filter_keep
        blocked = self.tree.blockSignals(True)
        try:
            for k in targets[start[node]:start[node + 1]].tolist():
                child = self._make(int(k), item)
                if keep is not None and k not in keep:
                    child.setHidden(True)
            item.setChildIndicatorPolicy(QTreeWidgetItem.DontShowIndicatorWhenChildless)
        finally:
            self.tree.blockSignals(blocked)

    def fill_all(self) -> None:
        """Every row made (what a small network shows at once, and a test reads)."""
        while self._pending:
            for item, _node in list(self._pending.values()):
                self._fill(item)

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        self._fill(item)

    def _reveal(self, positions) -> None:
        """Make the rows of the facilities at ``positions`` (their parents' children first)."""
        plan = self._plan_data
        if plan is None or not self._pending:
            return
        up = plan["parent_of"]
        for node in positions:
            chain = []
            p = int(up[node])
            while p >= 0 and plan["ids"][p] not in self.items:
                chain.append(p)
                p = int(up[p])
            if p >= 0:
                chain.append(p)
            for q in reversed(chain):
                item = self.items.get(plan["ids"][q])
                if item is not None:
                    self._fill(item)

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
        if self._syncing or self.rows_pending:  # shown once every top row is made
            return
        self._syncing = True
        try:
            keys = keys if layer == "facilities" else ()
            plan = self._plan_data
            if keys and plan is not None and self._pending:
                pos = plan["position"]
                self._reveal([pos[k] for k in keys if k in pos and k not in self.items])
            show_selection(self.tree, self.items, keys)
        finally:
            self._syncing = False

    def _apply_filter(self, text: str) -> None:
        if self.rows_pending:  # applied once every top row is made
            return
        needle = text.strip().lower()
        plan = self._plan_data
        self._filter_keep = None
        if needle and plan is not None and self._pending:
            # the facilities whose name matches, and every row above them, get their rows
            found = [i for i, n in enumerate(plan["lower"]) if needle in n]
            self._reveal(found)
            keep = set(found)
            up = plan["parent_of"]
            for i in found:
                p = int(up[i])
                while p >= 0 and p not in keep:
                    keep.add(p)
                    p = int(up[p])
            self._filter_keep = keep
        filter_tree(self.tree, text)


_BRUSHES: dict[str, QBrush] = {}


def _brush(colour: str) -> QBrush:
    brush = _BRUSHES.get(colour)
    if brush is None:
        brush = _BRUSHES[colour] = QBrush(QColor(colour))
    return brush


def _problems(result, severity: str) -> dict[str, list[str]]:
    """Facility → the messages of the result's network findings of ``severity``."""
    out: dict[str, list[str]] = {}
    rows = _findings(result, severity)
    if rows is None:
        return out
    for ids, msg, kind in zip(rows["fac_ids"], rows["message"], rows["kind"], strict=True):
        for fid in str(ids or "").replace(",", ";").split(";"):
            if fid.strip():
                out.setdefault(fid.strip(), []).append(str(msg or kind))
    return out


def _plan(result) -> dict:
    """Everything the tree shows, as plain data (runs in a worker thread for a national
    network): per facility position its id, row text, tooltip, colour, Pustu and Posyandu
    counts below it and whether it has a problem; its children (CSR, in the tree's order:
    Puskesmas, Pustu, Posyandu, then by name); the first parent of each; the top rows."""
    from ilp_gis.network_frame import network_frame

    problems, notes = _problems(result, "problem"), _problems(result, "info")
    nf = network_frame(result.graph)
    nodes = nf.nodes
    ids = [str(i) for i in nodes.index.tolist()]
    names = [str(n or i) if not (isinstance(n, float) and n != n) else str(i)
             for n, i in zip(nodes["name"].tolist(), ids, strict=True)]
    types = [t if isinstance(t, str) else ("" if t is None or t != t else str(t))
             for t in nodes["type"].tolist()]
    n = len(ids)
    rank = np.array([_TYPES.index(t) if t in _TYPES else 9 for t in types], dtype=np.int64)
    name_rank = pd.factorize(np.array(names, dtype=object), sort=True)[0]
    parent, child = np.asarray(nf.parent, dtype=np.int64), np.asarray(nf.child, dtype=np.int64)
    # the links grouped by parent, each parent's children by (type, name)
    order = np.lexsort((name_rank[child], rank[child], parent))
    parent, child = parent[order], child[order]
    start = np.searchsorted(parent, np.arange(n + 1))
    parent_of = np.full(n, -1, dtype=np.int64)
    first = np.unique(child[::-1], return_index=True)  # the first parent of each child
    parent_of[first[0]] = parent[::-1][first[1]]
    in_degree = np.bincount(child, minlength=n)
    is_pustu = rank == 1
    is_psy = rank == 2
    # per node: its children of a type, plus its grandchildren of that type
    kid_pustu = np.bincount(parent, weights=is_pustu[child], minlength=n)
    kid_psy = np.bincount(parent, weights=is_psy[child], minlength=n)
    n_pustu = kid_pustu + np.bincount(parent, weights=kid_pustu[child], minlength=n)
    n_psy = kid_psy + np.bincount(parent, weights=kid_psy[child], minlength=n)
    units = units_only(result.coe)
    members = unit_members(units)
    unit_rows = {u: r for u, r in zip(units["unit_id"], units.to_dict("records"),
                                      strict=True)} if units is not None and len(units) \
        and "unit_id" in units else {}
    type_label = {t: tr("facility." + t) for t in _TYPES}
    type_colour = {t: QColor(style.fill).darker(120).name()
                   for t, style in sym.FACILITY_STYLES.items()}
    coe_colour = QColor(sym.COE_MEMBER_STYLE.stroke).name()
    texts, tips, colours, problem = [], [], [], []
    for i in range(n):
        key, typ = ids[i], types[i]
        text = names[i]
        tip = f"{type_label.get(typ, typ)} · {key}"
        colour = type_colour.get(typ)
        bad = key in problems
        if bad:
            text = "⚠ " + text
            tip = "\n".join(problems[key] + notes.get(key, []))
        elif key in notes:  # a note only: said in the tooltip, not marked as a problem
            tip = "\n".join([tip] + notes[key])
        if key in members:  # a member of a COE unit: marked, its unit in the tooltip
            text = f"{text} {COE_MARK}"
            colour = coe_colour
            tip = "\n".join([tip, _unit_text(unit_rows.get(members[key], {}))])
        texts.append(text)
        tips.append(tip)
        colours.append(colour)
        problem.append(bad)
    roots = [i for i in range(n) if types[i] == "puskesmas"]
    roots.sort(key=lambda i: names[i])
    orphans = [i for i in range(n) if in_degree[i] == 0 and types[i] != "puskesmas"]
    orphans.sort(key=lambda i: names[i])
    return {"ids": ids, "texts": texts, "tips": tips, "colours": colours, "problem": problem,
            "pustu": [format_number(int(v)) if v else "" for v in n_pustu.tolist()],
            "posyandu": [format_number(int(v)) if v else "" for v in n_psy.tolist()],
            "children": (start, child), "parent_of": parent_of, "roots": roots,
            "orphans": orphans, "position": {k: i for i, k in enumerate(ids)},
            "lower": [t.lower() for t in texts],  # what the filter matches: the row text
            "counts": {t: types.count(t) for t in _TYPES},
            "n_problem_facilities": len(problems), "n_units": len(unit_rows)}


def _findings(result, severity: str) -> pd.DataFrame | None:
    """The result's network findings of ``severity``; None when it has none at all."""
    problems = result.network_problems if result is not None else None
    if problems is None or not len(problems):
        return None
    from ilp_gis.network import findings  # at first use: the module pulls in networkx, scipy

    return findings(problems, severity)


register_catalog("ui", "network_tree")
