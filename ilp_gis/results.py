"""What an analysis returns: the contract between the analysis and everything that shows it.

``ilp_gis.analysis.analyze(project, ...)`` returns an :class:`AnalysisResult`.  The desktop app,
the PDF/A3 reports, the web map and the planning module read only these fields and columns.

Desa coverage (``desa``, a GeoDataFrame in EPSG:4326 with the desa polygons), one row per desa:
    code, name, kecamatan_code, kecamatan_name, population, dusun_count,
    n_puskesmas, n_pustu, n_pustu_precursor, n_posyandu,
    has_pustu (bool), pustu_required (bool: False where the Puskesmas serves its own desa, rule
    target.pustu_in_puskesmas_desa), posyandu_needed (= dusun_count × rule), posyandu_deficit (≥ 0, NaN when
    dusun_count unknown), pustu_nakes_ok (bool/NA), kader_ok_share (0..1/NaN),
    dist_pustu_km, dist_puskesmas_km (nearest, from population points, population-weighted mean),
    travel_pustu_min, travel_puskesmas_min (NaN without roads),
    pop_within_pustu_km, pop_within_puskesmas_km, pop_within_pustu_min, pop_within_puskesmas_min,
    pop_served_capacity (population served when capacities are respected),
    priority_score (0..1), priority_rank (1 = most urgent),
    priority_unserved, priority_travel, priority_burden (the parts of the score),
    gap_kinds (";"-joined gap kinds of this desa, "" when none), gap_count,
    pop_lon, pop_lat (the main population point), geometry;
    added by the analysis: max_dist_pustu_km, max_dist_puskesmas_km, max_travel_pustu_min,
    max_travel_puskesmas_min (the farthest population point of the desa — what the
    beyond_distance / beyond_travel_time gaps test), pop_served_capacity_puskesmas, aki, akb,
    stunting; facilities known by count (per-desa tables, ``ilp_gis.desa_counts``):
    pustu_count_source, posyandu_count_source ("points" | "table" | None: where n_pustu /
    n_posyandu come from), n_pustu_table, n_posyandu_table (the table's counts, NaN without),
    count_disagreement (";"-joined types whose table count differs from the facility list),
    area_units (dusun, else RW, else PODES area heads), area_units_basis (which of the three),
    posyandu_per_area (n_posyandu / area_units).  posyandu_needed uses dusun_count, else
    rw_count (never the area-heads proxy).

Kecamatan roll-up (``kecamatan``, DataFrame) one row per kecamatan and the same sums/shares:
    code, name, desa_total, desa_pustu_required (desa that need a Pustu), desa_with_pustu (of
    those, the desa that have one), desa_without_pustu (those lacking one: with + without =
    required), posyandu, posyandu_needed,
    population, pop_within_pustu_km, pop_within_puskesmas_km, pop_within_pustu_min,
    pop_within_puskesmas_min, pop_served_capacity, n_puskesmas, n_pustu, gap_count.

Gaps (``gaps``, GeoDataFrame in EPSG:4326; geometry = the desa polygon, the facility point, or
the kecamatan polygon):
    gap_id, kind (one of layers.symbology.GAP_KINDS — the same list), desa_code, desa_name,
    kecamatan_code, kecamatan_name, fac_id, value, threshold, unit, message (UI language),
    priority_score, priority_rank.

Network (``graph``: networkx.DiGraph Puskesmas → Pustu → Posyandu; node = fac_id with attributes
type, name, desa_code, kecamatan_code, lon, lat; edge attributes distance_m, travel_min,
link = "given" | "inferred" | "direct_to_puskesmas", source = "parent_id" | "parent_name" |
"inferred"), ``edges`` (GeoDataFrame of parent→child lines with the same attributes plus
parent_id, child_id, parent_type, child_type) and ``network_problems`` (DataFrame: kind,
fac_ids (";"-joined), message, severity = "problem" | "info"; kinds: orphan, wrong_tier,
cycle, cross_kecamatan, cross_desa, puskesmas_without_pustu, pustu_without_posyandu,
duplicate, unknown_parent, parent_name_unmatched, outside_boundaries, unknown_type,
duplicate_id (a repeated fac_id; the repeat becomes "ID#2"), and the
info kind parent_name_matched).  Gaps of kind orphan_facility / network_problem come from the
findings of severity "problem".

``summary`` is the dict written to summary.json: desa_total, desa_without_pustu,
desa_without_posyandu, facility_counts {type: n}, facilities_outside_boundaries,
network_problems {kind: n}, population_total, population_within_distance {type: n},
population_within_travel_time {type: n} (when roads exist), coe_meeting_threshold, coe_total
(designated COE units, never every scored Puskesmas; coe_undecided, coe_rules {rule: units},
coe_designation_problems {problem: n}, coe_indicators {origin, total, unconfirmed, per_group}),
plus kecamatan_without_puskesmas, pustu_precursors, network_info, network_links,
population_served_capacity, gaps_total, gaps_by_kind, rules_origin, timings_s, crs_metric,
lang (the language of the messages); count_sources {pustu|posyandu: {points, table, none,
disagree}} (desa per source of their count, and where a table and the list disagree),
posyandu_per_area {basis {column: desa}, desa, posyandu, units, ratio}; facility_counts of Pustu
and Posyandu include the table counts of the desa whose figure came from a table.
Population figures are null when no desa has a population (missing, never zero).

The project stores results as tables ``result_desa``, ``result_kecamatan``, ``result_gaps``,
``result_edges``, ``result_network_problems`` (plus ``result_coe``: the COE units of
``ilp_gis.coe``, columns ``ilp_gis.coe.UNIT_COLUMNS``) and meta key
``analysis_summary_json``; ``result_posyandu_strata`` (each Posyandu's declared stratum against
the strata criteria, summary ``posyandu_strata``) and ``result_lokus`` (lokus Puskesmas per
kabupaten against the 5–10 guidance with the SK numbers and dates, summary ``lokus``); summary
``posyandu_shortfall`` {desa_short, posyandu_lacking, desa_unknown}.  ``result_desa`` holds no
polygons (the desa layer has them: ``load_result`` joins them back by code; in QGIS join the
table to the desa layer by code).  ``result_edges`` holds the links (their two ends' ids and
types), ``result_nodes`` every facility of the network once (id, type, name, desa_code,
kecamatan_code, lon, lat, in the graph's order), so that ``ilp_gis.analysis.load_result``
rebuilds the whole graph (results stored before ``result_nodes`` held the node attributes as
parent_*/child_* columns of ``result_edges``, plus one row per facility without any link; they
still load).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RESULT_TABLES = {
    "desa": "result_desa",
    "kecamatan": "result_kecamatan",
    "gaps": "result_gaps",
    "edges": "result_edges",
    "network_problems": "result_network_problems",
    "nodes": "result_nodes",
    "coe": "result_coe",
    "strata": "result_posyandu_strata",
    "lokus": "result_lokus",
}
"""Every table an analysis stores (a job that re-analyses reads none of them)."""
META_SUMMARY = "analysis_summary_json"


@dataclass
class AnalysisResult:
    desa: Any  # GeoDataFrame
    kecamatan: Any  # DataFrame
    gaps: Any  # GeoDataFrame
    graph: Any  # networkx.DiGraph
    edges: Any  # GeoDataFrame
    network_problems: Any  # DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    coe: Any = None  # DataFrame of COE units (ilp_gis.coe.UNIT_COLUMNS): one row per designated
    # Puskesmas with its Pustu, Posyandu, score, the five coe_* shares, meets and rule; then the
    # designated Pustu that make no unit (unit_id empty)
    strata: Any = None  # DataFrame per Posyandu: ilp_gis.posyandu.STRATA_COLUMNS
    lokus: Any = None  # DataFrame per kabupaten: ilp_gis.lokus.LOKUS_COLUMNS
