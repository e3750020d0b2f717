"""Map data: the layers of one printed map projected to their UTM zone, with gap look-ups.

``prepare_map_data`` projects once; ``MapData.subset`` cuts an atlas page from it and the most
severe gap of each place decides its colour.  Imports ilp_gis and layers only (no drawing).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ilp_gis.geo import utm_crs
from ilp_gis.model import WGS84
from layers import symbology as sym

AREA_GEOMS = ("Polygon", "MultiPolygon")


@dataclass
class MapData:
    """The layers of one map in a metric CRS, plus the gap look-ups."""

    crs: CRS
    kabupaten: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame | None
    desa_gap: dict[str, str] = field(default_factory=dict)  # desa code -> most severe area gap
    kecamatan_gap: dict[str, str] = field(default_factory=dict)  # kecamatan code -> gap kind
    facility_gap: dict[str, str] = field(default_factory=dict)  # fac_id -> gap kind
    focus: str | None = None  # kecamatan code drawn alone (atlas)
    full_kabupaten: gpd.GeoDataFrame | None = None  # for the inset of an atlas page
    full_kecamatan: gpd.GeoDataFrame | None = None
    # an alternative colouring of the desa (e.g. budget funding state) instead of the gaps
    theme: dict[str, str] | None = None  # desa code -> theme key
    theme_styles: dict[str, sym.AreaStyle] | None = None
    theme_title: str = ""
    # the provinces and kabupaten/kota around the district (a context layer the user loaded),
    # cut to the district's province and its surroundings, for the locator inset
    # marked places drawn over the facilities (e.g. a scenario's sites): ``style`` names the
    # key of ``point_styles`` each is drawn with; the legend lists each key shown
    points: gpd.GeoDataFrame | None = None
    point_styles: dict[str, sym.PointStyle] | None = None
    context: gpd.GeoDataFrame | None = None
    context_extent: tuple[float, float, float, float] | None = None
    province_names: tuple[str, ...] = ()

    def themed(self, theme: dict[str, str], styles: dict[str, sym.AreaStyle],
               title: str) -> MapData:
        """The same map with the desa coloured by ``theme`` (gap highlights left out)."""
        return replace(self, theme=theme, theme_styles=styles, theme_title=title, desa_gap={},
                       kecamatan_gap={}, facility_gap={})

    def marked(self, points: gpd.GeoDataFrame, styles: dict[str, sym.PointStyle]) -> MapData:
        """The same map with ``points`` (any CRS, a ``style`` column keying ``styles``) drawn
        over the facilities."""
        pts = points.to_crs(self.crs) if points.crs is not None else points
        return replace(self, points=pts, point_styles=styles)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        for frame in (self.desa, self.kecamatan, self.kabupaten):
            if frame is not None and len(frame):
                b = frame.total_bounds
                if np.all(np.isfinite(b)):
                    return tuple(float(x) for x in b)
        if len(self.facilities):
            b = self.facilities.total_bounds
            return (b[0] - 1000, b[1] - 1000, b[2] + 1000, b[3] + 1000)
        return (0.0, 0.0, 1.0, 1.0)

    def subset(self, kecamatan: str) -> MapData:
        """The same layers cut to one kecamatan (an atlas page), reusing the projected data."""
        kab, kec, desa, fac, edges = (self.kabupaten, self.kecamatan, self.desa, self.facilities,
                                      self.edges)
        sub_kec = kec[kec["code"] == kecamatan] if "code" in kec else kec.iloc[0:0]
        sub_desa = desa[desa["kecamatan_code"] == kecamatan] if "kecamatan_code" in desa else desa
        if len(sub_kec):
            area = sub_kec.geometry.union_all()
        elif len(sub_desa):
            area = sub_desa.geometry.union_all()
        else:
            area = None
        sub_fac = fac
        sub_edges = edges
        if area is not None:
            grown = area.buffer(50)
            if len(fac):
                sub_fac = fac.iloc[_touching(fac, grown)]
            if edges is not None and len(edges):
                sub_edges = edges.iloc[_touching(edges, grown)]
        desa_codes = set(sub_desa["code"]) if "code" in sub_desa else set()
        fac_ids = set(sub_fac["fac_id"]) if "fac_id" in sub_fac else set()
        desa_gap = {k: self.desa_gap[k] for k in desa_codes if k in self.desa_gap}
        facility_gap = {k: self.facility_gap[k] for k in fac_ids if k in self.facility_gap}
        return MapData(
            crs=self.crs, kabupaten=kab, kecamatan=sub_kec, desa=sub_desa, facilities=sub_fac,
            edges=sub_edges,
            desa_gap=desa_gap,
            kecamatan_gap={k: v for k, v in self.kecamatan_gap.items() if k == kecamatan},
            facility_gap=facility_gap,
            focus=kecamatan, full_kabupaten=kab, full_kecamatan=kec, context=self.context,
            context_extent=self.context_extent, province_names=self.province_names)


    def subset_desa(self, desa_code: str) -> MapData:
        """One desa (a page of the per-desa atlas): its polygon, the facilities in and near it,
        and for the inset the desa of its kecamatan with this one filled."""
        desa = self.desa
        one = desa[desa["code"] == desa_code] if "code" in desa else desa.iloc[0:0]
        kec_code = one["kecamatan_code"].iloc[0] if len(one) and "kecamatan_code" in one \
            else None
        sub_kec = self.kecamatan[self.kecamatan["code"] == kec_code] \
            if kec_code is not None and "code" in self.kecamatan else self.kecamatan.iloc[0:0]
        siblings = desa[desa["kecamatan_code"] == kec_code] if kec_code is not None else one
        fac, edges = self.facilities, self.edges
        if len(one):
            grown = one.geometry.union_all().buffer(50)
            if len(fac):
                fac = fac.iloc[_touching(fac, grown)]
            if edges is not None and len(edges):
                edges = edges.iloc[_touching(edges, grown)]
        fac_ids = set(fac["fac_id"]) if "fac_id" in fac else set()
        return MapData(
            crs=self.crs, kabupaten=sub_kec if len(sub_kec) else self.kabupaten,
            kecamatan=sub_kec, desa=one, facilities=fac, edges=edges,
            desa_gap={k: v for k, v in self.desa_gap.items() if k == desa_code},
            kecamatan_gap={}, facility_gap={k: self.facility_gap[k] for k in fac_ids
                                            if k in self.facility_gap},
            focus=desa_code, full_kabupaten=sub_kec if len(sub_kec) else self.kabupaten,
            full_kecamatan=siblings, context=self.context,
            context_extent=self.context_extent, province_names=self.province_names)


def _touching(frame: gpd.GeoDataFrame, area) -> np.ndarray:
    """Row positions (in frame order) of the geometries that intersect ``area``, through the
    frame's spatial index (one index per frame, built on first use): an atlas or plan of many
    kecamatan asks once per kecamatan, so a scan of every row each time would be quadratic."""
    return np.sort(frame.sindex.query(area, predicate="intersects"))


def _in_crs(frame, crs):
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame(frame if frame is not None else {}, geometry=[], crs=crs) \
            if frame is None or not isinstance(frame, gpd.GeoDataFrame) else frame.to_crs(crs) \
            if frame.crs is not None else frame.set_crs(WGS84).to_crs(crs)
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    out = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return out.to_crs(crs)


CONTEXT_MARGIN = 0.08
"""The locator inset shows the district's province(s) with this share of their size around."""


def _context_around(project, kab: gpd.GeoDataFrame, crs):
    """``(areas, extent, province names)`` of the context layer for the locator inset: the
    province(s) the district lies in, found by code (the kabupaten's ``PP.KK`` code) or else by
    position, and every provinsi/kabupaten area within a margin around them, in ``crs``.
    ``(None, None, ())`` without a context layer or when the district lies in none of its
    provinces."""
    if not project.has("context") or kab is None or not len(kab):
        return None, None, ()
    ctx = project.layer("context")
    ctx = ctx[ctx.geometry.notna() & ~ctx.geometry.is_empty]
    if ctx.crs is None:
        ctx = ctx.set_crs(WGS84)
    ctx = ctx.to_crs(WGS84)
    district = gpd.GeoSeries(kab.geometry.values, crs=crs).to_crs(WGS84)
    points = district.representative_point()
    prov = ctx[ctx["level"] == "provinsi"]
    kabs = ctx[ctx["level"] == "kabupaten"]
    own_codes = {str(c)[:2] for c in (kab["code"] if "code" in kab else [])
                 if isinstance(c, str) and len(c) >= 5 and c[2] == "."}
    own = prov[prov["code"].isin(own_codes)] if own_codes else prov.iloc[0:0]
    if not len(own) and len(prov):
        own = prov.iloc[np.unique(prov.sindex.query(points.values, predicate="within")[1])]
    if len(own):
        core = own.geometry.union_all()
        names = tuple(str(n) for n in own["name"])
    else:  # no province layer: the kabupaten/kota of the same province, else those around
        hit = kabs.iloc[np.unique(kabs.sindex.query(points.values, predicate="within")[1])] \
            if len(kabs) else kabs
        parents = set(hit["parent_code"].dropna()) | own_codes
        same = kabs[kabs["parent_code"].isin(parents)] if parents else hit
        if not len(same):
            return None, None, ()
        core = same.geometry.union_all()
        names = ()
    x0, y0, x1, y1 = core.bounds
    mx, my = (x1 - x0) * CONTEXT_MARGIN, (y1 - y0) * CONTEXT_MARGIN
    box = shapely.box(x0 - mx, y0 - my, x1 + mx, y1 + my)
    near = ctx.iloc[np.sort(ctx.sindex.query(box, predicate="intersects"))].copy()
    near["own"] = near["code"].isin(set(own["code"].dropna())) & (near["level"] == "provinsi")
    near = near.to_crs(crs)
    ext = gpd.GeoSeries([shapely.box(x0, y0, x1, y1)], crs=WGS84).to_crs(crs).total_bounds
    return near, tuple(float(v) for v in ext), names


def _severest(kinds) -> str | None:
    best = None
    for k in kinds:
        if k in sym.GAP_SEVERITY and (best is None or sym.GAP_SEVERITY[k] < sym.GAP_SEVERITY[best]):
            best = k
    return best


def prepare_map_data(project, result, *, kecamatan: str | None = None) -> MapData:
    """Project the layers of ``project``/``result`` to their UTM zone for drawing.

    ``kecamatan`` (a kecamatan code) restricts the map to that kecamatan (an atlas page).
    """
    desa_src = result.desa if result is not None and len(result.desa) else project.desa
    desa_src = desa_src if isinstance(desa_src, gpd.GeoDataFrame) else gpd.GeoDataFrame(desa_src)
    kab_src = project.kabupaten
    kec_src = project.kecamatan
    frames = [f for f in (desa_src, kab_src, kec_src) if f is not None and len(f)]
    if not frames and len(project.facilities):
        frames = [project.facilities]
    crs = utm_crs(*frames)
    desa = _in_crs(desa_src, crs)
    kab = _in_crs(kab_src, crs) if len(kab_src) else None
    kec = _in_crs(kec_src, crs) if len(kec_src) else None
    if (kec is None or not len(kec)) and len(desa) and "kecamatan_code" in desa:
        d = desa[desa["kecamatan_code"].notna()]
        kec = d.dissolve(by="kecamatan_code", as_index=False)[["kecamatan_code", "geometry"]]
        names = desa.groupby("kecamatan_code")["kecamatan_name"].first() \
            if "kecamatan_name" in desa else pd.Series(dtype=object)
        kec = kec.rename(columns={"kecamatan_code": "code"})
        kec["name"] = kec["code"].map(names)
    if (kab is None or not len(kab)) and len(desa):
        kab = gpd.GeoDataFrame({"name": [project.title]},
                               geometry=[shapely.union_all(desa.geometry.values)], crs=crs)
    kab = kab if kab is not None else gpd.GeoDataFrame({"name": []}, geometry=[], crs=crs)
    kec = kec if kec is not None else gpd.GeoDataFrame({"code": [], "name": []}, geometry=[],
                                                       crs=crs)
    fac = _in_crs(project.facilities, crs) if len(project.facilities) else gpd.GeoDataFrame(
        {"fac_id": [], "type": []}, geometry=[], crs=crs)
    edges = None
    if result is not None and result.edges is not None and len(result.edges):
        edges = _in_crs(result.edges, crs)

    desa_gap: dict[str, str] = {}
    kec_gap: dict[str, str] = {}
    fac_gap: dict[str, str] = {}
    gaps = result.gaps if result is not None else None
    if gaps is not None and len(gaps):
        gtype = gaps.geometry.geom_type if isinstance(gaps, gpd.GeoDataFrame) else \
            pd.Series([None] * len(gaps), index=gaps.index)
        fac_ids = gaps["fac_id"] if "fac_id" in gaps else pd.Series([None] * len(gaps),
                                                                     index=gaps.index)
        for kind, dcode, kcode, fid, gt in zip(gaps["kind"], gaps["desa_code"],
                                               gaps["kecamatan_code"], fac_ids, gtype, strict=False):
            if isinstance(fid, str) and fid and gt not in AREA_GEOMS:
                fac_gap[fid] = _severest([kind, fac_gap.get(fid, kind)])
            elif isinstance(dcode, str) and dcode:
                desa_gap[dcode] = _severest([kind, desa_gap.get(dcode, kind)])
            elif isinstance(kcode, str) and kcode:
                kec_gap[kcode] = _severest([kind, kec_gap.get(kcode, kind)])

    context, extent, provinces = _context_around(project, kab, crs)
    data = MapData(crs=crs, kabupaten=kab, kecamatan=kec, desa=desa, facilities=fac, edges=edges,
                   desa_gap=desa_gap, kecamatan_gap=kec_gap, facility_gap=fac_gap,
                   context=context, context_extent=extent, province_names=provinces)
    return data.subset(kecamatan) if kecamatan is not None else data
