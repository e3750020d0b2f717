"""The kabupaten gap map page and the gap table by priority (``gap_rows`` groups gaps per place).
Imports reports.maps, the report context and cells.
"""

from __future__ import annotations

import pandas as pd
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.inputs import unchecked_text
from layers import symbology as sym
from reports.maps import MapFlowable, MapOptions
from reports.pdf.cells import gap_label, num_text, table_cell
from reports.pdf.context import ReportContext
from reports.pdf.flow import long_table
from reports.pdf.national_map import national_options
from reports.styles import esc, table_style

register_catalog("reports", "pdf.gaps")


def map_page(ctx: ReportContext, st) -> list:
    data = ctx.map_data(ctx.kec_code)
    lw, lh = landscape(ctx.pagesize)
    fw, fh = lw - 36 * mm, lh - 34 * mm
    title = Paragraph(esc(tr("report.h.map") + " — " + ctx.place), st.h1)
    note = Paragraph(esc(tr("report.map_note")), st.note)
    mh = fh - 19 * 1.0 - 14 - 22
    unit = ctx.pagesize[0] / A4[0]
    if ctx.national:  # tens of thousands of symbols and labels would cover the country
        opts = national_options(symbol_scale=0.9 * unit)
        note = Paragraph(esc(tr("report.map_note_national")), st.note)
    else:
        opts = MapOptions(label_size=5.0 * unit, symbol_scale=0.9 * unit)
    fig = MapFlowable(data, fw, mh, opts=opts, legend_width=150 * unit)
    return [NextPageTemplate("landscape"), PageBreak(), title, fig, note,
            NextPageTemplate("body"), PageBreak()]


def gap_rows(gaps) -> pd.DataFrame:
    """Gaps grouped per place (a desa, else the kecamatan), most urgent first: rank, desa,
    kecamatan, the gap kinds (severest first), their count, score."""
    if gaps is None or not len(gaps):
        return pd.DataFrame(columns=["rank", "desa", "kecamatan", "kinds", "n", "score"])
    g = pd.DataFrame(gaps.drop(columns="geometry", errors="ignore"))
    g["_sev"] = g["kind"].map(sym.GAP_SEVERITY).fillna(99)
    g["_rank"] = pd.to_numeric(g["priority_rank"], errors="coerce")
    g["_score"] = pd.to_numeric(g["priority_score"], errors="coerce")
    place = g["desa_code"].where(g["desa_code"].notna() & (g["desa_code"] != ""),
                                 "kec:" + g["kecamatan_code"].astype(str))
    names = g["kind"].map(gap_label)
    g["_label"] = g["label"].where(g["label"].notna() & (g["label"] != ""), names) \
        if "label" in g else names  # "> 5 km dari Pustu terdekat": type and limit named
    g = g.assign(_place=place).sort_values(["_sev"], kind="stable")
    out = g.groupby("_place", sort=False).agg(
        rank=("_rank", "min"), desa=("desa_name", "first"), kecamatan=("kecamatan_name", "first"),
        n=("kind", "size"), score=("_score", "max"), sev=("_sev", "min"))
    kinds: dict = {}  # each place's labels in severity order, each once (one pass, no lambda)
    for key, label in zip(g["_place"].tolist(), g["_label"].tolist(), strict=True):
        kinds.setdefault(key, {})[label] = None
    out.insert(3, "kinds", [list(kinds[k]) for k in out.index])
    out["_r"] = out["rank"].where(out["rank"] > 0, 0).fillna(1e12)
    return out.sort_values(["_r", "sev"], kind="stable").drop(columns=["_r", "sev"])


def gap_table(ctx: ReportContext, st, width: float, *, limit: int | None,
              annex: bool = False) -> list:
    """The priority list: one row per place (desa, else kecamatan) with all its gaps, the top
    ``limit`` places (None: all).  ``annex`` True: the caption points to the full list in the
    annex (``gap_annex``), else to the XLSX tables."""
    out: list = [Paragraph(esc(tr("report.h.gaps")), st.h1)]
    unchecked = unchecked_text(ctx.inputs)
    if unchecked:
        out.append(Paragraph(esc(unchecked), st.body))
    gaps = ctx.gaps
    if gaps is None or not len(gaps):
        return out + [Paragraph(esc(tr("report.no_gaps")), st.body)]
    rows_df = gap_rows(gaps)
    n = len(rows_df)
    out.append(Paragraph(esc(tr("report.gaps_intro", n=num_text(len(gaps)),
                                places=num_text(n))), st.note))
    if limit is not None and n > limit:
        rows_df = rows_df.head(limit)
        where = tr("report.gaps_full_annex") if annex else tr("report.gaps_full_xlsx")
        out.append(Paragraph(esc(tr("report.gaps_top", shown=num_text(limit), n=num_text(n),
                                    where=where)), st.note))
    return out + [_priority_table(rows_df, st, width, tr("report.h.gaps"))]


def gap_annex(ctx: ReportContext, st, width: float, *, shown: int | None,
              max_rows: int) -> list:
    """The annex with the full priority list, when the body showed only the top ``shown``
    places (nothing when the body already held them all).  Above ``max_rows`` places the annex
    prints the first ``max_rows`` and says the XLSX tables hold the rest."""
    gaps = ctx.gaps
    if shown is None or gaps is None or not len(gaps):
        return []
    rows_df = gap_rows(gaps)
    n = len(rows_df)
    if n <= shown:
        return []
    title = tr("report.h.gaps_annex")
    out: list = [PageBreak(), Paragraph(esc(title), st.h1),
                 Paragraph(esc(tr("report.gaps_intro", n=num_text(len(gaps)),
                                  places=num_text(n))), st.note)]
    if n > max_rows:
        rows_df = rows_df.head(max_rows)
        out.append(Paragraph(esc(tr("report.gaps_top", shown=num_text(max_rows),
                                    n=num_text(n), where=tr("report.gaps_full_xlsx"))),
                             st.note))
    return out + [_priority_table(rows_df, st, width, title)]


def _priority_table(rows_df: pd.DataFrame, st, width: float, title: str):
    head = [tr("report.col.rank"), tr("report.col.desa"), tr("report.col.kecamatan"),
            tr("report.col.kind"), tr("report.col.score")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in rows_df.itertuples(index=False):
        rank = r.rank
        rows.append([
            num_text(rank) if not pd.isna(rank) and float(rank) > 0 else "–",
            table_cell(r.desa if isinstance(r.desa, str) else "–", st.cell),
            table_cell(r.kecamatan if isinstance(r.kecamatan, str) else "–", st.cell),
            table_cell("; ".join(r.kinds), st.cell),
            num_text(r.score, 2),
        ])
    fr = [0.07, 0.2, 0.17, 0.47, 0.09]
    return long_table(rows, [width * x for x in fr], table_style(n_rows=len(rows)),
                      [("ALIGN", (0, 0), (0, -1), "RIGHT"), ("ALIGN", (4, 0), (4, -1), "RIGHT")],
                      continued=tr("report.continued", title=title), caption_style=st.h2)
