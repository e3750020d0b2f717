"""The planning report's document: cover, portrait and landscape page templates with the header
and footer, and canvases that start in the embedded font.  Imports reports.styles.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ilp_gis.i18n import format_date, normalize_language, register_catalog, tr
from reports.pdf.context import ReportContext
from reports.styles import ACCENT, BANNER, FONT, FONT_BOLD, MUTED, RULE

register_catalog("reports", "pdf.document")


class PlanDoc(BaseDocTemplate):
    """Cover, portrait body and landscape map page templates; header/footer on every page."""

    def __init__(self, filename, ctx: ReportContext, styles, **kw) -> None:
        self.ctx = ctx
        self.st = styles
        pw, ph = ctx.pagesize
        super().__init__(str(filename), pagesize=ctx.pagesize, title=f"{ctx.title} — {ctx.place}",
                         author=ctx.author or "ILP-GIS", subject=tr("report.subtitle"),
                         creator="ILP-GIS", invariant=1, leftMargin=18 * mm,
                         rightMargin=18 * mm, topMargin=20 * mm, bottomMargin=18 * mm, **kw)
        margin = 18 * mm
        body = Frame(margin, 18 * mm, pw - 2 * margin, ph - 38 * mm, id="body",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        cover = Frame(margin, 25 * mm, pw - 2 * margin, ph - 50 * mm, id="cover",
                      leftPadding=0, rightPadding=0)
        lw, lh = landscape(ctx.pagesize)
        land = Frame(margin, 16 * mm, lw - 2 * margin, lh - 34 * mm, id="land",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("cover", [cover], onPage=self._cover_page, pagesize=ctx.pagesize),
            PageTemplate("body", [body], onPage=self._body_page, pagesize=ctx.pagesize),
            PageTemplate("landscape", [land], onPage=self._body_page,
                         pagesize=landscape(ctx.pagesize)),
        ])

    def afterFlowable(self, flowable) -> None:
        """Section headings (style h1) become entries of the table of contents."""
        style = getattr(flowable, "style", None)
        if style is not None and getattr(style, "name", None) == "h1":
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page))

    def _cover_page(self, canv, doc) -> None:
        pw, ph = canv._pagesize
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, ph - 14 * mm, pw, 14 * mm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(FONT_BOLD, 10)
        canv.drawString(18 * mm, ph - 9 * mm, tr("app.title"))
        if self.ctx.project.fictional:
            canv.setFillColor(BANNER)
            canv.rect(0, 0, pw, 16 * mm, stroke=0, fill=1)
            canv.setFillColor(colors.white)
            canv.setFont(FONT_BOLD, 14)
            canv.drawCentredString(pw / 2, 6 * mm, tr("app.fictional"))
        canv.restoreState()

    def _body_page(self, canv, doc) -> None:
        pw, ph = canv._pagesize
        canv.saveState()
        canv.setFont(FONT, 7.5)
        canv.setFillColor(MUTED)
        canv.drawString(18 * mm, ph - 12 * mm, f"{self.ctx.title} — {self.ctx.place}")
        canv.drawRightString(pw - 18 * mm, ph - 12 * mm, format_date(self.ctx.date))
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(18 * mm, ph - 14 * mm, pw - 18 * mm, ph - 14 * mm)
        canv.line(18 * mm, 12 * mm, pw - 18 * mm, 12 * mm)
        canv.drawString(18 * mm, 8 * mm, tr("app.name"))
        canv.drawRightString(pw - 18 * mm, 8 * mm, tr("report.page", n=doc.page))
        if self.ctx.project.fictional:
            canv.setFillColor(BANNER)
            canv.setFont(FONT_BOLD, 7.5)
            canv.drawCentredString(pw / 2, 8 * mm, tr("app.fictional"))
        canv.restoreState()


def canvas_maker(ctx: ReportContext):
    """Canvases that start in the embedded font (no unembedded Helvetica in the PDF)."""
    lang = "id" if normalize_language(None) == "id" else "en"

    def make(*args, **kw):
        kw["initialFontName"] = kw.get("initialFontName") or FONT
        kw["initialFontSize"] = kw.get("initialFontSize") or 10
        kw.setdefault("lang", lang)
        return Canvas(*args, **kw)

    return make
