"""The renderer: draws the static layers of the map (areas, gaps, roads, COE units, network,
facilities, labels) with the one symbology, fast enough for a province.  May import numpy/shapely, PySide6,
``layers.symbology``, ``ui.state`` and the :mod:`ui.map` modules below it; it holds no widget.

Speed notes (the UI benchmark): whole-layer paths are cached per zoom band and colour class;
big fills are split over a tile grid (Qt's aliased fill is superlinear in path spread); aliased
under-strokes up to 1.3 px use Qt's 1 px cosmetic line path; markers are sprites at the
target's pixel ratio; dense points are stamped into an image with numpy.  At a national scale
(ui.map.bands): each layer is drawn at the band of its zoom (whole-layer simplification
kept per band; a zoomed view not yet banded simplifies only what it shows), roads not at all,
Pustu/Posyandu only from a regional zoom, network links under ~1.5 pixels and area outlines
closer than a few pixels left out; only features whose bounds meet the view are gathered.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QBrush, QPainter

from ilp_gis.coe import unit_members, units_only
from layers import symbology as sym
from ui.map.bands import ROADS_MAX_MUPP, BandPrefetcher, band_for, roads_shown
from ui.map.labels import draw_labels, place_labels
from ui.map.layers import GeometryLayer, MapLayers
from ui.map.qpaths import marker_path
from ui.map.sprites import device_ratio, draw_dots, draw_sprites, paint_marker, paint_ring, sprite
from ui.map.strokes import HATCH, pen, qcolor, stroke
from ui.map.view import View
from ui.state import AppState


class MapRenderer(MapLayers):
    """The map's layers (:class:`MapLayers`) and the drawing of the static ones, bottom to top,
    into any ``QPaintDevice`` (the widget's cached image, the benchmark's offscreen image)."""

    def __init__(self, state: AppState) -> None:
        super().__init__(state)
        self._label_rect = None  # the window's part of the image being rendered
        self._labels: list = []  # the labels placed for the picture being rendered
        self.prefetcher = BandPrefetcher()

    def prefetch_bands(self, tol: float) -> threading.Thread | None:
        """Simplify the zoom bands next to ``tol`` in the background (see BandPrefetcher)."""
        roads = None if roads_shown(tol) else self.layers.get("roads")  # not drawn here
        geometry = [g for g in list(self.layers.values()) + list(self.gap_layers.values())
                    if isinstance(g, GeometryLayer) and g is not roads]
        return self.prefetcher.start(geometry, tol)

    def render(self, painter: QPainter, w: int, h: int, view: View,
               margin: tuple[int, int] = (0, 0)) -> None:
        """Draw every visible static layer (bottom to top) into ``painter``.

        ``margin``: pixels of the image on each side that lie outside the window (a pan cache);
        whether labels are shown is decided by what the window itself holds."""
        painter.fillRect(QRect(0, 0, w, h), qcolor(sym.BACKGROUND_COLOUR))
        rect = view.rect(w, h)
        self._label_rect = view.rect(w - 2 * margin[0], h - 2 * margin[1])
        tol = band_for(view.mupp)
        # one placement for every name of the picture, drawn in two passes below
        self._labels = place_labels(self, w, h, view, rect, self._label_rect or rect)
        settings = list(reversed(self.state.layer_settings))
        labelled = False
        for s in settings:
            if s.name == "facilities" and not labelled:  # area names under the points
                self._draw_labels(painter, w, h, view, rect, areas=True)
                labelled = True
            if not s.visible or s.opacity <= 0:
                continue
            painter.save()
            if s.opacity < 1.0:
                painter.setOpacity(s.opacity)
            getattr(self, f"_draw_{s.name}")(painter, w, h, view, rect, tol)
            painter.restore()
        if not labelled:
            self._draw_labels(painter, w, h, view, rect, areas=True)
        self._draw_labels(painter, w, h, view, rect, areas=False)

    def _world(self, painter: QPainter, w: int, h: int, view: View) -> None:
        painter.setTransform(view.transform(w, h))

    def _visible_mask(self, layer, rect, total: int):
        m = layer.in_view(rect)
        return None if m.sum() == total else m

    def _draw_polygons(self, painter, w, h, view, rect, tol, layer: GeometryLayer, style,
                       colours: dict[str, str] | None = None, *,
                       stroke_max_mupp: float = math.inf) -> None:
        if layer is None or not len(layer):
            return
        if view.mupp > stroke_max_mupp:  # outlines closer than a few pixels are only noise
            style = sym.AreaStyle(style.fill, style.fill or "#ffffff", 0.0, style.fill_opacity)
            if style.fill is None and colours is None:
                return
        mask = self._visible_mask(layer, rect, int(layer.valid.sum()))
        if mask is not None and not mask.any():
            return
        self._world(painter, w, h, view)
        if colours is None and style.fill is None:
            stroke(painter, layer.path(tol, mask, cache_key="all" if mask is None else None),
                         style.stroke, max(0.5, style.stroke_width), style.dash)
            return
        theme = None
        if colours is None:
            groups = {style.fill: None}
        else:
            groups, theme = self._colour_groups(layer, colours)
        painter.setPen(Qt.NoPen)
        painter.setRenderHint(QPainter.Antialiasing, False)  # AA fills cost 15x; strokes hide it
        for colour, gmask in groups.items():  # one path per colour class
            m = gmask if mask is None else (mask if gmask is None else gmask & mask)
            ckey = ("fill", colour, theme) if mask is None else None
            painter.setBrush(qcolor(colour, style.fill_opacity))
            for path in layer.fill_paths(tol, m, cache_key=ckey):
                painter.drawPath(path)
        if style.stroke_width > 0:
            stroke(painter, layer.path(tol, mask, cache_key="all" if mask is None else None),
                         style.stroke, max(0.5, style.stroke_width), style.dash)

    def _colour_groups(self, layer: GeometryLayer, colours: dict[str, str]):
        """Feature masks per colour of a thematic colouring, and a token naming the colouring.

        Computed once per colouring; the whole-layer class paths cached under the previous
        colouring are dropped when it changes."""
        cached = getattr(layer, "_theme", None)
        if cached is not None and cached[0] is colours:
            return cached[1], cached[2]
        cols = np.asarray([colours.get(k, sym.NO_DATA_COLOUR) for k in layer.keys], dtype=object)
        groups = {c: cols == c for c in dict.fromkeys(cols.tolist())}
        self._theme_serial = getattr(self, "_theme_serial", 0) + 1
        for key in [k for k in layer._paths if isinstance(k[1], tuple) and k[1][0] == "fill"
                    and k[1][2] is not None]:
            del layer._paths[key]
        layer._theme = (colours, groups, self._theme_serial)
        return groups, self._theme_serial

    def _draw_desa(self, painter, w, h, view, rect, tol) -> None:
        pws = self.state.pws_legend()
        if pws is not None:
            self._draw_pws_desa(painter, w, h, view, rect, tol, pws.classes)
            return
        legend = self.state.thematic_legend()
        self._draw_polygons(painter, w, h, view, rect, tol, self.layers.get("desa"),
                            sym.DESA_STYLE, legend.colours if legend else None,
                            stroke_max_mupp=300)

    def _draw_pws_desa(self, painter, w, h, view, rect, tol, classes: dict[str, str]) -> None:
        """The desa in the fill, opacity and hatch of their PWS class (``classes``: desa code ->
        ``PWS_STYLES`` key); a desa without a class is drawn as "tidak ada data"."""
        layer = self.layers.get("desa")
        if layer is None or not len(layer):
            return
        mask = self._visible_mask(layer, rect, int(layer.valid.sum()))
        if mask is not None and not mask.any():
            return
        self._world(painter, w, h, view)
        full = {k: classes.get(k, sym.PWS_MISSING) for k in layer.keys}
        cached = getattr(layer, "_pws_classes", None)
        if cached is None or cached[0] is not classes:  # one grouping per colouring
            layer._pws_classes = cached = (classes, full)
        groups, theme = self._colour_groups(layer, cached[1])
        painter.setPen(Qt.NoPen)
        painter.setRenderHint(QPainter.Antialiasing, False)
        for key, style in sym.PWS_STYLES.items():
            gmask = groups.get(key)
            if gmask is None or not gmask.any():
                continue
            m = gmask if mask is None else gmask & mask
            fills = layer.fill_paths(tol, m, cache_key=("fill", key, theme) if mask is None
                                     else None)
            painter.setBrush(qcolor(style.fill, style.fill_opacity))
            for path in fills:
                painter.drawPath(path)
            if style.hatch in HATCH:  # the black-and-white cue of the class, as on paper
                brush = QBrush(qcolor(style.stroke, 0.7), HATCH[style.hatch])
                brush.setTransform(painter.transform().inverted()[0])
                painter.setBrush(brush)
                for path in fills:
                    painter.drawPath(path)
        st = sym.DESA_STYLE
        if view.mupp <= 300:  # outlines closer than a few pixels are only noise
            stroke(painter, layer.path(tol, mask, cache_key="all" if mask is None else None),
                   st.stroke, max(0.5, st.stroke_width), st.dash)

    def _draw_kecamatan(self, painter, w, h, view, rect, tol) -> None:
        self._draw_polygons(painter, w, h, view, rect, tol, self.layers.get("kecamatan"),
                            sym.KECAMATAN_STYLE, stroke_max_mupp=1500)

    def _draw_kabupaten(self, painter, w, h, view, rect, tol) -> None:
        self._draw_polygons(painter, w, h, view, rect, tol, self.layers.get("kabupaten"),
                            sym.KABUPATEN_STYLE)

    def _draw_gaps(self, painter, w, h, view, rect, tol) -> None:
        order = sorted(self.gap_layers, key=lambda k: -sym.GAP_SEVERITY.get(k, 99))
        for kind in order:  # least severe first, most severe on top
            layer = self.gap_layers[kind]
            style = sym.GAP_STYLES.get(kind, sym.GAP_STYLES["network_problem"])
            mask = layer.in_view(rect)
            if not mask.any():
                continue
            self._world(painter, w, h, view)
            full = bool(mask.all())
            painter.setRenderHint(QPainter.Antialiasing, False)
            painter.setPen(Qt.NoPen)
            fills = layer.fill_paths(tol, None if full else mask,
                                     cache_key="fill" if full else None)
            painter.setBrush(qcolor(style.fill or style.stroke, style.fill_opacity * 0.6))
            for piece in fills:
                painter.drawPath(piece)
            if style.hatch in HATCH and view.mupp < 25:  # hatching only where it can be read
                brush = QBrush(qcolor(style.stroke, 0.8), HATCH[style.hatch])
                brush.setTransform(painter.transform().inverted()[0])
                painter.setBrush(brush)
                for piece in fills:
                    painter.drawPath(piece)
            if view.mupp <= 300:  # outlines closer than a few pixels: the fill says it all
                path = layer.path(tol, None if full else mask, cache_key="all" if full else None)
                stroke(painter, path, style.stroke, style.stroke_width, style.dash)
        painter.resetTransform()
        for kind, pts in self.gap_points.items():
            if view.mupp > 60:  # facility gaps are read when zoomed in; overview shows areas
                break
            style = sym.GAP_STYLES.get(kind, sym.GAP_STYLES["network_problem"])
            m = pts.in_view(rect)
            if not m.any():
                continue
            sx, sy = view.to_screen(pts.xy[m, 0], pts.xy[m, 1], w, h)
            ring = sprite(("gapring", kind), lambda p, st=style: paint_ring(p, st), 20,
                          device_ratio(painter))
            draw_sprites(painter, ring, sx, sy)

    def _shown(self, name: str, rect, min_size: float = 0.0):
        """Layer ``name`` and the mask of its features in ``rect``; None when none is there.

        ``min_size``: features whose bounds are smaller than this (map metres; about a
        pixel) are left out: at a national scale the many short lines would only blur."""
        layer = self.layers.get(name)
        if layer is None or not len(layer):
            return None
        mask = layer.in_view(rect)
        if min_size > 0:
            mask &= layer.extent_at_least(min_size)
        return (layer, mask) if mask.any() else None

    def _draw_roads(self, painter, w, h, view, rect, tol) -> None:
        shown = self._shown("roads", rect) if view.mupp <= ROADS_MAX_MUPP else None
        if shown is None:
            return
        layer, mask = shown
        self._world(painter, w, h, view)
        max_mupp = {"setapak": 12, "lingkungan": 12, "lokal": 60, "kolektor": 300,
                    "arteri": 1500, "ferry": 1500}
        for cls in ("setapak", "lingkungan", "lokal", "kolektor", "arteri", "ferry"):
            if view.mupp > max_mupp[cls]:
                continue  # each road class only at scales where it can be told apart
            path = layer.class_path(tol, mask, "road_class", cls)
            if path is not None:
                st = sym.ROAD_STYLES[cls]
                stroke(painter, path, st.stroke, st.stroke_width, st.dash)

    def _draw_network(self, painter, w, h, view, rect, tol) -> None:
        shown = self._shown("network", rect, min_size=1.5 * view.mupp)
        if shown is None:
            return
        layer, mask = shown
        self._world(painter, w, h, view)
        for link, (colour, dash) in sym.NETWORK_EDGE.items():
            path = layer.class_path(tol, mask, "link", link)
            if path is not None:
                stroke(painter, path, colour, 1.0, dash, 0.85)

    def _draw_coe(self, painter, w, h, view, rect, tol) -> None:
        """The COE units: the desa of each unit's Puskesmas, Pustu and Posyandu outlined over a
        light fill, and a ring around every member facility (under the facility markers)."""
        res = self.state.result
        members = self._coe_members(res.coe if res is not None else None)
        if members is None:
            return
        desa_mask, fac_idx, serial = members
        desa = self.layers.get("desa")
        if desa_mask is not None:
            mask = desa_mask & desa.in_view(rect)
            if mask.any():
                st = sym.COE_UNIT_STYLE
                self._world(painter, w, h, view)
                full = int(mask.sum()) == int(desa_mask.sum())
                painter.setPen(Qt.NoPen)
                painter.setBrush(qcolor(st.fill, st.fill_opacity))
                for piece in desa.fill_paths(tol, mask, cache_key=("coe", serial, "fill")
                                             if full else None):  # tiled: see fill_paths
                    painter.drawPath(piece)
                if view.mupp <= 300:  # desa outlines closer than a few pixels are only noise
                    path = desa.path(tol, mask, cache_key=("coe", serial) if full else None)
                    stroke(painter, path, st.stroke, st.stroke_width, st.dash)
                painter.resetTransform()
        fac = self.layers.get("facilities")
        if fac is None or not len(fac) or fac_idx is None or view.mupp > 600:
            return  # member rings only where their facilities are drawn apart
        idx = fac_idx[fac.in_view(rect)[fac_idx]] if len(fac_idx) else fac_idx
        if not len(idx):
            return
        st = sym.COE_MEMBER_STYLE
        painter.resetTransform()
        painter.setRenderHint(QPainter.Antialiasing, True)
        sx, sy = view.to_screen(fac.xy[idx, 0], fac.xy[idx, 1], w, h)
        painter.setBrush(qcolor(st.fill, 0.6))
        painter.setPen(pen(st.stroke, 2.4))
        painter.drawPath(marker_path(sx, sy, st.shape, st.size))

    def _coe_members(self, coe):
        """(desa mask, facility rows, serial) of the COE units of ``coe``, worked out once per
        result and map layers (a national result has thousands of units); None without."""
        desa, fac = self.layers.get("desa"), self.layers.get("facilities")
        cached = getattr(self, "_coe_cache", None)
        if cached is not None and cached[0] is coe and cached[1] is desa and cached[2] is fac:
            return cached[3]
        units = units_only(coe) if coe is not None else None
        members = None
        if units is not None and len(units) and "desa_codes" in units:
            desa_mask = fac_idx = None
            if isinstance(desa, GeometryLayer) and len(desa):
                codes = {c for v in units["desa_codes"] if isinstance(v, str)
                         for c in v.split(";")}
                desa_mask = np.zeros(len(desa), dtype=bool)
                desa_mask[[desa.key_index[c] for c in codes if c in desa.key_index]] = True
                if cached is not None and cached[1] is desa:  # the last result's path goes
                    desa._paths = {k: v for k, v in desa._paths.items()
                                   if not (isinstance(k[1], tuple) and k[1][0] == "coe")}
            if fac is not None and len(fac):
                fac_idx = np.asarray([fac.key_index[k] for k in unit_members(units)
                                      if k in fac.key_index], dtype=np.int64)
            self._coe_serial = getattr(self, "_coe_serial", 0) + 1
            members = (desa_mask, fac_idx, self._coe_serial)
        self._coe_cache = (coe, desa, fac, members)
        return members

    def _draw_facilities(self, painter, w, h, view, rect, tol) -> None:
        layer = self.layers.get("facilities")
        if layer is None or not len(layer):
            return
        painter.resetTransform()
        mask = layer.in_view(rect)
        painter.setRenderHint(QPainter.Antialiasing, int(mask.sum()) < 5000)
        small = view.mupp >= 80
        hidden = {"posyandu": 600.0, "precursor": 2500.0, "pustu": 2500.0,
                  "desa_posyandu": 600.0, "desa_pustu": 2500.0}
        for style_name in ("desa_posyandu", "posyandu", "unknown", "precursor", "desa_pustu",
                           "pustu", "desa_puskesmas", "puskesmas"):
            if view.mupp > hidden.get(style_name, math.inf):
                continue  # national overview: Puskesmas only; the rest appears on zooming in
            m = mask & layer.style_mask(style_name)
            if not m.any():
                continue
            style = (sym.PRECURSOR_STYLE if style_name == "precursor"
                     else sym.PROBLEM_FACILITY_STYLE if style_name == "unknown"
                     else sym.DESA_LEVEL_STYLES[style_name[5:]]
                     if style_name.startswith("desa_")
                     else sym.FACILITY_STYLES[style_name])
            sx, sy = view.to_screen(layer.xy[m, 0], layer.xy[m, 1], w, h)
            size = style.size * (0.8 if small else 1.0)
            if len(sx) > 3000:  # dense overview: square dots written straight into pixels
                draw_dots(painter, sx, sy, style.fill, style.stroke,
                          2 if view.mupp > 150 else 3, w, h)
                continue
            pm = sprite(("fac", style_name, small), lambda p, st=style, sz=size: paint_marker(p, st, sz),
                        int(size * 1.6) + 4, device_ratio(painter))
            draw_sprites(painter, pm, sx, sy)
        if self.problem_ids and view.mupp <= 600:  # a national view: markers would only blot
            cached = getattr(self, "_problem_rows", None)  # once per result and layer
            if cached is None or cached[0] is not self.problem_ids or cached[1] is not layer:
                rows = np.asarray([layer.key_index[k] for k in self.problem_ids
                                   if k in layer.key_index], dtype=np.int64)
                self._problem_rows = cached = (self.problem_ids, layer, rows)
            idx = cached[2]
            if len(idx):
                idx = idx[mask[idx]]
                if len(idx):
                    st = sym.PROBLEM_FACILITY_STYLE
                    sx, sy = view.to_screen(layer.xy[idx, 0], layer.xy[idx, 1], w, h)
                    pm = sprite(("problem",), lambda p: paint_marker(p, st, st.size * 0.7), 14,
                                device_ratio(painter))
                    draw_sprites(painter, pm, sx + 6, sy - 6)

    def _draw_labels(self, painter: QPainter, w: int, h: int, view: View, rect, *,
                     areas: bool) -> None:
        draw_labels(painter, self._labels, areas=areas)
