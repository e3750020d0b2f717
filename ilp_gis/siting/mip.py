"""The exact answer: the maximal covering model solved by HiGHS (dominated candidates dropped,
the greedy answer as warm start).  Imports numpy, scipy, highspy (on use) and
``ilp_gis.siting`` (problem, greedy).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import sparse

from ilp_gis.siting.greedy import objective
from ilp_gis.siting.problem import SitingProblem

HIGHS_OPTIONS: dict[str, Any] = {}
"""Extra HiGHS options for the exact model (tuning, benchmarks)."""
EPS_TIEBREAK = True


def solve_mip(problem: SitingProblem, budget, k, warm: list[int], time_limit, mip_rel_gap,
              is_cancelled):
    """The exact choice by HiGHS, warm-started with ``warm``: ``(chosen, objective, status,
    mip_gap)``, ``chosen`` None when HiGHS found no answer.

    Model (sparse MCLP, solved exactly by HiGHS)::

        max  Σ_i pop_i · y_i
        s.t. y_i ≤ Σ_{j covers i} x_j          for each not-yet-covered demand point i
             Σ_j c_j x_j ≤ B   (budget)   or   Σ_j x_j ≤ k   (count)
             x_j ∈ {0,1},  0 ≤ y_i ≤ 1

    With a capacity per new facility (people it can serve) an assignment w_ij ≥ 0 is added:
    ``y_i ≤ Σ_j w_ij``, ``w_ij ≤ x_j``, ``Σ_i pop_i w_ij ≤ cap · x_j``.
    """
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
