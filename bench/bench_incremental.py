"""Benchmark of one facility edit re-analysed incrementally (prints figures; never asserts).

    python bench/bench_incremental.py                          # provinsi sample (generated)
    python bench/bench_incremental.py --project nas.gpkg --no-check   # a project file
    python bench/bench_incremental.py --project nas.gpkg --no-check --gaps both
        --only "move pustu,add posyandu"     # (one line) some edits, the gap table A/B

Prints the full analysis (wall and CPU seconds), then for an add, a move, a delete and a
change of a figure (nurses, capacity, kader) of a Pustu, a Puskesmas and a Posyandu: the wall
and CPU seconds of the incremental re-analysis, the population points it re-measured, its
steps and (unless ``--no-check``) whether every result table and the summary equal a full
re-analysis (run for each edit, outside the timings); last the mean and worst per edit kind
beside the 0.3 s target, where the time goes per edit kind (mean CPU per analysis stage)
and the peak memory.

Where the time went (provinsi sample, 3,533 desa, 13,718 facilities; CPU seconds per
stage, a loaded machine, the mean over the three types): add/move/delete spend 0.05-0.10 in
prepare (the changed rows prepared, every column compared), 0.13-0.25 in the network (built
again: parent matching, cycles and duplicate checks are global), 0.11-0.24 in coverage with
the COE units, 0.2-0.3 in gaps (priorities, the WGS84 frames, the whole gap table and the
kecamatan roll-up) and 0.03-0.06 in the summary; a change of a figure keeps the network
(0.01) and spends the rest alike.  Nasionally (86,835 desa) the same stages take 0.6-2.3,
2.1-5.2, 1.6-3.6, 1.9-5.4 and 0.4-1.0 s wall.  ``--gaps both`` runs every edit with the gap
table spliced, then made whole (the first counts in the means), and prints the mean CPU of
``find_gaps`` each way: the figure behind the size threshold
``ilp_gis.incremental_stages.GAPS_LOCAL_MIN_DESA``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_analysis import load_or_generate, peak_mb  # noqa: E402

TARGET_S = 0.3  # issue 16: one facility edit → updated figures
GAPS_NEVER = 1 << 62  # a threshold no project reaches: the gap table made whole
TABLES = ("desa", "kecamatan", "gaps", "edges", "network_problems", "coe", "strata", "lokus")


def same(a, b) -> bool:
    """Every result table and the summary (but the timings) of ``a`` equal those of ``b``."""
    for name in TABLES:
        x, y = getattr(a, name), getattr(b, name)
        if (x is None) != (y is None):
            return False
        if x is None:
            continue
        try:
            pd.testing.assert_frame_equal(pd.DataFrame(x).reset_index(drop=True),
                                          pd.DataFrame(y).reset_index(drop=True))
        except AssertionError:
            return False
    drop = ("timings_s",)
    return {k: v for k, v in a.summary.items() if k not in drop} == \
        {k: v for k, v in b.summary.items() if k not in drop}


def edits(fac):
    """(kind, facility type, new facility frame) for an add, a move, a delete and a change of
    one figure of each type, as the window makes them."""
    import geopandas as gpd
    from shapely.geometry import Point

    out = []
    geom = fac.geometry.name
    for ftype in ("pustu", "puskesmas", "posyandu"):
        rows = np.flatnonzero(fac["type"].to_numpy(object) == ftype)
        if not len(rows):
            continue
        pos = int(rows[len(rows) // 2])
        g = fac.geometry.iloc[pos]
        add = gpd.GeoDataFrame([{"fac_id": f"bench-{ftype}", "name": "Baru", "type": ftype}],
                               geometry=[Point(g.x + 0.02, g.y + 0.01)], crs=fac.crs)
        add = add.rename_geometry(geom) if geom != "geometry" else add
        out.append(("add", ftype, pd.concat([fac, add], ignore_index=True)))
        moved = fac.copy()
        moved.iloc[pos, moved.columns.get_loc(geom)] = Point(g.x + 0.01, g.y - 0.01)
        for col in ("desa_code", "kecamatan_code"):  # located afresh, as the window does
            if col in moved:
                moved.iloc[pos, moved.columns.get_loc(col)] = None
        out.append(("move", ftype, moved))
        out.append(("delete", ftype, fac.drop(index=fac.index[pos]).reset_index(drop=True)))
        col = {"pustu": "nurses", "puskesmas": "capacity", "posyandu": "kader"}[ftype]
        if col in fac:  # a figure changed in the facility's form (no position, no parent)
            changed = fac.copy()
            old = pd.to_numeric(pd.Series([changed.iloc[pos, changed.columns.get_loc(col)]]),
                                errors="coerce").fillna(0.0).iloc[0]
            changed.iloc[pos, changed.columns.get_loc(col)] = float(old) + 1.0
            out.append(("change", ftype, changed))
    return out


def load(args):
    if args.project is not None:
        from layers.project_file import open_project

        return open_project(args.project)
    from layers.sample import generate_sample

    return load_or_generate(args, generate_sample)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="provinsi", choices=("kabupaten", "provinsi", "nasional"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--project", type=Path, default=None,
                    help="a project file to edit in memory (it is never written)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle file keeping the generated sample between runs (keep it "
                         "outside the repository)")
    ap.add_argument("--no-check", action="store_true", help="skip the full re-analyses")
    ap.add_argument("--only", default="",
                    help="comma-separated edits to run, e.g. 'move pustu,change posyandu' "
                         "(default: all)")
    ap.add_argument("--gaps", default="auto", choices=("auto", "local", "whole", "both"),
                    help="the gap table after an edit: by the size threshold (auto), always "
                         "spliced (local), always whole, or both one after the other (A/B)")
    args = ap.parse_args()

    from ilp_gis.analysis import analyze
    from ilp_gis.incremental import IncrementalAnalysis
    from ilp_gis.incremental_stages import GAPS_LOCAL_MIN_DESA

    t = time.perf_counter()
    project = load(args)
    name = args.project.name if args.project is not None else f"sample {args.scale}"
    print(f"{name}: ready in {time.perf_counter() - t:.1f} s "
          f"({len(project.desa):,d} desa, {len(project.facilities):,d} facilities, "
          f"{len(project.layer('roads')) if project.has('roads') else 0:,d} roads)")
    t, c = time.perf_counter(), time.process_time()
    analyze(project)
    full_wall, full_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"full analysis: {full_wall:.2f} s wall, {full_cpu:.2f} s CPU")
    inc = IncrementalAnalysis()
    t, c = time.perf_counter(), time.process_time()
    inc.analyze(project)
    print(f"first incremental run (full): {time.perf_counter() - t:.2f} s wall, "
          f"{time.process_time() - c:.2f} s CPU, {inc.stats.points:,d} population points")
    base = project.facilities
    modes = {"auto": [None], "local": [0], "whole": [GAPS_NEVER], "both": [0, GAPS_NEVER]}[
        args.gaps]
    per_kind: dict[str, list[tuple[float, float]]] = {}
    stage_cpu: dict[str, dict[str, list[float]]] = {}  # kind -> stage -> CPU seconds
    gaps_cpu: dict[str, list[float]] = {"spliced": [], "whole": []}
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    for kind, ftype, fac in edits(base):
        if only and f"{kind} {ftype}" not in only:
            continue
        for mode in modes:
            if mode is not None:
                inc._stages.gaps_min_desa = mode
            project.set_layer("facilities", fac)
            t, c = time.perf_counter(), time.process_time()
            result = inc.analyze(project)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            if mode == modes[0]:
                per_kind.setdefault(kind, []).append((wall, cpu))
                for k, v in result.summary["timings_s"].items():
                    if k.endswith("_cpu") and k != "cpu_total":
                        stage_cpu.setdefault(kind, {}).setdefault(k[:-4], []).append(v)
            spliced = inc._stages.local_gaps
            gaps_cpu["spliced" if spliced else "whole"].append(inc._stages.gaps_cpu)
            steps = {k: v for k, v in result.summary["timings_s"].items()
                     if not k.endswith("_cpu")}
            line = (f"{kind + ' ' + ftype:18s} {wall:6.2f} s wall {cpu:6.2f} s CPU  "
                    f"incremental {inc.stats.incremental}  re-measured {inc.stats.reached}  "
                    f"gaps {'spliced' if spliced else 'whole'} "
                    f"({inc._stages.gaps_cpu:.3f} s CPU)  steps {steps}")
            if not args.no_check:
                line += f"  equal to full: {same(result, analyze(project))}"
            print(line, flush=True)
            project.set_layer("facilities", base)
            inc.analyze(project)  # back to the start for the next edit
    for how, cpus in gaps_cpu.items():
        if cpus:
            print(f"find_gaps after an edit, table {how}: mean {np.mean(cpus):.3f} s CPU, worst "
                  f"{np.max(cpus):.3f} s ({len(cpus)} runs; by default the splice is tried "
                  f"from {GAPS_LOCAL_MIN_DESA:,d} desa)")
    print(f"per edit (target {TARGET_S} s; full analysis {full_wall:.2f} s wall, "
          f"{full_cpu:.2f} s CPU):")
    for kind, times in per_kind.items():
        w = np.array([x[0] for x in times])
        u = np.array([x[1] for x in times])
        print(f"  {kind:6s} mean {w.mean():6.2f} s wall ({u.mean():.2f} s CPU), worst "
              f"{w.max():6.2f} s wall ({u.max():.2f} s CPU)  {w.mean() / TARGET_S:5.1f}x the "
              f"target, {full_wall / w.mean():5.1f}x faster than a full run")
    print("where the time goes (mean CPU seconds per analysis stage; coverage includes the "
          "COE units, gaps the priorities and the kecamatan roll-up):")
    for kind, stages in stage_cpu.items():
        print(f"  {kind:6s} " + "  ".join(f"{k} {np.mean(v):.3f}" for k, v in stages.items()))
    mb = peak_mb()
    print(f"peak memory: {mb:,.0f} MB" if mb is not None else "peak memory: n/a")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
