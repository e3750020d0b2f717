"""The network section: Puskesmas with their Pustu and Posyandu, and the network problems (counts
per district for multi-district projects).  Imports reports.tables, the context and cells.
"""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import PageBreak, Paragraph, Table

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.network import findings
from reports.pdf.cells import num_text, problem_label, table_cell
from reports.pdf.context import ReportContext
from reports.styles import esc, table_style
from reports.tables import kabupaten_key, kabupaten_names, network_rows, split_ids

register_catalog("reports", "pdf.network")


def network_section(ctx: ReportContext, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.network")), st.h1)]
    rows_data = network_rows(ctx.result, ctx.kec_names, ctx.kec_code)
    if rows_data and ctx.multi_district:
        return out + _network_by_kabupaten(ctx, st, width, rows_data)
    if not rows_data:
        out.append(Paragraph(esc(tr("report.no_network")), st.body))
    else:
        head = [tr("report.col.puskesmas"), tr("report.col.kecamatan"), tr("report.col.n_pustu"),
                tr("report.col.n_posyandu"), tr("report.col.direct"), tr("report.col.problems")]
        rows = [[table_cell(h, st.cell_head) for h in head]]
        for r in rows_data:
            rows.append([table_cell(r["name"], st.cell), table_cell(r["kecamatan"], st.cell),
                         num_text(r["pustu"]), num_text(r["posyandu"]), num_text(r["direct"]),
                         num_text(r["problems"])])
        fr = [0.34, 0.22, 0.1, 0.12, 0.12, 0.1]
        t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
        t.setStyle(table_style(numeric_from=2, n_rows=len(rows)))
        out.append(t)
    probs = ctx.result.network_problems
    if probs is not None and len(probs) and ctx.kec_code:
        ids = set(ctx.project.facilities.loc[
            ctx.project.facilities["kecamatan_code"] == ctx.kec_code, "fac_id"])
        probs = probs[[bool(set(split_ids(x)) & ids) for x in probs["fac_ids"]]]
    notes = _info_note(probs, st)
    probs = findings(probs, "problem")
    out.append(Paragraph(esc(tr("report.h.network_problems_n", n=len(probs))), st.h2))
    if not len(probs):
        return out + [Paragraph(esc(tr("report.no_network_problems")), st.body)] + notes
    if ctx.kind == "summary" and len(probs) > 200:
        out.append(Paragraph(esc(tr("report.problems_top", shown=200, n=len(probs))), st.note))
        probs = probs.head(200)
    rows = [[table_cell(tr("report.col.problem_kind"), st.cell_head),
             table_cell(tr("report.col.message"), st.cell_head)]]
    for r in probs.itertuples(index=False):
        rows.append([table_cell(problem_label(r.kind), st.cell),
                     table_cell(r.message if isinstance(r.message, str) else "", st.cell)])
    t = Table(rows, colWidths=[width * 0.28, width * 0.72], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    return out + [t] + notes


def _info_note(probs, st) -> list:
    """One line for the notes that are no problem ("nama induk dicocokkan: 67"), counted per
    kind instead of listed (they are in the XLSX sheet)."""
    info = findings(probs, "info")
    if not len(info):
        return []
    counts = info["kind"].value_counts()
    parts = ", ".join(f"{problem_label(k)}: {num_text(n)}" for k, n in counts.items())
    return [Paragraph(esc(tr("report.network_info", parts=parts)), st.note)]


def _network_by_kabupaten(ctx: ReportContext, st, width: float, rows_data: list[dict]) -> list:
    """Network counts per district, and problem counts per kind (multi-district projects)."""
    g = ctx.result.graph
    kec_of = {r["fac_id"]: g.nodes[r["fac_id"]].get("kecamatan_code") for r in rows_data}
    df = pd.DataFrame(rows_data)
    df["kab"] = kabupaten_key([kec_of[f] for f in df["fac_id"]]).values
    agg = df.groupby("kab").agg(puskesmas=("fac_id", "size"), pustu=("pustu", "sum"),
                                posyandu=("posyandu", "sum"), direct=("direct", "sum"),
                                problems=("problems", "sum"))
    names = kabupaten_names(ctx.project)
    head = [tr("report.col.kabupaten"), tr("report.col.puskesmas"), tr("report.col.n_pustu"),
            tr("report.col.n_posyandu"), tr("report.col.direct"), tr("report.col.problems")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for code, r in agg.iterrows():
        label = f"{names[code]} ({code})" if code in names else code
        rows.append([table_cell(label, st.cell), num_text(r.puskesmas), num_text(r.pustu),
                     num_text(r.posyandu), num_text(r.direct), num_text(r.problems)])
    t = Table(rows, colWidths=[width * x for x in (0.34, 0.12, 0.12, 0.14, 0.15, 0.13)],
              repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out: list = [t, Paragraph(esc(tr("report.h.network_problems")), st.h2)]
    notes = _info_note(ctx.result.network_problems, st)
    probs = findings(ctx.result.network_problems, "problem")
    if not len(probs):
        return out + [Paragraph(esc(tr("report.no_network_problems")), st.body)] + notes
    counts = probs["kind"].value_counts()
    rows = [[table_cell(tr("report.col.problem_kind"), st.cell_head),
             table_cell(tr("report.col.lines"), st.cell_head)]]
    rows += [[table_cell(problem_label(k), st.cell), num_text(n)] for k, n in counts.items()]
    t = Table(rows, colWidths=[width * 0.6, width * 0.2], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    return out + [t] + notes
