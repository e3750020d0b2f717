"""Whole map layouts: a map figure inside a document and one printed sheet (wall map, atlas).

A sheet is the map with scale bar and north arrow, and a panel with title block, legend, inset
and footer.  Imports the other map modules and reports.styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.platypus import Flowable

from ilp_gis.i18n import format_date, register_catalog, tr
from reports.maps.data import MapData
from reports.maps.draw import draw_map
from reports.maps.furniture import (
    draw_north_arrow,
    draw_scalebar,
    scale_length_km,
    true_north_angle,
)
from reports.maps.inset import draw_inset
from reports.maps.labels import draw_wrapped, wrapped_height
from reports.maps.legend import draw_legend
from reports.maps.options import MapOptions
from reports.maps.panel import (
    PanelTable,
    draw_figures,
    draw_table,
    figures_height,
    rows_that_fit,
    table_height,
)
from reports.maps.paths import Transform
from reports.styles import FONT, FONT_BOLD, INK, MUTED, register_fonts

register_catalog("reports", "maps.sheet")


class MapFlowable(Flowable):
    """A map figure in a document: the map, a scale bar, a north arrow and a compact legend."""

    def __init__(self, data: MapData, width: float, height: float, *,
                 opts: MapOptions | None = None, legend: bool = True,
                 legend_width: float = 120.0) -> None:
        super().__init__()
        self.data = data
        self.width = width
        self.height = height
        self.opts = opts or MapOptions()
        self.legend = legend
        self.legend_width = legend_width

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        lw = self.legend_width if self.legend else 0
        mw = self.width - lw - (12 if lw else 0) - 12
        mh = self.height - 26
        tf = draw_map(canv, 10, 12, mw, mh, self.data, self.opts)
        sbw = scale_length_km(tf, mw * 0.28) * 1000 * tf.scale
        _white_back(canv, 13, 15, sbw + 26, 17)
        draw_scalebar(canv, 17, 18, mw * 0.28, tf)
        _white_back(canv, 10 + mw - 27, 12 + mh - 34, 24, 31)
        draw_north_arrow(canv, 10 + mw - 15, 12 + mh - 20, 20,
                         true_north_angle(tf, self.data.crs))
        if lw:
            draw_legend(canv, self.width - lw, self.height - 4, lw, self.data,
                        font_size=6.5, edges=self.opts.edges,
                        posyandu=getattr(tf, "posyandu_shown", True))


def _white_back(canv, x: float, y: float, w: float, h: float) -> None:
    """A translucent white box behind the scale bar or north arrow, so they stay readable."""
    canv.saveState()
    canv.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
    canv.rect(x, y, w, h, stroke=0, fill=1)
    canv.restoreState()


@dataclass
class SheetText:
    """What the title block and the footer of a sheet say."""

    title: str
    subtitle: str
    date: object
    source: str
    author: str | None = None
    fictional: bool = False
    crs_name: str = ""
    note: str | None = None
    sources: list[str] = field(default_factory=list)  # one line per source, with its date
    figures_title: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)  # key figures (label, value)
    table: PanelTable | None = None  # e.g. the desa of an atlas page's kecamatan
    table_more: str = ""  # the note when not every row fits, with {n} the rows left out


def draw_sheet(canv, pagesize: tuple[float, float], data: MapData, text: SheetText, *,
               opts: MapOptions | None = None) -> Transform:
    """One printed map sheet (landscape): map on the left, title block, legend, inset, scale bar
    and north arrow in the panel on the right."""
    register_fonts()
    pw, ph = pagesize
    unit = min(pw, ph) / 595.0  # 1 on A4, ~1.41 on A3
    m = 24 * unit
    panel = 190 * unit
    mx, my = m + 8 * unit, m + 8 * unit
    mw = pw - 2 * m - panel - 20 * unit
    mh = ph - 2 * m - 16 * unit
    opts = opts or MapOptions(label_size=max(6.0, 5.2 * unit), symbol_scale=min(1.3, unit),
                              grid_font=5.5 * unit, max_posyandu=int(500 * unit * unit))
    if not (len(data.desa) or len(data.kabupaten) or len(data.kecamatan)):
        canv.setFont(FONT, 12 * unit)
        canv.drawString(mx, ph / 2, tr("map.no_data"))
        return Transform.fit((0, 0, 1, 1), mx, my, mw, mh)
    tf = draw_map(canv, mx, my, mw, mh, data, opts)
    # scale bar and north arrow inside the map frame (white back so they stay readable)
    sbw = scale_length_km(tf, mw * 0.25) * 1000 * tf.scale
    _white_back(canv, mx + 6 * unit, my + 6 * unit, sbw + 32 * unit, 22 * unit)
    draw_scalebar(canv, mx + 12 * unit, my + 11 * unit, mw * 0.25, tf, font_size=6.5 * unit)
    na = 30 * unit
    _white_back(canv, mx + mw - na - 10 * unit, my + mh - na - 16 * unit, na + 4 * unit,
                na + 12 * unit)
    draw_north_arrow(canv, mx + mw - na / 2 - 8 * unit, my + mh - na / 2 - 14 * unit, na,
                     true_north_angle(tf, data.crs))

    # right-hand panel
    px = pw - m - panel
    top = ph - m
    canv.saveState()
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.8)
    canv.rect(px, m, panel, ph - 2 * m, stroke=1, fill=0)
    canv.restoreState()
    ix = px + 8 * unit
    iw = panel - 16 * unit
    yy = top - 8 * unit
    if text.fictional:
        canv.saveState()
        canv.setFillColor(colors.HexColor("#b03a2e"))
        canv.rect(px, top - 20 * unit, panel, 20 * unit, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(FONT_BOLD, 11 * unit)
        canv.drawCentredString(px + panel / 2, top - 14 * unit, tr("app.fictional"))
        canv.restoreState()
        yy -= 20 * unit
    yy = draw_wrapped(canv, ix, yy, iw, text.title, FONT_BOLD, 13 * unit,
                      colors.HexColor("#1a5276"))
    yy = draw_wrapped(canv, ix, yy - 2 * unit, iw, text.subtitle, FONT, 9 * unit, INK)
    canv.setStrokeColor(colors.HexColor("#aab7b8"))
    canv.setLineWidth(0.5)
    canv.line(ix, yy - 4 * unit, ix + iw, yy - 4 * unit)
    yy -= 8 * unit
    used = draw_legend(canv, ix, yy, iw, data, font_size=6.6 * unit, edges=opts.edges,
                       posyandu=getattr(tf, "posyandu_shown", True))
    yy -= used + 6 * unit
    # footer block at the bottom; key figures / table and the inset share the space between
    foot_lines = [tr("map.date", date=format_date(text.date) if hasattr(text.date, "year")
                     else str(text.date))]
    if text.sources:
        foot_lines.append(tr("map.sources_head"))
        foot_lines += [f"• {line}" for line in text.sources]
    else:
        foot_lines.append(tr("map.source", source=text.source))
    foot_lines.append(tr("map.author", author=text.author) if text.author else
                      tr("map.author_blank"))
    if text.crs_name:
        foot_lines.append(tr("map.crs_note", crs=text.crs_name))
    if text.note:
        foot_lines.append(text.note)
    fsize = 6.3 * unit
    bottom = m + 6 * unit
    heights = []
    for line in foot_lines:
        heights.append(wrapped_height(canv, iw, line, FONT, fsize))
    foot_h = sum(heights) + 4 * unit
    space = yy - (bottom + foot_h) - 10 * unit
    inset_max = iw * 0.8
    inset_min = min(inset_max, 90 * unit)
    fig_size = 6.6 * unit
    fig_h = figures_height(canv, iw, text.figures, fig_size) if text.figures else 0.0
    if fig_h and fig_h > space - inset_min:  # a short sheet: the inset first
        fig_h = 0.0
    table, rows = text.table, 0
    tsize = 5.8 * unit
    if table is not None:
        rows = rows_that_fit(table, tsize, space - fig_h - inset_min - 6 * unit)
        if rows < len(table.rows) and text.table_more:
            more = text.table_more.format(n=len(table.rows) - rows)
            table.note = f"{more}; {table.note}" if table.note else more
            rows = rows_that_fit(table, tsize, space - fig_h - inset_min - 6 * unit)
        if rows < 1:
            table = None
    tab_h = table_height(table, tsize, rows) if table is not None else 0.0
    if fig_h:
        draw_figures(canv, ix, yy, iw, text.figures_title, text.figures, fig_size)
        yy -= fig_h + 4 * unit
    if table is not None:
        draw_table(canv, ix, yy, iw, table, tsize, rows)
        yy -= tab_h + 4 * unit
    inset_h = min(inset_max, max(0.0, yy - (bottom + foot_h) - 10 * unit))
    if inset_h > 50 * unit:
        draw_inset(canv, ix, bottom + foot_h + 4 * unit, iw, inset_h, data)
    fy = bottom + foot_h
    for line in foot_lines:
        fy = draw_wrapped(canv, ix, fy, iw, line, FONT, fsize, MUTED)
    return tf
