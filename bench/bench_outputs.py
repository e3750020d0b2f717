"""Benchmark the files ``ilp-gis analyze`` writes: each output's time, and network.graphml
against its floors (the same nodes and edges written as CSV by ``layers.csv_write``, and
networkx's own writer).  The graph is written from its columns (numpy arrays, each edge's
ends as node positions), as the command writes the graph the analysis made.

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


def _timed(label: str, fn, repeat: int = 1) -> float:
    """Run ``fn`` ``repeat`` times; print and return the best wall time (with its CPU)."""
    best = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        took = (time.perf_counter() - t0, time.process_time() - c0)
        best = took if best is None or took[0] < best[0] else best
    wall, cpu = best
    more = f" (best of {repeat})" if repeat > 1 else ""
    print(f"  {label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU{more}", flush=True)
    return wall


def _columns(g):
    """The graph's columns as the analysis hands its network over: numpy arrays (floats where
    every value is a number or missing, else objects) and each edge's ends as node
    positions."""
    import numpy as np

    from ilp_gis.speed.graphs import GraphColumns

    def array(values: list) -> np.ndarray:
        if all(v is None or type(v) is float for v in values):
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    def attr_columns(dicts: list[dict]) -> dict[str, np.ndarray]:
        return {k: array([a.get(k) for a in dicts])
                for k in dict.fromkeys(k for a in dicts for k in a)}

    ids = array(list(g.nodes))
    place = {n: i for i, n in enumerate(ids.tolist())}
    u = np.array([place[a] for a, _ in g.edges], dtype=np.int64)
    v = np.array([place[b] for _, b in g.edges], dtype=np.int64)
    return GraphColumns(ids, attr_columns([a for _, a in g.nodes(data=True)]), ids[u], ids[v],
                        attr_columns([a for _, _, a in g.edges(data=True)]), ends=(u, v))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("project", type=Path)
    ap.add_argument("--networkx", action="store_true", help="also time networkx's writer")
    args = ap.parse_args()

    import networkx as nx
    import pandas as pd

    from ilp_gis.analysis import load_result
    from ilp_gis.speed.graphs import LazyDiGraph
    from layers import analysis_io, csv_write
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
    cols = _columns(g)
    out = Path(tempfile.mkdtemp(prefix="bench_outputs_"))
    _timed("gaps.csv", lambda: analysis_io.write_csv(result.gaps, out / "gaps.csv"))
    _timed("desa_coverage.gpkg", lambda: analysis_io.write_gpkg(
        result.desa, out / "desa_coverage.gpkg", "desa_coverage"))
    stream = _timed("network.graphml (streaming writer)", lambda: analysis_io.write_graphml(
        LazyDiGraph.from_columns(lambda: cols), out / "network.graphml"), repeat=2)

    def as_csv() -> None:  # the floor: a frame of nodes and one of edges from the same
        # columns, written by the column-at-a-time CSV writer
        nodes = pd.DataFrame({"id": cols.nodes, **cols.node_attrs})
        edges = pd.DataFrame({"from_node": cols.sources, "to_node": cols.targets,
                              **cols.edge_attrs})
        for name, frame in (("nodes.csv", nodes), ("edges.csv", edges)):
            with open(out / name, "wb") as fh:
                csv_write.write_frame(frame, fh)

    floor = _timed("floor: the same nodes and edges as CSV", as_csv, repeat=2)
    print(f"  graphml / CSV floor: {stream / floor:.2f}x (target under 2x)")
    if args.networkx:
        _timed("networkx write_graphml (the old writer)",
               lambda: nx.write_graphml(g, io.BytesIO()))
    print(f"outputs in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
