"""Benchmark of one facility edit re-analysed incrementally (prints figures; never asserts).

    python bench/bench_incremental.py                      # provinsi sample
    python bench/bench_incremental.py --scale nasional --cache nas.pkl

Prints the full analysis, then for one add, one move and one delete of a Pustu and a
Puskesmas: the wall and CPU seconds of the incremental re-analysis, the population points it
re-measured, its steps, and whether every figure equals a full re-analysis (one is run for
each edit, outside the timings).
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


def same(a, b) -> bool:
    try:
        pd.testing.assert_frame_equal(pd.DataFrame(a.desa.drop(columns="geometry")),
                                      pd.DataFrame(b.desa.drop(columns="geometry")))
        pd.testing.assert_frame_equal(a.gaps, b.gaps)
    except AssertionError:
        return False
    drop = ("timings_s",)
    return {k: v for k, v in a.summary.items() if k not in drop} == \
        {k: v for k, v in b.summary.items() if k not in drop}


def edits(fac):
    """(label, new facility frame) for an add, a move and a delete of each type."""
    import geopandas as gpd
    from shapely.geometry import Point

    out = []
    for ftype in ("pustu", "puskesmas"):
        rows = np.flatnonzero(fac["type"].to_numpy(object) == ftype)
        if not len(rows):
            continue
        pos = int(rows[len(rows) // 2])
        g = fac.geometry.iloc[pos]
        add = gpd.GeoDataFrame([{"fac_id": f"bench-{ftype}", "name": "Baru", "type": ftype}],
                               geometry=[Point(g.x + 0.02, g.y + 0.01)], crs=fac.crs)
        out.append((f"add {ftype}", add))
        out.append((f"move {ftype}", (pos, Point(g.x + 0.01, g.y - 0.01))))
        out.append((f"delete {ftype}", pos))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="provinsi", choices=("kabupaten", "provinsi", "nasional"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle file keeping the generated sample between runs (keep it "
                         "outside the repository)")
    ap.add_argument("--no-check", action="store_true", help="skip the full re-analyses")
    args = ap.parse_args()

    from ilp_gis.analysis import analyze
    from ilp_gis.incremental import IncrementalAnalysis
    from layers.sample import generate_sample

    t = time.perf_counter()
    project = load_or_generate(args, generate_sample)
    print(f"sample {args.scale}: ready in {time.perf_counter() - t:.1f} s "
          f"({len(project.desa):,d} desa, {len(project.facilities):,d} facilities, "
          f"{len(project.layer('roads')):,d} roads)")
    inc = IncrementalAnalysis()
    t, c = time.perf_counter(), time.process_time()
    inc.analyze(project)
    print(f"first (full) analysis: {time.perf_counter() - t:.2f} s wall, "
          f"{time.process_time() - c:.2f} s CPU, {inc.stats.points:,d} population points")
    base = project.facilities
    for label, edit in edits(base):
        if isinstance(edit, tuple):
            pos, geom = edit
            fac = base.copy()
            fac.iloc[pos, fac.columns.get_loc(fac.geometry.name)] = geom
        elif isinstance(edit, int):
            fac = base.drop(index=base.index[edit]).reset_index(drop=True)
        else:
            fac = pd.concat([base, edit.rename_geometry(base.geometry.name)
                             if base.geometry.name != "geometry" else edit], ignore_index=True)
        project.set_layer("facilities", fac)
        t, c = time.perf_counter(), time.process_time()
        result = inc.analyze(project)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        steps = {k: v for k, v in result.summary["timings_s"].items() if not k.endswith("_cpu")}
        line = (f"{label:18s} {wall:6.2f} s wall {cpu:6.2f} s CPU  re-measured "
                f"{inc.stats.reached}  steps {steps}")
        if not args.no_check:
            line += f"  equal to full: {same(result, analyze(project))}"
        print(line)
        project.set_layer("facilities", base)
        inc.analyze(project)  # back to the start for the next edit
    mb = peak_mb()
    print(f"peak memory: {mb:,.0f} MB" if mb is not None else "peak memory: n/a")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
