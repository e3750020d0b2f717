"""Front matter of the planning report a Dinkes signs: the budget year (TA), the preparing
unit, an optional logo, the signature block ("Mengetahui, Kepala Dinas Kesehatan …") and the
table of contents with page numbers.  Imports the report context and reports.styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, Spacer, Table
from reportlab.platypus.tableofcontents import TableOfContents

from ilp_gis.errors import InputError
from ilp_gis.i18n import format_date, register_catalog, tr
from reports.pdf.context import ReportContext
from reports.styles import FONT, FONT_BOLD, INK, MUTED, esc

register_catalog("reports", "pdf.front")

LOGO_MAX_BYTES = 5 * 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000
LOGO_FORMATS = ("PNG", "JPEG")


@dataclass
class FrontMatter:
    """What the cover says beyond title and place; each is optional."""

    budget_year: int | None = None
    unit: str | None = None  # the preparing unit (e.g. Bidang Pelayanan Kesehatan)
    signer: str | None = None  # Kepala Dinas name
    signer_nip: str | None = None
    logo: Path | None = None


def check_logo(path) -> Path:
    """``path`` when it is a readable PNG or JPEG picture of a sensible size, else a clear
    :class:`InputError` naming the file (the file decides, not its name)."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    p = Path(path)
    if not p.is_file():
        raise InputError(tr("report.logo.missing"), file=p.name)
    if p.stat().st_size > LOGO_MAX_BYTES:
        raise InputError(tr("report.logo.too_big", mb=LOGO_MAX_BYTES // (1024 * 1024)),
                         file=p.name)
    try:
        with PILImage.open(p) as im:
            fmt = im.format
            w, h = im.size
            if w * h > LOGO_MAX_PIXELS:
                raise InputError(tr("report.logo.too_many_pixels", w=w, h=h), file=p.name)
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(tr("report.logo.unreadable", why=type(exc).__name__),
                         file=p.name) from None
    if fmt not in LOGO_FORMATS:
        raise InputError(tr("report.logo.format", format=fmt or "?"), file=p.name)
    return p


def budget_year_of(ctx: ReportContext, given: int | None) -> int | None:
    """The report's TA: as given, else the year most budget lines are for (None without
    budget lines: the cover then names no year rather than a made-up one)."""
    if given is not None:
        return int(given)
    budget = ctx.project.budget if ctx.project.has("budget") else None
    if budget is None or "year" not in budget:
        return None
    years = pd.to_numeric(budget["year"], errors="coerce").dropna()
    if not len(years):
        return None
    return int(years.astype(int).value_counts().sort_index(ascending=False).idxmax())


def district_name(ctx: ReportContext) -> str:
    kab = ctx.project.kabupaten if ctx.project.has("kabupaten") else None
    if kab is not None and len(kab) == 1 and isinstance(kab["name"].iloc[0], str):
        return kab["name"].iloc[0]
    return ctx.project.title


def cover_lines(ctx: ReportContext, front: FrontMatter, st) -> list:
    """The budget year and the preparing unit, under the title block."""
    out: list = []
    if front.budget_year is not None:
        out.append(Paragraph(esc(tr("report.front.ta", year=str(front.budget_year))), st.body))
    unit = front.unit or tr("report.front.unit_default", place=district_name(ctx))
    out.append(Paragraph(esc(tr("report.front.unit", unit=unit)), st.body))
    return out


def logo_flowable(front: FrontMatter):
    """The logo, at most 22 mm high and 60 mm wide, aspect kept (None without a logo)."""
    if front.logo is None:
        return None
    from PIL import Image as PILImage

    with PILImage.open(front.logo) as im:
        w, h = im.size
    scale = min(22 * mm / h, 60 * mm / w)
    img = Image(str(front.logo), width=w * scale, height=h * scale)
    img.hAlign = "LEFT"
    return img


def signature_block(ctx: ReportContext, front: FrontMatter, width: float) -> Table:
    """"Mengetahui, Kepala Dinas Kesehatan …" with room to sign, name and NIP (lines to fill
    in when not given), on the right of the page."""
    style = ParagraphStyle("sign", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    bold = ParagraphStyle("sign_b", parent=style, fontName=FONT_BOLD)
    place = district_name(ctx)
    cells = [
        Paragraph(esc(tr("report.front.sign_place_date", date=format_date(ctx.date))), style),
        Paragraph(esc(tr("report.front.sign_known")), style),
        Paragraph(esc(tr("report.front.sign_role", place=place)), style),
        Spacer(1, 18 * mm),
        Paragraph(esc(front.signer) if front.signer else "(" + "_" * 30 + ")", bold),
        Paragraph(esc(tr("report.front.nip", nip=front.signer_nip or "_" * 22)), style),
    ]
    t = Table([["", [c for c in cells]]], colWidths=[width * 0.5, width * 0.5])
    t.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("FONTNAME", (0, 0), (-1, -1), FONT)])
    return t


def contents(st) -> list:
    """The table of contents page (filled with page numbers when the document is built in
    several passes, see ``PlanDoc.afterFlowable``)."""
    toc = TableOfContents(dotsMinLevel=0)
    toc.tableStyle = [("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    toc.levelStyles = [
        ParagraphStyle("toc0", fontName=FONT, fontSize=10.5, leading=15, textColor=INK,
                       leftIndent=0, firstLineIndent=0),
        ParagraphStyle("toc1", fontName=FONT, fontSize=9, leading=12.5, textColor=MUTED,
                       leftIndent=8 * mm, firstLineIndent=0),
    ]
    heading = ParagraphStyle("contents_heading", parent=st.h1)  # not an entry of itself
    return [Paragraph(esc(tr("report.front.contents")), heading), Spacer(1, 4 * mm), toc]
