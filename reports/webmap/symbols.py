"""The project's one symbology as Leaflet options: area and point styles, dashes, gap kinds.

May import ``ilp_gis`` (i18n) and ``layers.symbology``; nothing of the web map.
"""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym

register_catalog("reports", "webmap.symbols")

PX_PER_PT = 96 / 72  # symbology widths are print points; the browser draws CSS pixels


def point_style(p: sym.PointStyle) -> dict:
    # print size is in points; on screen a slightly larger pixel size reads better
    out = {"fill": p.fill, "stroke": p.stroke, "shape": p.shape,
           "size": int(round(max(10.0, p.size * 1.6)))}
    if p.hollow:
        out["hollow"] = True
    return out


def dash_text(dash) -> str:
    """A symbology dash pattern as SVG/Leaflet ``dashArray`` text ("" for a solid line)."""
    return " ".join(str(int(d)) for d in dash)


def area_style(area: sym.AreaStyle, **extra) -> dict:
    """Leaflet path options of an area style, ``extra`` options on top."""
    s = {"color": area.stroke, "weight": round(area.stroke_width * PX_PER_PT, 2), "opacity": 1,
         "fill": area.fill is not None, "fillColor": area.fill or area.stroke,
         "fillOpacity": area.fill_opacity if area.fill else 0,
         "dashArray": dash_text(area.dash) or None}
    s.update(extra)
    return s


def link_styles() -> dict:
    """Colour and dash of each network link kind."""
    return {k: {"color": c, "dash": dash_text(d) or None} for k, (c, d) in sym.NETWORK_EDGE.items()}


def gap_kinds_js() -> dict:
    """Label, explanation and style of each gap kind, for the gap layers' script."""
    out = {}
    for kind in sym.GAP_KINDS:
        st = sym.GAP_STYLES[kind]
        out[kind] = {"label": tr(f"gap.{kind}"), "explain": tr(f"webmap.explain.{kind}"),
                     "fill": st.fill, "stroke": st.stroke, "weight": max(1.2, st.stroke_width * 1.5),
                     "dash": dash_text(st.dash) or None}
    return out
