"""The map legend: rows made from the symbology for what a map shows, and their swatches.

Imports layers.symbology, reports.styles and the map symbols.
"""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym
from reports.maps.data import MapData
from reports.maps.labels import split_lines
from reports.maps.paths import Transform
from reports.maps.symbols import draw_area_style, draw_hatch, draw_symbol, pdf_colour
from reports.styles import FONT, FONT_BOLD, FONT_ITALIC, INK, MUTED, register_fonts

register_catalog("reports", "maps.legend")


def legend_items(data: MapData, *, edges: bool = False,
                 posyandu: bool = True) -> list[tuple[str, str, object]]:
    """(section, label, style) rows generated from the symbology for what the map shows."""
    items: list[tuple[str, str, object]] = []
    types = set(data.facilities["type"].dropna()) if "type" in data.facilities else set()
    if not posyandu:
        types.discard("posyandu")
    has_prec = "precursor" in data.facilities and bool(
        data.facilities["precursor"].fillna(False).astype(bool).any())
    for key in ("puskesmas", "pustu", "posyandu"):
        if key in types:
            items.append(("legend", sym.FACILITY_STYLES[key].label, sym.FACILITY_STYLES[key]))
    if has_prec:
        items.append(("legend", sym.PRECURSOR_STYLE.label, sym.PRECURSOR_STYLE))
    if "location_quality" in data.facilities and "type" in data.facilities:
        by_desa = set(data.facilities.loc[data.facilities["location_quality"] == "desa",
                                          "type"].dropna())
        for key in ("puskesmas", "pustu", "posyandu"):
            if key in by_desa and key in types:  # why it is hollow: only its desa is known
                items.append(("legend", sym.DESA_LEVEL_STYLES[key].label,
                              sym.DESA_LEVEL_STYLES[key]))
    items += [("legend", sym.KABUPATEN_STYLE.label, sym.KABUPATEN_STYLE),
              ("legend", sym.KECAMATAN_STYLE.label, sym.KECAMATAN_STYLE),
              ("legend", sym.DESA_STYLE.label, sym.DESA_STYLE)]
    if edges and data.edges is not None and len(data.edges):
        links = set(data.edges["link"].dropna()) if "link" in data.edges else {"given"}
        for kind in sym.NETWORK_EDGE:
            if kind in links:
                items.append(("network", tr(f"map.edge.{kind}"), ("edge", kind)))
    desa_kinds = set(data.desa_gap.values())
    kec_kinds = set(data.kecamatan_gap.values())
    for kind in sym.GAP_KINDS:
        if kind in kec_kinds:
            items.append(("gaps", sym.GAP_STYLES[kind].label, ("kecgap", kind)))
        if kind in desa_kinds:
            items.append(("gaps", sym.GAP_STYLES[kind].label, sym.GAP_STYLES[kind]))
    if data.facility_gap:
        items.append(("gaps", tr("map.facility_gap"), ("ring", None)))
    if data.theme and data.theme_styles:
        present = set(data.theme.values())
        for key, style in data.theme_styles.items():
            if key in present:
                items.append(("theme", style.label, style))
    if data.points is not None and len(data.points) and data.point_styles:
        present = set(data.points["style"].astype(str)) if "style" in data.points else set()
        for key, style in data.point_styles.items():
            if key in present:
                items.append(("theme", style.label, style))
    return items


def draw_legend(canv, x: float, top: float, width: float, data: MapData, *,
                font_size: float = 7.0, edges: bool = False, title: bool = True,
                posyandu: bool = True) -> float:
    """Draw the legend downwards from ``top``; returns the height used."""
    register_fonts()
    items = legend_items(data, edges=edges, posyandu=posyandu)
    hidden_note = None if posyandu or not (
        "type" in data.facilities and (data.facilities["type"] == "posyandu").any()) \
        else tr("map.posyandu_hidden")
    row_h = font_size * 1.75
    sw = font_size * 2.4  # swatch width
    yy = top
    canv.saveState()
    if title:
        canv.setFont(FONT_BOLD, font_size * 1.25)
        canv.setFillColor(INK)
        yy -= font_size * 1.3
        canv.drawString(x, yy, tr("map.legend"))
        yy -= font_size * 0.6
    section = None

    for sec, label, style in items:
        if sec != section and sec != "legend":
            yy -= font_size * 0.5
            canv.setFont(FONT_BOLD, font_size)
            canv.setFillColor(INK)
            yy -= font_size * 1.2
            heading = {"gaps": tr("map.gaps"), "theme": data.theme_title}.get(sec,
                                                                               tr("map.network"))
            canv.drawString(x, yy, heading)
            yy -= font_size * 0.3
        section = sec
        avail = width - sw - 6
        lines = split_lines(canv, avail, label, FONT, font_size)
        lead = font_size * 1.15
        h = max(row_h, len(lines) * lead + font_size * 0.6)
        yy -= h
        cy = yy + h / 2
        _legend_swatch(canv, x, cy, sw, row_h * 0.75, style)
        canv.setFont(FONT, font_size)
        canv.setFillColor(INK)
        first = cy + (len(lines) - 1) * lead / 2 - font_size * 0.35
        for i, line in enumerate(lines):
            canv.drawString(x + sw + 5, first - i * lead, line)
    if hidden_note:
        for line in split_lines(canv, width, hidden_note, FONT_ITALIC, font_size * 0.9):
            yy -= font_size * 1.1
            canv.setFont(FONT_ITALIC, font_size * 0.9)
            canv.setFillColor(MUTED)
            canv.drawString(x, yy, line)
    canv.restoreState()
    return top - yy


def _legend_swatch(canv, x: float, cy: float, w: float, h: float, style) -> None:
    if isinstance(style, sym.PointStyle):
        draw_symbol(canv, x + w / 2, cy, style)
        return
    if isinstance(style, tuple):
        kind, arg = style
        canv.saveState()
        if kind == "kecgap":
            st = sym.GAP_STYLES[arg]
            p = canv.beginPath()
            p.rect(x, cy - h / 2, w, h)
            draw_hatch(canv, p, st.hatch, st.stroke,
                       Transform(0, 0, 1, 0, 0, (x, cy - h / 2, w, h)), spacing=4.0, width=0.5)
            canv.setStrokeColor(pdf_colour(st.stroke))
            canv.setLineWidth(2.0)
            canv.rect(x, cy - h / 2, w, h, stroke=1, fill=0)
        elif kind == "edge":
            colour, dash = sym.NETWORK_EDGE[arg]
            canv.setStrokeColor(pdf_colour(colour))
            canv.setLineWidth(0.9)
            if dash:
                canv.setDash(list(dash), 0)
            canv.line(x, cy, x + w, cy)
        else:  # facility ring
            draw_symbol(canv, x + w / 2, cy, sym.FACILITY_STYLES["pustu"], h * 0.6)
            canv.setStrokeColor(pdf_colour(sym.GAP_STYLES["understaffed_pustu"].stroke))
            canv.setLineWidth(1.1)
            canv.circle(x + w / 2, cy, h * 0.3 + 2.0, stroke=1, fill=0)
        canv.restoreState()
        return
    tf = Transform(0, 0, 1, 0, 0, (x, cy - h / 2, w, h))
    p = canv.beginPath()
    if style.fill is None and not style.hatch:  # boundary styles: a line sample
        canv.saveState()
        canv.setStrokeColor(pdf_colour(style.stroke))
        canv.setLineWidth(style.stroke_width)
        if style.dash:
            canv.setDash(list(style.dash), 0)
        canv.line(x, cy, x + w, cy)
        canv.restoreState()
        return
    p.rect(x, cy - h / 2, w, h)
    draw_area_style(canv, p, style, tf)
