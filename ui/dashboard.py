"""Summary dashboard: the key ILP figures for the kabupaten, a bar chart per kecamatan
(drawn with QPainter) and the periods kept in the project with their trend charts
(:mod:`ui.dashboard_trends`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import format_number, format_percent, register_catalog
from ilp_gis.indicators import column_share, pustu_share
from ilp_gis.indicators import share as share_of
from ilp_gis.inputs import Inventory, load_hint, missing_text
from ilp_gis.location import coverage_notes
from ilp_gis.rules import default_rules
from layers import symbology as sym
from ui.coe_table import CoeTable
from ui.dashboard_trends import TrendPanel
from ui.qtext import qtr
from ui.state import AppState

# metric -> (label key, function(kecamatan frame) -> Series of shares, target)
METRICS = {
    "pustu_share": ("ui.dash.m.pustu_share", pustu_share),
    "posyandu_share": ("ui.dash.m.posyandu_share",
                       lambda k: column_share(k, "posyandu", "posyandu_needed")),
    "pop_pustu_share": ("ui.dash.m.pop_pustu_share",
                        lambda k: column_share(k, "pop_within_pustu_km", "population")),
    "pop_puskesmas_share": ("ui.dash.m.pop_puskesmas_share",
                            lambda k: column_share(k, "pop_within_puskesmas_km", "population")),
}


# metric -> the summary figure whose inputs its bars need
METRIC_FIGURES = {
    "pustu_share": "desa_without_pustu",
    "posyandu_share": "posyandu_coverage",
    "pop_pustu_share": "population_within_distance.pustu",
    "pop_puskesmas_share": "population_within_distance.puskesmas",
}


def _posyandu_per_area(s: dict, desa) -> tuple[str, str, str, float]:
    """The Posyandu per dusun/RW card from the summary's figure (units: dusun, else RW, else
    the PODES area-heads proxy, named); "tidak ada data" when no desa has both numbers."""
    key = "ui.dash.k.posyandu_dusun"
    per = s.get("posyandu_per_area")
    if per is None and desa is not None and {"n_posyandu", "dusun_count"} <= set(desa.columns):
        dusun = pd.to_numeric(desa["dusun_count"], errors="coerce")  # a result of an older
        ok = dusun.notna() & pd.to_numeric(desa["n_posyandu"], errors="coerce").notna()
        per = {"basis": {"dusun_count": int(ok.sum())}, "posyandu": float(
            desa.loc[ok, "n_posyandu"].sum()), "units": float(dusun[ok].sum())} if ok.any() else {}
        per["ratio"] = share_of(per["posyandu"], per["units"]) if per.get("units") else None
    if not per or per.get("ratio") is None:
        return (key, qtr("common.missing"), load_hint(["dusun_rw"]), math.nan)
    ratio = float(per["ratio"])
    detail = qtr("ui.dash.posyandu_detail", n=format_number(per["posyandu"]),
                 dusun=format_number(per["units"]))
    if "area_heads" in (per.get("basis") or {}):
        detail += "\n" + qtr("ui.dash.posyandu_proxy")
    return (key, format_number(ratio, 2), detail, min(ratio, 1.0))


def kpis(result, inputs=None, rules=None) -> list[tuple[str, str, str, float]]:
    """(label key, value text, detail text, share 0..1 or NaN) for the kabupaten.

    A figure whose input was never loaded (``inputs``, else the inventory stored with the
    result) reads "tidak ada data" with what to load as its detail, never 0.  ``rules`` (the
    project's) give the lokus guidance."""
    from reports.population import any_estimate, estimate_mark  # at first use: reports is heavy

    s = result.summary or {}
    inputs = inputs or Inventory.from_summary(s) or Inventory.everything()
    desa = result.desa
    out = []

    def missing(key: str, figure: str) -> bool:
        lacks = inputs.figure_missing(figure)
        if lacks:
            out.append((key, qtr("common.missing"), load_hint(lacks), math.nan))
        return bool(lacks)

    total = s.get("desa_total", len(desa) if desa is not None else 0)
    without = s.get("desa_without_pustu")
    if without is None and desa is not None and "has_pustu" in desa.columns:
        without = int((~desa["has_pustu"].fillna(False).astype(bool)).sum())
    if not missing("ui.dash.k.desa_pustu", "desa_without_pustu") and without is not None:
        # over the desa that need a Pustu (a desa served by its own Puskesmas needs none): the
        # same figure as the report's "desa dengan Pustu"
        served = int(s.get("desa_pustu_not_required") or 0)
        need = total - served
        share = share_of(need - without, need)
        detail = qtr("ui.dash.of", n=need - without, total=need)
        if served:
            detail += "\n" + qtr("ui.dash.pustu_served", n=served)
        out.append(("ui.dash.k.desa_pustu", format_percent(share), detail, share))
    if missing("ui.dash.k.posyandu_dusun", "posyandu_coverage"):
        pass
    else:
        out.append(_posyandu_per_area(s, desa))
    pop_total = s.get("population_total")
    mark = f" ({estimate_mark()})" if any_estimate(desa) else ""  # figures holding estimates
    # facilities left out of distance coverage, or placed at their desa point (perkiraan)
    notes = "".join("\n" + n for n in coverage_notes(s))
    for typ, key in (("pustu", "ui.dash.k.pop_pustu"), ("puskesmas", "ui.dash.k.pop_puskesmas")):
        if missing(key, f"population_within_distance.{typ}"):
            continue
        within = (s.get("population_within_distance") or {}).get(typ)
        if within is not None and pop_total:
            share = share_of(within, pop_total)
            out.append((key, format_percent(share),
                        qtr("ui.dash.people", n=int(round(within)), total=int(round(pop_total)))
                        + mark + notes, share))
    for typ, key in (("pustu", "ui.dash.k.time_pustu"),):
        within = (s.get("population_within_travel_time") or {}).get(typ)
        if within is not None and pop_total:
            share = share_of(within, pop_total)
            out.append((key, format_percent(share),
                        qtr("ui.dash.people", n=int(round(within)), total=int(round(pop_total)))
                        + mark + notes, share))
    if missing("ui.dash.k.coe", "coe_meeting_threshold"):
        pass
    elif s.get("coe_total"):
        share = share_of(s.get("coe_meeting_threshold", 0), s["coe_total"])
        out.append(("ui.dash.k.coe", f"{s.get('coe_meeting_threshold', 0)}/{s['coe_total']}",
                    qtr("ui.dash.coe_detail"), share))
    out += posyandu_lokus_kpis(result, inputs, rules)
    if result.gaps is not None:
        out.append(("ui.dash.k.gaps", format_number(len(result.gaps)), "", math.nan))
    return out


def posyandu_lokus_kpis(result, inputs, rules=None) -> list[tuple[str, str, str, float]]:
    """The Posyandu strata, Posyandu shortfall and lokus ILP cards, from the summary (and the
    lokus table for the decree); a card whose input was never loaded reads "tidak ada data"
    with what to load.  A summary made before these checks existed shows none of them."""
    s = result.summary or {}
    out: list[tuple[str, str, str, float]] = []
    for key, figure in (("ui.dash.k.strata", "posyandu_strata"),
                        ("ui.dash.k.shortfall", "posyandu_shortfall"),
                        ("ui.dash.k.lokus", "lokus")):
        if figure not in s:
            continue
        lacks = inputs.figure_missing(figure)
        if lacks:
            out.append((key, qtr("common.missing"), load_hint(lacks), math.nan))
            continue
        f = s[figure] or {}
        if figure == "posyandu_strata":
            n = int(f.get("posyandu", 0))
            share = share_of(f.get("agrees", 0), n) if n else math.nan
            out.append((key, qtr("ui.dash.of", n=f.get("agrees", 0), total=n),
                        qtr("ui.dash.strata_detail", above=f.get("above_criteria", 0),
                            below=f.get("below_criteria", 0),
                            unverifiable=f.get("unverifiable", 0)), share))
        elif figure == "posyandu_shortfall":
            total = s.get("desa_total") or 0
            short = int(f.get("desa_short", 0))
            out.append((key, format_number(short),
                        qtr("ui.dash.shortfall_detail", n=format_number(
                            f.get("posyandu_lacking", 0)), total=total),
                        1.0 - share_of(short, total) if total else math.nan))
        else:
            out.append(_lokus_card(key, f, getattr(result, "lokus", None), rules))
    return out


def _lokus_card(key: str, f: dict, table, rules) -> tuple[str, str, str, float]:
    from reports.posyandu_lokus import dates_text

    rules = rules or default_rules()
    lo, hi = rules.value("lokus.min_per_kabupaten"), rules.value("lokus.max_per_kabupaten")
    if f.get("lokus") is None:
        return (key, qtr("common.missing"), load_hint(["lokus"]), math.nan)
    statuses = [st for st in ("ok", "too_few", "too_many") if f.get(st)]
    labels = [qtr(f"pl.lokus.status.{st}", lo=f"{lo:g}", hi=f"{hi:g}") for st in statuses]
    if f.get("kabupaten", 1) > 1:  # several districts: how many in each state
        labels = [qtr("ui.dash.lokus_kab", status=lab, n=f[st])
                  for lab, st in zip(labels, statuses, strict=True)]
    detail = "; ".join(labels)
    if table is not None and len(table) and f.get("kabupaten", 0) == 1:
        row = table.iloc[0]
        sk = row.get("sk_numbers") or qtr("pl.sk_none")
        detail += "\n" + qtr("ui.dash.lokus_sk", sk=sk,
                              date=dates_text(row.get("sk_dates")) or qtr("pl.sk_none"))
    if f.get("lokus_without_sk"):
        detail += "\n" + qtr("ui.dash.lokus_without_sk", n=f["lokus_without_sk"])
    ok = f.get("ok", 0) == f.get("kabupaten", 0) and not f.get("lokus_without_sk")
    return (key, format_number(f["lokus"]), detail, 1.0 if ok else 0.5)


class KpiCard(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("KpiCard { background: #fbfcfc; border: 1px solid #d5d8dc; "
                           "border-radius: 4px; }")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.value = QLabel()
        f = self.value.font()
        f.setPointSizeF(f.pointSizeF() * 1.7)
        f.setBold(True)
        self.value.setFont(f)
        self.detail = QLabel()
        self.detail.setStyleSheet("color: #5d6d7e;")
        self.detail.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)

    def set(self, title: str, value: str, detail: str, share: float) -> None:
        self.title.setText(title)
        self.value.setText(value)
        self.detail.setText(detail)
        colour = "#17202a"
        if math.isfinite(share):
            colour = "#1e8449" if share >= 0.9 else "#b9770e" if share >= 0.6 else "#c0392b"
        self.value.setStyleSheet(f"color: {colour};")


class BarChart(QWidget):
    """Horizontal bars (one per kecamatan) of a share 0..1, drawn with QPainter."""

    ROW = 18

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.values: list[float] = []
        self._widest: float | None = None  # the widest label's width, measured once per data
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)

    def set_data(self, labels: list[str], values: list[float]) -> None:
        self.labels, self.values = list(labels), [float(v) for v in values]
        self._widest = None
        self.setMinimumHeight(30 + self.ROW * max(len(self.labels), 1))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        w = self.width()
        font = QFont(self.font())
        font.setPointSizeF(8)
        p.setFont(font)
        fm = p.fontMetrics()
        if self._widest is None:
            self._widest = max([fm.horizontalAdvance(t) for t in self.labels] + [40])
        label_w = min(self._widest + 8, w * 0.4)
        value_w = 52
        bar_w = max(w - label_w - value_w - 8, 20)
        colours = sym.ramp_colours(sym.COVERAGE_RAMP, 5)
        # only the rows the paint asks for: a nation's 7,000 kecamatan scroll past
        area = event.rect()
        first = max(int((area.top() - 4) // self.ROW), 0)
        last = min(int((area.bottom() - 4) // self.ROW) + 1,
                   min(len(self.labels), len(self.values)) - 1)
        for i in range(first, last + 1):
            label, v = self.labels[i], self.values[i]
            y = 4 + i * self.ROW
            p.setPen(QColor("#17202a"))
            p.drawText(QRectF(0, y, label_w - 6, self.ROW - 2), Qt.AlignRight | Qt.AlignVCenter,
                       fm.elidedText(label, Qt.ElideRight, int(label_w - 6)))
            p.setPen(Qt.NoPen)
            p.setBrush(QColor("#eaeded"))
            p.drawRect(QRectF(label_w, y + 2, bar_w, self.ROW - 6))
            if math.isfinite(v):
                cls = min(int(max(v, 0) * 5), 4)
                p.setBrush(QColor(colours[cls]))
                p.drawRect(QRectF(label_w, y + 2, bar_w * max(0.0, min(v, 1.0)), self.ROW - 6))
            p.setPen(QColor("#17202a"))
            p.drawText(QRectF(label_w + bar_w + 4, y, value_w, self.ROW - 2),
                       Qt.AlignLeft | Qt.AlignVCenter, format_percent(v, 0) if math.isfinite(v) else "–")
        # the 100% target line
        y1 = 4 + len(self.labels) * self.ROW
        p.setPen(QPen(QColor("#c0392b"), 1, Qt.DashLine))
        p.drawLine(int(label_w + bar_w), 2, int(label_w + bar_w), int(y1))
        p.end()


class Dashboard(QWidget):
    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.cards: list[KpiCard] = []
        self.heading = QLabel()
        f = self.heading.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.heading.setFont(f)
        self.grid = QGridLayout()
        self.metric_box = QComboBox()
        for key in METRICS:
            self.metric_box.addItem("", key)
        self.chart_label = QLabel()
        self.chart_missing = QLabel()
        self.chart_missing.setWordWrap(True)
        self.chart_missing.setStyleSheet("color: #5d6d7e;")
        self.chart = BarChart()
        self.trends = TrendPanel(state)


        self.coe = CoeTable(state)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(self.heading)
        lay.addLayout(self.grid)
        lay.addWidget(self.coe)
        row = QHBoxLayout()
        row.addWidget(self.chart_label)
        row.addWidget(self.metric_box, 1)
        lay.addLayout(row)
        lay.addWidget(self.chart_missing)
        lay.addWidget(self.chart)
        lay.addWidget(self.trends)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.metric_box.currentIndexChanged.connect(self._update_chart)
        state.result_changed.connect(self.refresh)
        state.project_replaced.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        for i in range(self.metric_box.count()):
            self.metric_box.setItemText(i, qtr(METRICS[self.metric_box.itemData(i)][0]))
        self.chart_label.setText(qtr("ui.dash.per_kecamatan"))
        self.trends.retranslate()


        self.coe.retranslate()
        self.refresh()

    def refresh(self) -> None:
        res = self.state.result
        self.heading.setText(qtr("ui.dash.heading", name=self.state.project.title))
        for c in self.cards:
            self.grid.removeWidget(c)
            c.deleteLater()
        self.cards = []
        if res is None:
            self.heading.setText(qtr("ui.dash.no_result"))
            self.chart.set_data([], [])
            return
        for i, (key, value, detail, share) in enumerate(kpis(res, rules=self.state.project.rules)):
            card = KpiCard()
            card.set(qtr(key), value, detail, share)
            self.grid.addWidget(card, i // 2, i % 2)
            self.cards.append(card)
        self._update_chart()

    def chart_values(self) -> tuple[list[str], list[float]]:
        res = self.state.result
        key = self.metric_box.currentData()
        if res is None or res.kecamatan is None or not len(res.kecamatan) or key is None:
            return [], []
        k = res.kecamatan
        if self._metric_missing(key):
            return [], []  # never a bar at 0% for a figure whose input was never loaded
        try:
            vals = METRICS[key][1](k)
        except KeyError:
            return [], []
        vals = pd.to_numeric(vals, errors="coerce").to_numpy(dtype=float)
        names = k["name"].astype(str).tolist() if "name" in k.columns else [str(i) for i in k.index]
        order = np.argsort(np.where(np.isfinite(vals), vals, np.inf), kind="stable")
        return [names[i] for i in order], [vals[i] for i in order]

    def _metric_missing(self, key) -> list[str]:
        res = self.state.result
        if res is None or key is None:
            return []
        inputs = Inventory.from_summary(res.summary) or Inventory.everything()
        return inputs.figure_missing(METRIC_FIGURES[key])

    def _update_chart(self, *_args) -> None:
        lacks = self._metric_missing(self.metric_box.currentData())
        self.chart_missing.setText(missing_text(lacks) if lacks else "")
        self.chart_missing.setVisible(bool(lacks))
        self.chart.set_data(*self.chart_values())


register_catalog("ui", "dashboard")
