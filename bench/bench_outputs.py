"""Benchmark the files ``ilp-gis analyze`` writes: each output's time, and network.graphml
against its floors (the same nodes and edges written as CSV, and networkx's own writer).

    python bench/bench_outputs.py PROJECT.gpkg [--networkx]

The project must hold a stored analysis (run ``ilp-gis analyze`` on it once).  Prints figures,
asserts nothing.  Target (issue 16): network.graphml within 2x of the CSV floor.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _timed(label: str, fn) -> float:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"  {label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU", flush=True)
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("project", type=Path)
    ap.add_argument("--networkx", action="store_true", help="also time networkx's writer")
    args = ap.parse_args()

    import networkx as nx
    import pandas as pd

    from ilp_gis.analysis import load_result
    from layers import analysis_io
    from layers.project_file import open_project

    t0 = time.perf_counter()
    project = open_project(args.project)
    result = load_result(project)
    if result is None:
        print("no stored analysis: run `ilp-gis analyze` on the project first")
        return 1
    g = result.graph
    print(f"{args.project.name}: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges "
          f"(opened in {time.perf_counter() - t0:.1f} s)")
    out = Path(tempfile.mkdtemp(prefix="bench_outputs_"))
    _timed("gaps.csv", lambda: analysis_io.write_csv(result.gaps, out / "gaps.csv"))
    _timed("desa_coverage.gpkg", lambda: analysis_io.write_gpkg(
        result.desa, out / "desa_coverage.gpkg", "desa_coverage"))
    stream = _timed("network.graphml (streaming writer)",
                    lambda: analysis_io.write_graphml(g, out / "network.graphml"))

    def as_csv() -> None:  # the floor: pandas' CSV writer of one frame of nodes, one of edges
        nodes = pd.DataFrame([a for _, a in g.nodes(data=True)])
        nodes.insert(0, "id", list(g.nodes))
        edges = pd.DataFrame([a for _, _, a in g.edges(data=True)])
        edges.insert(0, "from_node", [u for u, _ in g.edges])
        edges.insert(1, "to_node", [v for _, v in g.edges])
        nodes.to_csv(out / "nodes.csv", index=False)
        edges.to_csv(out / "edges.csv", index=False)

    floor = _timed("floor: the same nodes and edges as CSV", as_csv)
    print(f"  graphml / CSV floor: {stream / floor:.2f}x (target under 2x)")
    if args.networkx:
        _timed("networkx write_graphml (the old writer)",
               lambda: nx.write_graphml(g, io.BytesIO()))
    print(f"outputs in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
