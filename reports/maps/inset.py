"""The locator inset: the district inside its province with the neighbouring kabupaten/kota
(from a context layer the user loaded), else the whole kabupaten with its kecamatan (the atlas
page's kecamatan filled); always with a frame in degrees.

Imports reports.styles, the map paths, labels and furniture.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from reportlab.lib import colors
from reportlab.pdfgen.canvas import FILL_EVEN_ODD

from ilp_gis.i18n import register_catalog, tr
from reports.maps.data import MapData
from reports.maps.furniture import draw_graticule
from reports.maps.labels import LabelPlacer
from reports.maps.paths import Transform, area_path
from reports.styles import FONT, FONT_ITALIC, INK, MUTED

register_catalog("reports", "maps.inset")


def draw_inset(canv, x: float, y: float, w: float, h: float, data: MapData,
               frame_world: tuple[float, float, float, float] | None = None) -> None:
    """Locator map.  With a context layer (and not on an atlas page): the district filled
    inside its province, neighbouring provinces greyed, kabupaten/kota outlined and the
    district's neighbours named.  Otherwise the whole kabupaten with its kecamatan, the focus
    kecamatan (atlas) filled.  A frame in degrees either way (never an empty box)."""
    grid_font = max(4.2, min(5.5, w / 40))
    # room for the degree labels outside the box (below, above, left, right)
    x, y, w, h = x + grid_font, y + grid_font * 1.6, w - grid_font * 2.4, h - grid_font * 3.2
    if data.context is not None and len(data.context) and data.focus is None \
            and data.context_extent is not None:
        _context_inset(canv, x, y, w, h, data, grid_font)
        return
    kab = data.full_kabupaten if data.full_kabupaten is not None else data.kabupaten
    kec = data.full_kecamatan if data.full_kecamatan is not None else data.kecamatan
    frames = [f for f in (kab, kec) if f is not None and len(f)]
    if not frames:
        return
    b = np.array([f.total_bounds for f in frames])
    bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    tf = Transform.fit(bounds, x + 3, y + 3, w - 6, h - 6, pad=0.02)
    canv.saveState()
    canv.setFillColor(colors.white)
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.6)
    canv.rect(x, y, w, h, stroke=1, fill=1)
    if kec is not None and len(kec):
        p, n = area_path(canv, kec.geometry.values, tf)
        canv.setFillColor(colors.HexColor("#eaeded"))
        canv.setStrokeColor(colors.HexColor("#95a5a6"))
        canv.setLineWidth(0.3)
        canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
        if data.focus is not None and "code" in kec:
            sel = kec[kec["code"] == data.focus]
            if len(sel):
                p, n = area_path(canv, sel.geometry.values, tf)
                canv.setFillColor(colors.HexColor("#e74c3c"))
                canv.setStrokeColor(colors.HexColor("#922b21"))
                canv.setLineWidth(0.6)
                canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    if kab is not None and len(kab):
        p, n = area_path(canv, kab.geometry.values, tf)
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.8)
        canv.drawPath(p, stroke=1, fill=0, fillMode=FILL_EVEN_ODD)
    canv.restoreState()
    _degree_frame(canv, tf, (x, y, w, h), data, grid_font)
    _caption(canv, x, y, w, h, tr("map.inset"))


def _degree_frame(canv, tf: Transform, frame: tuple[float, float, float, float], data: MapData,
                  font: float, lines: bool = True) -> None:
    """Degree lines (optional) and their labels around the inset's drawn frame."""
    framed = replace(tf, box=frame)
    if lines:
        draw_graticule(canv, framed, data.crs, font_size=font, labels=False)
    draw_graticule(canv, framed, data.crs, font_size=font, lines=False)


def _caption(canv, x: float, y: float, w: float, h: float, text: str) -> None:
    canv.saveState()
    canv.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
    canv.setFont(FONT, 5.5)
    canv.rect(x + 0.5, y + h - 9, min(w - 1, canv.stringWidth(text, FONT, 5.5) + 5), 8.5,
              stroke=0, fill=1)
    canv.setFillColor(MUTED)
    canv.drawString(x + 2.5, y + h - 7, text)
    canv.restoreState()


NEIGHBOUR_LABELS = 8
"""At most this many neighbouring kabupaten/kota are named in the inset (those that share
the longest border with the district first)."""


def _context_inset(canv, x: float, y: float, w: float, h: float, data: MapData,
                   font: float) -> None:
    ctx = data.context
    tf = Transform.fit(data.context_extent, x + 2, y + 2, w - 4, h - 4, pad=0.02)
    kab = data.full_kabupaten if data.full_kabupaten is not None else data.kabupaten
    canv.saveState()
    canv.setFillColor(colors.HexColor("#dfe3e4"))  # sea and the world beyond: grey-blue
    canv.setStrokeColor(INK)
    canv.setLineWidth(0.6)
    canv.rect(x, y, w, h, stroke=1, fill=1)
    clip = canv.beginPath()
    clip.rect(x, y, w, h)
    canv.clipPath(clip, stroke=0, fill=0)
    prov = ctx[ctx["level"] == "provinsi"]
    kabs = ctx[ctx["level"] == "kabupaten"]
    for frame, fill, stroke, width in (
            (prov[~prov["own"].astype(bool)], "#f2f2ee", "#a6acaf", 0.3),
            (prov[prov["own"].astype(bool)], "#ffffff", INK, 0.7)):
        if len(frame):
            p, _ = area_path(canv, frame.geometry.values, tf)
            canv.setFillColor(colors.HexColor(fill))
            canv.setStrokeColor(stroke if not isinstance(stroke, str)
                                else colors.HexColor(stroke))
            canv.setLineWidth(width)
            canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    if not len(prov) and len(kabs):  # only kabupaten/kota: their land in white
        p, _ = area_path(canv, kabs.geometry.values, tf)
        canv.setFillColor(colors.white)
        canv.drawPath(p, stroke=0, fill=1, fillMode=FILL_EVEN_ODD)
    if len(kabs):
        p, _ = area_path(canv, kabs.geometry.values, tf)
        canv.setStrokeColor(colors.HexColor("#95a5a6"))
        canv.setLineWidth(0.25)
        canv.drawPath(p, stroke=1, fill=0, fillMode=FILL_EVEN_ODD)
    if kab is not None and len(kab):
        p, _ = area_path(canv, kab.geometry.values, tf, min_ring_pt=0.0)
        canv.setFillColor(colors.HexColor("#e74c3c"))
        canv.setStrokeColor(colors.HexColor("#922b21"))
        canv.setLineWidth(0.6)
        canv.drawPath(p, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
        _name_neighbours(canv, tf, kabs, kab, font)
    canv.restoreState()
    _degree_frame(canv, tf, (x, y, w, h), data, font, lines=False)
    names = ", ".join(data.province_names)
    _caption(canv, x, y, w, h, tr("map.inset_province", name=names) if names
             else tr("map.inset"))


def _name_neighbours(canv, tf: Transform, kabs, kab, font: float) -> None:
    """Names of the kabupaten/kota around the district, placed without overlaps."""
    if not len(kabs):
        return
    district = kab.geometry.union_all()
    ring = district.buffer(max(tf.world_box[2] - tf.world_box[0], 1.0) * 0.01)
    near = kabs.iloc[np.sort(kabs.sindex.query(ring, predicate="intersects"))]
    near = near[~near.geometry.representative_point().within(district)]
    if not len(near):
        return
    shared = near.geometry.intersection(ring).area
    near = near.assign(_shared=shared.values).sort_values("_shared", ascending=False)
    placer = LabelPlacer(tf.box, cell=12.0)
    size = font * 0.95
    canv.setFont(FONT_ITALIC, size)
    canv.setFillColor(MUTED)
    for geom, name in list(zip(near.geometry.values, near["name"], strict=True))[
            :NEIGHBOUR_LABELS]:
        text = _short_name(str(name))
        px, py = tf.point(*geom.representative_point().coords[0])
        at = placer.place(text, px, py, FONT_ITALIC, size)
        if at is not None:
            canv.drawString(at[0], at[1], text)


def _short_name(name: str) -> str:
    """``Kabupaten Blitar`` → ``Blitar``, ``Kota Batu`` → ``Kota Batu`` (a kota keeps its word
    so it is not taken for the kabupaten of the same name)."""
    for prefix in ("Kabupaten ", "Kab. ", "Kab "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name
