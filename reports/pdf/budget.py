"""The budget section: the budget sync of the lines with the gaps (funding map or, for a
national project, funding per province and kabupaten; totals per source and year; phasing; line
issues; unfunded actions).  Imports reports.source, reports.tables and reports.maps.
"""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import PageBreak, Paragraph, Table

from ilp_gis.budget import FUNDING_STATES
from ilp_gis.i18n import format_rupiah, register_catalog, tr
from ilp_gis.model import Activity, FundingSource
from layers import symbology as sym
from reports.maps import MapFlowable, MapOptions
from reports.pdf.areas import province_label
from reports.pdf.cells import enum_text, num_text, table_cell, year_text
from reports.pdf.context import ReportContext, province_key
from reports.pdf.flow import fit_widths, long_table, totals_style
from reports.source import budget_sync_for
from reports.styles import esc, table_style
from reports.tables import kabupaten_key, kabupaten_names

register_catalog("reports", "pdf.budget")


def budget_section(ctx: ReportContext, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.budget")), st.h1)]
    sync = budget_sync_for(ctx.project, ctx.result)
    if sync is None:
        return out + [Paragraph(esc(tr("report.budget_none")), st.body)]
    return out + _budget_sync_tables(ctx, st, width, sync)


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
    if ctx.national:  # per province and kabupaten; the per-desa funding is in the XLSX
        out.append(Paragraph(esc(tr("report.budget_national_intro")), st.note))
        out += _area_funding_table(ctx, st, width, acts, "province")
        out += _area_funding_table(ctx, st, width, acts, "kabupaten")
    elif ctx.kind == "plan" and df is not None and len(df):
        theme = dict(zip(df["desa_code"], df["funding_state"], strict=False))
        data = ctx.map_data(ctx.kec_code).themed(theme, sym.FUNDING_STYLES,
                                                 tr("report.col.funding_state"))
        out.append(MapFlowable(data, width, min(0.75 * width, 330),
                               opts=MapOptions(posyandu=False, labels=False),
                               legend_width=118))
    if ctx.national:
        out.append(Paragraph(esc(tr("report.h.budget_by_source")), st.h2))
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


FUNDING_COLUMNS = ("actions", "funded", "partly", "unfunded", "amount", "shortfall")


def area_funding(acts: pd.DataFrame, level: str) -> pd.DataFrame:
    """Actions per province (``level="province"``) or kabupaten: code, actions, funded, partly,
    unfunded (counts), amount (Rp put on them) and shortfall (NaN when no action has a price)."""
    cols = ["code", *FUNDING_COLUMNS]
    if acts is None or not len(acts):
        return pd.DataFrame(columns=cols)
    place = acts["kecamatan_code"].where(acts["kecamatan_code"].notna(), acts["desa_code"])
    a = acts.assign(_place=place)
    a = a[a["_place"].notna()]
    key = kabupaten_key(a["_place"]) if level == "kabupaten" else province_key(a["_place"])
    a = a.assign(_key=key.values)
    grp = a.groupby("_key")
    out = a.groupby(["_key", "funding_state"]).size().unstack(fill_value=0).reindex(
        columns=list(FUNDING_STATES), fill_value=0)
    out.insert(0, "actions", out.sum(axis=1))
    out["amount"] = grp["amount"].sum()
    out["shortfall"] = grp["shortfall"].sum(min_count=1)
    return out.rename_axis("code").reset_index()[cols]


def _area_funding_table(ctx: ReportContext, st, width: float, acts: pd.DataFrame,
                        level: str) -> list:
    """Funded / partly / unfunded actions, the Rp on them and the shortfall per province or
    kabupaten, with the total."""
    agg = area_funding(acts, level)
    if not len(agg):
        return []
    title = tr(f"report.h.budget_by_{level}")
    if level == "kabupaten":
        names = kabupaten_names(ctx.project)
        label = {c: f"{names[c]} ({c})" if c in names else c for c in agg["code"]}
        head0 = tr("report.col.kabupaten")
    else:
        label = {c: province_label(c) for c in agg["code"]}
        head0 = tr("report.col.province")
    head = [head0, tr("report.col.actions"), tr("funding_state.funded"),
            tr("funding_state.partly"), tr("funding_state.unfunded"), tr("report.col.on_gaps"),
            tr("report.col.shortfall")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in agg.itertuples(index=False):
        rows.append([table_cell(label[r.code], st.cell), num_text(r.actions), num_text(r.funded),
                     num_text(r.partly), num_text(r.unfunded), format_rupiah(r.amount),
                     format_rupiah(r.shortfall)])
    rows.append([table_cell(tr("report.total"), st.cell_head)]
                + [num_text(agg[c].sum()) for c in ("actions", "funded", "partly", "unfunded")]
                + [format_rupiah(agg["amount"].sum()),
                   format_rupiah(agg["shortfall"].sum(min_count=1))])
    fr = (0.25, 0.09, 0.09, 0.09, 0.1, 0.19, 0.19)
    return [long_table(rows, [width * x for x in fr],
                       table_style(numeric_from=1, n_rows=len(rows)), totals=True,
                       lead=[Paragraph(esc(title), st.h2)], caption_style=st.h2,
                       continued=tr("report.continued", title=title))]


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
