"""The cover section of the planning report: title, place, date, fictional-data banner, sources.
Imports the report context and reports.styles.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from ilp_gis import desa_counts
from ilp_gis.i18n import format_date, register_catalog, tr
from reports import population
from reports.pdf.context import ReportContext, rules_used, source_lines
from reports.pdf.front import FrontMatter, cover_lines, logo_flowable, signature_block
from reports.styles import BANNER, FONT, esc

register_catalog("reports", "pdf.cover")
register_catalog("reports", "maps.sheet")  # "map.author"


def cover_section(ctx: ReportContext, st, width: float | None = None) -> list:
    front = getattr(ctx, "front", None) or FrontMatter()
    logo = logo_flowable(front)
    out: list = [Spacer(1, 8 * mm), logo, Spacer(1, 6 * mm)] if logo is not None else \
        [Spacer(1, 30 * mm)]
    out += [Paragraph(esc(ctx.title), st.title),
            Paragraph(esc(ctx.place), st.subtitle),
            Paragraph(esc(tr("report.subtitle")), st.body), Spacer(1, 6 * mm),
            *cover_lines(ctx, front, st),
            Paragraph(esc(tr("report.date", date=format_date(ctx.date))), st.body)]
    if ctx.author:
        out.append(Paragraph(esc(tr("map.author", author=ctx.author)), st.body))
    if ctx.project.fictional:
        banner = Table([[Paragraph(esc(tr("app.fictional")) + " / FICTIONAL DATA"
                                   if tr("app.fictional") != "FICTIONAL DATA"
                                   else "DATA FIKTIF / FICTIONAL DATA", st.banner)]],
                       colWidths=[120 * mm])
        banner.setStyle([("BACKGROUND", (0, 0), (-1, -1), BANNER),
                         ("FONTNAME", (0, 0), (-1, -1), FONT),
                         ("TOPPADDING", (0, 0), (-1, -1), 6),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])
        out += [Spacer(1, 8 * mm), banner,
                Paragraph(esc(tr("report.fictional_note")), st.note)]
    out += [Spacer(1, 14 * mm), Paragraph(esc(tr("report.sources")), st.h2)]
    sources = source_lines(ctx.project)
    if sources:
        out += [Paragraph("• " + esc(s), st.body) for s in sources]
    else:
        out.append(Paragraph(esc(tr("report.no_sources")), st.body))
    pop_line = population.sources_line(ctx.project.desa if ctx.project.has("desa") else None)
    if pop_line:
        out.append(Paragraph("• " + esc(pop_line), st.body))
    summary = getattr(ctx.result, "summary", None) or {}
    out += [Paragraph("• " + esc(line), st.body) for line in desa_counts.count_lines(summary)]
    out.append(Paragraph(esc(rules_used(ctx.project)), st.small))
    if width is not None and ctx.kind == "plan":
        out += [Spacer(1, 10 * mm), signature_block(ctx, front, width)]
    return out
