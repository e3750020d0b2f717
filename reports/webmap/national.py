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

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis.i18n import register_catalog, tr
from layers import symbology as sym
from reports.webmap.embed import plain_json, script_json
from reports.webmap.geometry import simplify_for_web
from reports.webmap.values import (
    clean_text,
    clean_texts,
    count_texts,
    looked_up,
    memo_texts,
    objects,
    objects_of,
)

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
    cols = facility_columns(sub, desa_names, kec_names, fac_names, decimals)
    return plain_json({k: v.tolist() for k, v in cols.items()})  # texts, floats, None


def facility_columns(sub: gpd.GeoDataFrame, desa_names: dict, kec_names: dict,
                     fac_names: dict, decimals: int = DOT_DECIMALS, *,
                     staff: bool = False) -> dict[str, np.ndarray]:
    """What :func:`facility_dots` writes, as object arrays of one value per facility (a
    national layer's texts built a column at a time, then cut per kabupaten).  ``staff``:
    the popup values of :func:`detail_facility_fields` instead (a kabupaten page's Posyandu
    popup) and ``q``, 1 for a facility known only by its desa (drawn hollow)."""
    lon, lat = _dots(sub.geometry.values, decimals)
    c = {n: objects(sub, n) for n in ("fac_id", "name", "desa_code", "kecamatan_code",
                                      "parent_id", "parent_name", "nakes", "code")}
    names = [a or b or "–" for a, b in zip(clean_texts(c["name"]), clean_texts(c["fac_id"]),
                                          strict=True)]
    desa = [a or b for a, b in zip(looked_up(c["desa_code"], desa_names),
                                   clean_texts(c["desa_code"]), strict=True)]
    kec = [a or b for a, b in zip(looked_up(c["kecamatan_code"], kec_names),
                                  clean_texts(c["kecamatan_code"]), strict=True)]
    pid = clean_texts(c["parent_id"])
    parent_of = looked_up(c["parent_id"], fac_names)
    parent = [(p if i else None) or n for i, p, n in zip(pid, parent_of,
                                                         clean_texts(c["parent_name"]),
                                                         strict=True)]
    if not staff:
        popup = list(map(list, zip(desa, kec, parent, count_texts(c["nakes"]),
                                   clean_texts(c["code"]), strict=True)))
        return {"x": _array(lon), "y": _array(lat), "n": _array(names), "p": _array(popup)}
    more = {n: objects(sub, n) for n in ("nurses", "midwives", "kader", "level",
                                         "sessions_per_year", "location_quality")}
    popup = list(map(list, zip(desa, kec, parent, count_texts(c["nakes"]),
                               count_texts(more["nurses"]), count_texts(more["midwives"]),
                               count_texts(more["kader"]), memo_texts(_level_text, more["level"]),
                               count_texts(more["sessions_per_year"]), clean_texts(c["code"]),
                               strict=True)))
    by_desa = [1 if q == "desa" else 0 for q in clean_texts(more["location_quality"])]
    return {"x": _array(lon), "y": _array(lat), "n": _array(names), "p": _array(popup),
            "q": _array(by_desa)}


def _level_text(value) -> str | None:
    """A Posyandu's strata level in the UI language, as a kabupaten page's popup names it."""
    from ilp_gis import model

    level = clean_text(value)
    if level and level.lower() in {lv.value for lv in model.PosyanduLevel}:
        return tr(f"posyandu_level.{level.lower()}")
    return level


def detail_facility_fields() -> list[str]:
    """The popup fields of a Posyandu in a kabupaten chunk: a kabupaten page's, less the two
    a Posyandu never has (ILP lokus, COE)."""
    return [tr("area.desa"), tr("area.kecamatan"), tr("webmap.field.parent"),
            tr("webmap.field.nakes"), tr("webmap.field.nurses"), tr("webmap.field.midwives"),
            tr("webmap.field.kader"), tr("webmap.field.level"), tr("webmap.field.sessions"),
            tr("webmap.field.fac_code")]


def _array(values: list) -> np.ndarray:
    """A list as a 1-d object array (its items may be lists themselves)."""
    return objects_of(values)


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
    got = facility_gap_columns(gaps, fac_names)
    if got is None:
        return None, 0, 0, set()
    text = plain_json({k: v.tolist() for k, v in got.cols.items()})  # texts, floats, None
    return text, len(got.chunk), int(sum(got.rows.values())), got.present


@dataclass
class GapDots:
    """:func:`facility_gap_dots` of every chunk at once: one value per dot in ``cols`` (the
    dots of a chunk together, chunks in ascending order), the chunk of each dot, the gap rows
    drawn per chunk and the gap kinds present."""

    cols: dict
    chunk: np.ndarray
    rows: dict
    present: set

    def of(self, chunk: int) -> tuple[str | None, int]:
        """The JSON text of one chunk's dots (``None`` when it has none) and its gap rows."""
        lo, hi = np.searchsorted(self.chunk, [chunk, chunk + 1])
        if lo == hi:
            return None, 0
        return (plain_json({k: v[lo:hi].tolist() for k, v in self.cols.items()}),
                self.rows[chunk])


def facility_gap_columns(gaps, fac_names: dict, chunk_of: np.ndarray | None = None
                         ) -> GapDots | None:
    """The dots of :func:`facility_gap_dots`, worked out for each chunk of ``chunk_of`` (one
    per gap row, -1: none) as it would be for that chunk's rows alone; ``None`` without any."""
    if gaps is None or not len(gaps) or "kind" not in gaps.columns:
        return None
    geoms = np.asarray(gaps.geometry.values, dtype=object)
    kinds_geom = shapely.get_type_id(geoms)  # 0 Point, 4 MultiPoint, -1 missing
    at_point = np.isin(kinds_geom, (0, 4)) & ~shapely.is_empty(geoms)
    chunk_of = (np.zeros(len(gaps), dtype=np.int64) if chunk_of is None
                else np.asarray(chunk_of, dtype=np.int64))
    sel = np.flatnonzero(at_point & (chunk_of >= 0))
    if not len(sel):
        return None
    sel = sel[np.argsort(chunk_of[sel], kind="stable")]  # by chunk, in their order
    chunk = chunk_of[sel]
    starts = np.r_[0, np.flatnonzero(np.diff(chunk)) + 1]
    pos = np.arange(len(sel)) - np.repeat(starts, np.diff(np.r_[starts, len(sel)]))
    pts = shapely.get_point(geoms[sel], 0)
    pts = np.where(shapely.is_missing(pts), geoms[sel], pts)
    xy = np.round(shapely.get_coordinates(pts), DOT_DECIMALS)
    sub = gaps.iloc[sel]
    kind = sub["kind"].fillna("network_problem").astype(str)
    kind = kind.where(kind.isin(list(sym.GAP_STYLES)), "network_problem").tolist()

    def col(name):
        if name not in sub.columns:
            return [None] * len(sub)
        v = objects(sub, name)
        return np.where(pd.isna(v), None, v).tolist()

    fac_id, gap_id = col("fac_id"), col("gap_id")
    keys = [a or b or str(i) for a, b, i in zip(clean_texts(fac_id), clean_texts(gap_id),
                                                pos.tolist(), strict=True)]
    severity = [sym.GAP_SEVERITY.get(k, 99) for k in kind]
    chunks = chunk.tolist()
    order = sorted(range(len(keys)), key=lambda i: (chunks[i], keys[i], severity[i]))
    first = [i for n, i in enumerate(order) if n == 0 or chunks[i] != chunks[order[n - 1]]
             or keys[i] != keys[order[n - 1]]]  # a facility's first row: its most severe gap
    fac_name = col("fac_name")
    names = [a or b or c or "–" for a, b, c in zip(
        looked_up([fac_id[i] for i in first], fac_names),
        clean_texts([fac_name[i] for i in first]), clean_texts([fac_id[i] for i in first]),
        strict=True)]
    kec_name, desa_name = col("kecamatan_name"), col("desa_name")
    labels = {k: tr(f"gap.{k}") for k in sym.GAP_STYLES}
    said: list[str | None] = []
    at = 0
    for i in order:  # each facility's gaps named once, most severe first
        if at < len(first) and i == first[at]:
            said.append(labels[kind[i]])
            seen = [labels[kind[i]]]
            at += 1
        elif labels[kind[i]] not in seen:
            seen.append(labels[kind[i]])
            said[-1] = "; ".join(seen)
    rows: dict[int, int] = {}
    for c in chunks:
        rows[c] = rows.get(c, 0) + 1
    cols = {"x": _array(xy[first, 0].tolist()), "y": _array(xy[first, 1].tolist()),
            "n": _array(names), "g": _array([kind[i] for i in first]),
            "p": _array([[clean_text(kec_name[i]), clean_text(desa_name[i]), s]
                         for i, s in zip(first, said, strict=True)])}
    return GapDots(cols, chunk[first], rows, set(kind))


def facility_gap_fields() -> list[str]:
    return [tr("area.kecamatan"), tr("area.desa"), tr("webmap.layer.gaps")]
