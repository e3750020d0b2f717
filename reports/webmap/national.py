"""Level of detail for a national web map: desa as coloured dots (one canvas), Puskesmas and
Pustu as dots, gaps as rings on their desa, the kabupaten outlines simplified to the scale a
whole country is seen at.  Roads, network links, kecamatan outlines, desa polygons and the
Posyandu (with their gaps) are not in the page: they come per kabupaten when zoomed in
(:mod:`reports.webmap.detail`).  The data are written a column at a time (no per-feature
objects).

May import ``ilp_gis`` (i18n), ``layers.symbology``, geopandas/shapely/numpy and
``reports.webmap`` (embed, geometry, values, layers).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym
from reports.webmap.embed import plain_json, script_json
from reports.webmap.geometry import simplify_for_web
from reports.webmap.values import clean_text, count_text

register_catalog("reports", "webmap.national")

NATIONAL_DESA_MIN = 20_000
"""From this many desa the page is drawn with national level of detail (a large province has
~8,500 desa; the whole country ~87,000)."""
DOT_DECIMALS = 4
"""Decimals of a dot's coordinates (1e-4° ≈ 11 m, far below what a national view shows)."""
BOUNDARY_TOLERANCE_M = 1000.0
"""Kabupaten outlines simplified to this (metres): a pixel at the zoom a province is seen at."""
NATIONAL_FACILITY_TYPES = ("puskesmas", "pustu")
"""Facility types drawn as dots nationally (the ~290,000 Posyandu are counted per desa)."""


def is_national(desa) -> bool:
    return desa is not None and len(desa) >= NATIONAL_DESA_MIN


def simplified_notes() -> list[str]:
    """What the national page simplifies, in the UI language (page legend and command output)."""
    return [tr("webmap.national.note")]


def _dots(geoms, decimals: int = DOT_DECIMALS) -> tuple[list, list]:
    """Lon and lat lists of a representative point of each geometry (None where missing)."""
    g = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    pts = np.full(len(g), None, dtype=object)
    pts[ok] = shapely.point_on_surface(g[ok])
    xy = np.full((len(g), 2), np.nan)
    xy[ok] = shapely.get_coordinates(pts[ok])
    xy = np.round(xy, decimals)
    return [None if np.isnan(v) else float(v) for v in xy[:, 0]], \
        [None if np.isnan(v) else float(v) for v in xy[:, 1]]


def desa_dots(desa: gpd.GeoDataFrame, desa_features: list[dict], colours: list[str]) -> str:
    """The desa as columns: lon, lat, code, name, kecamatan, subtitle, colour index, popup values.

    ``desa_features`` are the per-desa properties of :func:`reports.webmap.layers.desa_props`."""
    lon, lat = _dots(desa.geometry.values)
    palette = list(dict.fromkeys(colours))
    index = {c: i for i, c in enumerate(palette)}
    props = desa_features
    gap_kinds = [[k for k in str(g or "").split(";") if k]
                 for g in (desa["gap_kinds"] if "gap_kinds" in desa.columns
                           else [""] * len(desa))]
    severe = [min(ks, key=lambda k: sym.GAP_SEVERITY.get(k, 99)) if ks else None
              for ks in gap_kinds]
    return script_json({
        "x": lon, "y": lat, "pal": palette, "ci": [index[c] for c in colours],
        "c": [p["c"] for p in props], "n": [p["n"] for p in props],
        "k": [p["k"] for p in props], "s": [p["s"] for p in props],
        "p": [p["p"] for p in props], "g": severe})


def facility_dots(sub: gpd.GeoDataFrame, desa_names: dict, kec_names: dict,
                  fac_names: dict, decimals: int = DOT_DECIMALS) -> str:
    """One facility type as columns: lon, lat, name and popup values (desa, kecamatan, parent,
    nakes, code); the parent is named from ``fac_names`` (fac_id -> name) or its own column."""
    lon, lat = _dots(sub.geometry.values, decimals)
    cols = {c: sub[c].tolist() if c in sub.columns else [None] * len(sub)
            for c in ("fac_id", "name", "desa_code", "kecamatan_code", "parent_id",
                      "parent_name", "nakes", "code")}
    names = [clean_text(n) or clean_text(f) or "–" for n, f in zip(cols["name"], cols["fac_id"],
                                                                  strict=True)]
    popup = [[clean_text(desa_names.get(str(d))) or clean_text(d),
              clean_text(kec_names.get(str(k))) or clean_text(k),
              (clean_text(fac_names.get(str(pid))) if clean_text(pid) else None)
              or clean_text(pn),
              count_text(nk), clean_text(code)]
             for d, k, pid, pn, nk, code in zip(cols["desa_code"], cols["kecamatan_code"],
                                                cols["parent_id"], cols["parent_name"],
                                                cols["nakes"], cols["code"], strict=True)]
    return plain_json({"x": lon, "y": lat, "n": names, "p": popup})  # texts, floats, None


def facility_fields() -> list[str]:
    return [tr("area.desa"), tr("area.kecamatan"), tr("webmap.field.parent"),
            tr("webmap.field.nakes"), tr("webmap.field.fac_code")]


def kabupaten_outlines(kab: gpd.GeoDataFrame, crs) -> np.ndarray:
    """The kabupaten simplified as a coverage to :data:`BOUNDARY_TOLERANCE_M`."""
    return simplify_for_web(kab.geometry, crs, BOUNDARY_TOLERANCE_M)


def facility_gap_dots(gaps, fac_names: dict) -> tuple[str | None, int, int, set]:
    """The facility gaps (gaps at a point) as columns: one dot per facility at its point, ringed
    in the colour of its most severe gap; popup values: kecamatan, desa, the gaps' names.

    Returns the JSON text (``None`` when there are none), the number of facilities, the number
    of gap rows drawn and the gap kinds present."""
    if gaps is None or not len(gaps) or "kind" not in gaps.columns:
        return None, 0, 0, set()
    geoms = np.asarray(gaps.geometry.values, dtype=object)
    kinds_geom = shapely.get_type_id(geoms)  # 0 Point, 4 MultiPoint, -1 missing
    at_point = np.isin(kinds_geom, (0, 4)) & ~shapely.is_empty(geoms)
    if not at_point.any():
        return None, 0, 0, set()
    sub = gaps.loc[at_point].drop(columns=gaps.geometry.name)
    pts = shapely.get_point(geoms[at_point], 0)
    pts = np.where(shapely.is_missing(pts), geoms[at_point], pts)
    xy = np.round(shapely.get_coordinates(pts), DOT_DECIMALS)
    kind = sub["kind"].fillna("network_problem").astype(str)
    kind = kind.where(kind.isin(list(sym.GAP_STYLES)), "network_problem").tolist()

    def col(name):
        return (sub[name].astype(object).where(sub[name].notna(), None).tolist()
                if name in sub.columns else [None] * len(sub))

    fac_id, gap_id = col("fac_id"), col("gap_id")
    keys = [clean_text(f) or clean_text(g) or str(i)
            for i, (f, g) in enumerate(zip(fac_id, gap_id, strict=True))]
    order = sorted(range(len(keys)), key=lambda i: (keys[i],
                                                    sym.GAP_SEVERITY.get(kind[i], 99)))
    fac_name, desa_name, kec_name = col("fac_name"), col("desa_name"), col("kecamatan_name")
    out = {"x": [], "y": [], "n": [], "g": [], "p": []}
    labels = {k: tr(f"gap.{k}") for k in sym.GAP_STYLES}
    present: set[str] = set()
    current, names_of = None, None
    for i in order:
        k = kind[i]
        present.add(k)
        if keys[i] != current:  # the first row of a facility: its most severe gap
            current, names_of = keys[i], []
            out["x"].append(float(xy[i, 0]))
            out["y"].append(float(xy[i, 1]))
            out["n"].append(clean_text(fac_names.get(str(fac_id[i]))) or clean_text(fac_name[i])
                            or clean_text(fac_id[i]) or "–")
            out["g"].append(k)
            out["p"].append([clean_text(kec_name[i]), clean_text(desa_name[i]), None])
        if labels[k] not in names_of:
            names_of.append(labels[k])
            out["p"][-1][2] = "; ".join(names_of)
    return plain_json(out), len(out["x"]), len(order), present  # texts, floats, None


def facility_gap_fields() -> list[str]:
    return [tr("area.kecamatan"), tr("area.desa"), tr("webmap.layer.gaps")]
