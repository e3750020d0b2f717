"""What the map's layers show: the popup fields and per-feature properties of the desa,
kecamatan, facility and network-edge layers.

May import ``ilp_gis`` (model, results, i18n), ``layers.symbology`` and ``reports.webmap``
(indicators, values).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.inputs import missing_text
from ilp_gis.population import is_estimate
from ilp_gis.results import AnalysisResult
from layers import symbology as sym
from reports.population import estimate_mark
from reports.webmap.indicators import ColourField
from reports.webmap.values import (
    clean_text,
    clean_texts,
    count_text,
    count_texts,
    format_value,
    is_finite,
    memo_texts,
    number_or_zero,
    objects,
    value_texts,
    yes_no,
)

register_catalog("reports", "webmap.layers")


def field_missing(field: ColourField, inputs) -> list[str]:
    """The inputs the colour ``field`` lacks (its numerator and denominator columns)."""
    from ilp_gis.indicators import DESA_SHARES

    if inputs is None:
        return []
    columns = DESA_SHARES.get(field.key, (field.key,))
    return list(dict.fromkeys(i for c in columns for i in inputs.column_missing(c)))


def _columns(frame: pd.DataFrame, names) -> dict[str, list]:
    """Each named column of ``frame`` as a list (all None where the frame has no such column)."""
    return {n: frame[n].tolist() if n in frame.columns else [None] * len(frame) for n in names}


def _posyandu_vs_needed(posy: str | None, need: str | None) -> str | None:
    return f"{posy or '–'} / {need}" if need is not None else posy


def _missing_says(inputs, columns) -> dict[str, str]:
    """Column -> "tidak ada data — muat ..." for the columns whose input was never loaded."""
    if inputs is None:
        return {}
    return {c: missing_text(m) for c in columns if (m := inputs.column_missing(c))}


def desa_props(desa: gpd.GeoDataFrame, field: ColourField, values: np.ndarray,
               colours: list[str], *, inputs=None) -> tuple[list[str], list[dict]]:
    """Popup fields and per-desa values; ``inputs`` (an :class:`ilp_gis.inputs.Inventory`)
    makes a figure whose input was never loaded say so instead of a number."""
    fields = [tr("area.kecamatan"), tr("webmap.field.code"), tr("webmap.field.population"),
              tr("facility.puskesmas"), tr("facility.pustu"), tr("webmap.field.precursors"),
              tr("webmap.field.posyandu_vs_needed"), tr("webmap.field.dist_pustu"),
              tr("webmap.field.travel_pustu"), field.label, tr("webmap.field.priority_rank"),
              tr("webmap.field.gaps")]
    c = {n: objects(desa, n) for n in (
        "code", "name", "kind", "kecamatan_name", "population", "n_puskesmas", "n_pustu",
        "n_pustu_precursor", "n_posyandu", "posyandu_needed", "dist_pustu_km",
        "travel_pustu_min", "priority_rank", "gap_kinds", "population_source")}
    say = _missing_says(inputs, ("population", "n_puskesmas", "n_pustu", "n_pustu_precursor",
                                 "n_posyandu", "posyandu_needed", "dist_pustu_km",
                                 "travel_pustu_min"))
    n = len(desa)

    def said(col, texts):  # "tidak ada data ..." in every row for an input never loaded
        return [say[col]] * n if say.get(col) else texts

    def kind_label(kind):
        kind = clean_text(kind)
        return tr(f"webmap.kind.{kind}") if kind in ("desa", "kelurahan") else tr("area.desa")

    def gaps_text(text):
        gaps = [k for k in str(text or "").split(";") if k]
        return ", ".join(tr(f"gap.{k}") for k in gaps) if gaps else tr("webmap.no_gaps")

    code, name, kec = clean_texts(c["code"]), clean_texts(c["name"]), clean_texts(
        c["kecamatan_name"])
    mark = f" ({estimate_mark()})"
    people = [t + mark if t is not None and is_estimate(src) else t
              for t, src in zip(count_texts(c["population"]), c["population_source"],
                                strict=True)]
    precursors = [t if number_or_zero(v) else None
                  for t, v in zip(count_texts(c["n_pustu_precursor"]), c["n_pustu_precursor"],
                                  strict=True)]
    posyandu = (said("n_posyandu", None) if say.get("n_posyandu")
                else said("posyandu_needed", None) if say.get("posyandu_needed")
                else [_posyandu_vs_needed(a, b) for a, b in zip(
                    count_texts(c["n_posyandu"]), count_texts(c["posyandu_needed"]),
                    strict=True)])
    dist = value_texts(c["dist_pustu_km"], "km")
    travel = value_texts(c["travel_pustu_min"], "min")
    columns = zip(
        kec, code, said("population", people), said("n_puskesmas", count_texts(
            c["n_puskesmas"])), said("n_pustu", count_texts(c["n_pustu"])),
        [None] * n if "n_pustu_precursor" in say else precursors, posyandu,
        said("dist_pustu_km", dist), said("travel_pustu_min", travel),
        [field.format(v) for v in values], count_texts(c["priority_rank"]),
        memo_texts(gaps_text, c["gap_kinds"]), strict=True)
    props = [{"c": cd, "n": nm or "–", "k": k, "s": sub, "col": col, "p": list(p)}
             for cd, nm, k, sub, col, p in zip(code, name, kec, memo_texts(kind_label, c["kind"]),
                                               colours, columns, strict=True)]
    return fields, props


def kecamatan_props(kec: gpd.GeoDataFrame, roll: pd.DataFrame | None, *, inputs=None):
    fields = [tr("webmap.field.code"), tr("webmap.field.desa_total"),
              tr("webmap.field.desa_without_pustu"), tr("facility.puskesmas"),
              tr("facility.pustu"), tr("webmap.field.posyandu_vs_needed"),
              tr("webmap.field.population"), tr("webmap.field.gaps_count")]
    rows: dict[str, dict] = {}
    if roll is not None and len(roll) and "code" in roll.columns:
        rows = {str(r["code"]): r for r in roll.to_dict("records")}
    say = _missing_says(inputs, ("desa_without_pustu", "n_puskesmas", "n_pustu", "posyandu",
                                 "posyandu_needed", "population"))
    props = []
    for code, name in zip(kec["code"], kec["name"], strict=False):
        r = rows.get(str(code), {})
        posy, need = count_text(r.get("posyandu")), count_text(r.get("posyandu_needed"))
        props.append({"c": clean_text(code), "n": clean_text(name) or "–",
                      "s": tr("area.kecamatan"),
                      "p": [clean_text(code), count_text(r.get("desa_total")),
                            say.get("desa_without_pustu")
                            or count_text(r.get("desa_without_pustu")),
                            say.get("n_puskesmas") or count_text(r.get("n_puskesmas")),
                            say.get("n_pustu") or count_text(r.get("n_pustu")),
                            say.get("posyandu") or say.get("posyandu_needed")
                            or _posyandu_vs_needed(posy, need),
                            say.get("population") or count_text(r.get("population")),
                            count_text(r.get("gap_count"))]})
    return fields, props


def kecamatan_names(desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame | None) -> dict[str, str]:
    names: dict[str, str] = {}
    if "kecamatan_code" in desa.columns and "kecamatan_name" in desa.columns:
        names.update({str(c): n for c, n in zip(desa["kecamatan_code"], desa["kecamatan_name"],
                                                strict=False) if clean_text(n)})
    if kec is not None:
        names.update({str(c): n for c, n in zip(kec["code"], kec["name"], strict=False)
                      if clean_text(n)})
    return names


def facility_names(fac: gpd.GeoDataFrame | None, result: AnalysisResult) -> dict[str, str]:
    names: dict[str, str] = {}
    graph = getattr(result, "graph", None)
    if graph is not None:
        names.update({str(n): str(d.get("name")) for n, d in graph.nodes(data=True)
                      if d.get("name")})
    if fac is not None:
        names.update({str(i): str(n) for i, n in zip(fac["fac_id"], fac["name"], strict=False)
                      if clean_text(n)})
    return names


def facility_parents(fac: gpd.GeoDataFrame, result: AnalysisResult, names: dict[str, str]):
    """fac_id → (parent name, link kind or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    for fid, pid, pname in zip(fac["fac_id"], fac.get("parent_id", [None] * len(fac)),
                               fac.get("parent_name", [None] * len(fac)), strict=False):
        name = names.get(str(pid)) if clean_text(pid) else None
        name = name or clean_text(pname)
        if name:
            out[str(fid)] = (name, None)
    edges = result.edges
    if edges is not None and len(edges) and {"parent_id", "child_id"} <= set(edges.columns):
        links = edges["link"] if "link" in edges.columns else [None] * len(edges)
        for pid, cid, link in zip(edges["parent_id"], edges["child_id"], links, strict=False):
            out[str(cid)] = (names.get(str(pid), str(pid)), clean_text(link))
    return out


def facility_fields() -> list[str]:
    return [tr("area.desa"), tr("area.kecamatan"), tr("webmap.field.parent"),
            tr("webmap.field.nakes"), tr("webmap.field.nurses"), tr("webmap.field.midwives"),
            tr("webmap.field.kader"), tr("webmap.field.level"), tr("webmap.field.sessions"),
            tr("webmap.field.ilp_lokus"), tr("webmap.field.coe"), tr("webmap.field.fac_code")]


def facility_props(sub: gpd.GeoDataFrame, parents, desa_names, kec_names,
                   ftype_of_layer: str) -> list[dict]:
    c = _columns(sub, ("fac_id", "name", "type", "type_original", "precursor", "desa_code",
                       "kecamatan_code", "nakes", "nurses", "midwives", "kader", "level",
                       "sessions_per_year", "ilp_lokus", "coe", "code", "location_quality"))
    props = []
    type_label = tr(f"facility.{ftype_of_layer}") if ftype_of_layer in sym.FACILITY_STYLES else None
    for i in range(len(sub)):
        ftype = str(c["type"][i] or "").lower()
        pre = bool(c["precursor"][i]) if clean_text(c["precursor"][i]) is not None else False
        if ftype in ("puskesmas", "pustu", "posyandu"):
            sub_label = tr(f"facility.{ftype}")
        else:
            sub_label = tr("webmap.fac_unknown_type", type=clean_text(c["type"][i]) or "–")
        if pre:
            sub_label = tr("webmap.fac_precursor", original=clean_text(c["type_original"][i])
                           or tr("symbology.precursor"))
        by_desa = clean_text(c["location_quality"][i]) == "desa"
        if by_desa:  # the popup says why the symbol is hollow and where it stands
            sub_label = f"{sub_label} — {tr('location_quality.desa')}"
        parent = parents.get(str(c["fac_id"][i]))
        parent_text = None
        if parent:
            parent_text = parent[0]
            if parent[1] == "inferred":
                parent_text += " " + tr("webmap.parent_inferred")
            elif parent[1] == "direct_to_puskesmas":
                parent_text += " " + tr("webmap.parent_direct")
        level = clean_text(c["level"][i])
        if level and level.lower() in {lv.value for lv in model.PosyanduLevel}:
            level = tr(f"posyandu_level.{level.lower()}")
        props.append({
            "n": clean_text(c["name"][i]) or clean_text(c["fac_id"][i]) or "–",
            **({"s": sub_label} if sub_label != type_label else {}),
            **({"pre": True} if pre else {}),
            **({"dl": True} if by_desa else {}),
            "p": [desa_names.get(str(c["desa_code"][i])) or clean_text(c["desa_code"][i]),
                  kec_names.get(str(c["kecamatan_code"][i])) or clean_text(c["kecamatan_code"][i]),
                  parent_text, count_text(c["nakes"][i]), count_text(c["nurses"][i]),
                  count_text(c["midwives"][i]), count_text(c["kader"][i]), level,
                  count_text(c["sessions_per_year"][i]),
                  yes_no(c["ilp_lokus"][i]) if ftype == "puskesmas" else None,
                  yes_no(c["coe"][i]) if ftype in ("puskesmas", "pustu") else None,
                  clean_text(c["code"][i])],
        })
    return props


def edge_props(edges: gpd.GeoDataFrame, names: dict[str, str]) -> tuple[list[str], list[dict]]:
    fields = [tr("webmap.field.distance"), tr("webmap.field.travel")]
    pid, cid, link, dist, travel = _columns(edges, (
        "parent_id", "child_id", "link", "distance_m", "travel_min")).values()
    props = []
    for i in range(len(edges)):
        lk = clean_text(link[i])
        props.append({
            "l": lk, "n": f"{names.get(str(pid[i]), clean_text(pid[i]) or '–')} → "
                          f"{names.get(str(cid[i]), clean_text(cid[i]) or '–')}",
            "p": [format_value(float(dist[i]) / 1000.0, "km") if is_finite(dist[i]) else None,
                  format_value(travel[i], "min") if is_finite(travel[i]) else None],
        })
    return fields, props
