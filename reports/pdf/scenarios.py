"""The "Skenario" section of the plan report: every stored scenario side by side (cost, gaps
closed and opened, people newly covered against the baseline, cost per person), then per
scenario its measure, a map of its sites over the desa whose gaps it closes or opens, and its
sites.  Figures come from the stored comparison (``reports.scenarios``); a scenario without
one says why.  Imports reportlab, reports.scenarios, reports.maps and the pdf helpers.
"""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Table

from ilp_gis import scenario
from ilp_gis.i18n import format_number, format_rupiah, register_catalog, tr
from layers import symbology as sym
from reports.maps import MapFlowable, MapOptions
from reports.pdf.cells import num_text, table_cell
from reports.pdf.context import ReportContext
from reports.pdf.flow import fit_widths, long_table
from reports.scenarios import scenario_changes_layer, scenario_overview, scenario_sites_layer
from reports.styles import esc, table_style

register_catalog("reports", "pdf.scenarios")

MAX_SITE_ROWS = 60
"""Sites listed per scenario in the PDF; the XLSX holds them all."""


def scenario_section(ctx: ReportContext, st, width: float) -> list:
    """The section, or nothing when the project has no scenario."""
    names = scenario.scenario_names(ctx.project)
    if not names:
        return []
    sites = scenario_sites_layer(ctx.project)
    if ctx.kec_code and len(sites):
        sites = sites[sites["kecamatan_code"] == ctx.kec_code]
    over = _overview(ctx, sites)
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.scenarios")), st.h1),
                 Paragraph(esc(tr("report.scenarios_intro")), st.note)]
    if ctx.kec_code:
        out.append(Paragraph(esc(tr("report.scenarios_kecamatan")), st.note))
    out += _overview_table(st, width, over)
    if ctx.kind != "plan":
        return out
    for r in over.to_dict("records"):
        out += _one_scenario(ctx, st, width, r, sites[sites["scenario"] == r["scenario"]])
    return out


def _overview(ctx: ReportContext, sites) -> pd.DataFrame:
    """``scenario_overview``, its figures cut to the report's kecamatan when it has one: the
    actions placed there and their cost, and the kecamatan's row of the comparison."""
    over = scenario_overview(ctx.project, ctx.result)
    if not ctx.kec_code:
        return over
    for i, r in over.iterrows():
        here = sites[sites["scenario"] == r["scenario"]]
        over.at[i, "actions"] = len(here)
        over.at[i, "cost"] = float(pd.to_numeric(here["amount"], errors="coerce").sum())
        if not r["compared"]:
            continue
        comp = scenario.stored_comparison(ctx.project, r["scenario"])
        row = comp[comp["kecamatan_code"] == ctx.kec_code]
        if not len(row):  # the district's figures are not this kecamatan's: none shown
            over.at[i, "compared"] = False
            over.at[i, "note"] = tr("report.scenario.no_kecamatan_row")
            continue
        k = row.iloc[0]
        for c in ("gaps_before", "gaps_after", "gaps_closed", "gaps_new", "population",
                  "pop_within_before", "pop_within_after", "pop_newly_covered", "cost"):
            over.at[i, c] = k[c]
        over.at[i, "cost_per_person_text"] = scenario.cost_per_person_text(
            k["cost"], k["pop_newly_covered"])
    return over


def _overview_table(st, width: float, over: pd.DataFrame) -> list:
    head = [tr("report.col.scenario"), tr("report.col.actions_n"),
            tr("report.col.scenario_cost"), tr("report.col.gaps_closed"),
            tr("report.col.gaps_new"), tr("report.col.pop_before_after"),
            tr("report.col.pop_gained"), tr("report.col.cost_per_person")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in over.to_dict("records"):
        if r["compared"]:
            cells = [num_text(r["gaps_closed"]), num_text(r["gaps_new"]),
                     f"{num_text(r['pop_within_before'])} → {num_text(r['pop_within_after'])}",
                     num_text(r["pop_newly_covered"]),
                     table_cell(r["cost_per_person_text"], st.cell)]
        else:  # one cell spanning the comparison columns says why there is no figure
            cells = [table_cell(r["note"], st.cell), "", "", "", ""]
        label = r["scenario"] if not isinstance(r["measure_short"], str) else \
            f"{r['scenario']} ({r['measure_short']})"
        rows.append([table_cell(label, st.cell), num_text(r["actions"]),
                     format_rupiah(r["cost"]).removeprefix("Rp "), *cells])
    fr = [0.17, 0.06, 0.14, 0.08, 0.07, 0.19, 0.12, 0.17]
    t = Table(rows, colWidths=fit_widths(head, [width * x for x in fr]), repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    spans = [("SPAN", (3, i), (7, i)) for i, r in enumerate(over.to_dict("records"), start=1)
             if not r["compared"]]
    spans += [("ALIGN", (3, i), (7, i), "LEFT") for i, r in
              enumerate(over.to_dict("records"), start=1) if not r["compared"]]
    if spans:
        t.setStyle(spans)
    return [t]


def _one_scenario(ctx: ReportContext, st, width: float, r: dict, sites) -> list:
    name = r["scenario"]
    out: list = [CondPageBreak(120), Paragraph(esc(tr("report.h.scenario", name=name)), st.h2),
                 Paragraph(esc(tr("report.scenario.measure_line", measure=r["measure"])),
                           st.note)]
    if r["compared"]:
        text = tr("report.scenario.figures", n=format_number(r["actions"]),
                  cost=format_rupiah(r["cost"]), closed=num_text(r["gaps_closed"]),
                  new=num_text(r["gaps_new"]), before=num_text(r["pop_within_before"]),
                  after=num_text(r["pop_within_after"]),
                  gained=num_text(r["pop_newly_covered"]), per=r["cost_per_person_text"])
    else:
        text = tr("report.scenario.figures_missing", n=format_number(r["actions"]),
                  cost=format_rupiah(r["cost"]), why=r["note"])
    out.append(Paragraph(esc(text), st.body))
    if not len(sites):
        return out + [Paragraph(esc(tr("report.scenario.no_sites")), st.note)]
    out.append(_site_map(ctx, width, name, sites, r["compared"]))
    head = [tr("report.col.no"), tr("report.col.site_action"), tr("report.col.site_name"),
            tr("report.col.site_desa"), tr("report.col.site_kecamatan"),
            tr("report.col.site_cost")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    shown = sites.head(MAX_SITE_ROWS)
    for i, s in enumerate(shown.to_dict("records"), start=1):
        rows.append([str(i), table_cell(s["action_label"], st.cell),
                     table_cell(s["name"] if isinstance(s["name"], str) else
                                (s["fac_id"] or "–"), st.cell),
                     table_cell(s["desa_name"] or s["desa_code"] or "–", st.cell),
                     table_cell(s["kecamatan_name"] or "–", st.cell),
                     table_cell(s["amount_text"], st.cell)])
    if len(sites) > len(shown):
        out.append(Paragraph(esc(tr("report.scenario.sites_top", shown=len(shown),
                                    n=format_number(len(sites)))), st.note))
    fr = [0.06, 0.22, 0.24, 0.16, 0.14, 0.18]
    out.append(long_table(rows, [width * x for x in fr], table_style(n_rows=len(rows)),
                          [("ALIGN", (0, 1), (0, -1), "RIGHT"),
                           ("ALIGN", (5, 1), (5, -1), "RIGHT")],
                          continued=tr("report.continued",
                                       title=tr("report.h.scenario", name=name)),
                          caption_style=st.h2))
    return out


def _site_map(ctx: ReportContext, width: float, name: str, sites, compared: bool):
    """The scenario's sites over the desa where it closes (green) or opens (purple) gaps."""
    theme: dict[str, str] = {}
    if compared:
        ch = scenario_changes_layer(ctx.project, name)
        theme = {str(c): s for c, s in zip(ch["code"], ch["style"], strict=True) if s}
    styles = {**sym.SCENARIO_SITE_STYLES}
    pts = sites.assign(style=[s if s in styles else "other" for s in sites["style"]])
    styles["other"] = sym.SCENARIO_OTHER_SITE_STYLE
    data = ctx.map_data(ctx.kec_code).themed(theme, sym.SCENARIO_CHANGE_STYLES,
                                             tr("report.scenario.map_title", name=name))
    data = data.marked(pts[["style", "geometry"]], styles)
    return MapFlowable(data, width, min(0.7 * width, 320),
                       opts=MapOptions(posyandu=False, labels=False), legend_width=130)
