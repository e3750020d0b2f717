"""The locator inset: the whole kabupaten with the atlas page's kecamatan filled.

Imports reports.styles and the map paths.
"""

from __future__ import annotations

import numpy as np
from reportlab.lib import colors
from reportlab.pdfgen.canvas import FILL_EVEN_ODD

from ilp_gis.i18n import register_catalog, tr
from reports.maps.data import MapData
from reports.maps.paths import Transform, area_path
from reports.styles import FONT, INK, MUTED

register_catalog("reports", "maps.inset")


def draw_inset(canv, x: float, y: float, w: float, h: float, data: MapData,
               frame_world: tuple[float, float, float, float] | None = None) -> None:
    """Locator map: the whole kabupaten, the focus kecamatan (atlas) filled, else the kecamatan
    index; ``frame_world`` marks the main map's extent."""
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
    canv.setFont(FONT, 5.5)
    canv.setFillColor(MUTED)
    canv.drawString(x + 2.5, y + h - 7, tr("map.inset"))
    canv.restoreState()
