"""The siting problem: candidates (upgrades, new builds, the planner's points), the people not
yet within the run's measure and which candidate would cover whom; the Posyandu slots; the
result's shape.  Imports geopandas, numpy, pandas, scipy and ``ilp_gis`` (coverage, geo, errors,
i18n, model, rules, siting.measure).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from ilp_gis import geo, location
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import WGS84
from ilp_gis.rules import Rules
from ilp_gis.siting.measure import (
    CoverageMeasure,
    Ground,
    choose_measure,
    ground_travel_cover,
    people_per_posyandu,
)

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
    measure: CoverageMeasure | None = None
    ground: Ground | None = None
    cand_xy: np.ndarray | None = None  # candidates' coordinates in ``crs``
    cand_reach: np.ndarray | None = None  # False: the candidate covers nobody (no position)

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
    objective: str = "mclp"          # see ilp_gis.siting.models.OBJECTIVES
    objective_value: float = math.nan  # the model's own value (Rp, sites, people × km/min)
    left_out: float = 0.0            # people no candidate can serve (lscp, pmedian)

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
            "greedy_gained": None if not np.isfinite(self.greedy_gained)
            else float(self.greedy_gained),  # no greedy answer for the other objectives
            "cost_per_person": float(self.cost / self.population_gained)
            if self.population_gained > 0 else None,  # nobody gained: no figure, never NaN
            "seconds": round(self.seconds, 3), "greedy_seconds": round(self.greedy_seconds, 3),
            "budget": self.budget, "k": self.k,
            "limit_km": p.limit_km if p else None, "limit_min": p.limit_min if p else None,
            "population_total": p.population_total if p else None,
            "population_covered_before": p.population_covered_before if p else None,
            "measure": p.measure.to_dict() if p and p.measure else None,
            "objective": self.objective,
            "objective_value": None if not np.isfinite(self.objective_value)
            else float(self.objective_value),
            "left_out": float(self.left_out),
        }


def _xy(geoms) -> np.ndarray:
    import shapely

    return shapely.get_coordinates(np.asarray(geoms, dtype=object)).reshape(-1, 2)


def check_inputs(project, site_type: str) -> None:
    """Refuse before any work when the population or the list of the type being sited was
    never loaded: without them "everyone is covered" would be a false answer.  (The problem
    builder itself plans on any project, e.g. a district with no Pustu on purpose.)"""
    from ilp_gis.inputs import inventory, load_hint

    inv = inventory(project)
    lacks = inv.missing(("population", site_type))
    if lacks:
        raise InputError(tr("siting.inputs_missing", type=tr(f"facility.{site_type}"),
                            hint=load_hint(lacks)))
    if site_type in inv.counts_only:
        raise InputError(tr("siting.counts_only", type=tr(f"facility.{site_type}")))
def _as_stored(xy: np.ndarray, crs) -> np.ndarray:
    """``xy`` after the round trip a chosen site makes (stored as lon/lat, projected again by
    the scenario's analysis), so the planner measures from where the scenario will."""
    if not len(xy):
        return xy
    s = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs).to_crs(WGS84).to_crs(crs)
    return _xy(s.values)


def pustu_required(project, codes) -> np.ndarray:
    """Per desa code: does the desa need a Pustu?  A desa column ``pustu_required`` (False
    where a rule says no Pustu is needed) decides; without it every desa needs one."""
    codes = pd.Series(np.asarray(codes, dtype=object)).astype(str)
    desa = project.desa
    if "pustu_required" not in desa.columns:
        return np.ones(len(codes), dtype=bool)
    req = pd.Series(desa["pustu_required"].to_numpy(object),
                    index=desa["code"].astype(str).to_numpy())
    req = req[~req.index.duplicated()]
    return np.asarray([v is not False and v is not np.False_ and str(v).lower() != "false"
                       for v in req.reindex(codes.to_numpy()).to_numpy(object)], dtype=bool)


def serving_mask(fac: pd.DataFrame, site_type: str, *,
                 precursors_cover: bool = False) -> np.ndarray:
    """Prepared facilities (``Ground.fac``) that already serve as ``site_type`` in distance or
    travel-time coverage: the analysis' rule (``coverage.serving_mask``: located, positioned by
    the location rule, a Poskesdes/Polindes not yet a Pustu), precursors too when
    ``precursors_cover``."""
    from ilp_gis.coverage import serving_mask as analysis_mask

    mask = analysis_mask(fac, site_type)
    if precursors_cover and site_type == "pustu" and "precursor" in fac:
        mask = mask | analysis_mask(fac.assign(precursor=False), site_type)
    return mask


def location_notes(fac: pd.DataFrame, site_type: str, rules: Rules) -> list[str]:
    """What the location rule did to the existing facilities of ``site_type``: how many stand
    at their desa point as estimates, how many are left out of the existing reach."""
    if not len(fac):
        return []
    of_type = fac["type"].astype(str).to_numpy(object) == site_type
    q = fac["location_quality"].to_numpy(object) if "location_quality" in fac \
        else location.qualities(fac)
    out = []
    n_est = int((location.estimated(q, rules) & of_type).sum())
    if n_est:
        out.append(tr("siting.desa_points_used", n=n_est))
    pre = fac["precursor"].fillna(False).astype(bool).to_numpy() if "precursor" in fac \
        else np.zeros(len(fac), bool)
    n_left = int((~location.positioned(q, rules) & of_type & ~pre).sum())  # would-be reach
    if n_left:
        out.append(tr("siting.left_out_without_coordinates", n=n_left))
    return out


def _main_points(ground: Ground) -> pd.DataFrame:
    """x, y (in ``ground.crs``) of each desa's main population point, indexed by desa code
    (the point the analysis measures a desa from and places a desa-level facility at)."""
    pts = ground.points
    xy = ground.point_xy()
    frame = pd.DataFrame({"code": pts["desa_code"].to_numpy(object), "x": xy[:, 0],
                          "y": xy[:, 1], "w": pts["weight"].to_numpy(float),
                          "o": np.arange(len(pts))})
    frame = frame[np.isfinite(frame["x"]) & np.isfinite(frame["y"])]
    frame = frame.sort_values("w", ascending=False, kind="stable").drop_duplicates("code")
    frame = frame.sort_values("o", kind="stable")
    return pd.DataFrame({"x": frame["x"].to_numpy(float), "y": frame["y"].to_numpy(float)},
                        index=pd.Index(frame["code"].astype(str).to_numpy(object), dtype=object))


def desa_without_pustu(ground: Ground, rules: Rules, *,
                       precursors_cover: bool = False) -> tuple[set[str], int]:
    """Codes of the desa the analysis finds without a Pustu (its ``no_pustu`` rule: every
    Pustu of the desa counts, one known only by its desa or by a per-desa table's count too;
    a Poskesdes/Polindes only when ``precursors_cover``; a desa where the ILP target asks
    no Pustu — ``coverage.pustu_required``: by default a desa hosting a Puskesmas — is not
    one), and how many desa have no known count (left out, never taken as none)."""
    from ilp_gis.coverage import compute_coverage
    from ilp_gis.desa_counts import count_known

    d = compute_coverage(ground.desa, ground.fac, ground.points, rules).desa
    has = d["has_pustu"].to_numpy(bool)
    if precursors_cover:
        has = has | (pd.to_numeric(d["n_pustu"], errors="coerce").fillna(0).to_numpy(float) > 0)
    known = count_known(d["pustu_count_source"].to_numpy(object)) \
        if "pustu_count_source" in d else np.ones(len(d), bool)
    required = d["pustu_required"].fillna(True).astype(bool).to_numpy() \
        if "pustu_required" in d else np.ones(len(d), bool)
    codes = d["code"].astype(str).to_numpy(object)
    return set(codes[~has & known & required].tolist()), int((~known).sum())


def _user_block(extra: gpd.GeoDataFrame, crs, default: float) -> pd.DataFrame:
    ex = extra.to_crs(crs) if extra.crs is not None else extra.set_crs(WGS84).to_crs(crs)
    c = pd.to_numeric(ex["cost"], errors="coerce") if "cost" in ex.columns \
        else pd.Series(np.nan, index=ex.index)
    nm = ex["name"] if "name" in ex.columns else pd.Series(None, index=ex.index, dtype=object)
    nm = [v if isinstance(v, str) and v else f"#{i + 1}" for i, v in enumerate(nm)]
    dc = ex["desa_code"].to_numpy(object) if "desa_code" in ex.columns \
        else np.full(len(ex), None, object)
    xy = _as_stored(_xy(ex.geometry.values), crs)
    return pd.DataFrame({"kind": "user", "name": nm, "desa_code": dc,
                         "fac_id": np.full(len(ex), None, object),
                         "cost": c.fillna(default).to_numpy(float), "x": xy[:, 0], "y": xy[:, 1]})


def _candidate_frame(parts: list[pd.DataFrame], crs) -> gpd.GeoDataFrame:
    cols = ["kind", "name", "desa_code", "fac_id", "cost", "x", "y", "reach"]
    parts = [p if "reach" in p else p.assign(reach=True) for p in parts]
    cands = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    cands = cands[cols].reset_index(drop=True)
    cands["reach"] = cands["reach"].astype(bool)
    candidates = gpd.GeoDataFrame(
        cands, geometry=gpd.points_from_xy(cands["x"].astype(float), cands["y"].astype(float)),
        crs=crs)
    candidates.insert(0, "cand_id", [f"c{i + 1}" for i in range(len(candidates))])
    candidates["cost"] = candidates["cost"].astype("float64")
    return candidates


def build_problem(project, *, site_type: str = "pustu", limit_km: float | None = None,
                  limit_min: float | None = None, extra_candidates: gpd.GeoDataFrame | None = None,
                  include_build: bool = True, include_upgrade: bool = True,
                  capacity: float | None = None, rules: Rules | None = None,
                  travel_cover: Callable[..., sparse.spmatrix] | None = None,
                  precursors_cover: bool = False,
                  measure: CoverageMeasure | None = None, done_with=None) -> SitingProblem:
    """Build the covering problem for ``site_type`` (``pustu`` | ``posyandu``) from a project.

    The run's :class:`~ilp_gis.siting.measure.CoverageMeasure` is chosen once
    (:func:`~ilp_gis.siting.measure.choose_measure`): the given ``limit_km`` / ``limit_min``,
    else travel minutes when the project has usable roads (as the gaps), else km, each limit
    from the rules.  The project is prepared and measured exactly as ``ilp_gis.analysis`` does
    (:class:`~ilp_gis.siting.measure.Ground`), so the people a choice gains here are the people
    the scenario's re-analysis finds newly within the limit.  ``travel_cover``: an optional
    ``(from_points, to_points, limit_min) -> sparse bool matrix`` replacing the road cover.
    ``precursors_cover``: count Poskesdes/Polindes as already covering (default False: they
    are upgrade candidates, not Pustu yet).  ``done_with``: called with the names of the input
    layers read no more (see :class:`~ilp_gis.siting.measure.Ground`).

    Candidates
        * ``upgrade`` — Poskesdes/Polindes (``precursor=True`` facilities), at
          ``cost.upgrade_pustu``;
        * ``build``   — the main population point of each desa without a Pustu (and needing
          one: a desa column ``pustu_required`` = False leaves it out), at ``cost.build_pustu``;
        * ``user``    — points the planner adds (a GeoDataFrame with optional ``cost``/``name``).
        For Posyandu (:func:`posyandu_problem`): one slot per missing Posyandu of each desa.
    """
    if site_type not in SITE_TYPES:
        raise InputError(tr("siting.bad_type", value=site_type))
    rules = rules or project.rules
    if not project.has("desa") or not len(project.desa):
        raise InputError(tr("siting.no_desa"))
    ground = Ground(project, rules, done_with=done_with)
    if measure is None:
        measure = choose_measure(site_type, rules, limit_km=limit_km, limit_min=limit_min,
                                 has_roads=ground.graph is not None or travel_cover is not None)
    if measure.unit == "min" and ground.graph is None and travel_cover is None:
        raise InputError(tr("siting.no_travel"))
    if measure.unit == "deficit":
        return posyandu_problem(project, ground, measure, rules, extra_candidates)
    pts = ground.points
    pop = pd.to_numeric(pts["population"], errors="coerce")
    notes: list[str] = []
    n_unknown = int(pop.isna().sum())
    if n_unknown:
        notes.append(tr("siting.pop_unknown", n=n_unknown))
    all_xy = ground.point_xy()
    use = (pop.notna() & (pop > 0) & pts.geometry.notna()).to_numpy()
    pts = pts[use].reset_index(drop=True)
    demand_xy = all_xy[use]
    population_total = float(pts["population"].sum())

    fac = ground.fac
    ftype = fac["type"].astype(str).to_numpy(object)
    precursor = fac["precursor"].fillna(False).astype(bool).to_numpy() if "precursor" in fac \
        else np.zeros(len(fac), bool)
    serving = serving_mask(fac, site_type, precursors_cover=precursors_cover)
    existing_xy = fac.loc[serving, ["x", "y"]].to_numpy(float)
    notes.extend(location_notes(fac, site_type, rules))

    # Which demand is already covered by an existing facility (as the analysis measures it).
    if travel_cover is not None and measure.unit == "min":
        ex = gpd.GeoSeries(gpd.points_from_xy(existing_xy[:, 0], existing_xy[:, 1]),
                           crs=ground.crs)
        before = travel_cover.nearest(pts.geometry, ex) if hasattr(travel_cover, "nearest") \
            and len(ex) else np.full(len(pts), np.nan)
    else:
        before = ground.to_nearest(measure, demand_xy, existing_xy)
    covered = Ground.within(measure, before)
    covered_before = float(pts.loc[covered, "population"].sum())
    demand_pts = pts[~covered].reset_index(drop=True)
    dxy = demand_xy[~covered]

    # Candidates.
    parts: list[pd.DataFrame] = []
    desa = ground.desa
    names = pd.Series(desa["name"].to_numpy(), index=desa["code"].astype(str).to_numpy())
    names = names[~names.index.duplicated()]

    def block(kind: str, codes, xy, cost: float, name=None, fac_id=None,
              reach=None) -> pd.DataFrame:
        codes = np.asarray(codes, dtype=object)
        return pd.DataFrame({
            "reach": np.ones(len(codes), bool) if reach is None else np.asarray(reach, bool),
            "kind": kind,
            "name": name if name is not None else
            names.reindex([str(c) for c in codes]).to_numpy(object),
            "desa_code": codes,
            "fac_id": fac_id if fac_id is not None else np.full(len(codes), None, object),
            "cost": cost, "x": xy[:, 0], "y": xy[:, 1]})

    if site_type == "posyandu":  # a distance/time limit given: every point still beyond it
        if include_build:
            parts.append(block("build", demand_pts["desa_code"], _as_stored(dxy, ground.crs),
                               float(rules.value("cost.open_posyandu"))))
    elif include_upgrade:
        # every Poskesdes/Polindes of a known desa; one without a position the rules let
        # coverage use (known only by its desa) stands at its desa's main population point and
        # reaches nobody (``reach`` False), as the analysis would count it once upgraded, yet
        # still gives its desa a Pustu
        pre_at = (ftype == "pustu") & precursor
        reach = serving_mask(fac.assign(precursor=False), "pustu") & pre_at
        main_xy = _main_points(ground)
        at_desa = main_xy.reindex(pd.Index(fac["desa_code"].to_numpy(object), dtype=object))
        x = np.where(reach, fac["x"].to_numpy(float), at_desa["x"].to_numpy(float))
        y = np.where(reach, fac["y"].to_numpy(float), at_desa["y"].to_numpy(float))
        sel = pre_at & np.isfinite(x) & np.isfinite(y)
        if sel.any():
            pre = fac[sel]
            parts.append(block("upgrade", pre["desa_code"], np.column_stack([x[sel], y[sel]]),
                               float(rules.value("cost.upgrade_pustu")),
                               name=pre["name"].to_numpy(object),
                               fac_id=pre["fac_id"].to_numpy(object), reach=reach[sel]))
    if include_build and site_type == "pustu":
        # every desa's main population point, its population known or not (a desa without a
        # figure still needs its Pustu; it only adds no known people to the coverage), in each
        # desa the analysis finds without a Pustu (its ``no_pustu`` gap: a Pustu known only by
        # its desa or by a per-desa table's count counts, a desa of unknown count is left out)
        main_xy = _main_points(ground)
        lacking, n_unknown_count = desa_without_pustu(ground, rules,
                                                      precursors_cover=precursors_cover)
        if n_unknown_count:
            notes.append(tr("siting.pustu_count_unknown", n=n_unknown_count))
        first = main_xy[main_xy.index.isin(lacking)]
        need = pustu_required(project, first.index.to_numpy(object))
        first = first[need]
        parts.append(block("build", first.index.to_numpy(object),
                           _as_stored(first[["x", "y"]].to_numpy(float), ground.crs),
                           float(rules.value("cost.build_pustu"))))
    if extra_candidates is not None and len(extra_candidates):
        parts.append(_user_block(extra_candidates, ground.crs, float(rules.value(
            "cost.build_pustu" if site_type == "pustu" else "cost.open_posyandu"))))
    candidates = _candidate_frame(parts, ground.crs)
    cxy = candidates[["x", "y"]].to_numpy(float) if len(candidates) else np.zeros((0, 2))
    if travel_cover is not None and measure.unit == "min" and len(dxy) and len(cxy):
        cover = sparse.csr_matrix(travel_cover(demand_pts.geometry, candidates.geometry,
                                               measure.limit), dtype=bool)
    else:
        cover = ground.cover(measure, dxy, cxy)
    reach = candidates["reach"].to_numpy(bool)
    if not reach.all():  # a candidate without a usable position covers nobody
        cover = sparse.csr_matrix(cover.multiply(reach[None, :].astype(np.int8)), dtype=bool)
        cover.eliminate_zeros()
    demand = pd.DataFrame({"desa_code": demand_pts["desa_code"].to_numpy(),
                           "population": demand_pts["population"].to_numpy(dtype=float),
                           "x": dxy[:, 0], "y": dxy[:, 1]})
    return SitingProblem(site_type, demand, candidates.drop(columns=["x", "y", "reach"]), cover,
                         ground.crs, measure.limit if measure.unit == "km" else None,
                         measure.limit if measure.unit == "min" else None, population_total,
                         covered_before, capacity, notes, measure, ground, cxy, reach)


def posyandu_problem(project, ground: Ground, measure: CoverageMeasure, rules: Rules,
                     extra_candidates=None) -> SitingProblem:
    """Where Posyandu are missing: each desa short of its target (``posyandu_deficit`` of the
    coverage, from the dusun count × ``target.posyandu_per_dusun``) gives one slot per missing
    Posyandu at its main population point, at ``cost.open_posyandu``; a slot weighs the people
    of one dusun (:func:`people_per_posyandu`).  Desa without a dusun count or population are
    named in the notes, never counted as zero."""
    from ilp_gis.coverage import compute_coverage

    cov = compute_coverage(ground.desa, ground.fac, ground.points, measure.rules_for(rules)).desa
    deficit = pd.to_numeric(cov["posyandu_deficit"], errors="coerce").to_numpy(float)
    per = people_per_posyandu(cov["population"], cov["posyandu_needed"])
    notes: list[str] = []
    n_no_target = int(np.isnan(deficit).sum())
    if n_no_target:
        notes.append(tr("siting.posyandu.no_dusun", n=n_no_target))
    short = np.isfinite(deficit) & (deficit > 0)
    n_no_pop = int((short & ~np.isfinite(per)).sum())
    if n_no_pop:
        notes.append(tr("siting.posyandu.no_population", n=n_no_pop))
    notes.append(tr("siting.posyandu.short", n=int(short.sum()),
                    missing=int(np.nansum(np.where(short, deficit, 0)))))
    slots = short & np.isfinite(per)
    reps = np.where(slots, deficit, 0).astype(np.int64)
    pos = np.repeat(np.arange(len(cov)), reps)
    ll = cov[["pop_lon", "pop_lat"]].to_numpy(float)[pos]
    xy = geo.project_xy(ll, WGS84, ground.crs) if len(pos) else np.zeros((0, 2))
    codes = cov["code"].to_numpy(object)[pos]
    names = cov["name"].to_numpy(object)[pos]
    cost = float(rules.value("cost.open_posyandu"))
    parts = [pd.DataFrame({"kind": "build", "name": names, "desa_code": codes,
                           "fac_id": np.full(len(pos), None, object), "cost": cost,
                           "x": xy[:, 0], "y": xy[:, 1]})]
    if extra_candidates is not None and len(extra_candidates):
        notes.append(tr("siting.posyandu.no_user"))
    candidates = _candidate_frame(parts, ground.crs)
    n = len(pos)
    cover = sparse.identity(n, dtype=bool, format="csr")
    demand = pd.DataFrame({"desa_code": codes, "population": per[pos], "x": xy[:, 0],
                           "y": xy[:, 1]})
    known = np.isfinite(per)
    total = float(np.nansum(np.where(known, pd.to_numeric(cov["population"], errors="coerce"),
                                     np.nan)))
    before = total - float(demand["population"].sum())
    return SitingProblem("posyandu", demand, candidates.drop(columns=["x", "y", "reach"]), cover,
                         ground.crs, None, None, total, before, None, notes, measure, ground,
                         candidates[["x", "y"]].to_numpy(float))


def road_travel_cover(project, rules: Rules | None = None):
    """A ``travel_cover(from_points, to_points, limit_min)`` function over the project's roads
    (with ``nearest``: minutes to the nearest target); None when the project has no usable
    roads."""
    rules = rules or project.rules
    if not project.has("roads") or not project.has("desa"):
        return None
    ground = Ground(project, rules)
    if ground.graph is None:
        return None
    return ground_travel_cover(ground)


def check_limits(problem: SitingProblem, budget: float | None, k: int | None) -> None:
    if (budget is None) == (k is None):
        raise InputError(tr("siting.budget_or_k"))
    if budget is not None and not (budget >= 0):
        raise InputError(tr("siting.bad_budget", value=str(budget)))
    if k is not None and k < 0:
        raise InputError(tr("siting.bad_k", value=str(k)))


register_catalog("ilp_gis", "siting.problem")
