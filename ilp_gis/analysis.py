"""The orchestrator: ``analyze`` runs network, travel time, coverage, gaps and priorities;
``store_result`` / ``load_result`` keep an :class:`ilp_gis.results.AnalysisResult` in the
project.  Imports the domain modules of ``ilp_gis``, geopandas, networkx, numpy, pandas.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from ilp_gis import coe, location, model
from ilp_gis.coverage import missing_pustu
from ilp_gis.errors import InputError
from ilp_gis.geo import population_points, utm_crs
from ilp_gis.i18n import get_language, register_catalog, tr
from ilp_gis.jobs import Cancelled, checkpoint
from ilp_gis.lokus import lokus_check, lokus_summary
from ilp_gis.network import findings
from ilp_gis.population import population_sources
from ilp_gis.posyandu import shortfall_summary, strata_check, strata_summary
from ilp_gis.project import Project
from ilp_gis.results import META_SUMMARY, RESULT_TABLES, AnalysisResult
from ilp_gis.rules import Rules
from ilp_gis.speed.graphs import LazyDiGraph, graph_columns
from ilp_gis.speed.threads import in_background

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
    "population_source",
    # facilities known by count (per-desa tables, ilp_gis.desa_counts)
    "pustu_count_source", "posyandu_count_source", "n_pustu_table", "n_posyandu_table",
    "count_disagreement", "area_units", "area_units_basis", "posyandu_per_area",
]
PUSKESMAS, PUSTU, POSYANDU = (t.value for t in model.FacilityType)


def analyze(project: Project, *, rules: Rules | None = None, progress=None,
            is_cancelled=None, indicators: coe.IndicatorList | None = None,
            ground: dict | None = None, nearest=None, keep: dict | None = None,
            prepare_fn=None, done_with=None, stages: dict | None = None) -> AnalysisResult:
    """Analyse ``project`` with ``rules`` (default: the project's own rules) and the COE
    ``indicators`` (default: the project's list, :func:`project_indicators`).

    For :mod:`ilp_gis.incremental`: ``ground`` (the ``keep`` of an earlier run on the same desa,
    kecamatan, roads, settlements and rules) reuses that run's edit-independent stages (road
    graph, prepared boundaries, population points); ``nearest`` is handed to
    :func:`ilp_gis.coverage.compute_coverage`; ``prepare_fn`` stands for
    :func:`ilp_gis.prepare.prepare_facilities`; ``keep``, a dict, receives this run's stages;
    ``stages`` maps a stage's name (``build_network``, ``coe_units``, ``find_gaps``,
    ``strata_check``, ``lokus_check``) to a function of the same signature standing for it.
    ``done_with``, when given, is called with the names of the input layers the analysis has
    finished reading (``("roads",)`` once the road graph is being built from them (the build
    holds the frame until it has read the lines), ``("settlements",)`` once
    the population points are placed), so that a caller that needs them no more can let go of
    their memory before the later stages run."""
    from ilp_gis.coverage import compute_coverage, rollup_kecamatan, serving_mask
    from ilp_gis.gaps import GAP_KINDS, find_gaps, priorities
    from ilp_gis.inputs import inventory
    from ilp_gis.network import build_network
    from ilp_gis.prepare import prepare_desa, prepare_facilities, prepare_kecamatan
    from ilp_gis.speed.arrow import map_values, stable_order
    from ilp_gis.travel import travel_field

    stage = _stages(stages, build_network=build_network, coe_units=coe.coe_units,
                    find_gaps=find_gaps, strata_check=strata_check, lokus_check=lokus_check)
    rules = rules or project.rules
    lang = get_language()
    inputs = inventory(project, rules)
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
    crs = ground["crs"] if ground else utm_crs(project.desa)
    road = fields = road_job = None
    if ground:
        road = ground["road"]
    elif project.has("roads"):
        # The road graph (numpy sorts, PROJ, geodesics and a KD-tree: mostly without the GIL)
        # is built on the second core while the boundaries and facilities (pandas: mostly
        # with the GIL) are prepared; both read only their own inputs.
        step(0.0, "analysis.step.travel")
        road_job = in_background(_timed, _road_graph_of, [project.roads], crs, rules)
        if done_with is not None:  # the job holds the frame until it has read its lines
            done_with(("roads",))
    step(0.15, "analysis.step.prepare")
    t, c = time.perf_counter(), time.thread_time()
    try:
        if ground:
            desa, kec, points = ground["desa"], ground["kec"], ground["points"]
        else:
            kec_in = project.kecamatan if project.has("kecamatan") else None
            desa = prepare_desa(project.desa, kec_in, crs)
            kec = prepare_kecamatan(kec_in, desa, crs)
            settlements = project.settlements if project.has("settlements") else None
            points = population_points(desa, settlements, crs=crs)
            del settlements
            if done_with is not None:
                done_with(("settlements",))
        fac = (prepare_fn or prepare_facilities)(project.facilities, desa, kec, crs)
        fac = location.coverage_positions(fac, points, rules)
    except Exception as exc:
        if road_job is not None and not isinstance(exc, Cancelled):
            road_job.result()  # a fault of the road layer is reported first, as before
        raise
    prepare_end = time.perf_counter()
    timings["prepare"] = prepare_end - t
    timings["prepare_cpu"] = time.thread_time() - c  # this thread's share (the road graph
    # runs beside it; the total CPU below counts both)
    if road_job is not None:
        road, (r_start, r_end, r_cpu) = road_job.result()
        timings["road_graph"] = r_end - r_start
        timings["road_graph_cpu"] = r_cpu
        # seconds the road graph and the preparation ran at the same time (wall)
        timings["road_graph_overlap"] = max(0.0, min(r_end, prepare_end) - max(r_start, t))
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
    net = stage["build_network"](fac, rules=rules, road=road, fields=fields, lang=lang)
    net.problems = _checked_problems(net.problems, inputs)
    stop("network", t, c)

    step(0.55, "analysis.step.coverage")
    t, c = time.perf_counter(), time.process_time()
    cov = compute_coverage(desa, fac, points, rules, road=road, fields=fields, nearest=nearest)
    indicators = indicators or project_indicators(project)
    units = stage["coe_units"](fac, net.edges, indicators,
                          rules.value("target.coe_threshold"),
                          project.tables.get(coe.ASSESSMENT_TABLE))
    cov.facilities = coe.with_units(cov.facilities, units)
    if keep is not None:
        keep.update(crs=crs, road=road, desa=desa, kec=kec, points=points, fac=fac,
                    fields=fields, cov=cov, rules=rules)
    has_roads = road is not None
    # the road graph, travel fields and population points are not read after coverage: let
    # them go before the later stages build their tables (peak memory of a national run)
    road = fields = points = None
    stop("coverage", t, c)

    step(0.75, "analysis.step.gaps")
    t, c = time.perf_counter(), time.process_time()
    pr = priorities(cov.desa, rules, inputs=inputs)
    dcov = cov.desa.assign(**{c: pr[c].to_numpy() for c in pr.columns})
    desa_w = _in_wgs84(dcov, desa)
    kec_w = _in_wgs84(kec, kec)
    fac_w = _in_wgs84(fac, fac)
    kec_w["n_puskesmas"] = map_values(kec_w["code"], fac.loc[
        fac["type"] == PUSKESMAS, "kecamatan_code"].value_counts()).fillna(0).astype(int)
    gaps = stage["find_gaps"](desa_w, kec_w, fac_w, cov.facilities, net.problems, rules,
                              lang=lang, inputs=inputs)
    sev = {k: i for i, k in enumerate(GAP_KINDS)}
    kinds = gaps.loc[gaps["desa_code"].notna(), ["desa_code", "kind"]].drop_duplicates()
    kinds = kinds.assign(_s=map_values(kinds["kind"], pd.Series(sev)).astype(float))
    kinds = kinds.take(stable_order(kinds, ["desa_code", "_s"]))
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
    t, c = time.perf_counter(), time.process_time()
    summary = make_summary(desa_w, fac, net, gaps, units, rules, roads=has_roads,
                           inputs=inputs)
    strata = stage["strata_check"](fac, rules)
    lokus = stage["lokus_check"](fac, rules, _kabupaten_names(project))
    summary["coe_indicators"] = {
        "origin": indicators.origin, "total": len(indicators.indicators),
        "unconfirmed": sum(not i.confirmed for i in indicators.indicators),
        "per_group": {g.value: indicators.count(g.value) for g in model.CoeGroup}}
    summary["posyandu_strata"] = strata_summary(strata)
    summary["lokus"] = lokus_summary(lokus)
    summary["posyandu_shortfall"] = shortfall_summary(desa_w)
    stop("summary", t, c)  # the figures, the Posyandu strata and the lokus checks
    timings["total"] = time.perf_counter() - t0
    timings["cpu_total"] = time.process_time() - cpu0
    summary["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    summary["crs_metric"] = crs.to_string()
    summary["lang"] = lang  # the language of the messages in gaps and network_problems
    step(1.0, "analysis.step.done")
    return AnalysisResult(desa=desa_w, kecamatan=kecamatan, gaps=gaps, graph=net.graph,
                          edges=net.edges, network_problems=net.problems, summary=summary,
                          coe=units, strata=strata, lokus=lokus)


def _road_graph_of(box: list, crs, rules):
    """The road graph of the frame in the one-element list ``box``, taken out of it so that
    the frame goes once :func:`build_road_graph` has read it."""
    from ilp_gis.travel import build_road_graph

    return build_road_graph(box.pop(), crs, rules)


def _timed(fn, *args):
    """``(fn(*args), (start, end, cpu))``: the wall clock at its start and end and the CPU
    seconds of the thread that ran it (helper threads it starts are not counted)."""
    start, cpu = time.perf_counter(), time.thread_time()
    out = fn(*args)
    return out, (start, time.perf_counter(), time.thread_time() - cpu)


def _stages(given: dict | None, **default) -> dict:
    """The stage functions of one run: ``default`` with those ``given`` put in their place."""
    return {**default, **{k: v for k, v in (given or {}).items() if k in default}}


def project_indicators(project: Project) -> coe.IndicatorList:
    """The COE indicator list the project keeps (meta ``coe_indicators_toml``, set when the
    planner chose a file), else the default list."""
    text = project.meta.get(coe.META_INDICATORS) if hasattr(project, "meta") else None
    if isinstance(text, str) and text.strip():
        return coe.parse_indicators(text, origin=tr("analysis.coe_indicators_project"))
    return coe.default_indicators()


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
                 coe: pd.DataFrame, rules: Rules, *, roads: bool, inputs=None) -> dict[str, Any]:
    """The figures of summary.json.  A figure whose input was never loaded (``inputs``, an
    :class:`ilp_gis.inputs.Inventory`) is null and named under ``missing`` with the inputs it
    lacks; the gap checks that were not made are under ``gaps_not_checked``."""
    from ilp_gis import location
    from ilp_gis.inputs import Inventory

    inputs = inputs or Inventory.everything()
    if "location_quality" not in fac:
        fac = fac.assign(location_quality=location.qualities(fac))
    pop = desa["population"]
    types = fac["type"].value_counts()
    problems = findings(net.problems, "problem")["kind"].value_counts()
    info = findings(net.problems, "info")["kind"].value_counts()
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
        "facilities_outside_boundaries": int((~fac["inside"].astype(bool) & (
            fac["location_quality"] != location.UNKNOWN)).sum()),
        "facilities_by_location_quality": {
            q.value: int((fac["location_quality"] == q.value).sum())
            for q in model.LocationQuality},
        # left out of distance and travel-time coverage (known only by their desa, or
        # unlocated); counted in every administrative figure all the same
        "facilities_without_coordinates": location.without_coordinates(
            fac["type"], fac["location_quality"].to_numpy(object), rules),
        "place_desa_facilities": location.place_desa_facilities(rules),
        "facilities_placed_at_desa_point": location.estimated_counts(
            fac["type"], fac["location_quality"].to_numpy(object), rules),
        "network_problems": {k: int(v) for k, v in problems.items()},
        "network_info": {k: int(v) for k, v in info.items()},
        "network_links": {k: int(v) for k, v in links.items()},
        "population_total": None if pop.isna().all() else float(pop.sum()),
        "population_known_desa": int(pop.notna().sum()),
        "population_within_distance": {PUSTU: total("pop_within_pustu_km"),
                                       PUSKESMAS: total("pop_within_puskesmas_km")},
        "population_served_capacity": {PUSTU: total("pop_served_capacity"),
                                       PUSKESMAS: total("pop_served_capacity_puskesmas")},
        **_coe_summary(coe),
        "gaps_total": int(len(gaps)),
        "gaps_by_kind": {k: int(v) for k, v in gaps["kind"].value_counts().items()},
        "rules_origin": rules.origin,
    }
    summary["population_sources"] = population_sources(desa)
    summary.update(_count_summary(desa, summary["facility_counts"]))
    if roads:
        summary["population_within_travel_time"] = {
            PUSTU: total("pop_within_pustu_min"), PUSKESMAS: total("pop_within_puskesmas_min")}
    missing: dict[str, list[str]] = {}
    for figure, lacks in inputs.blocked_figures().items():
        head, _, sub = figure.partition(".")
        if head not in summary:
            continue
        missing[figure] = lacks
        if sub and isinstance(summary[head], dict):
            summary[head][sub] = None
        elif not sub:
            summary[head] = None
    if "coe_meeting_threshold" in missing:  # no designation loaded: no COE figure at all
        for key in ("coe_total", "coe_undecided"):
            summary[key] = None
            missing[key] = missing["coe_meeting_threshold"]
    summary["inputs"] = inputs.to_json()
    summary["inputs_missing"] = inputs.absent
    if inputs.counts_only:
        summary["inputs_counts_only"] = sorted(inputs.counts_only)
    summary["missing"] = missing
    summary["gaps_not_checked"] = inputs.blocked_gaps()
    return summary


def _coe_summary(units: pd.DataFrame) -> dict[str, Any]:
    """The COE figures: designated units (never every scored Puskesmas), those meeting the
    threshold, those undecided (some indicators not assessed) and the scoring rules used."""
    u = coe.units_only(units)
    meets = u["meets"].astype("boolean")
    return {"coe_meeting_threshold": int(meets.fillna(False).sum()),
            "coe_total": int(len(u)),
            "coe_undecided": int(meets.isna().sum()),
            "coe_rules": {k: int(v) for k, v in u["rule"].value_counts().items()},
            "coe_designation_problems": {k: int(v) for k, v in units.loc[
                units["problem"].fillna("") != "", "problem"].value_counts().items()}}


def _checked_problems(problems: pd.DataFrame, inputs) -> pd.DataFrame:
    """The network findings without those that only say a list was never loaded (no Pustu
    list: no "Puskesmas without Pustu")."""
    from ilp_gis.inputs import NETWORK_NEEDS

    drop = [k for k, needs in NETWORK_NEEDS.items() if inputs.missing(needs)]
    if not drop or not len(problems):
        return problems
    return problems[~problems["kind"].isin(drop)].reset_index(drop=True)


def _count_summary(desa: pd.DataFrame, facility_counts: dict) -> dict[str, Any]:
    """Facilities known by count: ``facility_counts`` completed with the per-desa tables'
    counts where the analysis used them, ``count_sources`` (per type: desa whose figure came
    from the facility list, from a table, from neither, and where the two disagree) and
    ``posyandu_per_area`` (Posyandu per dusun/RW and the basis of the units, see
    ``ilp_gis.desa_counts``)."""
    from ilp_gis import desa_counts

    out: dict[str, Any] = {"count_sources": {}}
    if "pustu_count_source" in desa:  # desa without a known count are not "without"
        known = desa_counts.count_known(desa["pustu_count_source"].to_numpy(object))
        out["desa_without_pustu"] = int((np.asarray(missing_pustu(desa), dtype=bool)
                                         & known).sum())
        known = desa_counts.count_known(desa["posyandu_count_source"].to_numpy(object))
        out["desa_without_posyandu"] = int(((desa["n_posyandu"] == 0).to_numpy() & known).sum())
    counts = dict(facility_counts)
    for ftype in (PUSTU, POSYANDU):
        col = f"{ftype}_count_source"
        if col not in desa:
            continue
        src = desa[col].to_numpy(object)
        by_table = src == "table"
        counts[ftype] = int(counts.get(ftype, 0) + desa.loc[by_table, f"n_{ftype}"].sum())
        out["count_sources"][ftype] = {
            "points": int((src == "points").sum()), "table": int(by_table.sum()),
            "none": int(pd.isna(src).sum()),
            "disagree": int(desa["count_disagreement"].fillna("").str.split(";").map(
                lambda kinds, t=ftype: t in kinds).sum())}
    out["facility_counts"] = counts
    if "area_units" in desa:
        n = np.where(pd.notna(desa["posyandu_count_source"]).to_numpy(),
                     desa["n_posyandu"].to_numpy(float), np.nan)  # no source: not 0
        out["posyandu_per_area"] = desa_counts.posyandu_per_area(
            n, desa["area_units"].to_numpy(float),
            desa["area_units_basis"].to_numpy(object))
    return out


# --- storing and loading -------------------------------------------------------------------------
def network_tables(edges, graph) -> dict[str, pd.DataFrame]:
    """The stored tables of a network (its link frame and graph), in the order they are
    stored: ``result_edges``, ``result_nodes``."""
    return {RESULT_TABLES["edges"]: edges, RESULT_TABLES["nodes"]: _graph_nodes(graph)}


def store_result(project: Project, result: AnalysisResult, *,
                 made: dict[str, pd.DataFrame] | None = None) -> None:
    """Put the result tables into ``project`` (saved with it) and the summary into meta.
    ``made``: :func:`network_tables` of ``result``'s network, made already (while the
    analysis ran: ``ilp-gis analyze`` hands them to its store process early); used when its
    link frame is ``result.edges``."""
    # the network's tables first: those ready first are stored first, in process or beside
    if made is None or made.get(RESULT_TABLES["edges"]) is not result.edges:
        made = network_tables(result.edges, result.graph)
    for name, table in made.items():
        project.set_table(name, table)
    # the desa polygons are in the desa layer already: stored once, joined back by code
    desa = result.desa
    project.set_table(RESULT_TABLES["desa"], pd.DataFrame(desa.drop(columns=desa.geometry.name))
                      if isinstance(desa, gpd.GeoDataFrame) else desa)
    project.set_table(RESULT_TABLES["kecamatan"], result.kecamatan)
    project.set_table(RESULT_TABLES["gaps"], result.gaps)
    project.set_table(RESULT_TABLES["network_problems"], result.network_problems)
    if result.coe is not None:
        project.set_table("result_coe", result.coe)
    for name, table in (("result_posyandu_strata", result.strata),
                        ("result_lokus", result.lokus)):
        if table is not None:
            project.set_table(name, table)
    project.set_meta_json(META_SUMMARY, result.summary)
    project.changed.emit(META_SUMMARY)


def _graph_nodes(graph: nx.DiGraph) -> pd.DataFrame:
    """The network's facilities as a table, one row per node in the graph's order: its id
    and :data:`_NODE_FIELDS` (the edge table holds the links only; ``load_result`` rebuilds
    the whole graph from both).  Read from the columns the graph was made of while it is
    unused (no graph built at all), else from the graph once."""
    cols = graph_columns(graph)
    if cols is not None:
        ids = cols.nodes
        values = {key: cols.node_attrs.get(key, [None] * len(ids)) for key in _NODE_FIELDS}
    else:
        ids, attrs = [], []
        for n, a in graph.nodes(data=True):
            ids.append(n)
            attrs.append(a)
        values = {key: [a.get(key) for a in attrs] for key in _NODE_FIELDS}
    frame = pd.DataFrame({"id": pd.Series(ids, dtype=object)})
    for key in _NODE_FIELDS:
        column = pd.Series(values[key], dtype=object)
        if key in ("lon", "lat"):
            column = pd.to_numeric(column, errors="coerce").astype(float)
        frame[key] = column
    return frame


def load_result(project: Project) -> AnalysisResult | None:
    """The stored result of ``project``, or None when it was never analysed."""
    t = project.tables
    if RESULT_TABLES["desa"] not in t:
        return None
    desa = _with_desa_geometry(t[RESULT_TABLES["desa"]].copy(), project.desa)
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
    nodes = t.get(RESULT_TABLES["nodes"])
    g = nx.DiGraph()
    if edges is not None and nodes is not None and "parent_name" not in edges.columns:
        g = _stored_graph_of_nodes(nodes, edges)
    elif edges is not None and len(edges):  # stored before the node table: nodes in the edges
        g = _stored_graph(edges)
    if edges is not None and len(edges):
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


_NODE_FIELDS = ("type", "name", "desa_code", "kecamatan_code", "lon", "lat")


def _stored_graph_of_nodes(nodes: pd.DataFrame, edges: pd.DataFrame) -> nx.DiGraph:
    """The network graph of the stored node and edge tables, filled on first use (outputs
    that need only its tables read them from ``ilp_gis.network_frame`` while the graph is
    unused)."""
    return LazyDiGraph.deferred(functools.partial(_stored_node_items, nodes, edges),
                                table=(nodes, edges))


def _stored_node_items(nodes: pd.DataFrame, edges: pd.DataFrame):
    """The graph's nodes and edges from the stored node and edge tables: each node in the
    stored order with :data:`_NODE_FIELDS`, then one edge per link row.  Read column by
    column (a national table has ~330k rows; row dicts cost tens of seconds)."""
    ids = _py_values(nodes["id"], clean=False)
    cols = [_py_values(nodes[k]) if k in nodes else [None] * len(nodes) for k in _NODE_FIELDS]
    node_items = {n: dict(zip(_NODE_FIELDS, vals, strict=True))
                  for n, *vals in zip(ids, *cols, strict=True)}
    return node_items.items(), _link_items(edges, node_items)


def _stored_graph(edges: pd.DataFrame) -> nx.DiGraph:
    """The network graph of the stored edge table, filled on first use (a national network
    costs ~5 s of Python to build; outputs that need only its table read it from
    ``ilp_gis.network_frame`` while the graph is unused)."""
    return LazyDiGraph.deferred(functools.partial(_stored_items, edges), table=edges)


def _stored_items(edges: pd.DataFrame):
    """The graph's nodes and edges from the stored edge table: each facility once (the child
    side's attributes after the parent side's), then one edge per row with a parent.  Read
    column by column (a national table has ~330k rows; row dicts cost tens of seconds)."""
    nodes: dict[Any, dict] = {}
    for side in ("parent", "child"):
        rows = edges.dropna(subset=[f"{side}_id"]).drop_duplicates(f"{side}_id")
        cols = [_py_values(rows[f"{side}_{k}"]) if f"{side}_{k}" in rows else [None] * len(rows)
                for k in _NODE_FIELDS]
        for n, *vals in zip(_py_values(rows[f"{side}_id"], clean=False), *cols, strict=True):
            nodes[n] = dict(zip(_NODE_FIELDS, vals, strict=True))
    return nodes.items(), _link_items(edges, nodes)


def _link_items(edges: pd.DataFrame, nodes: dict) -> list:
    """One ``(parent, child, attrs)`` per stored row with a parent, read column by column;
    an end ``nodes`` lacks is added to it without attributes."""
    real = edges.dropna(subset=["parent_id"])
    m = len(real)

    def col(name: str, clean: bool = True) -> list:
        return _py_values(real[name], clean=clean) if name in real else [None] * m

    items = []
    for u, v, dist, minutes, link, source in zip(
            col("parent_id", False), col("child_id", False), col("distance_m"),
            col("travel_min"), col("link", False), col("source", False), strict=True):
        for end in (u, v):
            if end not in nodes:
                nodes[end] = {}
        items.append((u, v, {"distance_m": dist, "travel_min": minutes, "link": link,
                             "source": source}))
    return items


def _py_values(series: pd.Series, *, clean: bool = True) -> list:
    """The values of ``series`` as Python objects (what ``to_dict("records")`` gives), with
    :func:`_clean` applied when ``clean``: NaN becomes None, numpy scalars Python ones."""
    if isinstance(series.dtype, pd.ArrowDtype):
        values = series.array.__arrow_array__().to_pylist()  # Arrow's own, no per-value boxing
    else:
        values = series.tolist()
    if not clean:
        return values
    return [_clean(v) for v in values]


def _with_desa_geometry(desa: pd.DataFrame, layer) -> gpd.GeoDataFrame:
    """Stored desa results with their polygons from the desa layer, joined by code (results
    stored before they were kept without geometry hold their own)."""
    if isinstance(desa, gpd.GeoDataFrame) and desa._geometry_column_name in desa.columns:
        return desa
    polygons = pd.Series(layer.geometry.values, index=layer["code"].to_numpy())
    polygons = polygons[~polygons.index.duplicated()]
    return gpd.GeoDataFrame(desa, geometry=polygons.reindex(desa["code"].to_numpy()).values,
                            crs=model.WGS84)


def _clean(v):
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


register_catalog("ilp_gis", "analysis")
