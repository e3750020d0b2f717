"""The map itself: ``draw_map`` paints every layer of a ``MapData`` into a box on a canvas.

Order: desa base, gap areas, boundaries, graticule, network edges, facilities, labels.  Reused by
the report figures and the printed sheets.  Imports the other map modules and reports.styles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from reportlab.lib import colors
from reportlab.pdfgen.canvas import FILL_EVEN_ODD

from ilp_gis.i18n import register_catalog
from layers import symbology as sym
from reports.maps.data import MapData
from reports.maps.furniture import draw_graticule
from reports.maps.labels import LabelPlacer, draw_desa_labels, draw_kecamatan_names
from reports.maps.options import MapOptions
from reports.maps.paths import Transform, area_path, grouped_paths, line_path
from reports.maps.symbols import (
    draw_area_style,
    draw_hatch,
    draw_symbol,
    facility_style,
    pdf_colour,
)
from reports.styles import INK, MUTED, register_fonts

register_catalog("reports", "maps.draw")


def draw_map(canv, x: float, y: float, w: float, h: float, data: MapData,
             opts: MapOptions | None = None) -> Transform:
    """Draw ``data`` into the box (x, y, w, h) on ``canv``; returns the transform used."""
    register_fonts()
    opts = opts or MapOptions()
    tf = Transform.fit(data.bounds, x, y, w, h)
    canv.saveState()
    clip = canv.beginPath()
    clip.rect(x, y, w, h)
    canv.clipPath(clip, stroke=0, fill=0)
    canv.setFillColor(pdf_colour(sym.BACKGROUND_COLOUR))
    canv.rect(x, y, w, h, stroke=0, fill=1)

    if data.focus is not None and data.full_kecamatan is not None and len(data.full_kecamatan):
        # neighbours in grey, for context
        others = data.full_kecamatan[data.full_kecamatan.get("code") != data.focus]
        if len(others):
            p, n = area_path(canv, others.geometry.values, tf)
            if n:
                canv.setFillColor(colors.HexColor("#eef0f1"))
                canv.setStrokeColor(colors.HexColor("#c8cdd0"))
                canv.setLineWidth(0.5)
                canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
            draw_kecamatan_names(canv, others, tf, opts, colour=MUTED, placer=None)

    # desa base
    if len(data.desa):
        p, n = area_path(canv, data.desa.geometry.values, tf)
        if n:
            st = sym.DESA_STYLE
            canv.setFillColor(pdf_colour(st.fill))
            canv.setStrokeColor(pdf_colour(st.stroke))
            canv.setLineWidth(st.stroke_width * opts.line_scale)
            canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    elif len(data.kabupaten):
        p, n = area_path(canv, data.kabupaten.geometry.values, tf)
        canv.setFillColor(pdf_colour(sym.DESA_STYLE.fill))
        canv.drawPath(p, stroke=0, fill=1, fillMode=FILL_EVEN_ODD)

    # gap areas: kecamatan level first (hatch and a heavy outline, no fill, so the desa gaps
    # inside stay visible), then desa level, one path per kind (severest drawn last)
    kec_gaps = []  # (path, style) per kecamatan gap, built once: hatched now, outlined later
    if data.kecamatan_gap and len(data.kecamatan) and "code" in data.kecamatan:
        kec_codes = data.kecamatan["code"].map(data.kecamatan_gap)
        kec_gaps = [(p, sym.GAP_STYLES[kind]) for kind, p in grouped_paths(
            canv, data.kecamatan, kec_codes, list(dict.fromkeys(data.kecamatan_gap.values())),
            tf)]
    for p, st in kec_gaps:
        draw_hatch(canv, p, st.hatch, st.stroke, tf, spacing=7.0, width=0.5)
    if data.theme and data.theme_styles and len(data.desa) and "code" in data.desa:
        for key, p in grouped_paths(canv, data.desa, data.desa["code"].map(data.theme),
                                    list(data.theme_styles), tf):
            draw_area_style(canv, p, data.theme_styles[key], tf, scale=opts.line_scale)
    if data.desa_gap and len(data.desa) and "code" in data.desa:
        for kind, p in grouped_paths(canv, data.desa, data.desa["code"].map(data.desa_gap),
                                     list(reversed(sym.GAP_KINDS)), tf):
            draw_area_style(canv, p, sym.GAP_STYLES[kind], tf, scale=opts.line_scale)
    for p, st in kec_gaps:
        canv.saveState()
        canv.setStrokeColor(pdf_colour(st.stroke))
        canv.setLineWidth(3.0 * opts.line_scale)
        canv.setStrokeAlpha(0.8)
        canv.drawPath(p, stroke=1, fill=0)
        canv.restoreState()

    # boundaries
    for frame, style in ((data.kecamatan, sym.KECAMATAN_STYLE),
                         (data.kabupaten if data.focus is None else None, sym.KABUPATEN_STYLE)):
        if frame is None or not len(frame):
            continue
        p, n = area_path(canv, frame.geometry.values, tf)
        if n:
            draw_area_style(canv, p, style, tf, scale=opts.line_scale)

    # graticule under the symbols
    if opts.graticule:
        draw_graticule(canv, tf, data.crs, labels=False)

    # network edges
    if opts.edges and data.edges is not None and len(data.edges):
        link = data.edges["link"] if "link" in data.edges else pd.Series(
            ["given"] * len(data.edges), index=data.edges.index)
        for kind, (colour, dash) in sym.NETWORK_EDGE.items():
            sel = data.edges[link == kind]
            if not len(sel):
                continue
            p, n = line_path(canv, sel.geometry.values, tf)
            if n:
                canv.saveState()
                canv.setStrokeColor(pdf_colour(colour))
                canv.setLineWidth(0.5 * opts.line_scale)
                if dash:
                    canv.setDash(list(dash), 0)
                canv.drawPath(p, stroke=1, fill=0)
                canv.restoreState()

    placer = LabelPlacer((x, y, w, h))
    show_posyandu = opts.posyandu
    if show_posyandu is None:
        n_pos = int((data.facilities["type"] == "posyandu").sum()) \
            if "type" in data.facilities else 0
        show_posyandu = n_pos <= opts.max_posyandu
    tf.posyandu_shown = show_posyandu  # type: ignore[attr-defined]
    # facilities: Posyandu first (smallest, underneath), Puskesmas last (on top)
    if opts.facilities and len(data.facilities):
        fac = data.facilities
        fac = fac[fac.geometry.notna() & ~fac.geometry.is_empty]  # unlocated: not drawn
        order = {"posyandu": 0, "pustu": 1, "puskesmas": 2}
        ranks = fac["type"].map(order).fillna(1) if "type" in fac else pd.Series(
            1, index=fac.index)
        fac = fac.assign(_rank=ranks.values).sort_values("_rank", kind="stable")
        pts = shapely.get_coordinates(fac.geometry.values)
        xy = tf.xy(pts) if len(pts) else np.empty((0, 2))
        fids = fac["fac_id"].tolist() if "fac_id" in fac else [None] * len(fac)
        types = fac["type"].tolist() if "type" in fac else [None] * len(fac)
        precs = fac["precursor"].tolist() if "precursor" in fac else [None] * len(fac)
        quals = fac["location_quality"].tolist() if "location_quality" in fac \
            else [None] * len(fac)
        for (px, py), ftype, prec, qual, fid in zip(xy, types, precs, quals, fids, strict=False):
            if not (x <= px <= x + w and y <= py <= y + h):
                continue
            style = facility_style({"type": ftype, "precursor": prec, "location_quality": qual})
            if ftype == "posyandu" and not show_posyandu:
                continue
            size = style.size * opts.symbol_scale
            kind = data.facility_gap.get(fid) if fid else None
            if kind:
                gs = sym.GAP_STYLES[kind]  # a ring in the gap's colour around the symbol
                canv.saveState()
                canv.setStrokeColor(pdf_colour(gs.stroke))
                canv.setLineWidth(1.1 * opts.symbol_scale)
                canv.circle(px, py, size * 0.5 + 2.0 * opts.symbol_scale, stroke=1, fill=0)
                canv.restoreState()
            draw_symbol(canv, px, py, style, size)
            r = size / 2 + 0.5
            if ftype != "posyandu":
                placer.occupy((px - r, py - r, px + r, py + r))

    if data.points is not None and len(data.points) and data.point_styles:
        _draw_points(canv, data, tf, placer, (x, y, w, h), opts.symbol_scale)

    if opts.kecamatan_labels and len(data.kecamatan):
        draw_kecamatan_names(canv, data.kecamatan, tf, opts,
                             colour=colors.HexColor("#34495e"), placer=placer)
    if opts.labels and len(data.desa) and "name" in data.desa:
        draw_desa_labels(canv, data, tf, placer, opts.label_size)
    canv.restoreState()

    if opts.graticule:
        draw_graticule(canv, tf, data.crs, labels=True, lines=False, font_size=opts.grid_font)
    canv.saveState()
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.8)
    canv.rect(x, y, w, h, stroke=1, fill=0)
    canv.restoreState()
    tf.labels_skipped = placer.skipped  # type: ignore[attr-defined]
    return tf


def _draw_points(canv, data: MapData, tf: Transform, placer: LabelPlacer, box,
                 scale: float) -> None:
    """The marked places (``data.points``) on top, each with a white halo so they stand out
    from the facilities beneath."""
    x, y, w, h = box
    pts = data.points[data.points.geometry.notna() & ~data.points.geometry.is_empty]
    if not len(pts):
        return
    xy = tf.xy(shapely.get_coordinates(pts.geometry.values))
    keys = pts["style"].astype(str).tolist() if "style" in pts else [""] * len(pts)
    for (px, py), key in zip(xy, keys, strict=False):
        style = data.point_styles.get(key)
        if style is None or not (x <= px <= x + w and y <= py <= y + h):
            continue
        size = style.size * scale
        canv.saveState()
        canv.setFillColor(colors.white)
        canv.circle(px, py, size * 0.5 + 1.5 * scale, stroke=0, fill=1)
        canv.restoreState()
        draw_symbol(canv, px, py, style, size)
        r = size / 2 + 1.5
        placer.occupy((px - r, py - r, px + r, py + r))
