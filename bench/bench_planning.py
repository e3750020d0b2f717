"""Benchmark of the siting optimisation (prints figures; asserts nothing).

    python bench/bench_planning.py [--scale provinsi|nasional|both] [--no-spopt]

provinsi: 50 new Pustu among the province's desa (existing facilities kept), 5 km straight line
and 60 min travel time: problem build, greedy and exact (HiGHS) times, objective, optimality gap,
and spopt's MCLP on the same instance (same objective? time ratio) when spopt is installed.
nasional: 200 new Pustu across the nasional sample, kabupaten by kabupaten (sites shared out in
proportion to the population not yet within 5 km), total time.
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
from ilp_gis.project import Project  # noqa: E402
from layers.sample import generate_sample  # noqa: E402


def _spopt(problem: siting.SitingProblem, k: int, radius: float) -> tuple[float, float] | None:
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        return None
    if len(problem.demand) * len(problem.candidates) > 5_000_000:
        return "too_big"
    cxy = np.array([(g.x, g.y) for g in problem.candidates.geometry])
    dxy = problem.demand[["x", "y"]].to_numpy()
    t = time.perf_counter()
    if radius > 0:
        cost = np.sqrt(((dxy[:, None, :] - cxy[None, :, :]) ** 2).sum(axis=2))
    else:  # travel time: give spopt our cover as a 0/1 "cost" matrix with radius 0.5
        cost = np.where(problem.cover.toarray(), 0.0, 1.0)
        radius = 0.5
    weights = problem.demand["population"].to_numpy()
    model = MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=k)
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    secs = time.perf_counter() - t
    chosen = [j for j, v in enumerate(model.fac_vars) if v.value() > 0.5]
    covered = (cost[:, chosen] <= radius).any(axis=1) if chosen else np.zeros(len(weights), bool)
    return float(weights[covered].sum()), secs


def bench_provinsi(use_spopt: bool) -> None:
    t = time.perf_counter()
    project = generate_sample("provinsi")
    print(f"provinsi sample: {len(project.desa)} desa, {len(project.facilities)} facilities, "
          f"{len(project.roads)} road lines (generated in {time.perf_counter() - t:.1f} s)")
    fac = project.facilities
    greenfield = project.copy()  # a harder instance: no Pustu yet, only Puskesmas kept
    greenfield.set_layer("facilities", fac[(fac["type"] != "pustu")
                                           | fac["precursor"].fillna(False).astype(bool)])
    kab1 = project.desa["code"].str[:5].iloc[0]
    one = Project(layers={"desa": project.desa[project.desa["code"].str[:5] == kab1],
                          "facilities": greenfield.facilities[
                              greenfield.facilities["desa_code"].str[:5] == kab1]},
                  rules=project.rules)
    for label, proj, kw, radius, k in (
            ("5 km", project, {"limit_km": 5.0}, 5000.0, 50),
            ("60 min", project, {"limit_min": 60.0}, 0.0, 50),
            ("greenfield 3 km", greenfield, {"limit_km": 3.0}, 3000.0, 50),
            ("greenfield 3 km, one kabupaten, k=20", one, {"limit_km": 3.0}, 3000.0, 20)):
        t = time.perf_counter()
        problem = siting.build_problem(proj, **kw)
        build = time.perf_counter() - t
        res = siting.solve(problem, k=k)
        print(f"  [{label}] demand points not yet covered {len(problem.demand)}, candidates "
              f"{len(problem.candidates)}, cover pairs {problem.cover.nnz}; build {build:.2f} s")
        print(f"  [{label}] greedy {res.greedy_gained:,.0f} people in {res.greedy_seconds:.3f} s;"
              f" exact ({res.status}) {res.population_gained:,.0f} people, gap {res.mip_gap:.2e},"
              f" total solve {res.seconds:.3f} s (exact part "
              f"{res.seconds - res.greedy_seconds:.3f} s); greedy/exact "
              f"{res.greedy_vs_exact:.4f}")
        if use_spopt:
            sp = _spopt(problem, k, radius)
            if sp is None:
                print("  spopt not installed: comparison skipped")
            elif sp == "too_big":
                print(f"  [{label}] spopt skipped: its dense {len(problem.demand)} x "
                      f"{len(problem.candidates)} cost matrix and pulp model are too big here")
            else:
                obj, secs = sp
                same = abs(obj - res.population_gained) <= 1e-6 * max(1.0, obj)
                print(f"  [{label}] spopt MCLP (CBC) {obj:,.0f} people in {secs:.2f} s — same "
                      f"objective: {same}; time ratio spopt/ours {secs / res.seconds:.1f}x")


def bench_nasional(total_sites: int = 200, cache: str | None = None) -> None:
    import pickle

    t = time.perf_counter()
    if cache and Path(cache).exists():
        project = pickle.loads(Path(cache).read_bytes())
    else:
        project = generate_sample("nasional")
        if cache:
            Path(cache).write_bytes(pickle.dumps(project))
    gen = time.perf_counter() - t
    desa = project.desa
    kab_of = desa["code"].str[:5]
    print(f"nasional sample: {len(desa)} desa in {kab_of.nunique()} kabupaten "
          f"(generated in {gen:.1f} s)")
    fac = project.facilities
    t0 = time.perf_counter()
    fac_by_kab = dict(tuple(fac.groupby(fac["desa_code"].str[:5])))
    problems = []
    for kab, d in desa.groupby(kab_of):
        sub = Project(layers={"desa": d, "facilities": fac_by_kab.get(kab, fac.iloc[0:0])},
                      rules=project.rules)
        problems.append(siting.build_problem(sub, limit_km=5.0))
    build = time.perf_counter() - t0
    unc = np.array([p.population_uncovered for p in problems])
    share = unc / unc.sum() if unc.sum() else np.zeros(len(unc))
    k = np.floor(share * total_sites).astype(int)
    for i in np.argsort(-(share * total_sites - k))[: total_sites - k.sum()]:
        k[i] += 1
    t1 = time.perf_counter()
    gained, sites, worst_gap = 0.0, 0, 0.0
    for p, ki in zip(problems, k, strict=True):
        if ki == 0:
            continue
        r = siting.solve(p, k=int(ki))
        gained += r.population_gained
        sites += len(r.sites)
        if np.isfinite(r.mip_gap):
            worst_gap = max(worst_gap, r.mip_gap)
    solve = time.perf_counter() - t1
    print(f"  {sites} sites in {int((k > 0).sum())} kabupaten: {gained:,.0f} people newly within "
          f"5 km; build {build:.1f} s + solve {solve:.1f} s = {build + solve:.1f} s "
          f"(worst MIP gap {worst_gap:.1e})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=("provinsi", "nasional", "both"), default="provinsi")
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--cache", help="pickle file to keep the generated nasional sample in")
    a = ap.parse_args()
    set_language("en")
    if a.scale in ("provinsi", "both"):
        bench_provinsi(not a.no_spopt)
    if a.scale in ("nasional", "both"):
        bench_nasional(cache=a.cache)


if __name__ == "__main__":
    main()
