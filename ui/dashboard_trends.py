"""The dashboard's periods: a picker of the periods kept in the project, the picked period's
figures against the period before, trend charts (desa with a Pustu, gaps, mean COE score) on
QtCharts, and keeping the current analysis as a period.  Figures a period did not keep say
"tidak ada data", never 0.  Imports Qt, ``ilp_gis`` and ui.charts."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.errors import InputError
from ilp_gis.i18n import format_number, format_percent, register_catalog, tr
from ilp_gis.monitoring import history
from ui.charts import ChartView
from ui.state import AppState

HISTORY_TABLES = set(history.TABLES)


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _change(now: float, before: float, decimals: int = 0) -> str:
    if not (math.isfinite(now) and math.isfinite(before)):
        return ""
    d = now - before
    sign = "+" if d > 0 else "−" if d < 0 else "±"
    return f"{sign}{format_number(abs(d), decimals)}"


class TrendPanel(QWidget):
    """Period picker, the picked period's figures and the trend charts of ``state.project``."""

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._project = None
        self.title = QLabel()
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        self.period_label = QLabel()
        self.period_box = QComboBox()
        self.keep_button = QPushButton()
        self.keep_button.clicked.connect(self._keep_dialog)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setStyleSheet("color: #17202a;")
        self.pustu_chart = ChartView()
        self.gaps_chart = ChartView()
        self.coe_chart = ChartView()
        row = QHBoxLayout()
        row.addWidget(self.period_label)
        row.addWidget(self.period_box, 1)
        row.addWidget(self.keep_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.title)
        lay.addLayout(row)
        lay.addWidget(self.figures)
        for chart in (self.pustu_chart, self.gaps_chart, self.coe_chart):
            lay.addWidget(chart)
        self.period_box.currentIndexChanged.connect(self._show)
        state.project_replaced.connect(self._bind)
        state.result_changed.connect(lambda *_: self.keep_button.setEnabled(
            self.state.result is not None))
        self._bind()

    def _bind(self, *_args) -> None:
        if self._project is not None:
            try:
                self._project.changed.disconnect(self._on_change)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._project = self.state.project
        self._project.changed.connect(self._on_change)
        self.refresh()

    def _on_change(self, name: str) -> None:
        if name in HISTORY_TABLES:
            self.refresh()

    def retranslate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.title.setText(tr("dash.trend.title"))
        self.period_label.setText(tr("dash.trend.period"))
        self.keep_button.setText(tr("dash.trend.keep"))
        self.keep_button.setEnabled(self.state.result is not None)
        self.rollout = history.rollout(self.state.project)
        keep = self.period_box.currentData()
        self.period_box.blockSignals(True)
        self.period_box.clear()
        for code, label in zip(self.rollout["period"], self.rollout["label"], strict=True):
            self.period_box.addItem(label, code)
        codes = list(self.rollout["period"])
        self.period_box.setCurrentIndex(codes.index(keep) if keep in codes else len(codes) - 1)
        self.period_box.blockSignals(False)
        self.period_box.setEnabled(bool(codes))
        self._show()

    def selected(self) -> int | None:
        i = self.period_box.currentIndex()
        return i if i >= 0 else None

    def _show(self, *_args) -> None:
        r = self.rollout
        charts = (self.pustu_chart, self.gaps_chart, self.coe_chart)
        if not len(r):
            self.figures.setText(tr("dash.trend.none"))
            for chart in charts:
                chart.hide()
            return
        for chart in charts:
            chart.show()
        i = self.selected()
        self.figures.setText(self.figures_text(i))
        labels = list(r["label"])
        share = list(r["desa_with_pustu_share"])
        gaps = list(r["gaps"])
        coe = list(r["coe_mean"])
        self.pustu_chart.set_lines(self._chart_title("dash.trend.chart.pustu", share), labels,
                                   [(tr("dash.trend.line.pustu"), share)], percent=True,
                                   highlight=i)
        self.gaps_chart.set_lines(self._chart_title("dash.trend.chart.gaps", gaps), labels,
                                  [(tr("dash.trend.line.gaps"), gaps),
                                   (tr("dash.trend.line.desa_gaps"), list(r["desa_with_gaps"]))],
                                  highlight=i)
        self.coe_chart.set_lines(self._chart_title("dash.trend.chart.coe", coe), labels,
                                 [(tr("dash.trend.line.coe"), coe)], percent=True,
                                 highlight=i)

    @staticmethod
    def _chart_title(key: str, values) -> str:
        if any(math.isfinite(_num(v)) for v in values):
            return tr(key)
        return tr(key) + " — " + tr("common.missing")

    def figures_text(self, i: int | None) -> str:
        """The picked period's figures, each with its change since the period before."""
        r = self.rollout
        if i is None or not len(r):
            return tr("dash.trend.none")
        now = r.iloc[i]
        before = r.iloc[i - 1] if i > 0 else None
        missing = tr("common.missing")

        def part(key: str, value: float, text: str, prev: float, decimals: int = 0) -> str:
            if not math.isfinite(value):
                return tr(key, value=missing, change="")
            ch = _change(value, prev, decimals) if before is not None else ""
            return tr(key, value=text, change=f" ({ch})" if ch else "")

        lines = [tr("dash.trend.figures_of", period=now["label"]) + (
            tr("dash.trend.against", period=before["label"]) if before is not None else "")]
        with_pustu = _num(now["desa_with_pustu"])
        lines.append(part("dash.trend.fig.pustu", with_pustu, tr(
            "dash.trend.of", n=format_number(with_pustu), total=format_number(now["desa_total"]),
            share=format_percent(now["desa_with_pustu_share"])) if math.isfinite(with_pustu)
            else "", _num(before["desa_with_pustu"]) if before is not None else math.nan))
        gaps = _num(now["gaps"])
        lines.append(part("dash.trend.fig.gaps", gaps, format_number(gaps) if math.isfinite(gaps)
                          else "", _num(before["gaps"]) if before is not None else math.nan))
        coe = _num(now["coe_mean"])
        prev_coe = _num(before["coe_mean"]) if before is not None else math.nan
        lines.append(part("dash.trend.fig.coe", coe * 100.0, format_percent(coe)
                          if math.isfinite(coe) else "", prev_coe * 100.0, 1))
        return "\n".join(lines)

    # -- keeping a period ---------------------------------------------------------------------
    def keep_period(self, period: str, note: str = "") -> str:
        """Keep the current analysis as ``period``; returns its label (InputError if bad)."""
        p = history.freeze(self.state.project, self.state.result, period, note=note)
        return p.label()

    def _keep_dialog(self) -> None:
        text, ok = QInputDialog.getText(self, tr("dash.trend.keep"), tr("dash.trend.keep_ask"))
        if not ok or not text.strip():
            return
        try:
            label = self.keep_period(text.strip())
        except InputError as exc:
            QMessageBox.warning(self, tr("dash.trend.keep"), str(exc))
            return
        QMessageBox.information(self, tr("dash.trend.keep"), tr("dash.trend.kept", period=label))


register_catalog("ui", "dashboard_trends")
