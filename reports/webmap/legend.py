"""Page furniture: the title header, the legend and the SVG hatch patterns of the gaps.

May import ``ilp_gis`` (i18n), ``layers.symbology`` and ``reports.webmap`` (embed, symbols).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ilp_gis.i18n import format_date, register_catalog, tr
from layers import symbology as sym
from reports.webmap.embed import escape_html
from reports.webmap.indicators import ColourField
from reports.webmap.symbols import dash_text, point_style

register_catalog("reports", "webmap.legend")
register_catalog("ilp_gis", "inputs")  # "inputs.heading"
register_catalog("ilp_gis", "scenario")  # "scenario.action.*"
register_catalog("reports", "webmap.overlays")  # "webmap.layer.roads"


def header_html(project, field: ColourField) -> str:
    """The title, the subtitle (coloured figure, today's date) and the fictional-data banner."""
    sub = tr("webmap.subtitle", field=field.label, date=format_date(dt.date.today()))
    banner = ""
    if project.fictional:
        fictional = f"{tr('app.fictional', lang='id')} / {tr('app.fictional', lang='en')}"
        banner = f'<div class="ilp-fictional">{escape_html(fictional)}</div>'
    return (f'<div class="ilp-title">{escape_html(project.title)}</div>'
            f'<div class="ilp-subtitle">{escape_html(sub)}</div>{banner}')


_HATCH_PATHS = {
    "diagonal": "M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4",
    "backdiagonal": "M-2,8 l4,4 M0,0 l10,10 M8,-2 l4,4",
    "cross": "M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4 M-2,8 l4,4 M0,0 l10,10 M8,-2 l4,4",
    "horizontal": "M0,5 H10",
    "vertical": "M5,0 V10",
}


def hatch_defs() -> str:
    """SVG patterns for the gap hatches (the same cues as the printed maps)."""
    pats = []
    for kind, st in sym.GAP_STYLES.items():
        body = f'<rect width="10" height="10" fill="{st.fill}" fill-opacity="0.22"/>'
        if st.hatch in _HATCH_PATHS:
            body += (f'<path d="{_HATCH_PATHS[st.hatch]}" stroke="{st.stroke}" stroke-width="1.6" '
                     'stroke-opacity="0.9"/>')
        elif st.hatch == "dots":
            body += f'<circle cx="5" cy="5" r="1.8" fill="{st.stroke}" fill-opacity="0.9"/>'
        else:
            body = f'<rect width="10" height="10" fill="{st.fill}" fill-opacity="{st.fill_opacity}"/>'
        pats.append(f'<pattern id="ilp-hatch-{kind}" patternUnits="userSpaceOnUse" width="10" '
                    f'height="10">{body}</pattern>')
    return ('<svg aria-hidden="true" style="position:absolute;width:0;height:0;overflow:hidden">'
            "<defs>" + "".join(pats) + "</defs></svg>")


def legend_html(field: ColourField, classes, values, fac_types, has_precursor: bool,
                edge_links, gap_kinds, has_kec: bool, has_kab: bool, unplaced: int = 0, *,
                no_data: str | None = None, not_loaded: list[str] | None = None,
                desa_level_types=(), notes=(), road_classes=(), site_actions=(),
                dots: bool = False) -> str:
    """The legend; ``no_data`` labels the no-data patch (what to load), ``not_loaded`` names
    the inputs never loaded; ``desa_level_types`` get a hollow symbol row, ``notes`` say which
    facilities distance coverage left out or placed at their desa point; ``road_classes`` and
    ``site_actions`` (of the scenarios' proposed sites) get a row each.  ``dots``: the national
    level of detail, where facilities are dots in their type's colours and a desa with gaps a
    ring in the colour of its most severe gap: the legend shows those symbols."""
    def row(svg: str, label: str) -> str:
        return f'<div class="row">{svg}<span>{escape_html(label)}</span></div>'

    def patch(fill: str, stroke: str = "#777", pattern: str | None = None) -> str:
        f = f"url(#{pattern})" if pattern else fill
        return (f'<svg width="18" height="13"><rect x="0.5" y="0.5" width="17" height="12" '
                f'fill="{f}" stroke="{stroke}"/></svg>')

    def line(colour: str, dash: tuple, width: float = 2) -> str:
        d = f' stroke-dasharray="{dash_text(dash)}"' if dash else ""
        return (f'<svg width="18" height="13"><line x1="0" y1="6.5" x2="18" y2="6.5" '
                f'stroke="{colour}" stroke-width="{width}"{d}/></svg>')

    def dot(fill: str, stroke: str, size: int, ring: bool = False) -> str:
        r = size / 2
        paint = (f'fill="none" stroke="{stroke}" stroke-width="2"' if ring
                 else f'fill="{fill}" stroke="{stroke}"')
        return (f'<svg width="{size + 2}" height="{size + 2}"><circle cx="{r + 1}" cy="{r + 1}" '
                f'r="{r}" {paint}/></svg>')

    h = [f"<details open><summary>{escape_html(tr('webmap.legend'))}</summary>",
         f"<h4>{escape_html(field.label)}</h4>"]
    for colour, label in classes:
        h.append(row(patch(colour, "#ffffff"), label))
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if len(finite) < len(values):
        h.append(row(patch(sym.NO_DATA_COLOUR, "#ffffff"), no_data or tr("common.missing")))
    if fac_types:
        h.append(f"<h4>{escape_html(tr('webmap.legend.facilities'))}</h4>")
        for ftype in fac_types:
            st = sym.FACILITY_STYLES.get(ftype, sym.PROBLEM_FACILITY_STYLE)
            label = tr(f"facility.{ftype}") if ftype in sym.FACILITY_STYLES \
                else tr("webmap.legend.fac_other")
            if dots:  # a precursor or a desa-level one is a dot of its type like the others
                h.append(row(dot(st.fill, st.stroke, 8 if ftype == "puskesmas" else 5), label))
                continue
            h.append(row(_shape_svg(st), label))
            if ftype == "pustu" and has_precursor:
                h.append(row(_shape_svg(sym.PRECURSOR_STYLE), sym.PRECURSOR_STYLE.label))
            if ftype in desa_level_types:  # hollow: only its desa is known
                st = sym.DESA_LEVEL_STYLES[ftype]
                h.append(row(_shape_svg(st), st.label))
    if site_actions:
        h.append(f"<h4>{escape_html(tr('webmap.legend.sites'))}</h4>")
        for act in site_actions:
            st = sym.scenario_site_style(act)
            h.append(row(_shape_svg(st), tr(f"scenario.action.{act}")))
    if edge_links:
        h.append(f"<h4>{escape_html(tr('webmap.layer.edges'))}</h4>")
        for link in sym.NETWORK_EDGE:
            if link in edge_links:
                colour, dash = sym.NETWORK_EDGE[link]
                h.append(row(line(colour, dash), tr(f"webmap.link.{link}")))
    if gap_kinds:
        h.append(f"<h4>{escape_html(tr('webmap.layer.gaps'))}</h4>")
        for kind in gap_kinds:
            st = sym.GAP_STYLES[kind]
            h.append(row(dot(st.fill, st.stroke, 10, ring=True) if dots
                         else patch(st.fill, st.stroke, f"ilp-hatch-{kind}"), tr(f"gap.{kind}")))
    if unplaced:
        h.append(f'<div class="note">{escape_html(tr("webmap.legend.unplaced", n=unplaced))}</div>')
    for note in notes:
        h.append(f'<div class="note">{escape_html(note)}</div>')
    if road_classes:
        h.append(f"<h4>{escape_html(tr('webmap.layer.roads'))}</h4>")
        for cl in road_classes:
            st = sym.ROAD_STYLES[cl]
            h.append(row(line(st.stroke, st.dash, max(1.0, st.stroke_width)), st.label))
    if has_kec or has_kab:
        h.append(f"<h4>{escape_html(tr('webmap.legend.boundaries'))}</h4>")
        if has_kab:
            h.append(row(line(sym.KABUPATEN_STYLE.stroke, (), 2.5), tr("area.kabupaten")))
        if has_kec:
            h.append(row(line(sym.KECAMATAN_STYLE.stroke, sym.KECAMATAN_STYLE.dash, 1.5),
                         tr("area.kecamatan")))
    if not_loaded:
        h.append(f"<h4>{escape_html(tr('inputs.heading'))}</h4>")
        h.append(f'<div class="note">{escape_html(", ".join(not_loaded))}</div>')
    h.append(f'<div class="note">{escape_html(tr("webmap.legend.note"))}</div></details>')
    return "".join(h)


def _shape_svg(st: sym.PointStyle) -> str:
    p = point_style(st)
    s, a = p["size"], f'fill="{st.fill}" stroke="{st.stroke if st.stroke != "#ffffff" else "#555"}"'
    h = s / 2
    if st.hollow:  # the outline in the type's colour, as on the map
        a = f'fill="#ffffff" stroke="{st.stroke}" stroke-width="2.5"'
    if st.shape == "square":
        body = f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}" {a}/>'
    elif st.shape == "triangle":
        body = f'<polygon points="{h},1 {s - 1},{s - 1} 1,{s - 1}" {a}/>'
    elif st.shape == "diamond":
        body = f'<polygon points="{h},1 {s - 1},{h} {h},{s - 1} 1,{h}" {a}/>'
    elif st.shape == "cross":
        body = f'<path d="M{h} 1V{s - 1}M1 {h}H{s - 1}" stroke="{st.fill}" stroke-width="3"/>'
    else:
        body = f'<circle cx="{h}" cy="{h}" r="{h - 1}" {a}/>'
    return f'<svg width="{s}" height="{s}" viewBox="0 0 {s} {s}">{body}</svg>'
