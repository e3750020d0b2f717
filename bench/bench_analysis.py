"""Benchmark of the analysis core (prints figures; never asserts on time).

    python bench/bench_analysis.py                 # kabupaten sample
    python bench/bench_analysis.py --scale nasional  # ~87k desa, ~320k facilities, ~1M roads

Prints the time of every analysis step (best of ``--repeat`` runs), the peak memory of the
process, the travel-time engine against a plain networkx multi-source Dijkstra on the same
road graph, the KD-tree distances against a per-desa geopandas loop (on a subset when slow),
and says whether ``qgis_process`` is installed for a comparison.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_or_generate(args, generate_sample):
    """The sample project, from ``--cache`` when that file exists (else generated and saved)."""
    import pickle

    from ilp_gis.project import Project

    if args.cache is not None and args.cache.exists():
        with args.cache.open("rb") as fh:
            d = pickle.load(fh)
        if d.get("scale") == args.scale and d.get("seed") == args.seed:
            p = Project(rules=d["rules"], meta=d["meta"])
            p.layers, p.tables = d["layers"], d["tables"]  # already conformed
            return p
    p = generate_sample(args.scale, seed=args.seed)
    if args.cache is not None:
        with args.cache.open("wb") as fh:
            pickle.dump({"scale": args.scale, "seed": args.seed, "layers": p.layers,
                         "tables": p.tables, "meta": p.meta, "rules": p.rules}, fh, protocol=5)
    return p


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="kabupaten", choices=("kabupaten", "provinsi", "nasional"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loop-subset", type=int, default=300,
                    help="desa in the geopandas per-desa loop comparison")
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle file keeping the generated sample between runs (made when "
                         "missing; keep it outside the repository)")
    args = ap.parse_args()

    import shapely

    from ilp_gis.analysis import analyze
    from ilp_gis.geo import utm_crs
    from ilp_gis.travel import build_road_graph, minutes_to_nearest, travel_field
    from layers.sample import generate_sample

    t = time.perf_counter()
    project = load_or_generate(args, generate_sample)
    print(f"sample {args.scale}: ready in {time.perf_counter() - t:.1f} s")
    for name in ("desa", "facilities", "roads", "settlements"):
        print(f"  {name:12s} {len(project.layer(name)):>10,d}")

    best = None
    for i in range(args.repeat):
        t = time.perf_counter()
        res = analyze(project)
        wall = time.perf_counter() - t
        tm = res.summary["timings_s"]
        print(f"run {i + 1}: total {wall:.2f} s wall, {tm['cpu_total']:.2f} s CPU; per step "
              "wall/CPU: " + "  ".join(f"{k} {v:.2f}/{tm.get(k + '_cpu', float('nan')):.2f}"
                                       for k, v in tm.items()
                                       if k not in ("total", "cpu_total") and
                                       not k.endswith("_cpu")))
        try:
            print(f"       machine load average {__import__('os').getloadavg()[0]:.1f}")
        except (AttributeError, OSError):
            pass
        # Best by CPU time: on a shared machine the wall time mostly measures the neighbours.
        if best is None or tm["cpu_total"] < best[1]["cpu_total"]:
            best = (wall, tm)
    wall, tm = best
    core = tm["network"] + tm["coverage"] + tm["gaps"]
    core_cpu = tm["network_cpu"] + tm["coverage_cpu"] + tm["gaps_cpu"]
    print(f"best (least CPU): total {wall:.2f} s wall / {tm['cpu_total']:.2f} s CPU; network+coverage+gaps "
          f"{core:.2f} s wall / {core_cpu:.2f} s CPU; road graph "
          f"{tm.get('road_graph', float('nan')):.2f} s wall / "
          f"{tm.get('road_graph_cpu', float('nan')):.2f} s CPU; travel time from all Puskesmas "
          f"and all Pustu {tm.get('travel_time', float('nan')):.2f} s wall / "
          f"{tm.get('travel_time_cpu', float('nan')):.2f} s CPU")
    t, c = time.perf_counter(), time.process_time()
    n_nodes = res.graph.number_of_nodes()  # the facility graph is filled on first use
    print(f"facility graph ({n_nodes:,d} nodes) filled on first use in "
          f"{time.perf_counter() - t:.2f} s wall / {time.process_time() - c:.2f} s CPU "
          "(outside the analysis timings)")
    mb = peak_mb()
    print(f"peak memory (max RSS): {mb:,.0f} MB" if mb else "peak memory: not measured here")
    print(f"gaps {res.summary['gaps_total']:,d}; desa {res.summary['desa_total']:,d}")

    # Travel engine alone, and against networkx.
    crs = utm_crs(project.desa)
    t, c = time.perf_counter(), time.process_time()
    graph = build_road_graph(project.roads, crs, project.rules)
    _ = graph.tree  # the vertex KD-tree is built on another thread: wait for it here
    t_graph, c_graph = time.perf_counter() - t, time.process_time() - c
    fac = project.facilities.to_crs(crs)
    pk = shapely.get_coordinates(fac.geometry[fac["type"] == "puskesmas"].values)
    pt = shapely.get_coordinates(fac.geometry[fac["type"] == "pustu"].values)
    t, c = time.perf_counter(), time.process_time()
    field = travel_field(graph, pk)
    t_field, c_field = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    travel_field(graph, pt)
    t_pt, c_pt = time.perf_counter() - t, time.process_time() - c
    desa_pts = shapely.get_coordinates(project.desa.to_crs(crs).geometry.representative_point()
                                       .values)
    t, c = time.perf_counter(), time.process_time()
    minutes_to_nearest(graph, field, desa_pts)
    t_query, c_query = time.perf_counter() - t, time.process_time() - c
    print(f"road graph (wall/CPU): {graph.n_nodes:,d} nodes, {len(graph.edge_u):,d} edges from "
          f"{len(project.roads):,d} road lines, built in {t_graph:.2f}/{c_graph:.2f} s (its vertex KD-tree on a second "
          "thread)")
    print(f"travel time alone (wall/CPU), on the built road graph: multi-source Dijkstra from "
          f"{len(pk):,d} Puskesmas {t_field:.2f}/{c_field:.2f} s, from {len(pt):,d} Pustu "
          f"{t_pt:.2f}/{c_pt:.2f} s, minutes for {len(desa_pts):,d} desa points "
          f"{t_query:.2f}/{c_query:.2f} s; total {t_field + t_pt + t_query:.2f}/"
          f"{c_field + c_pt + c_query:.2f} s; with the graph build "
          f"{t_graph + t_field + t_pt + t_query:.2f}/{c_graph + c_field + c_pt + c_query:.2f} s")
    import networkx as nx

    nxg = graph.to_networkx() if graph.n_nodes <= 600_000 else None
    if nxg is not None:
        src = [int(i) for i in graph.refine(np.zeros(0, dtype=np.int64))
               .bounds(graph.snap(pk)[0])[0]]
        t = time.perf_counter()
        nx.multi_source_dijkstra_path_length(nxg, set(src), weight="minutes")
        t_nx = time.perf_counter() - t
        print(f"networkx multi_source_dijkstra on the same graph: {t_nx:.2f} s "
              f"(scipy csgraph is {t_nx / max(t_field, 1e-9):.0f}x faster)")
    else:
        print("networkx comparison skipped above 600k road nodes (graph conversion alone "
              "takes minutes); see the kabupaten run for the ratio")

    # KD-tree distances against a per-desa geopandas loop.
    d_utm = project.desa.to_crs(crs)
    pus = fac[fac["type"] == "pustu"]
    sub = d_utm.iloc[: args.loop_subset]
    t = time.perf_counter()
    for geom in sub.geometry.representative_point():
        pus.distance(geom).min()
    t_loop = (time.perf_counter() - t) / len(sub) * len(d_utm)
    from scipy.spatial import cKDTree

    t = time.perf_counter()
    cKDTree(shapely.get_coordinates(pus.geometry.values)).query(desa_pts)
    t_kd = time.perf_counter() - t
    print(f"distance to nearest Pustu for {len(d_utm):,d} desa: per-desa geopandas loop "
          f"{t_loop:.2f} s (extrapolated from {len(sub)}), KD-tree {t_kd:.3f} s "
          f"({t_loop / max(t_kd, 1e-9):.0f}x)")
    q = shutil.which("qgis_process")
    print("qgis_process: " + (f"found at {q} (comparison not scripted)" if q else
                              "not installed on this machine, no comparison"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
