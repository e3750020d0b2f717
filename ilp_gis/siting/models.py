"""The other siting questions, each exact with HiGHS: the least cost to give every desa its
Pustu (upgrade a Poskesdes/Polindes where there is one, else build), the fewest sites that
cover everyone coverable (LSCP), and the sites that make the population-weighted travel to the
nearest facility least (p-median).  Imports numpy, scipy, highspy (on use) and
``ilp_gis.siting`` (problem, mip).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ilp_gis.siting.problem import SitingProblem, serving_mask

OBJECTIVES = ("mclp", "every_desa", "lscp", "pmedian")
"""``mclp``: most people newly covered within a budget or count (``plan.solve``);
``every_desa``: least cost for a Pustu in every desa needing one; ``lscp``: fewest sites to
cover everyone coverable; ``pmedian``: least population-weighted travel with ``k`` new sites."""


@dataclass
class ModelAnswer:
    """What an exact model chose: candidate positions, its own objective value (Rp, sites or
    people × km/minutes), HiGHS's status and gap, and the people it leaves out (desa / points
    that no candidate can serve)."""

    chosen: list[int]
    value: float
    status: str
    mip_gap: float
    left_out: float = 0.0


def every_desa(problem: SitingProblem, *, time_limit: float | None = 60.0) -> ModelAnswer:
    """The least cost so that every desa without a Pustu (and needing one) gets one::

        min Σ_j c_j x_j   s.t.  Σ_{j in desa d} x_j ≥ 1  for each such desa d,  x_j ∈ {0,1}

    Candidates of a desa are its Poskesdes/Polindes (upgrade) and its build site; an upgrade
    is preferred to a build of equal cost (the guide's order: upgrade first, then build)."""
    cand = problem.candidates
    kinds = cand["kind"].astype(str).to_numpy(object)
    codes = cand["desa_code"].astype(object).to_numpy(object)
    targets = sorted({str(c) for c, k in zip(codes, kinds, strict=True)
                      if k == "build" and c is not None})
    pos = {c: i for i, c in enumerate(targets)}
    rows, cols = [], []
    for j, (c, k) in enumerate(zip(codes, kinds, strict=True)):
        if k in ("build", "upgrade") and c is not None and str(c) in pos:
            rows.append(pos[str(c)])
            cols.append(j)
    a = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(targets), len(cand)))
    cost = cand["cost"].to_numpy(float)
    scale = float(cost.max()) if len(cost) else 1.0
    tie = np.where(kinds == "upgrade", 0.0, 1e-6 * scale)  # upgrade first among equals
    return _binary_cover(cost + tie, a, time_limit, value_cost=cost)


def lscp(problem: SitingProblem, *, time_limit: float | None = 60.0) -> ModelAnswer:
    """The fewest new sites so that every not-yet-covered person some candidate can reach
    is covered (the cheapest such set among equally few)::

        min Σ_j x_j   s.t.  Σ_{j covers i} x_j ≥ 1  for each coverable demand point i

    ``left_out``: the people no candidate can reach within the limit."""
    cover = problem.cover.tocsr()
    pop = problem.demand["population"].to_numpy(float)
    reach = np.asarray(cover.sum(axis=1)).ravel() > 0
    a = cover[reach].astype(float)
    cost = problem.candidates["cost"].to_numpy(float)
    total = float(cost.sum()) or 1.0
    ans = _binary_cover(np.ones(len(cost)) + 1e-3 * cost / total, a, time_limit,
                        value_cost=np.ones(len(cost)))
    ans.left_out = float(pop[~reach].sum())
    return ans


def pmedian(problem: SitingProblem, k: int, *, time_limit: float | None = 60.0) -> ModelAnswer:
    """``k`` new sites that make Σ_i pop_i · (km or minutes to the nearest facility, existing
    ones included) least, over every population point with a known population::

        min Σ_i pop_i (e_i z_i0 + Σ_j d_ij z_ij)
        s.t. z_i0 + Σ_j z_ij = 1,  z_ij ≤ x_j,  Σ_j x_j = k (≤ when fewer candidates help)

    ``e_i`` is the distance/time to the nearest existing facility; a pair (i, j) is modelled
    only where the candidate is nearer than that (else it can never be chosen for i).
    ``left_out``: the people reached neither by an existing facility nor by any candidate."""
    import highspy

    from ilp_gis.siting.mip import _quiet_highs

    g, m = problem.ground, problem.measure
    pts = g.points
    pop = pts["population"].to_numpy(float)
    use = np.isfinite(pop) & (pop > 0)
    xy = g.point_xy()[use]
    pop = pop[use]
    fac = g.fac
    existing = fac.loc[serving_mask(fac, problem.site_type), ["x", "y"]].to_numpy(float)
    e = g.to_nearest(m, xy, existing) if len(existing) else np.full(len(xy), np.inf)
    e = np.where(np.isfinite(e), e, np.inf)
    # the pairs (point, candidate) where the candidate is nearer than the nearest existing
    # facility, sorted by point then candidate, never the dense points × candidates matrix
    rows, jj, d_ij = g.pairs_below(m, xy, problem.cand_xy, e)
    if problem.cand_reach is not None:  # a candidate without a usable position serves nobody
        ok = np.asarray(problem.cand_reach, bool)[jj]
        rows, jj, d_ij = rows[ok], jj[ok], d_ij[ok]
    served = np.isfinite(e)
    served[rows] = True
    left_out = float(pop[~served].sum())
    keep = np.flatnonzero(served)
    at = np.full(len(xy), -1, dtype=np.int64)
    at[keep] = np.arange(len(keep))
    ii = at[rows]
    n_c, n_d, n_z = len(problem.cand_xy), len(keep), len(ii)
    has_e = np.isfinite(e[keep])
    # columns: x_j (n_c), z_i0 (n_d, fixed 0 where no existing facility), z_ij (n_z)
    col_cost = np.concatenate([np.zeros(n_c), pop[keep] * np.where(has_e, e[keep], 0.0),
                               pop[keep][ii] * d_ij])
    upper = np.concatenate([np.ones(n_c), has_e.astype(float), np.ones(n_z)])
    z0 = n_c + np.arange(n_d)
    zij = n_c + n_d + np.arange(n_z)
    # rows: assignment (n_d, = 1), z_ij - x_j ≤ 0 (n_z), Σ x_j (1)
    r = np.concatenate([np.arange(n_d), ii, n_d + np.arange(n_z), n_d + np.arange(n_z),
                        np.full(n_c, n_d + n_z)])
    c = np.concatenate([z0, zij, zij, jj, np.arange(n_c)])
    v = np.concatenate([np.ones(n_d), np.ones(n_z), np.ones(n_z), -np.ones(n_z),
                        np.ones(n_c)])
    k_eff = min(int(k), n_c)
    lo = np.concatenate([np.ones(n_d), np.full(n_z, -highspy.kHighsInf), [k_eff]])
    hi = np.concatenate([np.ones(n_d), np.zeros(n_z), [k_eff]])
    a = sparse.csc_matrix((v, (r, c)), shape=(n_d + n_z + 1, n_c + n_d + n_z))
    h = _quiet_highs(highspy)
    chosen, value, status, gap = _run(h, highspy, col_cost, upper, a, lo, hi, n_c, time_limit,
                                      minimize=True)
    return ModelAnswer(chosen, value, status, gap, left_out)


def _binary_cover(c: np.ndarray, a: sparse.csr_matrix, time_limit, *,
                  value_cost: np.ndarray) -> ModelAnswer:
    """min c·x s.t. a x ≥ 1, x binary; the value reported with ``value_cost``."""
    import highspy

    from ilp_gis.siting.mip import _quiet_highs

    n = a.shape[1]
    if a.shape[0] == 0 or n == 0:
        return ModelAnswer([], 0.0, "Optimal", 0.0)
    h = _quiet_highs(highspy)
    lo = np.ones(a.shape[0])
    hi = np.full(a.shape[0], highspy.kHighsInf)
    chosen, _v, status, gap = _run(h, highspy, c, np.ones(n), sparse.csc_matrix(a), lo, hi, n,
                                   time_limit, minimize=True)
    return ModelAnswer(chosen, float(value_cost[chosen].sum()) if chosen else 0.0, status, gap)


def _run(h, highspy, col_cost, upper, a: sparse.csc_matrix, row_lo, row_hi, n_int: int,
         time_limit, *, minimize: bool):
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    a = sparse.csc_matrix(a)
    a.sort_indices()
    n_cols = a.shape[1]
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = np.asarray(col_cost, dtype=float)
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    lp.sense_ = highspy.ObjSense.kMinimize if minimize else highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_int + \
        [highspy.HighsVarType.kContinuous] * (n_cols - n_int)
    h.passModel(lp)
    h.run()
    model_status = h.getModelStatus()
    status = h.modelStatusToString(model_status)
    sol = h.getSolution()
    if not sol.value_valid:
        return [], math.nan, status, math.nan
    x = np.asarray(sol.col_value)
    info = h.getInfo()
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else math.nan
    if model_status == highspy.HighsModelStatus.kOptimal:
        gap = max(0.0, gap) if np.isfinite(gap) else 0.0
    return [int(j) for j in np.flatnonzero(x[:n_int] > 0.5)], \
        float(np.dot(col_cost, x)), status, gap
