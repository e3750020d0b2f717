"""The quick answer: a lazy greedy choice of sites, the objective of any choice, the order of a
choice by marginal gain and an exhaustive optimum for tiny problems.  Imports numpy and
``ilp_gis.siting.problem``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np

from ilp_gis.siting.problem import SitingProblem, check_limits


def greedy(problem: SitingProblem, *, budget: float | None = None, k: int | None = None,
           is_cancelled: Callable[[], bool] | None = None) -> list[int]:
    """Greedy choice: repeatedly the candidate with most newly covered people (per Rupiah when
    a budget is given) that still fits; lazy evaluation keeps it fast.  With a budget the best
    single affordable site is also tried (the classic guarantee for budgeted coverage)."""
    check_limits(problem, budget, k)
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


def marginal_order(problem, chosen):
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

    check_limits(problem, budget, k)
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
