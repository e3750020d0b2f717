"""Small multiples of the Monev report: one small map per PWS indicator, the desa coloured by
their PWS class in the report's month, with one shared legend.  Imports reports.maps and
layers.symbology.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.platypus import Paragraph, Table

from ilp_gis.i18n import format_percent, register_catalog, tr
from layers import symbology as sym
from reports.maps import MapFlowable, MapOptions
from reports.styles import FONT, INK, esc

register_catalog("reports", "pdf.monev_maps")

COLUMNS = 3
SMALL_OPTS = MapOptions(labels=False, kecamatan_labels=False, graticule=False,
                        facilities=False, line_scale=0.5)


def legend_drawing(width: float) -> Drawing:
    """The PWS classes in one row of swatches (the shared legend of the small maps)."""
    keys = list(sym.PWS_STYLES)
    d = Drawing(width, 26)
    step = width / len(keys)
    for i, key in enumerate(keys):
        style = sym.PWS_STYLES[key]
        x = i * step
        d.add(Rect(x, 8, 10, 10, fillColor=colors.HexColor(style.fill),
                   strokeColor=colors.HexColor(style.stroke), strokeWidth=0.6))
        for j, line in enumerate(_two_lines(style.label, 22)):
            d.add(String(x + 13, 14 - 8 * j, line, fontName=FONT, fontSize=6.5, fillColor=INK))
    return d


def _two_lines(text: str, limit: int) -> list[str]:
    if len(text) <= limit or " " not in text:
        return [text]
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > 0 else text.find(" ")
    return [text[:cut], text[cut + 1:]]


def small_multiples(map_data, monev, st, width: float) -> list:
    """A grid of small maps, one per indicator with values in the month (``[]`` when none)."""
    keys = [k for k in monev.rankings if monev.rankings[k]["achievement"].notna().any()]
    if not keys or map_data is None:
        return []
    cell_w = width / COLUMNS
    cell_h = cell_w * 0.95
    table = monev.indicators.set_index("indicator")
    cells = []
    for key in keys:
        row = table.loc[key]
        data = map_data.themed(sym.pws_class_theme(monev.rankings[key]), sym.PWS_STYLES,
                               tr("monev.map.legend"))
        title = Paragraph(esc(tr("monev.map.title", indicator=row["label"],
                                 achievement=format_percent(row["achievement"]))), st.small)
        cells.append([title, MapFlowable(data, cell_w - 6, cell_h - 18, opts=SMALL_OPTS,
                                         legend=False)])
    rows = [cells[i:i + COLUMNS] for i in range(0, len(cells), COLUMNS)]
    rows[-1] += [""] * (COLUMNS - len(rows[-1]))
    grid = Table(rows, colWidths=[cell_w] * COLUMNS)
    grid.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                   ("RIGHTPADDING", (0, 0), (-1, -1), 2), ("FONTNAME", (0, 0), (-1, -1), FONT)])
    return [Paragraph(esc(tr("monev.map.intro", month=monev.month.label())), st.note),
            legend_drawing(width), grid]
