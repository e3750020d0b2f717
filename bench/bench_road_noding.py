"""Benchmark: the node-at-crossings option (``roads.node_at_crossings``) on the nasional sample's
road layer (958,719 lines).

Prints: the time to node the lines at their crossings (``ilp_gis.road_noding``: STRtree query,
intersections, vertices inserted), the vertices added, and the road graph build without and
with the option (nodes, edges, wall and CPU time), with the peak memory.  Not timed: reading
the road layer.  The sample is the one ``bench_desa_data.py`` makes
(``<temp dir>/ilp_gis_bench/sample_nasional.gpkg``) unless ``--project`` names one.

    python bench/bench_road_noding.py [--project SAMPLE.gpkg] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", type=Path,
                    default=Path(tempfile.gettempdir()) / "ilp_gis_bench" / "sample_nasional.gpkg")
    ap.add_argument("--limit", type=int, default=0, help="only the first N road lines")
    args = ap.parse_args()
    if not args.project.exists():
        print(f"no sample at {args.project}: run bench/bench_desa_data.py once to make it")
        return 1
    import pyogrio

    from ilp_gis.geo import utm_crs
    from ilp_gis.road_noding import node_at_crossings
    from ilp_gis.rules import default_rules
    from ilp_gis.travel import build_road_graph

    t = time.perf_counter()
    roads = pyogrio.read_dataframe(args.project, layer="roads", use_arrow=True,
                                   max_features=args.limit or None)
    desa = pyogrio.read_dataframe(args.project, layer="desa", use_arrow=True, max_features=1)
    print(f"roads: {len(roads):,} lines (read in {time.perf_counter() - t:.1f} s, not timed)")
    crs = utm_crs(desa)

    def timed(label, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        print(f"{label:<34} {time.perf_counter() - t0:7.2f} s wall {time.process_time() - c0:7.2f}"
              " s CPU")
        return out

    noded, added = timed("node at crossings", lambda: node_at_crossings(roads))
    print(f"vertices added at crossings: {added:,}")
    rules = default_rules()
    g0 = timed("road graph, as drawn", lambda: build_road_graph(roads, crs, rules))
    g1 = timed("road graph, noded (rule on, incl.)", lambda: build_road_graph(
        roads, crs, rules.with_values(roads__node_at_crossings=1.0)))
    print(f"graph nodes / edges as drawn: {g0.n_nodes:,} / {len(g0.edge_u):,}; "
          f"noded: {g1.n_nodes:,} / {len(g1.edge_u):,}")
    del noded
    print(f"peak memory: {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
