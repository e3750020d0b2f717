"""Choosing sites: the greedy answer first (shown at once), then the exact one within a time
limit; ``plan_sites`` builds the problem from a project and solves it.  Imports pandas, numpy
and ``ilp_gis`` (i18n, jobs, model, siting).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint, sub_progress
from ilp_gis.model import WGS84
from ilp_gis.siting.greedy import greedy, marginal_order
from ilp_gis.siting.greedy import objective as people_gained
from ilp_gis.siting.mip import solve_mip
from ilp_gis.siting.problem import (
    SitingProblem,
    SitingResult,
    build_problem,
    check_inputs,
    check_limits,
)


def solve(problem: SitingProblem, *, budget: float | None = None, k: int | None = None,
          exact: bool = True, on_greedy: Callable[[SitingResult], None] | None = None,
          time_limit: float | None = 60.0, mip_rel_gap: float = 0.0,
          progress=None, is_cancelled=None, objective: str = "mclp") -> SitingResult:
    """Choose sites under a money ``budget`` (Rp) or a count ``k`` (``objective="mclp"``), or
    answer another question exactly (:data:`~ilp_gis.siting.models.OBJECTIVES`):
    ``every_desa`` and ``lscp`` take neither, ``pmedian`` takes ``k``.  Every answer reports
    the people it newly covers under the run's measure (what the scenario will find).

    The greedy answer is computed first and passed to ``on_greedy`` (a SitingResult); then,
    when ``exact``, HiGHS searches the optimum (warm-started with the greedy answer) within
    ``time_limit`` seconds.  Cancelling returns the best answer found so far.  The result
    reports HiGHS's relative MIP gap and greedy vs exact.
    """
    if objective != "mclp":
        return _solve_other(problem, objective, k, time_limit, progress, is_cancelled)
    check_limits(problem, budget, k)
    checkpoint(progress, is_cancelled, 0.0, tr("siting.progress.greedy"))
    t0 = time.perf_counter()
    g_chosen = greedy(problem, budget=budget, k=k, is_cancelled=is_cancelled)
    g_obj = people_gained(problem, g_chosen)
    g_secs = time.perf_counter() - t0
    g_result = _result(problem, g_chosen, g_obj, "greedy", "greedy", math.nan, g_obj, g_secs,
                       g_secs, budget, k)
    if on_greedy is not None:
        on_greedy(g_result)
    if not exact or len(problem.candidates) == 0 or len(problem.demand) == 0 or (
            is_cancelled is not None and is_cancelled()):
        return g_result
    checkpoint(progress, is_cancelled, 0.2, tr("siting.progress.exact"))
    chosen, obj, status, gap = solve_mip(problem, budget, k, g_chosen, time_limit,
                                         mip_rel_gap, is_cancelled)
    secs = time.perf_counter() - t0
    if chosen is None or obj < g_obj - 1e-6:
        # HiGHS found nothing better (e.g. interrupted at once): keep the greedy answer
        return _result(problem, g_chosen, g_obj, "greedy", status, gap, g_obj, secs, g_secs,
                       budget, k)
    checkpoint(progress, None, 1.0)
    return _result(problem, chosen, obj, "exact", status, gap, g_obj, secs, g_secs, budget, k)


def _solve_other(problem, name, k, time_limit, progress, is_cancelled) -> SitingResult:
    from ilp_gis.siting import models

    if name not in models.OBJECTIVES:
        raise InputError(tr("siting.bad_objective", value=name,
                            choices=", ".join(models.OBJECTIVES)))
    if name == "pmedian" and (k is None or k < 1):
        raise InputError(tr("siting.pmedian_needs_k"))
    if name in ("every_desa", "pmedian") and problem.site_type != "pustu":
        raise InputError(tr("siting.pustu_only", objective=tr(f"siting.objective.{name}")))
    checkpoint(progress, is_cancelled, 0.0, tr("siting.progress.exact"))
    t0 = time.perf_counter()
    if name == "every_desa":
        ans = models.every_desa(problem, time_limit=time_limit)
    elif name == "lscp":
        ans = models.lscp(problem, time_limit=time_limit)
    else:
        ans = models.pmedian(problem, k, time_limit=time_limit)
    secs = time.perf_counter() - t0
    checkpoint(progress, None, 1.0)
    res = _result(problem, ans.chosen, people_gained(problem, ans.chosen), "exact", ans.status,
                  ans.mip_gap, math.nan, secs, 0.0, None, k if name == "pmedian" else None)
    res.objective, res.objective_value, res.left_out = name, ans.value, ans.left_out
    return res


def _result(problem, chosen, obj, method, status, gap, g_obj, secs, g_secs, budget, k):
    cands = problem.candidates
    sub = cands.iloc[chosen].copy() if chosen else cands.iloc[0:0].copy()
    # marginal gains in a greedy order of the chosen set (largest first) for display
    order, gains = marginal_order(problem, list(chosen))
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


def plan_sites(project, *, site_type: str = "pustu", budget: float | None = None,
               k: int | None = None, limit_km: float | None = None,
               limit_min: float | None = None, extra_candidates=None,
               capacity: float | None = None, exact: bool = True, on_greedy=None,
               time_limit: float | None = 60.0, travel_cover=None, progress=None,
               is_cancelled=None, objective: str = "mclp", done_with=None) -> SitingResult:
    """Build the problem from ``project`` and solve it (see :func:`build_problem`, :func:`solve`).
    ``done_with``: called with the names of the input layers read no more (the roads once the
    road graph is built, the settlements once the population points are placed).

    A project without population, or without the list of ``site_type`` (never loaded), is
    refused with the reason (:func:`check_inputs`) before any work."""
    if site_type in ("pustu", "posyandu"):
        check_inputs(project, site_type)
    checkpoint(progress, is_cancelled, 0.0, tr("siting.progress.build"))
    problem = build_problem(project, site_type=site_type, limit_km=limit_km,
                            limit_min=limit_min, extra_candidates=extra_candidates,
                            capacity=capacity, travel_cover=travel_cover,
                            done_with=done_with)
    return solve(problem, budget=budget, k=k, exact=exact, on_greedy=on_greedy,
                 time_limit=time_limit, progress=sub_progress(progress, 0.1, 1.0),
                 is_cancelled=is_cancelled, objective=objective)


def answer_text(result: SitingResult) -> str:
    """The figure of an answer to another question than the most coverage: the least cost
    (Rp) for every desa, the fewest sites (LSCP), the mean travel to the nearest facility
    (p-median), and the people no candidate can reach."""
    from ilp_gis.i18n import format_number, format_rupiah

    value = result.objective_value
    if result.objective == "every_desa":
        figure = format_rupiah(value)
    elif result.objective == "lscp":
        figure = format_number(value)
    else:
        m = result.problem.measure
        known = result.problem.population_total - result.left_out
        figure = tr(f"siting.answer.mean_travel_{m.unit}",
                    value=format_number(value / known if known > 0 else math.nan, 2))
    return tr("siting.answer.other", objective=tr(f"siting.objective.{result.objective}"),
              figure=figure, left=format_number(result.left_out))


register_catalog("ilp_gis", "siting.plan")
