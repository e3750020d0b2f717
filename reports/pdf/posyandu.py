"""The section "Posyandu dan lokus ILP": the declared Posyandu strata against the criteria with
the discrepancies listed, the lokus Puskesmas per kabupaten with their decree (SK number and
date) against the 5–10 guidance, and the desa that lack Posyandu with how many.  A part whose
input was never loaded says "tidak ada data" and what to load.  Imports
reports.posyandu_lokus, the context, cells and flow.
"""

from __future__ import annotations

from reportlab.platypus import PageBreak, Paragraph

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.inputs import missing_text
from reports.pdf.cells import num_text, table_cell
from reports.pdf.context import ReportContext
from reports.pdf.flow import long_table
from reports.posyandu_lokus import posyandu_lokus, strata_counts
from reports.styles import esc, table_style

register_catalog("reports", "pdf.posyandu")

DISCREPANCY_ROWS = {"plan": 300, "summary": 40}
"""How many discrepancies and desa short of Posyandu the section lists (the XLSX has all)."""


def posyandu_section(ctx: ReportContext, st, width: float) -> list:
    pl = posyandu_lokus(ctx.project, ctx.result, ctx.inputs, kecamatan=ctx.kec_code)
    # a national report lists as few as a summary: the per-desa lists are in the XLSX
    limit = DISCREPANCY_ROWS["summary"] if ctx.national else DISCREPANCY_ROWS.get(ctx.kind, 300)
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.posyandu")), st.h1)]
    out += _strata_part(pl, st, width, limit)
    out += _lokus_part(pl, st, width, names=not ctx.national)
    out += _shortfall_part(pl, st, width, limit)
    return out


def _strata_part(pl, st, width: float, limit: int) -> list:
    head = Paragraph(esc(tr("report.h.posyandu_strata")), st.h2)
    if pl.strata_missing:
        return [head, Paragraph(esc(missing_text(pl.strata_missing)), st.body)]
    s = pl.strata_summary
    lead: list = [head, Paragraph(esc(tr(
        "report.strata_line", n=num_text(s["posyandu"]), agrees=num_text(s["agrees"]),
        above=num_text(s["above_criteria"]), below=num_text(s["below_criteria"]),
        unverifiable=num_text(s["unverifiable"]), none=num_text(s["no_stratum"]))), st.body),
        Paragraph(esc(tr("report.strata_criteria", criteria="; ".join(pl.criteria))),
                  st.note)]
    counts = strata_counts(pl.strata)
    out: list = []
    if not len(counts):
        out += lead
    else:
        hd = [tr("report.col.declared"), tr("report.col.posyandu_count"),
              tr("report.col.agrees"), tr("report.col.above"), tr("report.col.below"),
              tr("report.col.unverifiable")]
        rows = [[table_cell(h, st.cell_head) for h in hd]]
        for r in counts.itertuples(index=False):
            rows.append([table_cell(r.declared_label, st.cell), num_text(r.posyandu),
                         num_text(r.agrees), num_text(r.above_criteria),
                         num_text(r.below_criteria), num_text(r.unverifiable)])
        out.append(long_table(rows, [width * x for x in (0.3, 0.14, 0.14, 0.14, 0.14, 0.14)],
                              table_style(numeric_from=1, n_rows=len(rows)), lead=lead))
    bad = pl.discrepancies
    lead = [Paragraph(esc(tr("report.h.strata_discrepancies", n=num_text(len(bad)))),
                      st.h2)]
    if not len(bad):
        return out + lead + [Paragraph(esc(tr("report.no_strata_discrepancies")), st.body)]
    if len(bad) > limit:
        lead.append(Paragraph(esc(tr("report.rows_top", shown=num_text(limit),
                                     n=num_text(len(bad)))), st.note))
    hd = [tr("report.col.posyandu_name"), tr("report.col.desa"), tr("report.col.kecamatan"),
          tr("report.col.declared"), tr("report.col.by_criteria"), tr("report.col.why")]
    rows = [[table_cell(h, st.cell_head) for h in hd]]
    for r in bad.head(limit).itertuples(index=False):
        rows.append([table_cell(r.name, st.cell), table_cell(r.desa_name or "–", st.cell),
                     table_cell(r.kecamatan_name or "–", st.cell),
                     table_cell(r.declared_label or "–", st.cell),
                     table_cell(r.criteria_label or "–", st.cell), table_cell(r.why, st.cell)])
    return out + [long_table(rows, [width * x for x in (0.2, 0.13, 0.13, 0.1, 0.12, 0.32)],
                             table_style(n_rows=len(rows)), lead=lead, caption_style=st.h2,
                             continued=tr("report.continued", title=tr(
                                 "report.h.strata_discrepancies", n=num_text(len(bad)))))]


def _lokus_part(pl, st, width: float, *, names: bool = True) -> list:
    """The lokus table per kabupaten and, with ``names``, the lokus Puskesmas of each (a
    national report: a note pointing to the XLSX instead of ~500 paragraphs)."""
    lo, hi = pl.guidance
    lead = [Paragraph(esc(tr("report.h.lokus")), st.h2),
            Paragraph(esc(tr("report.lokus_intro", lo=f"{lo:g}", hi=f"{hi:g}")), st.note)]
    if pl.lokus_missing or not len(pl.lokus):
        return lead + [Paragraph(esc(missing_text(pl.lokus_missing or ["puskesmas"])),
                                 st.body)]
    hd = [tr("report.col.kabupaten"), tr("report.col.puskesmas"), tr("report.col.lokus"),
          tr("report.col.guidance"), tr("report.col.sk_number"), tr("report.col.sk_date"),
          tr("report.col.without_sk")]
    rows = [[table_cell(h, st.cell_head) for h in hd]]
    for r in pl.lokus.itertuples(index=False):
        unknown = r.status == "unknown"
        label = r.kabupaten_label if r.kabupaten_label == r.kabupaten_code else \
            f"{r.kabupaten_label} ({r.kabupaten_code})"  # as the header says: name (code)
        rows.append([table_cell(label, st.cell), num_text(r.puskesmas),
                     table_cell(missing_text(["lokus"]), st.cell) if unknown
                     else num_text(r.lokus),
                     table_cell(r.status_label, st.cell),
                     table_cell(r.sk_numbers or ("–" if unknown else tr("pl.sk_none")),
                                st.cell),
                     table_cell(r.sk_dates_label or ("–" if unknown else tr("pl.sk_none")),
                                st.cell),
                     "–" if unknown else num_text(r.lokus_without_sk)])
    out = [long_table(rows, [width * x for x in (0.2, 0.11, 0.1, 0.17, 0.18, 0.13, 0.11)],
                      table_style(n_rows=len(rows)),
                      [("ALIGN", (1, 1), (2, -1), "RIGHT"), ("ALIGN", (6, 1), (6, -1), "RIGHT")],
                      lead=lead, caption_style=st.h2,
                      continued=tr("report.continued", title=tr("report.h.lokus")))]
    named = [r for r in pl.lokus.itertuples(index=False) if r.lokus_names]
    if named and not names:
        return out + [Paragraph(esc(tr("report.lokus_names_in_xlsx")), st.note)]
    for r in named:
        out.append(Paragraph(esc(tr("report.lokus_names", kabupaten=r.kabupaten_label,
                                    names=r.lokus_names)), st.note))
    return out


def _shortfall_part(pl, st, width: float, limit: int) -> list:
    s = pl.shortfall_summary
    lead = [Paragraph(esc(tr("report.h.posyandu_shortfall")), st.h2)]
    if pl.shortfall_missing:
        return lead + [Paragraph(esc(missing_text(pl.shortfall_missing)), st.body)]
    lead.append(Paragraph(esc(tr("report.shortfall_line", desa=num_text(s["desa_short"]),
                                 lacking=num_text(s["posyandu_lacking"]))), st.body))
    if s.get("desa_unknown"):
        lead.append(Paragraph(esc(tr("report.shortfall_unknown",
                                     n=num_text(s["desa_unknown"]))), st.note))
    short = pl.shortfall
    if not len(short):
        return lead
    if len(short) > limit:
        lead.append(Paragraph(esc(tr("report.rows_top", shown=num_text(limit),
                                     n=num_text(len(short)))), st.note))
    hd = [tr("report.col.desa"), tr("report.col.kecamatan"), tr("report.col.needed_posyandu"),
          tr("report.col.has_posyandu"), tr("report.col.lacking"), tr("report.col.basis")]
    rows = [[table_cell(h, st.cell_head) for h in hd]]
    for r in short.head(limit).itertuples(index=False):
        rows.append([table_cell(r.name, st.cell), table_cell(r.kecamatan_name or "–", st.cell),
                     num_text(r.posyandu_needed), num_text(r.n_posyandu),
                     num_text(r.posyandu_deficit), table_cell(r.basis_label or "–", st.cell)])
    return [long_table(rows, [width * x for x in (0.24, 0.2, 0.13, 0.11, 0.11, 0.21)],
                       table_style(n_rows=len(rows)), [("ALIGN", (2, 1), (4, -1), "RIGHT")],
                       lead=lead, caption_style=st.h2,
                       continued=tr("report.continued", title=tr("report.h.posyandu_shortfall")))]
