"""The wall map and the atlas: one printed map sheet per page, drawn straight on a canvas.
Imports reports.maps and the report context.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm

from ilp_gis.i18n import tr
from ilp_gis.jobs import checkpoint
from reports.maps import SheetText, draw_sheet
from reports.pdf.context import ReportContext, kecamatan_order, source_lines
from reports.pdf.document import canvas_maker
from reports.pdf.sheet_figures import desa_table, figure_lines, scoped
from reports.styles import FONT, MUTED, register_fonts


def build_sheets(ctx: ReportContext, target: Path, progress, is_cancelled) -> None:
    register_fonts()
    pagesize = landscape(ctx.pagesize)
    canv = canvas_maker(ctx)(str(target), pagesize=pagesize, invariant=1, pageCompression=1)
    canv.setTitle(f"{ctx.title} — {ctx.place}")
    canv.setAuthor(ctx.author or "ILP-GIS")
    canv.setCreator("ILP-GIS")
    sheets: list[str | None]
    if ctx.kind == "wallmap":
        sheets = [ctx.kec_code]
    elif ctx.kec_code:
        sheets = [ctx.kec_code]
    else:
        sheets = [None] + kecamatan_order(ctx)
    for i, code in enumerate(sheets):
        checkpoint(progress, is_cancelled, i / len(sheets),
                   tr("report.progress.kecamatan", name=ctx.kec_names.get(code, code))
                   if code else tr("report.progress.build"))
        data = ctx.map_data(code)
        subtitle = ctx.project.title if code is None else \
            f"{tr('area.kecamatan')} {ctx.kec_names.get(code, code)} — {ctx.project.title}"
        text = SheetText(
            title=ctx.title if ctx.kind == "wallmap" or code is None else
            tr("report.title.wallmap"),
            subtitle=subtitle, date=ctx.date, source=ctx.source_text, author=ctx.author,
            fictional=ctx.project.fictional, crs_name=data.crs.name,
            sources=source_lines(ctx.project), figures_title=tr("sheet.fig.title"))
        if ctx.kind == "atlas" and code is not None and code != ctx.kec_code:
            text.table = desa_table(ctx, code)
            text.table_more = tr("sheet.table.more", n="{n}")
        else:
            text.figures = figure_lines(scoped(ctx, code))
        draw_sheet(canv, pagesize, data, text)
        if ctx.kind == "atlas":
            canv.setFont(FONT, 7)
            canv.setFillColor(MUTED)
            canv.drawRightString(pagesize[0] - 12 * mm, 5 * mm, tr("report.page", n=i + 1))
        canv.showPage()
    canv.save()
