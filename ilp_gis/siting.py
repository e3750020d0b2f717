"""Where to add Pustu (or Posyandu): maximal covering location by mixed-integer programming.

The planner asks: with this money (or this number of new facilities), where should new Pustu go
so that as many people as possible newly live within the limit (km straight line in the data's
UTM zone, or minutes of travel when a travel-time cover is given)?  Existing facilities are kept;
only people not yet within the limit count.

Candidates
    * ``upgrade`` — Poskesdes/Polindes (``precursor=True`` facilities), at ``cost.upgrade_pustu``;
    * ``build``   — the population point of each desa without a Pustu, at ``cost.build_pustu``;
    * ``user``    — points the planner adds (a GeoDataFrame with optional ``cost``/``name``).
    For Posyandu: every population point not yet within the limit of a Posyandu, at
    ``cost.open_posyandu``.

Model (sparse MCLP, solved exactly by HiGHS)::

    max  Σ_i pop_i · y_i
    s.t. y_i ≤ Σ_{j covers i} x_j          for each not-yet-covered demand point i
         Σ_j c_j x_j ≤ B   (budget)   or   Σ_j x_j ≤ k   (count)
         x_j ∈ {0,1},  0 ≤ y_i ≤ 1

With a capacity per new facility (people it can serve) an assignment w_ij ≥ 0 is added:
``y_i ≤ Σ_j w_ij``, ``w_ij ≤ x_j``, ``Σ_i pop_i w_ij ≤ cap · x_j``.

A fast greedy answer (most newly covered people per Rupiah, lazily re-evaluated) is computed
first and handed to ``on_greedy`` so a view can show it while the exact optimum is searched; it
also warm-starts HiGHS.  The result reports HiGHS's relative MIP gap and greedy vs exact.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from ilp_gis import geo
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint
from ilp_gis.model import WGS84
from ilp_gis.rules import Rules

SITE_TYPES = ("pustu", "posyandu")
HIGHS_OPTIONS: dict[str, Any] = {}
"""Extra HiGHS options for the exact model (tuning, benchmarks)."""
EPS_TIEBREAK = True


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


# ==================================================================================================
# Building the problem
# ==================================================================================================

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
    if len(fac):
        fac = fac[fac.geometry.notna()].to_crs(crs)
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
        with_pustu = set(existing["desa_code"].dropna().astype(str)) if len(existing) else set()
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


# ==================================================================================================
# Solving
# ==================================================================================================

def _check_limits(problem: SitingProblem, budget: float | None, k: int | None) -> None:
    if (budget is None) == (k is None):
        raise InputError(tr("siting.budget_or_k"))
    if budget is not None and not (budget >= 0):
        raise InputError(tr("siting.bad_budget", value=str(budget)))
    if k is not None and k < 0:
        raise InputError(tr("siting.bad_k", value=str(k)))


def greedy(problem: SitingProblem, *, budget: float | None = None, k: int | None = None,
           is_cancelled: Callable[[], bool] | None = None) -> list[int]:
    """Greedy choice: repeatedly the candidate with most newly covered people (per Rupiah when
    a budget is given) that still fits; lazy evaluation keeps it fast.  With a budget the best
    single affordable site is also tried (the classic guarantee for budgeted coverage)."""
    _check_limits(problem, budget, k)
    pop = problem.demand["population"].to_numpy(dtype=float)
    csc = problem.cover.tocsc()
    cost = problem.candidates["cost"].to_numpy(dtype=float)
    cap = problem.capacity if problem.capacity and problem.capacity > 0 else math.inf
    n_c = csc.shape[1]
    covered = np.zeros(len(pop), dtype=bool)

    def gain(j: int) -> float:
        idx = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        g = float(pop[idx[~covered[idx]]].sum())
        return min(g, cap)

    def key(j: int, g: float) -> float:
        if budget is not None and cost[j] > 0:
            return g / cost[j]
        return g - 1e-12 * cost[j]  # equal gains: the cheaper first

    heap = [(-key(j, gain(j)), j) for j in range(n_c) if budget is None or cost[j] <= budget]
    heapq.heapify(heap)
    chosen: list[int] = []
    spent = 0.0
    while heap:
        if is_cancelled is not None and is_cancelled():
            break
        if k is not None and len(chosen) >= k:
            break
        neg, j = heapq.heappop(heap)
        if budget is not None and spent + cost[j] > budget + 1e-6:
            continue
        g = gain(j)
        if g <= 0:
            continue
        cur = key(j, g)
        if heap and cur < -heap[0][0] - 1e-12:  # stale: push back with the fresh value
            heapq.heappush(heap, (-cur, j))
            continue
        chosen.append(j)
        spent += cost[j]
        idx = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        covered[idx] = True
    if budget is not None and n_c:
        singles = [(gain_single, j) for j in range(n_c) if cost[j] <= budget
                   for gain_single in [min(float(pop[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]]
                                                 .sum()), cap)]]
        if singles:
            best_g, best_j = max(singles)
            if best_g > objective(problem, chosen):
                chosen = [best_j]
    return chosen


def objective(problem: SitingProblem, chosen: list[int]) -> float:
    """People newly covered by the chosen candidates (capacity respected by a greedy
    assignment when one is set; exact models report their own value)."""
    if not chosen:
        return 0.0
    pop = problem.demand["population"].to_numpy(dtype=float)
    sub = problem.cover[:, chosen]
    if not (problem.capacity and problem.capacity > 0):
        hit = np.asarray(sub.sum(axis=1)).ravel() > 0
        return float(pop[hit].sum())
    csc = sub.tocsc()
    covered = np.zeros(len(pop), dtype=bool)
    total = 0.0
    for j in range(csc.shape[1]):
        idx = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        free = idx[~covered[idx]]
        room = problem.capacity
        for i in free[np.argsort(-pop[free])]:
            take = min(pop[i], room)
            if take <= 0:
                break
            total += take
            room -= take
            if take >= pop[i] - 1e-9:
                covered[i] = True
            else:
                pop = pop.copy()
                pop[i] -= take
    return float(total)


def solve(problem: SitingProblem, *, budget: float | None = None, k: int | None = None,
          exact: bool = True, on_greedy: Callable[[SitingResult], None] | None = None,
          time_limit: float | None = 60.0, mip_rel_gap: float = 0.0,
          progress=None, is_cancelled=None) -> SitingResult:
    """Choose sites under a money ``budget`` (Rp) or a count ``k``.

    The greedy answer is computed first and passed to ``on_greedy`` (a SitingResult); then,
    when ``exact``, HiGHS searches the optimum (warm-started with the greedy answer) within
    ``time_limit`` seconds.  Cancelling returns the best answer found so far.
    """
    _check_limits(problem, budget, k)
    checkpoint(progress, is_cancelled, 0.0, tr("siting.progress.greedy"))
    t0 = time.perf_counter()
    g_chosen = greedy(problem, budget=budget, k=k, is_cancelled=is_cancelled)
    g_obj = objective(problem, g_chosen)
    g_secs = time.perf_counter() - t0
    g_result = _result(problem, g_chosen, g_obj, "greedy", "greedy", math.nan, g_obj, g_secs,
                       g_secs, budget, k)
    if on_greedy is not None:
        on_greedy(g_result)
    if not exact or len(problem.candidates) == 0 or len(problem.demand) == 0 or (
            is_cancelled is not None and is_cancelled()):
        return g_result
    checkpoint(progress, is_cancelled, 0.2, tr("siting.progress.exact"))
    chosen, obj, status, gap = _solve_mip(problem, budget, k, g_chosen, time_limit,
                                          mip_rel_gap, is_cancelled)
    secs = time.perf_counter() - t0
    if chosen is None or obj < g_obj - 1e-6:
        # HiGHS found nothing better (e.g. interrupted at once): keep the greedy answer
        return _result(problem, g_chosen, g_obj, "greedy", status, gap, g_obj, secs, g_secs,
                       budget, k)
    checkpoint(progress, None, 1.0)
    return _result(problem, chosen, obj, "exact", status, gap, g_obj, secs, g_secs, budget, k)


def _solve_mip(problem: SitingProblem, budget, k, warm: list[int], time_limit, mip_rel_gap,
               is_cancelled):
    import highspy

    pop = problem.demand["population"].to_numpy(dtype=float)
    cover_all = problem.cover.tocsr()
    cost_all = problem.candidates["cost"].to_numpy(dtype=float)
    # Drop candidates that cannot matter: those covering nobody and those dominated by another
    # candidate covering a superset of their people at no higher cost (without capacity only).
    keep = _undominated(cover_all, cost_all, budget is not None,
                        bool(problem.capacity and problem.capacity > 0))
    cover = cover_all[:, keep]
    cost = cost_all[keep]
    warm = [int(np.searchsorted(keep, j)) for j in warm if j in set(keep.tolist())]
    n_c = cover.shape[1]
    # Only demand that some candidate reaches matters.
    reach = np.asarray(cover.sum(axis=1)).ravel() > 0
    rows_idx = np.flatnonzero(reach)
    a = cover[rows_idx]
    p = pop[rows_idx]
    # Merge demand points with identical cover sets (same constraint, summed weight).
    a.sort_indices()
    keys: dict[bytes, int] = {}
    groups = np.empty(len(rows_idx), dtype=np.int64)
    for r in range(a.shape[0]):
        kb = a.indices[a.indptr[r]:a.indptr[r + 1]].tobytes()
        groups[r] = keys.setdefault(kb, len(keys))
    n_g = len(keys)
    first = np.full(n_g, -1, dtype=np.int64)
    for r in range(len(groups) - 1, -1, -1):
        first[groups[r]] = r
    a = a[first]
    p = np.bincount(groups, weights=p, minlength=n_g)
    n_d = a.shape[0]
    cap = problem.capacity if problem.capacity and problem.capacity > 0 else None

    h = _quiet_highs(highspy)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if budget is None:
        # Measured on the provinsi sample (k = 50 of 4,060 candidates, 12,780 demand points):
        # HiGHS presolve costs more than it saves on the cardinality model (1.6 s → 0.8 s);
        # under a money budget it is essential (0.9 s → 9+ s without), so it stays on there.
        h.setOptionValue("presolve", "off")
    for name, value in HIGHS_OPTIONS.items():
        h.setOptionValue(name, value)
    inf = highspy.kHighsInf

    # Columns: x_j (0..n_c-1), y_i (n_c..n_c+n_d-1), then w_ij (capacity only).
    a_coo = a.tocoo()
    n_w = a_coo.nnz if cap else 0
    n_cols = n_c + n_d + n_w
    # Among equally good choices prefer the cheaper: a cost term worth < 0.001 person in total.
    worst = float(np.sort(cost)[::-1][:max(1, k or n_c)].sum()) if budget is None else \
        float(min(budget, cost.sum()))
    eps = 1e-3 / worst if worst > 0 and EPS_TIEBREAK else 0.0
    col_cost = np.concatenate([-eps * cost, p, np.zeros(n_w)])
    lower = np.zeros(n_cols)
    upper = np.ones(n_cols)
    r_rows, r_cols, r_vals, r_lo, r_hi = [], [], [], [], []
    row = 0
    if not cap:
        # y_i - Σ_j a_ij x_j ≤ 0
        r_rows.append(np.arange(n_d)); r_cols.append(n_c + np.arange(n_d))  # noqa: E702
        r_vals.append(np.ones(n_d))
        r_rows.append(a_coo.row); r_cols.append(a_coo.col)  # noqa: E702
        r_vals.append(-np.ones(a_coo.nnz))
        r_lo.append(np.full(n_d, -inf)); r_hi.append(np.zeros(n_d))  # noqa: E702
        row = n_d
    else:
        w = n_c + n_d + np.arange(n_w)
        # y_i - Σ_j w_ij ≤ 0
        r_rows += [np.arange(n_d), a_coo.row]
        r_cols += [n_c + np.arange(n_d), w]
        r_vals += [np.ones(n_d), -np.ones(n_w)]
        r_lo.append(np.full(n_d, -inf)); r_hi.append(np.zeros(n_d))  # noqa: E702
        row = n_d
        # w_ij - x_j ≤ 0
        rr = row + np.arange(n_w)
        r_rows += [rr, rr]
        r_cols += [w, a_coo.col]
        r_vals += [np.ones(n_w), -np.ones(n_w)]
        r_lo.append(np.full(n_w, -inf)); r_hi.append(np.zeros(n_w))  # noqa: E702
        row += n_w
        # Σ_i pop_i w_ij - cap x_j ≤ 0
        rr = row + np.arange(n_c)
        r_rows += [row + a_coo.col, rr]
        r_cols += [w, np.arange(n_c)]
        r_vals += [p[a_coo.row], np.full(n_c, -cap)]
        r_lo.append(np.full(n_c, -inf)); r_hi.append(np.zeros(n_c))  # noqa: E702
        row += n_c
    # budget / count
    r_rows.append(np.full(n_c, row)); r_cols.append(np.arange(n_c))  # noqa: E702
    r_vals.append(cost if budget is not None else np.ones(n_c))
    r_lo.append(np.array([-inf])); r_hi.append(np.array([budget if budget is not None else k],  # noqa: E702
                                                        dtype=float))
    row += 1
    mat = sparse.csc_matrix((np.concatenate(r_vals), (np.concatenate(r_rows),
                                                      np.concatenate(r_cols))),
                            shape=(row, n_cols))
    mat.sort_indices()

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = row
    lp.col_cost_ = col_cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(r_lo)
    lp.row_upper_ = np.concatenate(r_hi)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data.astype(float)
    integrality = [highspy.HighsVarType.kInteger] * n_c + \
        [highspy.HighsVarType.kContinuous] * (n_d + n_w)
    lp.integrality_ = integrality
    h.passModel(lp)

    if warm and not cap:
        x0 = np.zeros(n_cols)
        x0[warm] = 1.0
        hit = np.asarray(a[:, warm].sum(axis=1)).ravel() > 0
        x0[n_c:n_c + n_d] = hit.astype(float)
        sol = highspy.HighsSolution()
        sol.col_value = list(x0)
        sol.value_valid = True
        try:
            h.setSolution(sol)
        except Exception:  # pragma: no cover - warm start is an optimisation only
            pass
    if is_cancelled is not None:
        def _interrupt(e):
            if is_cancelled():
                e.interrupt()
        try:
            h.cbMipInterrupt += _interrupt
        except Exception:  # pragma: no cover
            pass
    h.run()
    model_status = h.getModelStatus()
    status = h.modelStatusToString(model_status)
    info = h.getInfo()
    sol = h.getSolution()
    if not sol.value_valid:
        return None, 0.0, status, math.nan
    x = np.asarray(sol.col_value[:n_c])
    chosen = [int(keep[j]) for j in np.flatnonzero(x > 0.5)]
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else math.nan
    if model_status == highspy.HighsModelStatus.kOptimal:
        gap = max(0.0, gap) if np.isfinite(gap) else 0.0
    obj = objective(problem, chosen) if not cap else float(info.objective_function_value)
    return chosen, obj, status, gap


def _undominated(cover: sparse.csr_matrix, cost: np.ndarray, by_cost: bool,
                 capacity: bool) -> np.ndarray:
    """Positions of the candidates worth modelling (sorted)."""
    n_c = cover.shape[1]
    csc = cover.tocsc().astype(np.int32)
    size = np.diff(csc.indptr)
    alive = size > 0
    if capacity or n_c == 0:
        return np.flatnonzero(alive) if not capacity else np.arange(n_c)
    overlap = (csc.T @ csc).tocoo()  # common people of each candidate pair
    i, j, v = overlap.row, overlap.col, overlap.data
    # j dominates i: cover(i) ⊆ cover(j), and j is no dearer (for a count, cost is irrelevant);
    # among identical candidates keep the cheapest, then the first.
    sub = (i != j) & (v == size[i]) & alive[i]
    i, j = i[sub], j[sub]
    if by_cost:
        ok = cost[j] <= cost[i]
        i, j = i[ok], j[ok]
        same = size[i] == size[j]
        ok = ~same | (cost[j] < cost[i]) | ((cost[j] == cost[i]) & (j < i))
    else:
        same = size[i] == size[j]
        ok = ~same | (cost[j] < cost[i]) | ((cost[j] == cost[i]) & (j < i))
    alive[np.unique(i[ok])] = False
    return np.flatnonzero(alive)


def _quiet_highs(highspy):
    """A Highs instance without its start-up banner on the terminal (the banner is printed by
    the C++ library straight to the process's stdout, so redirect the file descriptor)."""
    import os
    import sys

    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            try:
                return highspy.Highs()
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def _result(problem, chosen, obj, method, status, gap, g_obj, secs, g_secs, budget, k):
    cands = problem.candidates
    sub = cands.iloc[chosen].copy() if chosen else cands.iloc[0:0].copy()
    # marginal gains in a greedy order of the chosen set (largest first) for display
    order, gains = _marginal_order(problem, list(chosen))
    if len(sub):
        sub = cands.iloc[order].copy()
        sub["pop_gained"] = gains
        sub["order"] = np.arange(1, len(sub) + 1)
    else:
        sub["pop_gained"] = pd.Series(dtype=float)
        sub["order"] = pd.Series(dtype=int)
    sub = sub.to_crs(WGS84).reset_index(drop=True)
    return SitingResult(sub, float(obj), float(sub["cost"].sum()) if len(sub) else 0.0, method,
                        status, gap, float(g_obj), secs, g_secs, budget, k, problem)


def _marginal_order(problem, chosen):
    pop = problem.demand["population"].to_numpy(dtype=float)
    csc = problem.cover.tocsc()
    covered = np.zeros(len(pop), dtype=bool)
    left = list(chosen)
    order, gains = [], []
    while left:
        best_j, best_g = left[0], -1.0
        for j in left:
            idx = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
            g = float(pop[idx[~covered[idx]]].sum())
            if g > best_g:
                best_j, best_g = j, g
        order.append(best_j)
        gains.append(best_g)
        left.remove(best_j)
        idx = csc.indices[csc.indptr[best_j]:csc.indptr[best_j + 1]]
        covered[idx] = True
    return order, gains


def brute_force(problem: SitingProblem, *, budget: float | None = None,
                k: int | None = None) -> tuple[float, list[int]]:
    """Exhaustive optimum (tiny problems only; for tests)."""
    from itertools import combinations

    _check_limits(problem, budget, k)
    n = len(problem.candidates)
    cost = problem.candidates["cost"].to_numpy(dtype=float)
    best, best_set = 0.0, []
    max_size = n if k is None else min(k, n)
    for size in range(1, max_size + 1):
        for comb in combinations(range(n), size):
            if budget is not None and cost[list(comb)].sum() > budget + 1e-6:
                continue
            v = objective(problem, list(comb))
            if v > best + 1e-9:
                best, best_set = v, list(comb)
    return best, best_set


def plan_sites(project, *, site_type: str = "pustu", budget: float | None = None,
               k: int | None = None, limit_km: float | None = None,
               limit_min: float | None = None, extra_candidates=None,
               capacity: float | None = None, exact: bool = True, on_greedy=None,
               time_limit: float | None = 60.0, travel_cover=None, progress=None,
               is_cancelled=None) -> SitingResult:
    """Build the problem from ``project`` and solve it (see :func:`build_problem`, :func:`solve`)."""
    checkpoint(progress, is_cancelled, 0.0, tr("siting.progress.build"))
    problem = build_problem(project, site_type=site_type, limit_km=limit_km,
                            limit_min=limit_min, extra_candidates=extra_candidates,
                            capacity=capacity, travel_cover=travel_cover)
    from ilp_gis.jobs import sub_progress

    return solve(problem, budget=budget, k=k, exact=exact, on_greedy=on_greedy,
                 time_limit=time_limit, progress=sub_progress(progress, 0.1, 1.0),
                 is_cancelled=is_cancelled)


register_catalog("ilp_gis", "siting")
