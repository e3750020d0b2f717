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

from ilp_gis import desa_counts, location
from ilp_gis.coe import units_only
from ilp_gis.coverage import missing_pustu
from ilp_gis.i18n import format_number, format_percent, register_catalog, tr
from ilp_gis.indicators import share
from ilp_gis.inputs import blocked_lines, missing_text, shown
from layers import symbology as sym
from reports import population
from reports.pdf.cells import num_text, problem_label
from reports.pdf.context import ReportContext
from reports.styles import FONT, FONT_BOLD, INK, MUTED, RULE, esc, table_style

register_catalog("reports", "pdf.figures")


def key_figures(ctx: ReportContext) -> dict:
    """The figures of the key-figure page (whole district, or the chosen kecamatan).

    ``missing`` maps each figure whose input was never loaded to the inputs it lacks (from
    :mod:`ilp_gis.inputs`); such a figure is None here and printed as "tidak ada data"."""
    s = ctx.result.summary or {}
    inv = ctx.inputs
    d = ctx.desa
    rules = ctx.project.rules
    if ctx.kec_code is None and s:
        desa_total = s.get("desa_total", len(d))
        without_pustu = s["desa_without_pustu"] if "desa_without_pustu" in s else int(
            (~d["has_pustu"].fillna(False).astype(bool)).sum())
        without_pos = s["desa_without_posyandu"] if "desa_without_posyandu" in s else int(
            (d["n_posyandu"] == 0).sum())
        fac_counts = dict(s.get("facility_counts", {}))
        pop_total = s["population_total"] if "population_total" in s else float(
            d["population"].sum(min_count=1))
        pop_dist = dict(s.get("population_within_distance", {}))
        pop_time = dict(s.get("population_within_travel_time", {}))
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
        coe = units_only(ctx.result.coe)  # designated units, never every scored Puskesmas
        if coe is not None and len(coe) and "meets" in coe:
            if "kecamatan_code" in coe:  # the kecamatan of the unit's Puskesmas
                sel = coe[coe["kecamatan_code"] == ctx.kec_code]
            else:
                ids = set(ctx.project.facilities.loc[
                    ctx.project.facilities["kecamatan_code"] == ctx.kec_code, "fac_id"])
                sel = coe[coe["fac_id"].isin(ids)]
            coe_ok = int(sel["meets"].astype("boolean").fillna(False).sum())
            coe_total = len(sel)
    # The desa that need a Pustu (not the ones whose Puskesmas serves them) and whose Pustu
    # count some input gave: the total behind "desa dengan Pustu"; the desa with a Pustu: the
    # total behind "cukup nakes".
    known = desa_counts.count_known(d["pustu_count_source"].to_numpy(object)) \
        if "pustu_count_source" in d else np.ones(len(d), dtype=bool)
    if ctx.kec_code is not None or not s:
        without_pustu = int((np.asarray(missing_pustu(d), dtype=bool) & known).sum())
    required = d["pustu_required"].fillna(True).astype(bool).to_numpy() \
        if "pustu_required" in d else np.ones(len(d), dtype=bool)
    n_required = int((required & known).sum())
    has = d["has_pustu"].fillna(False).astype(bool) if "has_pustu" in d \
        else pd.Series(False, index=d.index)
    staff = d["pustu_nakes_ok"] if "pustu_nakes_ok" in d else pd.Series(pd.NA, index=d.index)
    staff = pd.Series(staff, index=d.index).astype("boolean")[has]
    missing = {f: m for f in ("desa_without_pustu", "desa_without_posyandu", "posyandu_needed",
                              "posyandu_coverage", "population_total", "coe_meeting_threshold",
                              "pustu_staffed", "facility_counts.puskesmas",
                              "facility_counts.pustu", "facility_counts.posyandu",
                              "population_within_distance.pustu",
                              "population_within_distance.puskesmas",
                              "population_within_travel_time.pustu",
                              "population_within_travel_time.puskesmas")
               if (m := inv.figure_missing(f))}

    def gone(figure: str, value):
        return None if figure in missing else value

    for t in ("puskesmas", "pustu", "posyandu"):
        fac_counts[t] = gone(f"facility_counts.{t}", fac_counts.get(t))
    for t in ("pustu", "puskesmas"):
        if t in pop_dist:
            pop_dist[t] = gone(f"population_within_distance.{t}", pop_dist[t])
        if t in pop_time:
            pop_time[t] = gone(f"population_within_travel_time.{t}", pop_time[t])
    without_pustu = gone("desa_without_pustu", without_pustu)
    n_required = gone("desa_without_pustu", n_required)
    return {
        "desa_total": desa_total, "desa_without_pustu": without_pustu,
        "desa_pustu_required": n_required,
        "desa_with_pustu": n_required - without_pustu
        if n_required is not None and without_pustu is not None else None,
        "desa_has_pustu": gone("pustu_staffed", int(has.sum())),
        "desa_without_posyandu": gone("desa_without_posyandu", without_pos),
        "facility_counts": fac_counts,
        "posyandu": gone("facility_counts.posyandu",
                         float(d["n_posyandu"].sum()) if len(d) else 0.0),
        "posyandu_needed": gone("posyandu_needed", float(d["posyandu_needed"].sum(min_count=1))
                                if len(d) else np.nan),
        "population_total": gone("population_total", pop_total),
        "pop_dist": pop_dist or {}, "pop_time": pop_time or {},
        "coe_ok": gone("coe_meeting_threshold", coe_ok),
        "coe_total": gone("coe_meeting_threshold", coe_total),
        "staff_ok": gone("pustu_staffed", int(staff.fillna(False).sum())),
        "staff_known": gone("pustu_staffed", int(staff.notna().sum())),
        "staff_unknown": gone("pustu_staffed", int(staff.isna().sum())),
        "gaps": len(ctx.gaps),
        "outside": s.get("facilities_outside_boundaries") if ctx.kec_code is None else None,
        "network_problems": s.get("network_problems", {}) if ctx.kec_code is None else {},
        "pustu_km": rules.value("limit.pustu_distance_km", 5.0),
        "pkm_km": rules.value("limit.puskesmas_distance_km", 10.0),
        "pustu_min": rules.value("limit.pustu_travel_min", 30.0),
        "missing": missing,
        "coordinate_notes": _coordinate_notes(ctx, s, rules),
    }


def _ratio_text(part, whole, missing: list[str]) -> str:
    return missing_text(missing) if missing else f"{num_text(part)} / {num_text(whole)}"


def _coordinate_notes(ctx: ReportContext, s: dict, rules) -> dict:
    """Facilities left out of distance coverage for want of coordinates, and those placed at
    their desa point (perkiraan): the analysis' own counts for the district, else counted from
    the facilities of the kecamatan shown."""
    if ctx.kec_code is None and "facilities_without_coordinates" in s:
        return {k: s.get(k) or {} for k in ("facilities_without_coordinates",
                                           "facilities_placed_at_desa_point")}
    fac = ctx.project.facilities if ctx.project.has("facilities") else None
    if fac is None or not len(fac):
        return {}
    if ctx.kec_code is not None and "kecamatan_code" in fac:
        fac = fac[fac["kecamatan_code"] == ctx.kec_code]
    q = location.qualities(fac)
    return {"facilities_without_coordinates": location.without_coordinates(fac["type"], q, rules),
            "facilities_placed_at_desa_point": location.estimated_counts(fac["type"], q, rules)}


def figures_section(ctx: ReportContext, st, width: float) -> list:
    f = key_figures(ctx)
    miss = f["missing"]

    def lacks(*figures: str) -> list[str]:
        return list(dict.fromkeys(i for fig in figures for i in miss.get(fig, [])))

    out: list = [Paragraph(esc(tr("report.h.figures")), st.h1)]
    if ctx.kec_code:
        out.append(Paragraph(esc(tr("report.kecamatan_scope",
                                    name=ctx.kec_names[ctx.kec_code])), st.note))
    pos_share = share(f["posyandu"], f["posyandu_needed"])
    shares = {
        "desa_pustu": share(f["desa_with_pustu"], f["desa_pustu_required"]),
        "posyandu": min(1.0, pos_share) if math.isfinite(pos_share) else float("nan"),
        "pop_pustu": share(f["pop_dist"].get("pustu"), f["population_total"]),
        "pop_pkm": share(f["pop_dist"].get("puskesmas"), f["population_total"]),
        "coe": share(f["coe_ok"], f["coe_total"]),
    }
    blocked = {"desa_pustu": lacks("desa_without_pustu"),
               "posyandu": lacks("posyandu_coverage"),
               "pop_pustu": lacks("population_within_distance.pustu"),
               "pop_pkm": lacks("population_within_distance.puskesmas"),
               "coe": lacks("coe_meeting_threshold")}
    travel_lacks = lacks("population_within_travel_time.pustu")
    kpis = [
        (_ratio_text(f["desa_with_pustu"], f["desa_pustu_required"], blocked["desa_pustu"]),
         tr("report.kpi.desa_pustu", served=f["desa_total"] - f["desa_pustu_required"])
         if f["desa_pustu_required"] is not None and f["desa_total"] != f["desa_pustu_required"]
         else tr("report.kpi.desa_pustu_all"),
         "" if blocked["desa_pustu"] else format_percent(shares["desa_pustu"])),
        (_ratio_text(f["posyandu"], f["posyandu_needed"], blocked["posyandu"]),
         tr("report.kpi.posyandu"), "" if blocked["posyandu"] else format_percent(pos_share)),
        (shown(shares["pop_pustu"], blocked["pop_pustu"], format_percent),
         tr("report.kpi.pop_pustu", km=f["pustu_km"]), ""),
        (shown(shares["pop_pkm"], blocked["pop_pkm"], format_percent),
         tr("report.kpi.pop_pkm", km=f["pkm_km"]), ""),
        (shown(share(f["pop_time"].get("pustu"), f["population_total"]), travel_lacks,
               format_percent), tr("report.kpi.pop_travel", min=f["pustu_min"]), ""),
        (_ratio_text(f["coe_ok"], f["coe_total"], blocked["coe"]), tr("report.kpi.coe"),
         "" if blocked["coe"] else format_percent(shares["coe"])),
        (_ratio_text(f["staff_ok"], f["desa_has_pustu"], lacks("pustu_staffed")),
         tr("report.kpi.staff"),
         tr("report.kpi.staff_unknown", n=f["staff_unknown"]) if f["staff_unknown"] else ""),
        (num_text(f["gaps"]), tr("report.kpi.gaps"), ""),
        (shown(f["facility_counts"].get("puskesmas"), lacks("facility_counts.puskesmas"),
               num_text), sym.FACILITY_STYLES["puskesmas"].label, ""),
    ]
    cells = []
    for value, label, extra in kpis:
        style = st.kpi_label if value.startswith(tr("common.missing")) else st.kpi_value
        cell = [Paragraph(esc(value), style), Paragraph(esc(label), st.kpi_label)]
        if extra:
            cell.append(Paragraph(esc(extra), st.kpi_label))
        cells.append(cell)
    grid = Table([cells[0:3], cells[3:6], cells[6:9]], colWidths=[width / 3] * 3)
    grid.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                   ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 6),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])
    out.append(grid)
    for note in location.coverage_notes(f["coordinate_notes"]):
        out.append(Paragraph(esc(note), st.note))
    out += [Spacer(1, 5 * mm), _chart(shares, blocked, width)]
    estimate = any((f["coordinate_notes"].get("facilities_placed_at_desa_point") or {}).values())
    mark = f" ({tr('location.estimate_mark')})" if estimate else ""
    # the exact figures (the same numbers as summary.json)
    rows = [[tr("report.fig.item"), tr("report.fig.value")],
            [tr("report.fig.desa_total"), num_text(f["desa_total"])],
            [tr("report.fig.desa_without_pustu"),
             shown(f["desa_without_pustu"], lacks("desa_without_pustu"), num_text)],
            [tr("report.fig.desa_without_posyandu"),
             shown(f["desa_without_posyandu"], lacks("desa_without_posyandu"), num_text)]]
    for t in ("puskesmas", "pustu", "posyandu"):
        rows.append([tr("report.fig.facilities", type=sym.FACILITY_STYLES[t].label),
                     shown(f["facility_counts"].get(t), lacks(f"facility_counts.{t}"),
                           num_text)])
    rows.append([tr("report.fig.posyandu_needed"),
                 shown(f["posyandu_needed"], lacks("posyandu_needed"), num_text)])
    rows.append([population.label_with_mark(tr("report.fig.population"), ctx.desa),
                 shown(f["population_total"], lacks("population_total"), num_text)])
    for t in ("pustu", "puskesmas"):
        v = f["pop_dist"].get(t)
        rows.append([tr("report.fig.pop_within", type=sym.FACILITY_STYLES[t].label) + mark,
                     shown(v, lacks(f"population_within_distance.{t}"), lambda v: (
                         f"{num_text(v)} ({format_percent(share(v, f['population_total']))})"))])
    for t, v in f["pop_time"].items():
        rows.append([tr("report.fig.pop_within_min", type=sym.FACILITY_STYLES[t].label) + mark,
                     shown(v, lacks(f"population_within_travel_time.{t}"), lambda v: (
                         f"{num_text(v)} ({format_percent(share(v, f['population_total']))})"))])
    if f["outside"] is not None:
        rows.append([tr("report.fig.outside"), num_text(f["outside"])])
    for kind, n in (f["network_problems"] or {}).items():
        rows.append([f"{tr('report.fig.network_problems')}: {problem_label(kind)}", num_text(n)])
    rows.append([tr("report.fig.coe"), _ratio_text(f["coe_ok"], f["coe_total"], blocked["coe"])])
    rows = [[r[0], Paragraph(esc(r[1]), st.cell)] if r[1].startswith(tr("common.missing"))
            else r for r in rows]
    t = Table(rows, colWidths=[width * 0.5, width * 0.5], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out += [Spacer(1, 4 * mm), t]
    out += missing_inputs_section(ctx, st)
    return out


def missing_inputs_section(ctx: ReportContext, st) -> list:
    """The inputs never loaded and the figures and gap checks each one blocks."""
    lines = blocked_lines(ctx.inputs)
    if not lines:
        return []
    out: list = [Spacer(1, 4 * mm), Paragraph(esc(tr("inputs.heading")), st.h2),
                 Paragraph(esc(tr("inputs.intro")), st.note)]
    out += [Paragraph("• " + esc(line), st.body) for line in lines]
    return out


def _chart(shares: dict, blocked: dict, width: float) -> Drawing:
    """Bars only for the shares that could be computed: a missing share is never a bar at 0%;
    it is named under the chart with what to load."""
    keys = [k for k in ("desa_pustu", "posyandu", "pop_pustu", "pop_pkm", "coe")
            if math.isfinite(shares[k])]
    labels = [tr(f"report.chart.{k}") for k in keys]
    values = [100.0 * shares[k] for k in keys]
    gone = [k for k in ("desa_pustu", "posyandu", "pop_pustu", "pop_pkm", "coe")
            if k not in keys]
    notes = [tr(f"report.chart.{k}") + ": " + (missing_text(blocked[k]) if blocked.get(k)
                                               else tr("common.missing")) for k in gone]
    bar_h = 120 if keys else 14
    # the notes' lines under the axis numbers (which hang ~14 pt below the bars), never on them
    below = 9 * len(notes) + (8 if notes and keys else 0)
    h = bar_h + below
    d = Drawing(width, h)
    d.add(String(0, h - 10, tr("report.chart.title"), fontName=FONT_BOLD, fontSize=9,
                 fillColor=INK))
    for i, note in enumerate(notes):
        d.add(String(0, 9 * (len(notes) - 1 - i), "– " + note, fontName=FONT, fontSize=6.5,
                     fillColor=MUTED))
    if not keys:
        return d
    c = HorizontalBarChart()
    c.x, c.y = 120, 8 + below
    c.width, c.height = width - 170, 120 - 30
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
    return d
