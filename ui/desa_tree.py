"""The area tree: Kabupaten → Kecamatan → Desa (as DHIS2's organisation-unit tree), beside
the network tree.  Each row shows population, Pustu, Posyandu and gaps of its area; a figure
whose input was never loaded reads "–" with "tidak ada data" as its tooltip.  Clicking an area
selects its desa and zooms the map to them; a desa selected on the map is selected here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer
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

from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.shown_counts import counts
from ui.qtext import qtr
from ui.state import AppState
from ui.tree_filter import filter_tree, show_selection
from ui.worker import Task, work_out_after_slot

CODES_ROLE = Qt.UserRole + 11  # the desa codes under a row
KEY_ROLE = Qt.UserRole + 12  # a kabupaten row's code, a kecamatan row's key
_RIGHT = Qt.AlignRight | Qt.AlignVCenter
_SEP = "\x1f"  # between the kabupaten and kecamatan code of a kecamatan row's key
COLUMNS = ("name", "population", "pustu", "posyandu", "gaps")
_FIGURES = COLUMNS[1:]
ASYNC_DESA = 20_000
"""From this many desa on, the tree's figures are worked out off the UI thread."""
ROWS_PER_TURN = 400
"""A national tree's kabupaten and kecamatan rows made per turn of the event loop."""


class DesaTree(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.desa_items: dict[str, QTreeWidgetItem] = {}  # the desa rows made so far
        self._pending: dict[str, tuple] = {}  # kecamatan key -> (its row, its desa) unmade
        self._area_codes: dict[str, list] = {}  # kabupaten / kecamatan key -> its desa codes
        self._no_data_tips: dict[str, str] = {}
        self._kec_of: dict[str, str] = {}  # desa code -> its kecamatan key
        self._missing: dict[str, bool] = {}
        self._names: tuple[list, list] = ([], [])  # desa names in lower case, their kecamatan
        self._rows: tuple = ([], [], np.empty((0, len(_FIGURES))))  # codes, names, figures
        self._built_for: tuple | None = None
        self._task: Task | None = None  # the worker working out a national tree
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
        until then).  Above :data:`ASYNC_DESA` desa the rows' names, sums and order are worked
        out in a worker thread (plain data) and the UI thread only makes the rows."""
        built_for = (self.state.project, self.state.revision, self.state.result)
        if not force and self._built_for is not None and all(
                a is b for a, b in zip(built_for, self._built_for, strict=True)):
            return
        self._built_for = built_for
        self._task = None  # an older plan still being worked out is not shown
        desa = self._frame()
        if desa is None or not len(desa):
            self._clear()
            self.summary.setText(qtr("ui.desa_tree.empty"))
            return
        res = self.state.result
        gaps = res.gaps if res is not None and res.gaps is not None else None
        project = self.state.project
        kec = project.kecamatan if project.has("kecamatan") else None
        kab = project.kabupaten if project.has("kabupaten") else None
        if len(desa) < ASYNC_DESA:
            self._show(self._plan(desa, gaps, res is not None, kec, kab))
            return
        self._clear()
        self.summary.setText(qtr("ui.desa_tree.building", desa=len(desa)))
        # only the plan of the latest project and result is shown
        work_out_after_slot(self, lambda: self._plan(desa, gaps, res is not None, kec, kab),
                            lambda plan: self._show(plan, built_for), label="desa-tree")

    def _clear(self) -> None:
        blocked = self.tree.blockSignals(True)
        self.tree.clear()
        self.tree.blockSignals(blocked)
        self.desa_items = {}
        self._pending = {}
        self._kec_of = {}
        self._area_codes = {}
        self._no_data_tips = {}  # per figure: its "tidak ada data" tooltip, in this language

    def _plan(self, desa: pd.DataFrame, gaps, has_result: bool, kec, kab) -> dict:
        """Everything the tree shows, as plain data (no Qt: runs in a worker thread)."""
        frame = self._figures(desa, gaps, has_result)
        missing = {c: bool(frame[c].isna().all()) for c in _FIGURES}
        kec_names = _kecamatan_names(frame, kec)
        kab_names = _kabupaten_names(kab)
        # plain lists and one array of figures: a province's desa sorted and summed at once
        codes, names = frame["code"].tolist(), frame["name"].tolist()
        kabs = [k if isinstance(k, str) else "–" for k in frame["kab"].tolist()]
        kecs = [k if isinstance(k, str) else "–" for k in frame["kec"].tolist()]
        figures = frame[list(_FIGURES)].to_numpy(dtype=float)
        kab_label = {k: str(kab_names.get(k, k)) for k in set(kabs)}
        kec_label = {k: str(kec_names.get(k, k)) for k in set(kecs)}
        lower = [n.lower() for n in names]
        order = sorted(range(len(codes)), key=lambda i: (
            kab_label[kabs[i]].lower(), kabs[i], kec_label[kecs[i]].lower(), kecs[i], lower[i]))
        kec_ids = [kabs[i] + _SEP + kecs[i] for i in range(len(codes))]
        groups: dict[str, list[int]] = {}
        kab_groups: dict[str, list[int]] = {}  # each kabupaten's desa, in tree order
        for i in order:
            groups.setdefault(kec_ids[i], []).append(i)
            kab_groups.setdefault(kabs[i], []).append(i)
        rows = []  # (kabupaten key, its line, [(kecamatan key, its line, its desa rows)])
        for kec_id, members in groups.items():
            first = members[0]
            if not rows or rows[-1][0] != kabs[first]:
                kab_rows = kab_groups[kabs[first]]
                rows.append((kabs[first], _line(kab_label[kabs[first]], _sums(figures[kab_rows]),
                                                [codes[i] for i in kab_rows], missing), []))
            rows[-1][2].append((kec_id, _line(kec_label[kecs[first]], _sums(figures[members]),
                                              [codes[i] for i in members], missing), members))
        return {"missing": missing, "rows": rows, "codes": codes, "names": names,
                "figures": figures, "lower": lower, "kec_ids": kec_ids,
                "n_kec": int(frame["kec"].nunique()), "n_desa": len(frame)}

    def _show(self, plan: dict, key: tuple | None = None) -> None:
        """Make the kabupaten and kecamatan rows of ``plan`` (UI thread).  With ``key`` (a
        national plan from the worker) they are made :data:`ROWS_PER_TURN` at a time, one
        batch per turn of the event loop, so the window keeps answering; a newer build
        (another ``_built_for``) stops the batches."""
        self._clear()
        self._task = None
        self._missing = plan["missing"]
        codes = plan["codes"]
        self._rows = (codes, plan["names"], plan["figures"])
        self._kec_of = dict(zip(codes, plan["kec_ids"], strict=True))
        self._names = (plan["lower"], plan["kec_ids"])
        if key is None:
            self._make_rows(plan, 0, len(plan["rows"]))
            self._finish(plan)
        else:
            self._next_rows(plan, 0, key)

    def _next_rows(self, plan: dict, first: int, key: tuple) -> None:
        if self._built_for is not key:
            return  # another project or result came meanwhile
        rows, end, made = plan["rows"], first, 0
        while end < len(rows) and made < ROWS_PER_TURN:
            made += 1 + len(rows[end][2])
            end += 1
        self._make_rows(plan, first, end)
        if end < len(rows):
            QTimer.singleShot(0, lambda: self._next_rows(plan, end, key))
        else:
            self._finish(plan)

    def _make_rows(self, plan: dict, first: int, end: int) -> None:
        blocked = self.tree.blockSignals(True)
        try:
            for kab, line, kecs in plan["rows"][first:end]:
                kab_item = self._make(self.tree, line, kab)
                kab_item.setExpanded(True)
                for kec_id, kec_line, members in kecs:
                    kec_item = self._make(kab_item, kec_line, kec_id)
                    kec_item.setChildIndicatorPolicy(QTreeWidgetItem.ShowIndicator)
                    self._pending[kec_id] = (kec_item, members)
        finally:
            self.tree.blockSignals(blocked)

    def _finish(self, plan: dict) -> None:
        self.summary.setText(tr("ui.desa_tree.summary", kab=self.tree.topLevelItemCount(),
                                kec=plan["n_kec"], desa=plan["n_desa"]))
        if self.filter.text().strip():
            self._apply_filter(self.filter.text())
        self._on_selection_change(*self.state.selection)

    def _figures(self, desa: pd.DataFrame, gaps=None, has_result: bool = False) -> pd.DataFrame:
        """Each desa's code, names, parent codes and figures (NaN where never loaded)."""
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
        frame["gaps"] = frame["code"].map(per_desa).fillna(0) if has_result else np.nan
        frame["kab"] = frame["kec"].map(lambda c: str(c)[:5] if isinstance(c, str) else None)
        return frame

    def _fill(self, key: str) -> None:
        """Make the desa rows of the kecamatan ``key`` if not yet made."""
        pending = self._pending.pop(key, None)
        if pending is None:
            return
        kec_item, rows = pending
        codes, names, figures = self._rows
        text = self.filter.text().strip().lower()
        blocked = self.tree.blockSignals(True)
        try:
            for i in rows:
                code, name = codes[i], names[i]
                item = self._item(kec_item, name, figures[i].tolist(), [code])
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
        return self._make(parent, _line(name, figures, codes, self._missing))

    def _make(self, parent, line: tuple, key=None) -> QTreeWidgetItem:
        """A row; an area row (``key``: its kabupaten or kecamatan key) keeps its desa codes
        on the Python side (a kabupaten's thousands of codes are not copied into Qt)."""
        values, codes = line
        item = QTreeWidgetItem(parent, values)
        if key is None:
            item.setData(0, CODES_ROLE, codes)
        else:
            item.setData(0, KEY_ROLE, key)
            self._area_codes[key] = codes
        tips = self._no_data_tips
        for i, c in enumerate(_FIGURES, start=1):
            item.setTextAlignment(i, _RIGHT)
            if values[i] == "–":
                tip = tips.get(c)
                if tip is None:
                    tip = tips[c] = qtr(f"ui.desa_tree.no_data.{c}")
                item.setToolTip(i, tip)
        return item

    def _codes(self, item: QTreeWidgetItem) -> list[str]:
        key = item.data(0, KEY_ROLE)
        if key is not None and key in self._area_codes:
            return list(self._area_codes[key])
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
            lower, kec_ids = self._names
            found = {k for n, k in zip(lower, kec_ids, strict=True) if needle in n}
            for kec_id in found & self._pending.keys():
                self._fill(kec_id)
        filter_tree(self.tree, text)


def _line(name: str, figures, codes: list[str], missing: dict) -> tuple[list[str], list[str]]:
    """An area's texts (name, figures; "–" where never loaded) and its desa codes."""
    values = [str(name)]
    for c, v in zip(_FIGURES, figures, strict=True):
        values.append("–" if missing[c] else format_number(v))
    return values, codes


def _kecamatan_names(frame: pd.DataFrame, kec) -> dict:
    names = {}
    if kec is not None:
        names.update(zip(kec["code"], kec["name"], strict=False))
    for code, name in zip(frame["kec"], frame["kec_name"], strict=False):
        if isinstance(code, str) and code not in names and isinstance(name, str):
            names[code] = name
    return names


def _kabupaten_names(kab) -> dict:
    if kab is None:
        return {}
    out = {str(c)[:5]: n for c, n in zip(kab["code"], kab["name"], strict=False)
           if isinstance(c, str)}
    if len(kab) == 1 and not out:
        out = {None: kab["name"].iloc[0]}
    return out


def _sums(block: np.ndarray) -> list[float]:
    """Column sums of ``block`` (desa × figures); NaN where no desa has the figure."""
    known = ~np.isnan(block)
    sums = np.where(known, block, 0.0).sum(axis=0)
    return np.where(known.any(axis=0), sums, np.nan).tolist()


register_catalog("ui", "desa_tree")
