"""Fonts, colours and the one paragraph/table stylesheet of every printed output.

The fonts are DejaVu Sans Condensed (Bitstream Vera licence, ``reports/fonts/LICENSE-DejaVu.txt``),
shipped inside the package and embedded (subset) in every PDF: full Latin coverage plus the
arrows and signs we print (→, ≥, –).  When the files are missing (a broken install) the Bitstream
Vera fonts that reportlab itself ships are used instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "IlpSans"
FONT_BOLD = "IlpSans-Bold"
FONT_ITALIC = "IlpSans-Italic"

_FONT_FILES = {
    FONT: ("DejaVuSansCondensed.ttf", "Vera.ttf"),
    FONT_BOLD: ("DejaVuSansCondensed-Bold.ttf", "VeraBd.ttf"),
    FONT_ITALIC: ("DejaVuSansCondensed-Oblique.ttf", "VeraIt.ttf"),
}
_registered = False

# Binary (Flate only) streams: ASCII85 makes files 25% larger and is slow in pure Python.
rl_config.useA85 = 0

# Colours of the page furniture (map colours come from layers.symbology).
INK = colors.HexColor("#17202a")
MUTED = colors.HexColor("#5d6d7e")
ACCENT = colors.HexColor("#1a5276")
RULE = colors.HexColor("#aab7b8")
HEADER_BG = colors.HexColor("#d6eaf8")
ZEBRA = colors.HexColor("#f4f6f7")
BANNER = colors.HexColor("#b03a2e")


def _font_path(own: str, fallback: str) -> Path:
    here = resources.files("reports").joinpath("fonts", own)
    path = Path(str(here))
    if path.exists():
        return path
    import reportlab

    return Path(reportlab.__file__).parent / "fonts" / fallback


def register_fonts() -> None:
    """Register the embedded fonts once per process (idempotent)."""
    global _registered
    if _registered:
        return
    for name, (own, fallback) in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_font_path(own, fallback))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)
    # charts (reportlab.graphics) start from this state: keep every glyph in embedded fonts
    from reportlab.graphics import shapes

    shapes.STATE_DEFAULTS["fontName"] = FONT
    _registered = True


@dataclass
class Styles:
    """The stylesheet: every paragraph style used by the reports, by role."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    kpi_value: ParagraphStyle
    kpi_label: ParagraphStyle
    banner: ParagraphStyle
    centered: ParagraphStyle


def stylesheet(scale: float = 1.0) -> Styles:
    """The one stylesheet factory (``scale`` enlarges everything for A3)."""
    register_fonts()

    def ps(name: str, size: float, *, font: str = FONT, leading: float | None = None,
           colour=INK, align=TA_LEFT, before: float = 0, after: float = 0) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size * scale,
                              leading=(leading or size * 1.25) * scale, textColor=colour,
                              alignment=align, spaceBefore=before * scale,
                              spaceAfter=after * scale)

    return Styles(
        title=ps("title", 24, font=FONT_BOLD, leading=29, colour=ACCENT, after=8),
        subtitle=ps("subtitle", 14, leading=18, colour=MUTED, after=6),
        h1=ps("h1", 15, font=FONT_BOLD, leading=19, colour=ACCENT, before=4, after=6),
        h2=ps("h2", 11.5, font=FONT_BOLD, leading=14.5, colour=INK, before=6, after=4),
        body=ps("body", 9.5, leading=12.5, after=4),
        small=ps("small", 7.5, leading=9.5, colour=MUTED),
        note=ps("note", 8, font=FONT_ITALIC, leading=10, colour=MUTED, after=4),
        cell=ps("cell", 7.5, leading=9),
        cell_right=ps("cell_right", 7.5, leading=9, align=TA_RIGHT),
        cell_head=ps("cell_head", 7.5, font=FONT_BOLD, leading=9),
        kpi_value=ps("kpi_value", 17, font=FONT_BOLD, leading=20, colour=ACCENT, align=TA_CENTER),
        kpi_label=ps("kpi_label", 7.5, leading=9.5, colour=MUTED, align=TA_CENTER),
        banner=ps("banner", 16, font=FONT_BOLD, leading=20, colour=colors.white,
                  align=TA_CENTER),
        centered=ps("centered", 9.5, leading=12.5, align=TA_CENTER),
    )


def table_style(header_rows: int = 1, *, zebra: bool = True, numeric_from: int | None = None,
                n_rows: int = 0):
    """The one table look: tinted header, thin rules, zebra rows, numbers right-aligned."""
    from reportlab.platypus import TableStyle

    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEADING", (0, 0), (-1, -1), 9),
        ("FONTNAME", (0, 0), (-1, header_rows - 1), FONT_BOLD),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BG),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, ACCENT),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if numeric_from is not None:
        cmds.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if zebra:
        for r in range(header_rows + 1, n_rows, 2):
            cmds.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
    return TableStyle(cmds)


def esc(text: object) -> str:
    """Text made safe for a reportlab Paragraph (which reads a little XML)."""
    s = "" if text is None else str(text)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
