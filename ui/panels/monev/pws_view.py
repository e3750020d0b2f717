"""The PWS views as planners know them, over the project's monthly values
(:mod:`ilp_gis.monitoring.pws`):

- per indicator and month: desa ranked by achievement against the sasaran, as coloured bars
  (the four PWS classes) under the expected cumulative line, and the table behind them;
- per desa: every indicator over the months of a year, the values coloured by their class, and
  the achievements as lines.

A desa without a value reads "tidak ada data", never 0.  Imports Qt, pandas, ``ilp_gis``,
``layers.symbology`` and ui.charts."""

from __future__ import annotations

import math

import pandas as pd
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import format_number, format_percent, register_catalog, tr
from ilp_gis.monitoring import pws
from ilp_gis.monitoring.periods import parse_period
from layers import symbology as sym
from ui.charts import ChartView

CHART_BARS = 60
"""The ranking chart shows every desa up to this many, else the best and the worst half each
(the table below always lists every desa)."""
RANK_COLUMNS = ("rank", "desa_name", "value", "cumulative", "sasaran", "achievement",
                "expected", "pws_class")


def _fmt(v, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return tr("common.missing")
    if kind == "pct":
        return format_percent(float(v))
    if kind == "int":
        return format_number(int(v))
    return format_number(float(v), 0 if float(v).is_integer() else 1)


class ChoiceModel(QAbstractListModel):
    """The choices of a combo box as two lists (labels shown, codes as the item data): a
    nation's 86,000 desa set at once, not added one item at a time on the UI thread."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.codes: list[str] = []
        self._rows: dict[str, int] = {}

    def set_choices(self, labels: list[str], codes: list[str]) -> None:
        self.beginResetModel()
        self.labels, self.codes = labels, codes
        self._rows = {c: i for i, c in reversed(list(enumerate(codes)))}  # the first of a code
        self.endResetModel()

    def row_of(self, code) -> int:
        return self._rows.get(code, -1)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.labels)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self.labels[index.row()]
        if role == Qt.UserRole:
            return self.codes[index.row()]
        return None


def _class_brush(key) -> QBrush:
    style = sym.PWS_STYLES[sym.pws_style_key(key)]
    colour = QColor(style.fill)
    colour.setAlpha(150)
    return QBrush(colour)


class PwsView(QWidget):
    def __init__(self, project, indicators: pws.Indicators | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.inds = indicators or pws.default_indicators()
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._ranking_page(), tr("pws_view.tab.ranking"))
        self.tabs.addTab(self._desa_page(), tr("pws_view.tab.desa"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self.refresh()
        project.changed.connect(self._on_change)
        self.destroyed.connect(lambda *_: self._disconnect())

    def _disconnect(self) -> None:
        try:
            self.project.changed.disconnect(self._on_change)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def _on_change(self, name: str) -> None:
        if name in (pws.VALUES_TABLE, "desa"):
            self.refresh()

    # -- building -----------------------------------------------------------------------------
    def _ranking_page(self) -> QWidget:
        w = QWidget()
        self.indicator_box = QComboBox()
        self.month_box = QComboBox()
        self.rank_note = QLabel()
        self.rank_note.setWordWrap(True)
        self.rank_chart = ChartView()
        self.rank_chart.setMinimumHeight(330)
        self.rank_table = QTableWidget(0, len(RANK_COLUMNS))
        self.rank_table.verticalHeader().hide()
        self.rank_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.rank_table.setHorizontalHeaderLabels([tr(f"pws_view.col.{c}")
                                                   for c in RANK_COLUMNS])
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("pws_view.indicator")))
        row.addWidget(self.indicator_box, 2)
        row.addWidget(QLabel(tr("pws_view.month")))
        row.addWidget(self.month_box, 1)
        self.rank_table.verticalHeader().setDefaultSectionSize(22)
        split = QSplitter(Qt.Vertical)  # the chart scrolls sideways when the district is large
        split.addWidget(self.rank_chart)
        split.addWidget(self.rank_table)
        split.setSizes([360, 160])
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(self.rank_note)
        lay.addWidget(split, 1)
        self.indicator_box.currentIndexChanged.connect(self._fill_months)
        self.month_box.currentIndexChanged.connect(self._show_ranking)
        return w

    def _desa_page(self) -> QWidget:
        w = QWidget()
        self.desa_box = QComboBox()
        self.desa_box.setEditable(True)
        self.desa_box.setInsertPolicy(QComboBox.NoInsert)
        self.desa_choices = ChoiceModel(self.desa_box)
        self.desa_box.setModel(self.desa_choices)
        # sized by the layout, not by measuring every desa name when first shown
        self.desa_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.desa_box.setMinimumContentsLength(24)
        self.year_box = QComboBox()
        self.desa_note = QLabel()
        self.desa_note.setWordWrap(True)
        self.desa_table = QTableWidget(0, 0)
        self.desa_table.verticalHeader().setDefaultSectionSize(22)
        self.desa_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.desa_chart = ChartView()
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("pws_view.desa")))
        row.addWidget(self.desa_box, 2)
        row.addWidget(QLabel(tr("pws_view.year")))
        row.addWidget(self.year_box, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.desa_table)
        split.addWidget(self.desa_chart)
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(self.desa_note)
        lay.addWidget(split, 1)
        self.desa_box.currentIndexChanged.connect(self._show_desa)
        self.year_box.currentIndexChanged.connect(self._show_desa)
        return w

    # -- filling ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.values = pws.values(self.project)
        v = self.values
        have = set(v["indicator"].astype(str)) if len(v) else set()
        keep = self.indicator_box.currentData()
        self.indicator_box.blockSignals(True)
        self.indicator_box.clear()
        for key, ind in self.inds.items.items():
            if key in have:
                self.indicator_box.addItem(ind.label(), key)
        keys = [self.indicator_box.itemData(i) for i in range(self.indicator_box.count())]
        self.indicator_box.setCurrentIndex(keys.index(keep) if keep in keys else 0)
        self.indicator_box.blockSignals(False)
        desa = self.project.desa if self.project.has("desa") else None
        keep_desa = self.desa_box.currentData()
        self.desa_box.blockSignals(True)
        codes = desa["code"].astype(str).tolist() if desa is not None else []
        names = desa["name"].tolist() if desa is not None else []
        self.desa_choices.set_choices([f"{n} ({c})" for n, c in zip(names, codes, strict=False)],
                                      codes[:len(names)])
        self.desa_box.setCurrentIndex(max(self.desa_choices.row_of(keep_desa), 0)
                                      if codes else -1)
        self.desa_box.blockSignals(False)
        years = sorted({str(p)[:4] for p in v["period"]}) if len(v) else []
        keep_year = self.year_box.currentData()
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for y in years:
            self.year_box.addItem(y, int(y))
        self.year_box.setCurrentIndex(years.index(str(keep_year)) if str(keep_year) in years
                                      else len(years) - 1)
        self.year_box.blockSignals(False)
        self._fill_months()
        self._show_desa()

    def _fill_months(self, *_args) -> None:
        key = self.indicator_box.currentData()
        v = self.values
        months = sorted(set(v.loc[v["indicator"] == key, "period"].astype(str))) if key else []
        keep = self.month_box.currentData()
        self.month_box.blockSignals(True)
        self.month_box.clear()
        for m in months:
            self.month_box.addItem(parse_period(m).label(), m)
        self.month_box.setCurrentIndex(months.index(keep) if keep in months else len(months) - 1)
        self.month_box.blockSignals(False)
        self._show_ranking()

    def select(self, indicator: str, month: str) -> None:
        """Show ``indicator`` in ``month`` (both as stored: "k4", "2026-03")."""
        self.indicator_box.setCurrentIndex(self.indicator_box.findData(indicator))
        self.month_box.setCurrentIndex(self.month_box.findData(month))

    def select_desa(self, code: str, year: int) -> None:
        self.desa_box.setCurrentIndex(self.desa_choices.row_of(code))
        self.year_box.setCurrentIndex(self.year_box.findData(int(year)))

    # -- per indicator ------------------------------------------------------------------------
    def _show_ranking(self, *_args) -> None:
        key, month = self.indicator_box.currentData(), self.month_box.currentData()
        if not key or not month:
            self.ranking = None
            self.rank_note.setText(tr("pws_view.none"))
            self.rank_chart.clear(tr("common.missing"))
            self.rank_table.setRowCount(0)
            return
        ind = self.inds.items[key]
        r = pws.ranking(self.project, key, month, self.inds,
                        rows=self.values[self.values["indicator"] == key])
        self.ranking = r
        with_data = r["achievement"].notna()
        ach = pws.district_achievement(r, ind)
        self.rank_note.setText(tr(
            "pws_view.note", indicator=ind.label(), month=parse_period(month).label(),
            expected=format_percent(r.attrs["expected"]),
            achievement=format_percent(ach) if math.isfinite(ach) else tr("common.missing"),
            with_data=int(with_data.sum()), n=len(r), missing=int((~with_data).sum())))
        shown = r[with_data]
        if len(shown) > CHART_BARS:
            half = CHART_BARS // 2
            self.rank_note.setText(self.rank_note.text() + "\n" + tr(
                "pws_view.chart_cut", top=half, n=len(shown)))
            shown = pd.concat([shown.head(half), shown.tail(half)])
        labels = {k: sym.PWS_STYLES[k].label for k in pws.CLASSES}
        self.rank_chart.set_ranked_bars(
            tr("pws_view.chart", indicator=ind.label(), month=parse_period(month).label()),
            [str(n) for n in shown["desa_name"]], list(shown["achievement"]),
            list(shown["pws_class"]), {k: sym.PWS_STYLES[k].fill for k in pws.CLASSES},
            labels, target=float(r.attrs["expected"]),
            target_label=tr("pws_view.expected_line"))
        self._fill_rank_table(r)

    def _fill_rank_table(self, r: pd.DataFrame) -> None:
        t = self.rank_table
        t.setRowCount(len(r))
        kinds = {"rank": "int", "value": "num", "cumulative": "num", "sasaran": "num",
                 "achievement": "pct", "expected": "pct"}
        for i, rec in enumerate(r.to_dict("records")):
            for j, col in enumerate(RANK_COLUMNS):
                if col == "desa_name":
                    text = str(rec["desa_name"])
                elif col == "pws_class":
                    text = pws.class_label(rec["pws_class"])
                elif col == "cumulative" and r.attrs.get("kind") != "cumulative":
                    text = "–"
                elif col == "sasaran" and rec.get("sasaran_source") == pws.SOURCE_ESTIMATE \
                        and rec["sasaran"] == rec["sasaran"]:
                    text = _fmt(rec["sasaran"], "num") + " " + tr("pws_view.estimate")
                else:
                    text = _fmt(rec[col], kinds[col])
                item = QTableWidgetItem(text)
                if col != "desa_name" and col != "pws_class":
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col == "pws_class":
                    item.setBackground(_class_brush(rec["pws_class"]))
                t.setItem(i, j, item)
        t.resizeColumnsToContents()

    # -- per desa -----------------------------------------------------------------------------
    def _show_desa(self, *_args) -> None:
        code, year = self.desa_box.currentData(), self.year_box.currentData()
        t = self.desa_table
        if not code or year is None:
            self.desa_frame = None
            self.desa_note.setText(tr("pws_view.none"))
            t.setRowCount(0)
            t.setColumnCount(0)
            self.desa_chart.clear(tr("common.missing"))
            return
        a = pws.desa_achievements(self.project, code, int(year), self.inds)
        self.desa_frame = a
        months = [f"{int(year)}-{m:02d}" for m in range(1, 13)]
        month_labels = [tr(f"period.month.{m}")[:3] for m in range(1, 13)]
        keys = list(dict.fromkeys(a["indicator"]))
        self.desa_note.setText(tr("pws_view.desa_note", desa=self.desa_box.currentText(),
                                  year=str(year), n=len(keys))
                               if keys else tr("pws_view.desa_none", year=str(year)))
        t.setColumnCount(13)
        t.setHorizontalHeaderLabels([tr("pws_view.col.indicator")] + month_labels)
        t.setRowCount(len(keys))
        lines = []
        for i, key in enumerate(keys):
            rows = a[a["indicator"] == key].set_index("period")
            t.setVerticalHeaderItem(i, QTableWidgetItem(""))
            t.setItem(i, 0, QTableWidgetItem(self.inds.items[key].label()))
            for j, m in enumerate(months, start=1):
                if m not in rows.index:
                    t.setItem(i, j, QTableWidgetItem(""))
                    continue
                rec = rows.loc[m]
                item = QTableWidgetItem(_fmt(rec["value"], "num"))
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                item.setBackground(_class_brush(rec["pws_class"]))
                item.setToolTip(tr("pws_view.cell_tip", achievement=_fmt(rec["achievement"], "pct"),
                                   expected=_fmt(rec["expected"], "pct"),
                                   pws_class=pws.class_label(rec["pws_class"])))
                t.setItem(i, j, item)
            lines.append((self.inds.items[key].label(),
                          [rows.loc[m, "achievement"] if m in rows.index else math.nan
                           for m in months]))
        t.verticalHeader().hide()
        t.resizeColumnsToContents()
        self.desa_chart.set_lines(tr("pws_view.desa_chart", year=str(year)), month_labels, lines,
                                  percent=True)


register_catalog("ui", "panels.monev.pws_view")
