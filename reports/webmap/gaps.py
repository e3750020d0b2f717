"""The gap layers' content: gaps grouped per place (most severe first), their popups in the
map's language, and the language stored gap messages were written in.

May import ``ilp_gis`` (model, results, i18n, the gap finder's unit names), ``layers.symbology``
and ``reports.webmap`` (values, geometry, embed, symbols).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

import ilp_gis.gaps  # noqa: F401 - registers the unit names the analysis writes
from ilp_gis import model
from ilp_gis.i18n import format_percent, register_catalog, tr
from ilp_gis.results import AnalysisResult
from layers import symbology as sym
from reports.webmap.embed import feature_collection
from reports.webmap.geometry import as_wgs84, round_coords, simplify_for_web
from reports.webmap.values import (
    clean_text,
    count_text,
    format_value,
    is_finite,
    number_or_inf,
    plain_number,
)

register_catalog("reports", "webmap.gaps")


def analysis_language(result: AnalysisResult) -> str | None:
    """The language the result's gap messages were written in (``summary["lang"]`` when the
    analysis records it, else recognised from the gap units), or ``None`` when unknown."""
    lang = (result.summary or {}).get("lang") if isinstance(result.summary, dict) else None
    if lang in ("id", "en"):
        return lang
    gaps = result.gaps
    if gaps is None or not len(gaps) or "unit" not in gaps.columns:
        return None
    votes = {"id": 0, "en": 0}
    for unit in gaps["unit"].dropna().astype(str).unique():
        for key in _UNIT_KEYS:
            in_id, in_en = tr(key, lang="id"), tr(key, lang="en")
            if in_id != in_en and unit == in_id:
                votes["id"] += 1
            elif in_id != in_en and unit == in_en:
                votes["en"] += 1
    if votes["id"] == votes["en"]:
        return None
    return "id" if votes["id"] > votes["en"] else "en"


# Units the analysis writes (translated); recognised to re-translate them and to tell the
# language of the stored messages.
_UNIT_KEYS = ("analysis.unit.puskesmas", "analysis.unit.pustu", "analysis.unit.posyandu",
              "analysis.unit.km", "analysis.unit.minutes", "analysis.unit.nakes",
              "analysis.unit.kader", "analysis.unit.share")


def _gap_value_text(row: dict) -> str | None:
    """"value 3 kader, threshold 5 kader" in the map's language (units re-translated)."""
    value, threshold = row.get("value"), row.get("threshold")
    if not is_finite(value):
        return None
    key = _unit_key(clean_text(row.get("unit")) or "")
    if key == "analysis.unit.share":  # shares read as percentages
        v = format_percent(float(value), 0)
        t = format_percent(float(threshold), 0) if is_finite(threshold) else None
        unit = ""
    else:
        unit = tr(key) if key else (clean_text(row.get("unit")) or "")
        v = plain_number(float(value))
        t = plain_number(float(threshold)) if is_finite(threshold) else None
    if t is not None:
        text = tr("webmap.gap.value_threshold", value=v, threshold=t, unit=unit)
    else:
        text = tr("webmap.gap.value", value=v, unit=unit)
    return " ".join(text.split())


def _unit_key(unit: str) -> str | None:
    """The i18n key of a unit written by the analysis (in either language; plain keys too)."""
    if not unit:
        return None
    low = unit.strip().lower()
    for key in _UNIT_KEYS:
        if low in (tr(key, lang="id").lower(), tr(key, lang="en").lower(),
                   key.rsplit(".", 1)[1]):
            return key
    return None


def gap_features(result: AnalysisResult, desa, desa_geoms, kec, kec_geoms, crs, tol,
                 messages_trusted: bool, names: dict[str, str]):
    """Gaps grouped per place (desa, kecamatan or facility), most severe first.

    Returns a :class:`GapLayers`.  A facility gap is one at a point (a project file stores
    the gap layer's points as one-part MultiPoints) or one without geometry naming a facility.
    """
    fields = [tr("area.kecamatan"), tr("webmap.field.priority_rank"),
              tr("webmap.field.priority_score"), tr("webmap.field.gaps_count")]
    gaps = result.gaps
    if gaps is None or not len(gaps):
        empty = '{"type":"FeatureCollection","features":[]}'
        return GapLayers(empty, empty, 0, 0, 0, 0, [], fields, 0)
    gaps = as_wgs84(gaps)
    desa_idx = {str(c): i for i, c in enumerate(desa["code"])}
    kec_idx = {str(c): i for i, c in enumerate(kec["code"])} if kec is not None else {}
    desa_rank = dict(zip(desa["code"].astype(str),
                         desa.get("priority_rank", [None] * len(desa)), strict=False))
    desa_score = dict(zip(desa["code"].astype(str),
                          desa.get("priority_score", [None] * len(desa)), strict=False))
    groups: dict[tuple, dict] = {}
    records = gaps.drop(columns=gaps.geometry.name).to_dict("records")
    geoms = gaps.geometry.values
    for row, geom in zip(records, geoms, strict=False):
        kind = clean_text(row.get("kind")) or "network_problem"
        geom = _as_point(geom)
        gtype = geom.geom_type if geom is not None and not geom.is_empty else None
        dcode, kcode, fid = (clean_text(row.get("desa_code")), clean_text(row.get("kecamatan_code")),
                             clean_text(row.get("fac_id")))
        if gtype == "Point" or (gtype is None and fid):
            key = ("3fac", fid or clean_text(row.get("gap_id")))
            name = names.get(str(fid)) or clean_text(row.get("fac_name")) or fid
        elif dcode in desa_idx and kind != "no_puskesmas":
            key = ("2desa", dcode)
            name = clean_text(row.get("desa_name"))
        elif kcode in kec_idx:
            key = ("1kec", kcode)
            name = clean_text(row.get("kecamatan_name"))
        else:
            key = ("2own", clean_text(row.get("gap_id")) or str(len(groups)))
            name = clean_text(row.get("desa_name")) or clean_text(row.get("kecamatan_name"))
        g = groups.setdefault(key, {"rows": [], "geom": geom, "name": name,
                                    "kec": clean_text(row.get("kecamatan_name"))})
        g["rows"].append(row)
        g["name"] = g["name"] or name
    props, out_geoms, present = [], [], set()
    pprops, pgeoms = [], []
    unplaced = n_fac_gaps = n_area_gaps = 0
    for key in sorted(groups, key=lambda k: (k[0], str(k[1]))):
        g = groups[key]
        rows = sorted(g["rows"], key=lambda r: (sym.GAP_SEVERITY.get(str(r.get("kind")), 99),
                                                number_or_inf(r.get("priority_rank"))))
        entries = []
        for r in rows:
            kind = clean_text(r.get("kind")) or "network_problem"
            if kind not in sym.GAP_STYLES:
                kind = "network_problem"
            present.add(kind)
            detail = (clean_text(r.get("message")) if messages_trusted else None) \
                or _gap_value_text(r)
            entries.append([kind, detail])
        ref = None
        if key[0] == "2desa":  # drawn with the desa layer's own geometry (no second copy)
            geom = desa_geoms[desa_idx[key[1]]]
            ref = ["desa", key[1]]
            rank, score = desa_rank.get(key[1]), desa_score.get(key[1])
            sub = tr("area.desa")
        elif key[0] == "1kec":
            geom = kec_geoms[kec_idx[key[1]]]
            ref = ["kecamatan", key[1]]
            rank, score = _min_rank(rows)
            sub = tr("area.kecamatan")
        else:
            geom = g["geom"]
            if geom is not None and geom.geom_type != "Point":
                geom = simplify_for_web(gpd.GeoSeries([geom], crs=model.WGS84), crs, tol,
                                        coverage=False)[0]
            elif geom is not None:
                geom = round_coords(np.array([geom], dtype=object))[0]
            rank, score = _min_rank(rows)
            sub = tr("webmap.gap_facility") if key[0] == "3fac" else tr("webmap.layer.gaps")
        if geom is None:  # nowhere to draw it (no geometry): said in the legend, not hidden
            unplaced += len(rows)
            continue
        if not is_finite(rank):
            rank, score = _min_rank(rows)
        prop = {"n": g["name"] or "–", "s": sub, "g": entries,
                "p": [g["kec"] if key[0] != "1kec" else None,
                      count_text(rank), format_value(score, "score") if is_finite(score)
                      else None, count_text(len(entries))]}
        if ref is not None:
            prop["r"] = ref
            geom = None
        if geom is not None and geom.geom_type == "Point":
            pgeoms.append(geom)
            pprops.append(prop)
            n_fac_gaps += len(entries)
        else:
            out_geoms.append(geom)
            props.append(prop)
            n_area_gaps += len(entries)
    ordered = [k for k in sym.GAP_KINDS if k in present]
    return GapLayers(feature_collection(out_geoms, props), feature_collection(pgeoms, pprops),
                     len(props), len(pprops), n_area_gaps, n_fac_gaps, ordered, fields,
                     unplaced)


@dataclass(frozen=True)
class GapLayers:
    """What :func:`gap_features` found: the two FeatureCollections (JSON text) and counts."""

    areas: str  # desa, kecamatan and other areas with gaps
    points: str  # facilities with gaps (one feature per facility)
    n_areas: int  # area features
    n_points: int  # facility features
    n_area_gaps: int  # gap rows drawn on areas
    n_point_gaps: int  # gap rows drawn at facilities (a facility may have several)
    kinds: list[str]  # gap kinds present, most severe first
    fields: list[str]  # popup field labels
    unplaced: int  # gap rows with no place to be drawn


def _as_point(geom):
    """A one-part MultiPoint as its Point (a several-part one as its first point)."""
    if geom is not None and not geom.is_empty and geom.geom_type == "MultiPoint":
        return geom.geoms[0]
    return geom


def _min_rank(rows: list[dict]) -> tuple[Any, Any]:
    best = min(rows, key=lambda r: number_or_inf(r.get("priority_rank")))
    return best.get("priority_rank"), best.get("priority_score")
