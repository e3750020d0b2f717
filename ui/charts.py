"""Chart widgets of the Monev views on QtCharts (PySide6-Addons): a line chart of figures over
periods, and ranked bars coloured by class with a target line.  Missing values are gaps in a
line and absent bars (never drawn at 0).  Imports Qt only."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


def _finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _small(font: QFont, size: float = 8.0) -> QFont:
    f = QFont(font)
    f.setPointSizeF(size)
    return f


class ChartView(QChartView):
    """A QChartView with a chart and the project's look (antialiased, small fonts)."""

    def __init__(self, parent=None) -> None:
        super().__init__(self._new_chart(), parent)
        self.setRenderHint(QPainter.Antialiasing, True)
        self.setMinimumHeight(190)

    @staticmethod
    def _new_chart() -> QChart:
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignTop)
        chart.legend().setFont(_small(chart.legend().font()))
        chart.setTitleFont(_small(chart.titleFont(), 9.5))
        return chart

    def clear(self, title: str = "") -> None:
        """A new empty chart (axes removed from a reused chart can keep drawing their old
        labels, so every drawing starts from a fresh one)."""
        old = self.chart()
        chart = self._new_chart()
        chart.setTitle(title)
        self.setChart(chart)
        old.deleteLater()

    def _axes(self, categories: Sequence[str], top: float, percent: bool, series) -> None:
        c = self.chart()
        x = QBarCategoryAxis()
        x.append(list(categories))
        x.setLabelsFont(_small(x.labelsFont(), 7.5))
        if len(categories) > 8:
            x.setLabelsAngle(-90)
        y = QValueAxis()
        y.setRange(0, top if top > 0 else 1)
        y.setLabelFormat("%.0f%%" if percent else "%.0f")
        y.setLabelsFont(_small(y.labelsFont(), 7.5))
        y.applyNiceNumbers()
        c.addAxis(x, Qt.AlignBottom)
        c.addAxis(y, Qt.AlignLeft)
        for s in series:
            s.attachAxis(x)
            s.attachAxis(y)

    def set_lines(self, title: str, categories: Sequence[str],
                  lines: Sequence[tuple[str, Sequence[float]]], *, percent: bool = False,
                  highlight: int | None = None) -> None:
        """One line per (name, values) over ``categories``; a missing value breaks the line
        (each run of known values is its own segment); ``highlight`` marks one category."""
        self.clear(title)
        c = self.chart()
        scale = 100.0 if percent else 1.0
        series, top = [], 0.0
        for i, (name, values) in enumerate(lines):
            colour = QColor(PALETTE[i % len(PALETTE)])
            runs: list[list[tuple[int, float]]] = [[]]
            for x, v in enumerate(values):
                if _finite(v):
                    runs[-1].append((x, float(v) * scale))
                    top = max(top, float(v) * scale)
                elif runs[-1]:
                    runs.append([])
            first = True
            for run in (r for r in runs if r):
                s = QLineSeries() if len(run) > 1 else QScatterSeries()
                s.setName(name)
                if isinstance(s, QScatterSeries):
                    s.setMarkerSize(7)
                    s.setColor(colour)
                    s.setBorderColor(colour)
                else:
                    s.setPen(QPen(colour, 2))
                    s.setPointsVisible(True)
                for x, v in run:
                    s.append(QPointF(x, v))
                c.addSeries(s)
                if not first:
                    c.legend().markers(s)[0].setVisible(False)
                first = False
                series.append(s)
            if highlight is not None and 0 <= highlight < len(values) and _finite(
                    values[highlight]):
                mark = QScatterSeries()
                mark.setMarkerSize(12)
                mark.setColor(QColor(0, 0, 0, 0))
                mark.setBorderColor(QColor("#17202a"))
                mark.append(QPointF(highlight, float(values[highlight]) * scale))
                c.addSeries(mark)
                c.legend().markers(mark)[0].setVisible(False)
                series.append(mark)
        self.series = series
        if series:  # nothing known: the title says so, no axis pretends a 0
            self._axes(categories, top * 1.1, percent, series)

    def set_ranked_bars(self, title: str, categories: Sequence[str], values: Sequence[float],
                        classes: Sequence[str | None], colours: dict[str, str],
                        labels: dict[str, str], *, target: float | None = None,
                        target_label: str = "") -> None:
        """Bars of ``values`` (0..1, shown as percent) in the given order, each coloured by its
        class (one stacked set per class, so the legend names the classes), with a dashed
        ``target`` line across."""
        self.clear(title)
        c = self.chart()
        stack = QStackedBarSeries()
        stack.setBarWidth(0.85)
        present = [k for k in colours if k in set(classes)]
        top = 0.0
        for key in present:
            bars = QBarSet(labels.get(key, key))
            bars.setColor(QColor(colours[key]))
            bars.setBorderColor(QColor(colours[key]).darker(130))
            for v, k in zip(values, classes, strict=True):
                bars.append(float(v) * 100.0 if k == key and _finite(v) else 0.0)
            stack.append(bars)
        for v in values:
            if _finite(v):
                top = max(top, float(v) * 100.0)
        c.addSeries(stack)
        series = [stack]
        if target is not None and _finite(target):
            line = QLineSeries()
            line.setName(target_label)
            line.setPen(QPen(QColor("#c0392b"), 2, Qt.DashLine))
            n = max(len(categories), 1)
            line.append(QPointF(-0.5, target * 100.0))
            line.append(QPointF(n - 0.5, target * 100.0))
            c.addSeries(line)
            series.append(line)
            top = max(top, target * 100.0)
        self._axes(categories, top * 1.1, True, series)
        self.bar_series = stack
