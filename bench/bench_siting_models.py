"""Benchmark: the planner's exact answers (HiGHS) against spopt's on the same instances (prints
figures; asserts nothing).  spopt is a bench/test extra, never a product dependency: without
it the comparison is skipped with a line saying so.

    python bench/bench_siting_models.py [--scale kabupaten|provinsi] [--k 10] [--solver cbc|highs]

For the sample, with the run's straight-line measure (5 km) and, when the sample has roads,
its travel-time measure (30 min): MCLP (most people newly covered by k new sites), LSCP (fewest
sites covering every coverable person not yet covered), p-median (least population-weighted
km/minutes to the nearest facility, existing ones kept, with k new sites) and the least cost
for a Pustu in every desa needing one (upgrade first, then build; spopt has no such model:
PuLP/CBC on the same model and its closed form).  spopt gets the very
same matrices (for minutes the planner's road cover as a 0/1 "cost" with radius 0.5, and for
p-median the existing facilities as one predefined column holding each point's time to its
nearest one); each answer is then scored by one formula, so "same" means the same optimum
value, not the same sites (ties may differ).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ilp_gis import siting  # noqa: E402
from ilp_gis.i18n import set_language  # noqa: E402
from ilp_gis.siting.problem import serving_mask  # noqa: E402
from layers.sample import generate_sample  # noqa: E402

BIG = 1e9  # "unreachable" for spopt, which needs finite costs


def _chosen(result) -> list[int]:
    return [int(str(c)[1:]) - 1 for c in result.sites["cand_id"]]


def _pmedian_data(problem):
    """What ``models.pmedian`` optimises: population, km/minutes to the nearest existing
    facility and to each candidate, for every point with people."""
    g, m = problem.ground, problem.measure
    pop = g.points["population"].to_numpy(float)
    use = np.isfinite(pop) & (pop > 0)
    xy = g.point_xy()[use]
    fac = g.fac
    existing = fac.loc[serving_mask(fac, problem.site_type), ["x", "y"]].to_numpy(float)
    e = g.to_nearest(m, xy, existing) if len(existing) else np.full(len(xy), np.inf)
    e = np.where(np.isfinite(e), e, np.inf)
    d = g.matrix(m, xy, problem.cand_xy)
    if problem.cand_reach is not None:
        d[:, ~np.asarray(problem.cand_reach, bool)] = np.inf
    return pop[use], e, d


def _pmedian_value(pop, e, d, chosen) -> tuple[float, float]:
    best = np.minimum(e, d[:, chosen].min(axis=1)) if chosen else e
    served = np.isfinite(best)
    return float((pop[served] * best[served]).sum()), float(pop[~served].sum())


def _solver(name: str):
    import pulp

    return pulp.HiGHS(msg=False) if name == "highs" else pulp.PULP_CBC_CMD(msg=False)


def compare(label: str, problem, k: int, solver: str) -> None:
    try:
        from spopt.locate import LSCP, MCLP, PMedian
    except ImportError:
        print("  spopt not installed (pip install '.[bench]'): comparison skipped")
        return
    n_d, n_c = len(problem.demand), len(problem.candidates)
    print(f"[{label}] {n_d} demand points not yet covered, {n_c} candidates, "
          f"{problem.cover.nnz} cover pairs; measure {problem.measure.describe('en')}")
    cover = problem.cover.toarray()
    pop = problem.demand["population"].to_numpy(float)

    if n_d == 0 or n_c == 0:
        print("  every person already within the limit, or no candidate: MCLP/LSCP skipped")
    else:
        _mclp_lscp(problem, k, solver, cover, pop, MCLP, LSCP)
    if problem.site_type == "pustu":
        _pmedian(problem, k, solver, PMedian)
        _every_desa(problem, solver)


def _mclp_lscp(problem, k, solver, cover, pop, MCLP, LSCP) -> None:
    t = time.perf_counter()
    ours = siting.solve(problem, k=k)
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    sp = MCLP.from_cost_matrix(np.where(cover, 0.0, 1.0), pop, service_radius=0.5,
                               p_facilities=k)
    sp.solve(_solver(solver))
    sp_s = time.perf_counter() - t
    ch = [j for j, v in enumerate(sp.fac_vars) if v.value() > 0.5]
    sp_gain = siting.objective(problem, ch)
    print(f"  MCLP k={k}: ours {ours.population_gained:,.0f} people ({ours_s:.2f} s), spopt "
          f"{sp_gain:,.0f} ({sp_s:.2f} s) — same optimum: "
          f"{abs(sp_gain - ours.population_gained) <= 1e-6 * max(1.0, sp_gain)}")

    # LSCP over the coverable points
    reach = cover.any(axis=1)
    t = time.perf_counter()
    ours = siting.solve(problem, objective="lscp")
    ours_s = time.perf_counter() - t
    if reach.any():
        t = time.perf_counter()
        sp = LSCP.from_cost_matrix(np.where(cover[reach], 0.0, 1.0), service_radius=0.5)
        sp.solve(_solver(solver))
        sp_s = time.perf_counter() - t
        ch = [j for j, v in enumerate(sp.fac_vars) if v.value() > 0.5]
        ok = bool(cover[reach][:, ch].any(axis=1).all()) if ch else False
        print(f"  LSCP: ours {len(ours.sites)} sites ({ours_s:.2f} s, {ours.left_out:,.0f} "
              f"people no candidate reaches), spopt {len(ch)} sites ({sp_s:.2f} s, covers all "
              f"coverable: {ok}) — same optimum: {len(ch) == len(ours.sites)}")
    else:
        print("  LSCP: no coverable point left: nothing to compare")



def _every_desa(problem, solver) -> None:
    """Least cost for a Pustu in every desa needing one: spopt has no cost-weighted cover, so
    the same model is solved by spopt's own back end (PuLP with CBC, independent of HiGHS) and
    checked against its closed form (the constraints are one per desa over that desa's own
    candidates, so the optimum is each desa's cheapest candidate)."""
    import pulp

    cand = problem.candidates
    kinds = cand["kind"].astype(str).to_numpy(object)
    codes = cand["desa_code"].astype(str).to_numpy(object)
    cost = cand["cost"].to_numpy(float)
    targets = sorted({c for c, k in zip(codes, kinds, strict=True) if k == "build"})
    t = time.perf_counter()
    ours = siting.solve(problem, objective="every_desa")
    ours_s = time.perf_counter() - t
    by_desa: dict[str, list[int]] = {}
    for j, (c, k) in enumerate(zip(codes, kinds, strict=True)):
        if k in ("build", "upgrade") and c in set(targets):
            by_desa.setdefault(c, []).append(j)
    closed = sum(min(cost[j] for j in js) for js in by_desa.values())
    t = time.perf_counter()
    m = pulp.LpProblem("every_desa", pulp.LpMinimize)
    x = {j: pulp.LpVariable(f"x{j}", cat="Binary") for js in by_desa.values() for j in js}
    m += pulp.lpSum(cost[j] * v for j, v in x.items())
    for js in by_desa.values():
        m += pulp.lpSum(x[j] for j in js) >= 1
    m.solve(_solver(solver))
    cbc_s = time.perf_counter() - t
    cbc = sum(cost[j] for j, v in x.items() if v.value() > 0.5)
    n_up = int((ours.sites["kind"] == "upgrade").sum())
    print(f"  every desa: ours Rp {ours.objective_value:,.0f} for {len(targets)} desa "
          f"({n_up} upgrades, {len(ours.sites) - n_up} builds; {ours_s:.2f} s), PuLP/{solver} "
          f"Rp {cbc:,.0f} ({cbc_s:.2f} s), closed form Rp {closed:,.0f} — same optimum: "
          f"{abs(cbc - ours.objective_value) <= 1e-6 * max(1.0, cbc) and closed == cbc}")


def _pmedian(problem, k, solver, PMedian) -> None:
    ppop, e, d = _pmedian_data(problem)
    t = time.perf_counter()
    ours = siting.solve(problem, objective="pmedian", k=k)
    ours_s = time.perf_counter() - t
    ours_v, _ = _pmedian_value(ppop, e, d, _chosen(ours))
    served = np.isfinite(e) | np.isfinite(d).any(axis=1)
    has_e = bool(np.isfinite(e[served]).any())
    cost = np.where(np.isfinite(d[served]), d[served], BIG)
    pre = None
    if has_e:
        cost = np.column_stack([np.where(np.isfinite(e[served]), e[served], BIG), cost])
        pre = np.r_[1, np.zeros(len(problem.candidates), dtype=int)]
    t = time.perf_counter()
    sp = PMedian.from_cost_matrix(cost, ppop[served], p_facilities=k + int(has_e),
                                  predefined_facilities_arr=pre)
    sp.solve(_solver(solver))
    sp_s = time.perf_counter() - t
    ch = [j - int(has_e) for j, v in enumerate(sp.fac_vars) if v.value() > 0.5 and
          j >= int(has_e)]
    sp_v, _ = _pmedian_value(ppop, e, d, ch)
    unit = problem.measure.unit
    print(f"  p-median k={k}: ours {ours_v:,.0f} people x {unit} ({ours_s:.2f} s; model value "
          f"{ours.objective_value:,.0f}), spopt {sp_v:,.0f} ({sp_s:.2f} s) — same optimum: "
          f"{abs(sp_v - ours_v) <= 1e-6 * max(1.0, sp_v)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=("kabupaten", "provinsi"), default="kabupaten")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--solver", choices=("cbc", "highs"), default="cbc",
                    help="spopt's solver through PuLP (cbc: independent of ours)")
    a = ap.parse_args()
    set_language("en")
    t = time.perf_counter()
    project = generate_sample(a.scale)
    print(f"{a.scale} sample: {len(project.desa)} desa, {len(project.facilities)} facilities "
          f"(generated in {time.perf_counter() - t:.1f} s)")
    compare("5 km", siting.build_problem(project, limit_km=5.0), a.k, a.solver)
    if project.has("roads"):
        compare("30 min", siting.build_problem(project, limit_min=30.0), a.k, a.solver)


if __name__ == "__main__":
    main()
