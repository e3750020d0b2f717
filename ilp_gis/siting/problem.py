"""The siting problem: candidates (upgrades, new builds, the planner's points), the people not
yet within the limit and which candidate would cover whom; the result's shape.  Imports
geopandas, numpy, pandas, scipy and ``ilp_gis`` (geo, errors, i18n, model, rules, travel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from ilp_gis import geo, location
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import WGS84
from ilp_gis.rules import Rules

SITE_TYPES = ("pustu", "posyandu")


@dataclass
class SitingProblem:
    """A covering problem ready to solve.

    ``demand``: DataFrame (desa_code, population, x, y) of population points NOT yet covered
    by an existing facility (and reachable by at least one candidate or not — unreachable points
    simply cannot be gained).  ``candidates``: GeoDataFrame in ``crs`` (cand_id, kind, name,
    desa_code, fac_id, cost, geometry).  ``cover``: CSR matrix demand × candidates, True where
    the candidate would cover the point.
    """

    site_type: str
    demand: pd.DataFrame
    candidates: gpd.GeoDataFrame
    cover: sparse.csr_matrix
    crs: Any
    limit_km: float | None = None
    limit_min: float | None = None
    population_total: float = 0.0
    population_covered_before: float = 0.0
    capacity: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def population_uncovered(self) -> float:
        return float(self.demand["population"].sum())


@dataclass
class SitingResult:
    """Chosen sites and what they bring.

    ``sites``: GeoDataFrame in EPSG:4326 (cand_id, kind, name, desa_code, fac_id, cost,
    pop_gained = people newly covered by that site alone among the chosen ones in choice order,
    order, geometry).  ``population_gained``: people newly within the limit (objective).
    ``method``: "exact" (HiGHS optimum or best within its time limit), "greedy".
    ``mip_gap``: HiGHS's relative gap (0 = proven optimum; NaN for greedy).
    ``greedy_gained``: the greedy answer's objective, for comparison.
    """

    sites: gpd.GeoDataFrame
    population_gained: float
    cost: float
    method: str
    status: str
    mip_gap: float
    greedy_gained: float
    seconds: float
    greedy_seconds: float
    budget: float | None
    k: int | None
    problem: SitingProblem | None = None

    @property
    def greedy_vs_exact(self) -> float:
        """Greedy objective as a share of the exact one (1.0 = greedy found the optimum)."""
        if not self.population_gained:
            return 1.0
        return self.greedy_gained / self.population_gained

    def summary(self) -> dict[str, Any]:
        p = self.problem
        return {
            "site_type": p.site_type if p else None,
            "sites": int(len(self.sites)),
            "population_gained": float(self.population_gained),
            "cost": float(self.cost),
            "method": self.method, "status": self.status,
            "mip_gap": None if not np.isfinite(self.mip_gap) else float(self.mip_gap),
            "greedy_gained": float(self.greedy_gained),
            "seconds": round(self.seconds, 3), "greedy_seconds": round(self.greedy_seconds, 3),
            "budget": self.budget, "k": self.k,
            "limit_km": p.limit_km if p else None, "limit_min": p.limit_min if p else None,
            "population_total": p.population_total if p else None,
            "population_covered_before": p.population_covered_before if p else None,
        }


def _xy(geoms) -> np.ndarray:
    import shapely

    return shapely.get_coordinates(np.asarray(geoms, dtype=object)).reshape(-1, 2)


def build_problem(project, *, site_type: str = "pustu", limit_km: float | None = None,
                  limit_min: float | None = None, extra_candidates: gpd.GeoDataFrame | None = None,
                  include_build: bool = True, include_upgrade: bool = True,
                  capacity: float | None = None, rules: Rules | None = None,
                  travel_cover: Callable[..., sparse.spmatrix] | None = None,
                  precursors_cover: bool = False) -> SitingProblem:
    """Build the covering problem for ``site_type`` (``pustu`` | ``posyandu``) from a project.

    ``limit_km`` defaults to the rules (``limit.pustu_distance_km`` or
    ``limit.posyandu_distance_km``).  ``limit_min`` needs ``travel_cover``: a function
    ``(from_points, to_points, limit_min) -> sparse bool matrix`` (e.g. built on the analysis'
    road network); without it a travel-time limit raises :class:`InputError`.
    ``precursors_cover``: count Poskesdes/Polindes as already covering their surroundings
    (default False: they are upgrade candidates, not Pustu yet).

    The planner asks: with this money (or this number of new facilities), where should new Pustu
    go so that as many people as possible newly live within the limit (km straight line in the
    data's UTM zone, or minutes of travel when a travel-time cover is given)?  Existing
    facilities are kept; only people not yet within the limit count.

    Candidates
        * ``upgrade`` — Poskesdes/Polindes (``precursor=True`` facilities), at
          ``cost.upgrade_pustu``;
        * ``build``   — the population point of each desa without a Pustu, at
          ``cost.build_pustu``;
        * ``user``    — points the planner adds (a GeoDataFrame with optional ``cost``/``name``).
        For Posyandu: every population point not yet within the limit of a Posyandu, at
        ``cost.open_posyandu``.
    """
    if site_type not in SITE_TYPES:
        raise InputError(tr("siting.bad_type", value=site_type))
    rules = rules or project.rules
    desa = project.desa
    if not len(desa):
        raise InputError(tr("siting.no_desa"))
    if limit_min is not None and travel_cover is None:
        travel_cover = road_travel_cover(project, rules)
        if travel_cover is None:
            raise InputError(tr("siting.no_travel"))
    if limit_min is not None and not limit_min > 0:
        raise InputError(tr("siting.bad_limit", value=str(limit_min)))
    if limit_min is None and limit_km is None:
        limit_km = float(rules.value(f"limit.{site_type}_distance_km",
                                     rules.value("limit.pustu_distance_km")))
    if limit_km is not None and not limit_km > 0:
        raise InputError(tr("siting.bad_limit", value=str(limit_km)))
    crs = geo.utm_crs(desa)
    settlements = project.settlements if project.has("settlements") else None
    pts = geo.population_points(desa, settlements, crs=crs)
    pop = pd.to_numeric(pts["population"], errors="coerce")
    notes: list[str] = []
    n_unknown = int(pop.isna().sum())
    if n_unknown:
        notes.append(tr("siting.pop_unknown", n=n_unknown))
    pts = pts[pop.notna() & (pop > 0) & pts.geometry.notna()].reset_index(drop=True)
    demand_xy = _xy(pts.geometry.values)
    population_total = float(pts["population"].sum())

    fac = project.facilities
    if len(fac):  # distance coverage: only facilities the rules give a position (see location)
        q = location.qualities(fac)
        listed = fac[(fac["type"].astype(str).str.lower() == site_type)
                     & ~fac.get("precursor", pd.Series(False, index=fac.index)).fillna(
                         False).astype(bool)]
        with_site = set(listed["desa_code"].dropna().astype(str)) if "desa_code" in listed \
            else set()
        placed = location.positioned(q, rules)
        fac = fac[placed].to_crs(crs)
        if location.estimated(q, rules).any():
            notes.append(tr("siting.desa_points_used", n=int(location.estimated(q, rules).sum())))
        left = int((~placed & (project.facilities["type"].astype(str).str.lower()
                               == site_type).to_numpy()).sum())
        if left:
            notes.append(tr("siting.left_out_without_coordinates", n=left))
    else:
        with_site = set()
    ftype = fac["type"].astype(str).str.lower() if len(fac) else pd.Series(dtype=str)
    precursor = fac["precursor"].fillna(False).astype(bool) if len(fac) else pd.Series(dtype=bool)
    existing = fac[(ftype == site_type) & (~precursor | precursors_cover)] if len(fac) else fac

    # Which demand is already covered by an existing facility.
    if limit_min is not None and not len(existing):
        covered = np.zeros(len(pts), dtype=bool)
    elif limit_min is not None and hasattr(travel_cover, "nearest"):
        minutes = travel_cover.nearest(pts.geometry, existing.geometry)
        covered = np.isfinite(minutes) & (minutes <= limit_min)
    elif limit_min is not None:
        ex_cover = travel_cover(pts.geometry, existing.geometry, limit_min)
        covered = np.asarray(sparse.csr_matrix(ex_cover).sum(axis=1)).ravel() > 0
    else:
        dist, _ = geo.nearest_distance(pts.geometry, existing.geometry)
        covered = dist <= limit_km * 1000.0
    covered_before = float(pts.loc[covered, "population"].sum())
    demand_pts = pts[~covered].reset_index(drop=True)

    # Candidates.
    parts: list[pd.DataFrame] = []
    names = pd.Series(desa["name"].to_numpy(), index=desa["code"].astype(str).to_numpy())
    names = names[~names.index.duplicated()]

    def block(kind: str, frame, cost: float, name=None, fac_id=None) -> pd.DataFrame:
        codes = frame["desa_code"].to_numpy(object)
        return pd.DataFrame({
            "kind": kind,
            "name": name if name is not None else
            names.reindex([str(c) for c in codes]).to_numpy(object),
            "desa_code": codes,
            "fac_id": fac_id if fac_id is not None else np.full(len(frame), None, object),
            "cost": cost, "geometry": np.asarray(frame.geometry.values, dtype=object)})

    if site_type == "pustu":
        # a desa whose Pustu is known only by its desa has a Pustu: not a place to build one
        with_pustu = (set(existing["desa_code"].dropna().astype(str)) if len(existing) else
                      set()) | with_site
        if include_upgrade and len(fac):
            pre = fac[(ftype == "pustu") & precursor]
            if len(pre):
                parts.append(block("upgrade", pre, float(rules.value("cost.upgrade_pustu")),
                                   name=pre["name"].to_numpy(object),
                                   fac_id=pre["fac_id"].to_numpy(object)))
        if include_build:
            first = pts.drop_duplicates("desa_code")  # the desa's main population point
            first = first[~first["desa_code"].astype(str).isin(with_pustu)]
            parts.append(block("build", first, float(rules.value("cost.build_pustu"))))
    elif include_build:
        parts.append(block("build", demand_pts, float(rules.value("cost.open_posyandu"))))
    if extra_candidates is not None and len(extra_candidates):
        default = float(rules.value("cost.build_pustu" if site_type == "pustu"
                                    else "cost.open_posyandu"))
        ex = extra_candidates.to_crs(crs) if extra_candidates.crs is not None \
            else extra_candidates.set_crs(WGS84).to_crs(crs)
        c = pd.to_numeric(ex["cost"], errors="coerce") if "cost" in ex.columns \
            else pd.Series(np.nan, index=ex.index)
        nm = ex["name"] if "name" in ex.columns else pd.Series(None, index=ex.index, dtype=object)
        nm = [v if isinstance(v, str) and v else f"#{i + 1}" for i, v in enumerate(nm)]
        dc = ex["desa_code"].to_numpy(object) if "desa_code" in ex.columns \
            else np.full(len(ex), None, object)
        parts.append(pd.DataFrame({
            "kind": "user", "name": nm, "desa_code": dc, "fac_id": np.full(len(ex), None, object),
            "cost": c.fillna(default).to_numpy(float),
            "geometry": np.asarray(ex.geometry.values, dtype=object)}))
    cands = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["kind", "name", "desa_code", "fac_id", "cost", "geometry"])
    candidates = gpd.GeoDataFrame(
        cands[["kind", "name", "desa_code", "fac_id", "cost", "geometry"]],
        geometry="geometry", crs=crs)
    candidates.insert(0, "cand_id", [f"c{i + 1}" for i in range(len(candidates))])
    candidates["cost"] = candidates["cost"].astype("float64")

    # Cover matrix demand × candidates.
    n_d, n_c = len(demand_pts), len(candidates)
    if n_d == 0 or n_c == 0:
        cover = sparse.csr_matrix((n_d, n_c), dtype=bool)
    elif limit_min is not None:
        cover = sparse.csr_matrix(travel_cover(demand_pts.geometry, candidates.geometry,
                                               limit_min), dtype=bool)
    else:
        dxy = demand_xy[~covered]
        cover = _distance_cover(dxy, _xy(candidates.geometry.values), limit_km * 1000.0)
    demand = pd.DataFrame({"desa_code": demand_pts["desa_code"].to_numpy(),
                           "population": demand_pts["population"].to_numpy(dtype=float),
                           "x": demand_xy[~covered][:, 0] if n_d else [],
                           "y": demand_xy[~covered][:, 1] if n_d else []})
    return SitingProblem(site_type, demand, candidates, cover, crs, limit_km, limit_min,
                         population_total, covered_before, capacity, notes)


def road_travel_cover(project, rules: Rules | None = None, *, chunk: int = 256):
    """A ``travel_cover(from_points, to_points, limit_min)`` function over the project's roads
    (``ilp_gis.travel``: road-class speeds, walking to the nearest road node, or walking
    straight when quicker); None when the project has no usable roads."""
    if not project.has("roads"):
        return None
    from scipy.sparse.csgraph import dijkstra

    from ilp_gis import travel

    rules = rules or project.rules
    crs = geo.utm_crs(project.desa if project.has("desa") else project.roads)
    graph = travel.build_road_graph(project.roads, crs, rules)
    if graph is None:
        return None

    def cover(from_pts, to_pts, limit_min: float) -> sparse.csr_matrix:
        fxy = _xy(from_pts.to_crs(crs).values)
        txy = _xy(to_pts.to_crs(crs).values)
        n_f, n_t = len(fxy), len(txy)
        if n_f == 0 or n_t == 0:
            return sparse.csr_matrix((n_f, n_t), dtype=bool)
        f_vert, f_walk = graph.snap(fxy)
        t_vert, t_walk = graph.snap(txy)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        # walking straight
        walk_r = limit_min / 60.0 * graph.walking_kmh * 1000.0
        for j, idx in enumerate(cKDTree(fxy).query_ball_point(txy, r=walk_r)):
            rows.append(np.asarray(idx, dtype=np.int64))
            cols.append(np.full(len(idx), j, dtype=np.int64))
        # over the road network (times are symmetric), one bounded Dijkstra per point of the
        # smaller side
        swap = n_f < n_t
        s_vert, s_walk, o_vert, o_walk = (f_vert, f_walk, t_vert, t_walk) if swap else \
            (t_vert, t_walk, f_vert, f_walk)
        # the road graph cut at the sources' vertices; each other point joins it at the two
        # nodes bounding its stretch of road
        ref = graph.refine(s_vert)
        s_node = ref.entry
        lo, c_lo, hi, c_hi = ref.bounds(o_vert)
        for start in range(0, len(s_node), chunk):
            sl = slice(start, min(len(s_node), start + chunk))
            budget = limit_min - s_walk[sl]
            if not np.any(budget > 0):
                continue
            dist = dijkstra(ref.matrix, directed=False, indices=s_node[sl],
                            limit=float(np.max(budget)))
            road = np.minimum(dist[:, lo] + c_lo[None, :], dist[:, hi] + c_hi[None, :])
            total = road + o_walk[None, :] + s_walk[sl][:, None]
            si, oi = np.nonzero(total <= limit_min)
            si = si.astype(np.int64) + start
            oi = oi.astype(np.int64)
            rows.append(si if swap else oi)
            cols.append(oi if swap else si)
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        m = sparse.csr_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=(n_f, n_t),
                              dtype=bool)
        m.sum_duplicates()
        m.data[:] = True
        return m

    def nearest(from_pts, to_pts):
        """Minutes from each point to its nearest target (one multi-source Dijkstra)."""
        fxy = _xy(from_pts.to_crs(crs).values)
        txy = _xy(to_pts.to_crs(crs).values)
        field = travel.travel_field(graph, txy)
        minutes, _ = travel.minutes_to_nearest(graph, field, fxy)
        return minutes

    cover.nearest = nearest
    return cover


def _distance_cover(dxy: np.ndarray, cxy: np.ndarray, radius_m: float) -> sparse.csr_matrix:
    tree = cKDTree(dxy)
    lists = tree.query_ball_point(cxy, r=radius_m)
    rows, cols = [], []
    for j, idx in enumerate(lists):
        rows.extend(idx)
        cols.extend([j] * len(idx))
    data = np.ones(len(rows), dtype=bool)
    return sparse.csr_matrix((data, (np.asarray(rows, dtype=np.int64),
                                     np.asarray(cols, dtype=np.int64))),
                             shape=(len(dxy), len(cxy)), dtype=bool)


def check_limits(problem: SitingProblem, budget: float | None, k: int | None) -> None:
    if (budget is None) == (k is None):
        raise InputError(tr("siting.budget_or_k"))
    if budget is not None and not (budget >= 0):
        raise InputError(tr("siting.bad_budget", value=str(budget)))
    if k is not None and k < 0:
        raise InputError(tr("siting.bad_k", value=str(k)))


register_catalog("ilp_gis", "siting.problem")
