"""The wall map and the atlas: one printed map sheet per page, drawn straight on a canvas.
Imports reports.maps and the report context.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint
from reports.maps import SheetText, draw_sheet
from reports.pdf.context import ReportContext, kecamatan_order, source_lines
from reports.pdf.document import canvas_maker
from reports.pdf.sheet_figures import (
    desa_lines,
    desa_table,
    figure_lines,
    posyandu_table,
    scoped,
)
from reports.styles import FONT, MUTED, register_fonts

register_catalog("reports", "pdf.sheets")

MAX_DESA_PAGES = 1000
"""The per-desa atlas of a whole project stops above this many desa (one kecamatan at a time
instead): a kabupaten has a few hundred."""


def build_sheets(ctx: ReportContext, target: Path, progress, is_cancelled) -> None:
    register_fonts()
    pagesize = landscape(ctx.pagesize)
    canv = canvas_maker(ctx)(str(target), pagesize=pagesize, invariant=1, pageCompression=1)
    canv.setTitle(f"{ctx.title} — {ctx.place}")
    canv.setAuthor(ctx.author or "ILP-GIS")
    canv.setCreator("ILP-GIS")
    if getattr(ctx, "per_desa", False):
        _desa_pages(ctx, canv, pagesize, progress, is_cancelled)
        canv.save()
        return
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
            _page_number(canv, pagesize, i + 1)
        canv.showPage()
    canv.save()


def desa_page_codes(ctx: ReportContext) -> list[str]:
    """The desa of the per-desa atlas in page order: by kecamatan, then by name."""
    desa = ctx.result.desa
    kecs = [ctx.kec_code] if ctx.kec_code else kecamatan_order(ctx)
    out: list[str] = []
    for kec in kecs:
        sel = desa[desa["kecamatan_code"] == kec]
        sel = sel.sort_values("name", key=lambda s: s.astype(str).str.lower())
        out += [str(c) for c in sel["code"]]
    return out


def _desa_pages(ctx: ReportContext, canv, pagesize, progress, is_cancelled) -> None:
    """One sheet per desa (for the Pokja Posyandu): the desa with its facilities and gaps, its
    figures and its Posyandu with strata and kader."""
    codes = desa_page_codes(ctx)
    names = dict(zip(ctx.result.desa["code"], ctx.result.desa["name"], strict=False))
    kec_of = dict(zip(ctx.result.desa["code"], ctx.result.desa["kecamatan_code"],
                      strict=False))
    sources = source_lines(ctx.project)
    for i, code in enumerate(codes):
        checkpoint(progress, is_cancelled, i / max(len(codes), 1),
                   tr("report.progress.desa", name=names.get(code, code)))
        data = ctx.map_data().subset_desa(code)
        kec = kec_of.get(code)
        subtitle = tr("report.desa_page_subtitle", desa=names.get(code, code),
                      kecamatan=ctx.kec_names.get(kec, kec or "–"), place=ctx.project.title)
        text = SheetText(title=tr("report.title.desa_page"), subtitle=subtitle, date=ctx.date,
                         source=ctx.source_text, author=ctx.author,
                         fictional=ctx.project.fictional, crs_name=data.crs.name,
                         sources=sources, figures_title=tr("sheet.desa.title"),
                         figures=desa_lines(ctx, code), table=posyandu_table(ctx, code),
                         table_more=tr("sheet.posyandu.more", n="{n}"))
        draw_sheet(canv, pagesize, data, text)
        _page_number(canv, pagesize, i + 1)
        canv.showPage()
    if not codes:
        canv.setFont(FONT, 12)
        canv.drawString(20 * mm, pagesize[1] / 2, tr("map.no_data"))
        canv.showPage()


def _page_number(canv, pagesize, n: int) -> None:
    canv.setFont(FONT, 7)
    canv.setFillColor(MUTED)
    canv.drawRightString(pagesize[0] - 12 * mm, 5 * mm, tr("report.page", n=n))
