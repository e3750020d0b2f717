"""The orchestrator: ``analyze`` runs network, travel time, coverage, gaps and priorities;
``store_result`` / ``load_result`` keep an :class:`ilp_gis.results.AnalysisResult` in the
project.  Imports the domain modules of ``ilp_gis``, geopandas, networkx, numpy, pandas.
"""

from __future__ import annotations

import time
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.coverage import missing_pustu
from ilp_gis.errors import InputError
from ilp_gis.geo import population_points, utm_crs
from ilp_gis.i18n import get_language, register_catalog, tr
from ilp_gis.jobs import checkpoint
from ilp_gis.lokus import lokus_check, lokus_summary
from ilp_gis.posyandu import shortfall_summary, strata_check, strata_summary
from ilp_gis.project import Project
from ilp_gis.results import META_SUMMARY, RESULT_TABLES, AnalysisResult
from ilp_gis.rules import Rules

DESA_COLUMNS = [
    "code", "name", "kecamatan_code", "kecamatan_name", "population", "dusun_count",
    "n_puskesmas", "n_pustu", "n_pustu_precursor", "n_posyandu",
    "has_pustu", "pustu_required", "posyandu_needed", "posyandu_deficit", "pustu_nakes_ok", "kader_ok_share",
    "dist_pustu_km", "dist_puskesmas_km", "travel_pustu_min", "travel_puskesmas_min",
    "pop_within_pustu_km", "pop_within_puskesmas_km", "pop_within_pustu_min",
    "pop_within_puskesmas_min", "pop_served_capacity",
    "priority_score", "priority_rank", "priority_unserved", "priority_travel", "priority_burden",
    "gap_kinds", "gap_count", "pop_lon", "pop_lat",
    # additions beyond the contract
    "max_dist_pustu_km", "max_dist_puskesmas_km", "max_travel_pustu_min",
    "max_travel_puskesmas_min", "pop_served_capacity_puskesmas", "aki", "akb", "stunting",
]
PUSKESMAS, PUSTU, POSYANDU = (t.value for t in model.FacilityType)


def analyze(project: Project, *, rules: Rules | None = None, progress=None,
            is_cancelled=None) -> AnalysisResult:
    """Analyse ``project`` with ``rules`` (default: the project's own rules)."""
    from ilp_gis.coverage import compute_coverage, rollup_kecamatan, serving_mask
    from ilp_gis.gaps import GAP_KINDS, find_gaps, priorities
    from ilp_gis.network import build_network
    from ilp_gis.prepare import prepare_desa, prepare_facilities, prepare_kecamatan
    from ilp_gis.speed.arrow import map_values
    from ilp_gis.travel import build_road_graph, travel_field

    rules = rules or project.rules
    lang = get_language()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cpu0 = time.process_time()

    def step(fraction: float, key: str) -> None:
        checkpoint(progress, is_cancelled, fraction, tr(key))

    def stop(name: str, wall0: float, cpu_start: float) -> None:
        timings[name] = time.perf_counter() - wall0
        timings[name + "_cpu"] = time.process_time() - cpu_start

    if not project.has("desa"):
        raise InputError(tr("analysis.no_desa"))
    crs = utm_crs(project.desa)
    road = fields = None
    if project.has("roads"):
        # First, so that the KD-tree over the road vertices (built on another thread, without
        # the GIL) is made while the boundaries and facilities are prepared.
        step(0.0, "analysis.step.travel")
        t, c = time.perf_counter(), time.process_time()
        road = build_road_graph(project.roads, crs, rules)
        stop("road_graph", t, c)
    step(0.15, "analysis.step.prepare")
    t, c = time.perf_counter(), time.process_time()
    kec_in = project.kecamatan if project.has("kecamatan") else None
    desa = prepare_desa(project.desa, kec_in, crs)
    kec = prepare_kecamatan(kec_in, desa, crs)
    fac = prepare_facilities(project.facilities, desa, kec, crs)
    settlements = project.settlements if project.has("settlements") else None
    points = population_points(desa, settlements, crs=crs)
    stop("prepare", t, c)

    if road is not None:
        step(0.3, "analysis.step.travel_time")
        t, c = time.perf_counter(), time.process_time()
        fields = {}
        for ftype in (PUSKESMAS, PUSTU):
            sel = serving_mask(fac, ftype)
            fields[ftype] = travel_field(road, fac.loc[sel, ["x", "y"]].to_numpy(float))
        stop("travel_time", t, c)
    step(0.35, "analysis.step.network")
    t, c = time.perf_counter(), time.process_time()
    net = build_network(fac, rules=rules, road=road, fields=fields, lang=lang)
    stop("network", t, c)

    step(0.55, "analysis.step.coverage")
    t, c = time.perf_counter(), time.process_time()
    cov = compute_coverage(desa, fac, points, rules, road=road, fields=fields)
    stop("coverage", t, c)

    step(0.75, "analysis.step.gaps")
    t, c = time.perf_counter(), time.process_time()
    pr = priorities(cov.desa, rules)
    dcov = cov.desa.assign(**{c: pr[c].to_numpy() for c in pr.columns})
    desa_w = _in_wgs84(dcov, desa)
    kec_w = _in_wgs84(kec, kec)
    fac_w = _in_wgs84(fac, fac)
    kec_w["n_puskesmas"] = map_values(kec_w["code"], fac.loc[
        fac["type"] == PUSKESMAS, "kecamatan_code"].value_counts()).fillna(0).astype(int)
    gaps = find_gaps(desa_w, kec_w, fac_w, cov.facilities, net.problems, rules, lang=lang)
    sev = {k: i for i, k in enumerate(GAP_KINDS)}
    kinds = gaps.loc[gaps["desa_code"].notna(), ["desa_code", "kind"]].drop_duplicates()
    kinds = kinds.assign(_s=kinds["kind"].map(sev)).sort_values(["desa_code", "_s"])
    per_desa: dict[str, str] = {}
    for code, kind in zip(kinds["desa_code"].to_numpy(object).tolist(),
                          kinds["kind"].to_numpy(object).tolist(), strict=True):
        per_desa[code] = per_desa[code] + ";" + kind if code in per_desa else kind
    desa_w["gap_kinds"] = [per_desa.get(c, "") for c in desa_w["code"].to_numpy(object).tolist()]
    desa_w["gap_count"] = map_values(desa_w["code"], gaps["desa_code"].value_counts()).fillna(
        0).astype(np.int64)
    desa_w = desa_w[DESA_COLUMNS + ["geometry"]]
    kecamatan = rollup_kecamatan(desa_w, kec_w, fac, gaps)
    stop("gaps", t, c)

    step(0.9, "analysis.step.summary")
    summary = make_summary(desa_w, fac, net, gaps, cov.coe, rules, roads=road is not None)
    strata = strata_check(fac, rules)
    lokus = lokus_check(fac, rules, _kabupaten_names(project))
    summary["posyandu_strata"] = strata_summary(strata)
    summary["lokus"] = lokus_summary(lokus)
    summary["posyandu_shortfall"] = shortfall_summary(desa_w)
    timings["total"] = time.perf_counter() - t0
    timings["cpu_total"] = time.process_time() - cpu0
    summary["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    summary["crs_metric"] = crs.to_string()
    summary["lang"] = lang  # the language of the messages in gaps and network_problems
    step(1.0, "analysis.step.done")
    return AnalysisResult(desa=desa_w, kecamatan=kecamatan, gaps=gaps, graph=net.graph,
                          edges=net.edges, network_problems=net.problems, summary=summary,
                          coe=cov.coe, strata=strata, lokus=lokus)


def _kabupaten_names(project: Project) -> dict[str, str]:
    """Kabupaten code → name from the project's kabupaten layer (empty without one)."""
    if not project.has("kabupaten"):
        return {}
    kab = project.kabupaten
    if "code" not in kab or "name" not in kab:
        return {}
    return {str(c): str(n) for c, n in zip(kab["code"], kab["name"], strict=True)
            if isinstance(c, str) and c}


def _in_wgs84(frame: gpd.GeoDataFrame, prepared: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with the WGS84 geometry kept by ``ilp_gis.prepare`` (same rows, same order).

    Only the geometry column is replaced, on a copy-on-write shallow copy: no other column is
    copied (the ``geom_wgs84`` column stays, equal to the geometry)."""
    from geopandas.array import GeometryArray

    from ilp_gis.prepare import WGS84_COLUMN

    geoms = GeometryArray(np.asarray(prepared[WGS84_COLUMN].values, dtype=object),
                          crs=model.WGS84)
    out = gpd.GeoDataFrame(frame.copy(deep=False))
    out[frame.geometry.name] = gpd.GeoSeries(geoms, index=frame.index)
    return out.set_crs(model.WGS84, allow_override=True)


def make_summary(desa: pd.DataFrame, fac: pd.DataFrame, net, gaps: pd.DataFrame,
                 coe: pd.DataFrame, rules: Rules, *, roads: bool) -> dict[str, Any]:
    pop = desa["population"]
    types = fac["type"].value_counts()
    problems = net.problems[net.problems["severity"] == "problem"]["kind"].value_counts()
    info = net.problems[net.problems["severity"] == "info"]["kind"].value_counts()
    links = net.edges["link"].value_counts() if len(net.edges) else pd.Series(dtype=int)

    def total(col: str) -> float | None:
        s = desa[col]
        return None if s.isna().all() else float(s.sum())

    summary: dict[str, Any] = {
        "desa_total": int(len(desa)),
        "desa_without_pustu": int(missing_pustu(desa).sum()),
        "desa_pustu_not_required": int((~desa["pustu_required"].astype(bool)).sum()),
        "desa_without_posyandu": int((desa["n_posyandu"] == 0).sum()),
        "kecamatan_without_puskesmas": int((gaps["kind"] == "no_puskesmas").sum()),
        "facility_counts": {t: int(types.get(t, 0)) for t in (PUSKESMAS, PUSTU, POSYANDU)},
        "pustu_precursors": int(desa["n_pustu_precursor"].sum()),
        "facilities_outside_boundaries": int((~fac["inside"].astype(bool)).sum()),
        "network_problems": {k: int(v) for k, v in problems.items()},
        "network_info": {k: int(v) for k, v in info.items()},
        "network_links": {k: int(v) for k, v in links.items()},
        "population_total": None if pop.isna().all() else float(pop.sum()),
        "population_known_desa": int(pop.notna().sum()),
        "population_within_distance": {PUSTU: total("pop_within_pustu_km"),
                                       PUSKESMAS: total("pop_within_puskesmas_km")},
        "population_served_capacity": {PUSTU: total("pop_served_capacity"),
                                       PUSKESMAS: total("pop_served_capacity_puskesmas")},
        "coe_meeting_threshold": int(coe["meets"].fillna(False).astype(bool).sum()),
        "coe_total": int(len(coe)),
        "gaps_total": int(len(gaps)),
        "gaps_by_kind": {k: int(v) for k, v in gaps["kind"].value_counts().items()},
        "rules_origin": rules.origin,
    }
    if roads:
        summary["population_within_travel_time"] = {
            PUSTU: total("pop_within_pustu_min"), PUSKESMAS: total("pop_within_puskesmas_min")}
    return summary


# --- storing and loading -------------------------------------------------------------------------
def store_result(project: Project, result: AnalysisResult) -> None:
    """Put the result tables into ``project`` (saved with it) and the summary into meta."""
    project.set_table(RESULT_TABLES["desa"], result.desa)
    project.set_table(RESULT_TABLES["kecamatan"], result.kecamatan)
    project.set_table(RESULT_TABLES["gaps"], result.gaps)
    project.set_table(RESULT_TABLES["edges"], _edges_with_nodes(result))
    project.set_table(RESULT_TABLES["network_problems"], result.network_problems)
    if result.coe is not None:
        project.set_table("result_coe", result.coe)
    for name, table in (("result_posyandu_strata", result.strata),
                        ("result_lokus", result.lokus)):
        if table is not None:
            project.set_table(name, table)
    project.set_meta_json(META_SUMMARY, result.summary)
    project.changed.emit(META_SUMMARY)


def _edges_with_nodes(result: AnalysisResult) -> gpd.GeoDataFrame:
    """Edges plus one row per facility without any edge (parent_id empty) so the graph comes
    back complete from a saved project."""
    e = result.edges.copy()
    linked = set(e["parent_id"]) | set(e["child_id"])
    lonely = [n for n in result.graph.nodes if n not in linked]
    if lonely:
        extra = pd.DataFrame({"parent_id": None, "child_id": lonely})
        e = pd.concat([e, extra], ignore_index=True)
        e = gpd.GeoDataFrame(e, geometry="geometry", crs=model.WGS84)
    attrs = result.graph.nodes
    for side in ("parent", "child"):
        ids = e[f"{side}_id"]
        for key in ("type", "name", "desa_code", "kecamatan_code", "lon", "lat"):
            e[f"{side}_{key}"] = [attrs[i].get(key) if i in attrs else None for i in ids]
    return e


def load_result(project: Project) -> AnalysisResult | None:
    """The stored result of ``project``, or None when it was never analysed."""
    t = project.tables
    if RESULT_TABLES["desa"] not in t:
        return None
    desa = t[RESULT_TABLES["desa"]].copy()
    for col in ("has_pustu",):
        if col in desa:
            desa[col] = desa[col].astype("boolean").fillna(False).astype(bool)
    if "pustu_required" in desa:  # results stored before the rule: every desa needs a Pustu
        desa["pustu_required"] = desa["pustu_required"].astype("boolean").fillna(True).astype(bool)
    if "pustu_nakes_ok" in desa:
        desa["pustu_nakes_ok"] = pd.to_numeric(desa["pustu_nakes_ok"], errors="coerce").astype(
            "Int8").astype("boolean")
    for col in ("gap_kinds",):
        if col in desa:
            desa[col] = desa[col].fillna("")
    edges = t.get(RESULT_TABLES["edges"])
    g = nx.DiGraph()
    if edges is not None and len(edges):
        for side in ("parent", "child"):
            rows = edges.dropna(subset=[f"{side}_id"]).drop_duplicates(f"{side}_id")
            for r in rows.to_dict("records"):
                g.add_node(r[f"{side}_id"], **{k: _clean(r.get(f"{side}_{k}")) for k in (
                    "type", "name", "desa_code", "kecamatan_code", "lon", "lat")})
        real = edges.dropna(subset=["parent_id"])
        for r in real.to_dict("records"):
            g.add_edge(r["parent_id"], r["child_id"], distance_m=_clean(r.get("distance_m")),
                       travel_min=_clean(r.get("travel_min")), link=r.get("link"),
                       source=r.get("source"))
        keep = [c for c in ("parent_id", "child_id", "distance_m", "travel_min", "link", "source",
                            "parent_type", "child_type", "geometry") if c in edges.columns]
        edges_out = edges.loc[edges["parent_id"].notna(), keep].reset_index(drop=True)
    else:
        edges_out = edges
    problems = t.get(RESULT_TABLES["network_problems"], pd.DataFrame(
        columns=["kind", "fac_ids", "message", "severity"]))
    gaps = t.get(RESULT_TABLES["gaps"])
    gaps = gaps.copy() if gaps is not None else None
    if gaps is not None and "priority_rank" in gaps:
        gaps["priority_rank"] = pd.to_numeric(gaps["priority_rank"]).astype("Int64")
    return AnalysisResult(desa=desa, kecamatan=t.get(RESULT_TABLES["kecamatan"]), gaps=gaps,
                          graph=g, edges=edges_out, network_problems=problems,
                          summary=project.meta_json(META_SUMMARY, {}) or {},
                          coe=t.get("result_coe"), strata=t.get("result_posyandu_strata"),
                          lokus=t.get("result_lokus"))


def _clean(v):
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


register_catalog("ilp_gis", "analysis")
