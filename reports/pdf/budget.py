"""The budget section: totals per source and year, budget lines, or the budget sync with the gaps
(funding map, unfunded gaps).  Imports reports.source, reports.tables and reports.maps.
"""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import PageBreak, Paragraph, Table

from ilp_gis.i18n import format_rupiah, register_catalog, tr
from ilp_gis.model import Activity, BudgetStatus, FundingSource
from layers import symbology as sym
from reports.maps import MapFlowable, MapOptions
from reports.pdf.cells import enum_text, num_text, table_cell, year_text
from reports.pdf.context import ReportContext
from reports.pdf.flow import fit_widths, long_table, totals_style
from reports.source import budget_sync_for
from reports.styles import esc, table_style
from reports.tables import budget_totals

register_catalog("reports", "pdf.budget")


def budget_section(ctx: ReportContext, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.budget")), st.h1)]
    sync, skipped = budget_sync_for(ctx.project, ctx.result)
    if sync is not None:
        return out + _budget_sync_tables(ctx, st, width, sync)
    if skipped:
        out.append(Paragraph(esc(tr("report.budget_sync_skipped", n=len(ctx.result.gaps))),
                             st.note))
    budget = ctx.project.budget
    if ctx.kec_code and len(budget):
        desa_codes = set(ctx.desa["code"])
        budget = budget[budget["target_desa"].isin(desa_codes)]
    if not len(budget):
        return out + [Paragraph(esc(tr("report.budget_none")), st.body)]
    out.append(Paragraph(esc(tr("report.budget_lines_intro")), st.note))
    out += _totals_table(st, width, budget_totals(budget))
    if ctx.kind == "summary":
        return out + [Paragraph(esc(tr("report.budget_lines_in_xlsx")), st.note)]
    out.append(Paragraph(esc(tr("report.h.budget_lines")), st.h2))
    names = dict(zip(ctx.result.desa["code"], ctx.result.desa["name"], strict=False))
    head = [tr("report.col.source"), tr("report.col.year"), tr("report.col.activity"),
            tr("report.col.target"), tr("report.col.amount"), tr("report.col.status"),
            tr("report.col.note")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    b = budget.sort_values(["source", "year"], kind="stable")
    for r in b.itertuples(index=False):
        target = names.get(r.target_desa, r.target_desa) if isinstance(r.target_desa, str) \
            else (r.target_facility if isinstance(r.target_facility, str) else "–")
        rows.append([table_cell(enum_text(FundingSource, r.source), st.cell), year_text(r.year),
                     table_cell(enum_text(Activity, r.activity), st.cell),
                     table_cell(target, st.cell), format_rupiah(r.amount),
                     table_cell(enum_text(BudgetStatus, r.status), st.cell),
                     table_cell(r.note if isinstance(r.note, str) else "", st.cell)])
    fr = [0.15, 0.07, 0.18, 0.16, 0.16, 0.11, 0.17]
    t = long_table(rows, [width * x for x in fr], table_style(n_rows=len(rows)),
                   [("ALIGN", (4, 1), (4, -1), "RIGHT"), ("ALIGN", (1, 1), (1, -1), "RIGHT")],
                   continued=tr("report.continued", title=tr("report.h.budget_lines")),
                   caption_style=st.h2)
    return out + [t]


def _totals_table(st, width: float, totals: pd.DataFrame) -> list:
    on_gaps = "amount_on_gaps" in totals
    head = [tr("report.col.source"), tr("report.col.year"), tr("report.col.lines"),
            tr("report.col.amount")] + ([tr("report.col.on_gaps")] if on_gaps else [])
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in totals.itertuples(index=False):
        row = [table_cell(enum_text(FundingSource, r.source), st.cell), year_text(r.year),
               num_text(r.lines), format_rupiah(r.amount)]
        if on_gaps:
            row.append(format_rupiah(r.amount_on_gaps))
        rows.append(row)
    total = [table_cell(tr("report.total"), st.cell_head), "", num_text(totals["lines"].sum()),
             format_rupiah(totals["amount"].sum(min_count=1))]
    if on_gaps:
        total.append(format_rupiah(totals["amount_on_gaps"].sum(min_count=1)))
    rows.append(total)
    fr = (0.3, 0.1, 0.1, 0.25, 0.25) if on_gaps else (0.4, 0.15, 0.15, 0.3)
    t = Table(rows, colWidths=fit_widths(head, [width * x for x in fr]), repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    t.setStyle(totals_style())
    return [t]


def _budget_sync_tables(ctx: ReportContext, st, width: float, sync) -> list:
    out: list = []
    acts = sync.actions
    lines = sync.lines
    desa_codes = set(ctx.desa["code"])
    if ctx.kec_code and len(acts):
        acts = acts[acts["desa_code"].isin(desa_codes)
                    | (acts["kecamatan_code"] == ctx.kec_code)]
    counts = acts["funding_state"].value_counts() if len(acts) else pd.Series(dtype=int)
    out.append(Paragraph(esc(tr("report.h.budget_funding")), st.h2))
    out.append(Paragraph(esc(tr(
        "report.budget_state_line", funded=int(counts.get("funded", 0)),
        partly=int(counts.get("partly", 0)), unfunded=int(counts.get("unfunded", 0)),
        gaps=int(acts["n_gaps"].sum()) if len(acts) else 0,
        shortfall=format_rupiah(acts["shortfall"].sum(min_count=1)) if len(acts) else "–",
        unpriced=int(((acts["funding_state"] != "funded") & acts["needed"].isna()).sum())
        if len(acts) else 0)), st.body))
    df = getattr(sync, "desa_funding", None)
    if ctx.kind == "plan" and df is not None and len(df):
        theme = dict(zip(df["desa_code"], df["funding_state"], strict=False))
        data = ctx.map_data(ctx.kec_code).themed(theme, sym.FUNDING_STYLES,
                                                 tr("report.col.funding_state"))
        out.append(MapFlowable(data, width, min(0.75 * width, 330),
                               opts=MapOptions(posyandu=False, labels=False),
                               legend_width=118))
    out += _totals_table(st, width, sync.totals)
    if ctx.kec_code is None:
        out += _phasing_table(st, width, sync.phasing)
        out += _issue_table(st, width, lines)
    un = acts[acts["funding_state"] != "funded"] if len(acts) else acts
    if len(un):
        limit = 100 if ctx.kind == "plan" else 50
        # the heading and its notes move with the table's first rows (never orphaned)
        lead = [Paragraph(esc(tr("report.h.budget_unfunded")), st.h2),
                Paragraph(esc(tr("report.budget_actions_intro")), st.note)]
        if len(un) > limit:
            lead.append(Paragraph(esc(tr("report.unfunded_top", shown=num_text(limit),
                                         n=num_text(len(un)))), st.note))
        head = [tr("report.col.rank"), tr("report.col.desa"), tr("report.col.action"),
                tr("report.col.closes"), tr("report.col.funding_state"),
                tr("report.col.amount"), tr("report.col.shortfall")]
        rows = [[table_cell(h, st.cell_head) for h in head]]
        for r in un.head(limit).to_dict("records"):
            desa = r.get("desa_name") if isinstance(r.get("desa_name"), str) else \
                (r.get("kecamatan_name") or "–")
            what = enum_text(Activity, r.get("activity"))
            if isinstance(r.get("fac_id"), str):
                what = f"{what} ({r['fac_id']})"
            rows.append([num_text(r.get("priority_rank")), table_cell(desa, st.cell),
                         table_cell(what, st.cell),
                         table_cell(f"{r.get('gap_labels') or '–'}", st.cell),
                         table_cell(tr(f"funding_state.{r.get('funding_state', 'unfunded')}"),
                                    st.cell),
                         format_rupiah(r.get("amount")), format_rupiah(r.get("shortfall"))])
        fr = (0.05, 0.13, 0.16, 0.27, 0.11, 0.14, 0.14)  # "Rp 1.500.000.000" fits its cell
        out.append(long_table(rows, [width * x for x in fr],
                              table_style(numeric_from=5, n_rows=len(rows)),
                              [("ALIGN", (0, 0), (0, -1), "RIGHT")], caption_style=st.h2,
                              lead=lead,
                              continued=tr("report.continued",
                                           title=tr("report.h.budget_unfunded"))))
    return out


def _phasing_table(st, width: float, phasing: pd.DataFrame) -> list:
    """Per budget year: the actions that start, the Rp put on actions, what they still lack."""
    if phasing is None or not len(phasing):
        return []
    lead = [Paragraph(esc(tr("report.h.budget_phasing")), st.h2)]
    head = [tr("report.col.year"), tr("report.col.actions"), tr("report.col.on_gaps"),
            tr("report.col.shortfall")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in phasing.itertuples(index=False):
        year = year_text(r.year) if not pd.isna(r.year) else tr("report.budget_no_year")
        rows.append([table_cell(year, st.cell), num_text(r.actions), format_rupiah(r.amount),
                     format_rupiah(r.shortfall)])
    return [long_table(rows, [width * x for x in (0.34, 0.18, 0.24, 0.24)],
                       table_style(numeric_from=1, n_rows=len(rows)), lead=lead,
                       caption_style=st.h2,
                       continued=tr("report.continued", title=tr("report.h.budget_phasing")))]


def _issue_table(st, width: float, lines: pd.DataFrame) -> list:
    """Lines used against a funding rule, of a later year, or reaching no gap (unused)."""
    if lines is None or not len(lines) or "issue" not in lines:
        return []
    bad = lines[lines["issue"] != ""]
    if not len(bad):
        return []
    out: list = [Paragraph(esc(tr("report.h.budget_issues", n=len(bad))), st.h2)]  # the lead
    head = [tr("report.col.budget_id"), tr("report.col.source"), tr("report.col.year"),
            tr("report.col.activity"), tr("report.col.amount"), tr("report.col.issue")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in bad.head(60).itertuples(index=False):
        rows.append([table_cell(str(r.budget_id), st.cell),
                     table_cell(enum_text(FundingSource, r.source), st.cell), year_text(r.year),
                     table_cell(enum_text(Activity, r.activity), st.cell),
                     format_rupiah(r.amount), table_cell(tr(f"budget.issue.{r.issue}"), st.cell)])
    if len(bad) > 60:
        out.append(Paragraph(esc(tr("report.budget_issues_top", shown=60, n=len(bad))),
                             st.note))
    return [long_table(rows, [width * x for x in (0.14, 0.14, 0.07, 0.16, 0.14, 0.35)],
                       table_style(n_rows=len(rows)), [("ALIGN", (4, 1), (4, -1), "RIGHT")],
                       lead=out, caption_style=st.h2,
                       continued=tr("report.continued", title=tr("report.h.budget_issues",
                                                                 n=len(bad))))]
