"""The key-figure section: ``key_figures`` of the district (or a kecamatan), the KPI grid, the
progress chart and the exact figures table.  Imports the report context and cells.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from ilp_gis.coverage import missing_pustu
from ilp_gis.i18n import format_number, format_percent, register_catalog, tr
from ilp_gis.indicators import share
from layers import symbology as sym
from reports.pdf.cells import num_text, problem_label
from reports.pdf.context import ReportContext
from reports.styles import FONT, FONT_BOLD, INK, MUTED, RULE, esc, table_style

register_catalog("reports", "pdf.figures")


def key_figures(ctx: ReportContext) -> dict:
    """The figures of the key-figure page (whole district, or the chosen kecamatan)."""
    s = ctx.result.summary or {}
    d = ctx.desa
    rules = ctx.project.rules
    if ctx.kec_code is None and s:
        desa_total = s.get("desa_total", len(d))
        without_pustu = s.get("desa_without_pustu", int((~d["has_pustu"].astype(bool)).sum()))
        without_pos = s.get("desa_without_posyandu", int((d["n_posyandu"] == 0).sum()))
        fac_counts = s.get("facility_counts", {})
        pop_total = s.get("population_total", float(d["population"].sum()))
        pop_dist = s.get("population_within_distance", {})
        pop_time = s.get("population_within_travel_time", {})
        coe_ok, coe_total = s.get("coe_meeting_threshold"), s.get("coe_total")
    else:
        desa_total = len(d)
        without_pustu = int((~d["has_pustu"].fillna(False).astype(bool)).sum())
        without_pos = int((d["n_posyandu"] == 0).sum())
        fac_counts = {"puskesmas": int(d["n_puskesmas"].sum()), "pustu": int(d["n_pustu"].sum()),
                      "posyandu": int(d["n_posyandu"].sum())}
        pop_total = float(d["population"].sum(min_count=1))
        pop_dist = {"pustu": float(d["pop_within_pustu_km"].sum(min_count=1)),
                    "puskesmas": float(d["pop_within_puskesmas_km"].sum(min_count=1))}
        pop_time = {k: float(d[f"pop_within_{k}_min"].sum(min_count=1))
                    for k in ("pustu", "puskesmas")
                    if f"pop_within_{k}_min" in d and d[f"pop_within_{k}_min"].notna().any()}
        coe_ok = coe_total = None
        coe = ctx.result.coe
        if coe is not None and len(coe) and "meets" in coe:
            ids = set(ctx.project.facilities.loc[
                ctx.project.facilities["kecamatan_code"] == ctx.kec_code, "fac_id"])
            sel = coe[coe["fac_id"].isin(ids)]
            coe_ok, coe_total = int(sel["meets"].fillna(False).astype(bool).sum()), len(sel)
    if ctx.kec_code is not None or not s:
        without_pustu = int(missing_pustu(d).sum())
    # The desa that need a Pustu (not the ones whose Puskesmas serves them): the total behind
    # "desa dengan Pustu"; the desa with a Pustu: the total behind "cukup nakes".
    required = d["pustu_required"].fillna(True).astype(bool) if "pustu_required" in d \
        else pd.Series(True, index=d.index)
    n_required = int(required.sum()) if ctx.kec_code is not None or not s \
        else desa_total - int(s.get("desa_pustu_not_required", 0))
    has = d["has_pustu"].fillna(False).astype(bool) if "has_pustu" in d \
        else pd.Series(False, index=d.index)
    staff = d["pustu_nakes_ok"] if "pustu_nakes_ok" in d else pd.Series(pd.NA, index=d.index)
    staff = pd.Series(staff, index=d.index).astype("boolean")[has]
    return {
        "desa_total": desa_total, "desa_without_pustu": without_pustu,
        "desa_pustu_required": n_required,
        "desa_with_pustu": n_required - without_pustu if n_required is not None else None,
        "desa_has_pustu": int(has.sum()),
        "desa_without_posyandu": without_pos, "facility_counts": fac_counts,
        "posyandu": float(d["n_posyandu"].sum()) if len(d) else 0.0,
        "posyandu_needed": float(d["posyandu_needed"].sum(min_count=1)) if len(d) else np.nan,
        "population_total": pop_total, "pop_dist": pop_dist or {}, "pop_time": pop_time or {},
        "coe_ok": coe_ok, "coe_total": coe_total,
        "staff_ok": int(staff.fillna(False).sum()), "staff_known": int(staff.notna().sum()),
        "staff_unknown": int(staff.isna().sum()),
        "gaps": len(ctx.gaps),
        "outside": s.get("facilities_outside_boundaries") if ctx.kec_code is None else None,
        "network_problems": s.get("network_problems", {}) if ctx.kec_code is None else {},
        "pustu_km": rules.value("limit.pustu_distance_km", 5.0),
        "pkm_km": rules.value("limit.puskesmas_distance_km", 10.0),
        "pustu_min": rules.value("limit.pustu_travel_min", 30.0),
    }


def figures_section(ctx: ReportContext, st, width: float) -> list:
    f = key_figures(ctx)
    out: list = [Paragraph(esc(tr("report.h.figures")), st.h1)]
    if ctx.kec_code:
        out.append(Paragraph(esc(tr("report.kecamatan_scope",
                                    name=ctx.kec_names[ctx.kec_code])), st.note))
    shares = {
        "desa_pustu": share(f["desa_with_pustu"], f["desa_pustu_required"]),
        "posyandu": min(1.0, share(f["posyandu"], f["posyandu_needed"]))
        if math.isfinite(share(f["posyandu"], f["posyandu_needed"])) else float("nan"),
        "pop_pustu": share(f["pop_dist"].get("pustu"), f["population_total"]),
        "pop_pkm": share(f["pop_dist"].get("puskesmas"), f["population_total"]),
        "coe": share(f["coe_ok"], f["coe_total"]),
    }
    kpis = [
        (f"{num_text(f['desa_with_pustu'])} / {num_text(f['desa_pustu_required'])}",
         tr("report.kpi.desa_pustu", served=f["desa_total"] - f["desa_pustu_required"])
         if f["desa_total"] != f["desa_pustu_required"] else tr("report.kpi.desa_pustu_all"),
         format_percent(shares["desa_pustu"])),
        (f"{num_text(f['posyandu'])} / {num_text(f['posyandu_needed'])}", tr("report.kpi.posyandu"),
         format_percent(share(f["posyandu"], f["posyandu_needed"]))),
        (format_percent(shares["pop_pustu"]), tr("report.kpi.pop_pustu", km=f["pustu_km"]), ""),
        (format_percent(shares["pop_pkm"]), tr("report.kpi.pop_pkm", km=f["pkm_km"]), ""),
        (format_percent(share(f["pop_time"].get("pustu"), f["population_total"]))
         if f["pop_time"].get("pustu") is not None else "–",
         tr("report.kpi.pop_travel", min=f["pustu_min"]) if f["pop_time"]
         else tr("report.kpi.no_travel"), ""),
        (f"{num_text(f['coe_ok'])} / {num_text(f['coe_total'])}", tr("report.kpi.coe"),
         format_percent(shares["coe"])),
        (f"{num_text(f['staff_ok'])} / {num_text(f['desa_has_pustu'])}", tr("report.kpi.staff"),
         tr("report.kpi.staff_unknown", n=f["staff_unknown"]) if f["staff_unknown"] else ""),
        (num_text(f["gaps"]), tr("report.kpi.gaps"), ""),
        (num_text(f["facility_counts"].get("puskesmas")), sym.FACILITY_STYLES["puskesmas"].label,
         ""),
    ]
    cells = []
    for value, label, extra in kpis:
        cell = [Paragraph(esc(value), st.kpi_value), Paragraph(esc(label), st.kpi_label)]
        if extra:
            cell.append(Paragraph(esc(extra), st.kpi_label))
        cells.append(cell)
    grid = Table([cells[0:3], cells[3:6], cells[6:9]], colWidths=[width / 3] * 3)
    grid.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                   ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 6),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])
    out += [grid, Spacer(1, 5 * mm), _chart(shares, width)]
    # the exact figures (the same numbers as summary.json)
    rows = [[tr("report.fig.item"), tr("report.fig.value")],
            [tr("report.fig.desa_total"), num_text(f["desa_total"])],
            [tr("report.fig.desa_without_pustu"), num_text(f["desa_without_pustu"])],
            [tr("report.fig.desa_without_posyandu"), num_text(f["desa_without_posyandu"])]]
    for t in ("puskesmas", "pustu", "posyandu"):
        rows.append([tr("report.fig.facilities", type=sym.FACILITY_STYLES[t].label),
                     num_text(f["facility_counts"].get(t))])
    rows.append([tr("report.fig.posyandu_needed"), num_text(f["posyandu_needed"])])
    rows.append([tr("report.fig.population"), num_text(f["population_total"])])
    for t in ("pustu", "puskesmas"):
        v = f["pop_dist"].get(t)
        rows.append([tr("report.fig.pop_within", type=sym.FACILITY_STYLES[t].label),
                     f"{num_text(v)} ({format_percent(share(v, f['population_total']))})"])
    for t, v in f["pop_time"].items():
        rows.append([tr("report.fig.pop_within_min", type=sym.FACILITY_STYLES[t].label),
                     f"{num_text(v)} ({format_percent(share(v, f['population_total']))})"])
    if f["outside"] is not None:
        rows.append([tr("report.fig.outside"), num_text(f["outside"])])
    for kind, n in (f["network_problems"] or {}).items():
        rows.append([f"{tr('report.fig.network_problems')}: {problem_label(kind)}", num_text(n)])
    rows.append([tr("report.fig.coe"), f"{num_text(f['coe_ok'])} / {num_text(f['coe_total'])}"])
    t = Table(rows, colWidths=[width * 0.62, width * 0.38], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out += [Spacer(1, 4 * mm), t]
    return out


def _chart(shares: dict, width: float) -> Drawing:
    keys = ["desa_pustu", "posyandu", "pop_pustu", "pop_pkm", "coe"]
    labels = [tr(f"report.chart.{k}") for k in keys]
    values = [100.0 * shares[k] if math.isfinite(shares[k]) else 0.0 for k in keys]
    h = 120
    d = Drawing(width, h)
    d.add(String(0, h - 10, tr("report.chart.title"), fontName=FONT_BOLD, fontSize=9,
                 fillColor=INK))
    c = HorizontalBarChart()
    c.x, c.y = 120, 8
    c.width, c.height = width - 170, h - 30
    c.data = [list(reversed(values))]
    c.categoryAxis.categoryNames = list(reversed(labels))
    c.categoryAxis.labels.fontName = FONT
    c.categoryAxis.labels.fontSize = 7.5
    c.categoryAxis.labels.boxAnchor = "e"
    c.categoryAxis.labels.dx = -4
    c.valueAxis.valueMin, c.valueAxis.valueMax, c.valueAxis.valueStep = 0, 100, 20
    c.valueAxis.labels.fontName = FONT
    c.valueAxis.labels.fontSize = 7
    c.valueAxis.visibleGrid = True
    c.valueAxis.gridStrokeColor = colors.HexColor("#d5d8dc")
    c.bars[0].fillColor = colors.HexColor(sym.COVERAGE_RAMP[3])
    c.bars[0].strokeColor = None
    c.barLabelFormat = lambda v: format_number(v, 0) + "%"
    c.barLabels.fontName = FONT
    c.barLabels.fontSize = 7
    c.barLabels.boxAnchor = "w"
    c.barLabels.dx = 3
    d.add(c)
    missing = [lab for k, lab in zip(keys, labels, strict=False) if not math.isfinite(shares[k])]
    if missing:
        d.add(String(c.x, 0, "– " + tr("common.missing") + ": " + ", ".join(missing),
                     fontName=FONT, fontSize=6.5, fillColor=MUTED))
    return d
