"""Writing analysis results to files: summary.json, gaps.csv, priority.csv,
desa_coverage.gpkg and network.graphml.

The analysis itself (``ilp_gis.analysis``) never touches files; this module does.  CSV text goes
through ``layers.safe_cells`` (never a formula in Excel); GraphML text is cleaned of control
characters the same way (XML cannot hold them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio

from ilp_gis.results import AnalysisResult
from layers import csv_write
from layers.atomic import atomic_write, atomic_write_text
from layers.graphml import write_graphml_stream
from layers.safe_cells import csv_frame

PRIORITY_COLUMNS = ["priority_rank", "code", "name", "kecamatan_code", "kecamatan_name",
                    "population", "priority_score", "priority_unserved", "priority_travel",
                    "priority_burden", "has_pustu", "n_pustu", "n_posyandu", "dist_pustu_km",
                    "travel_pustu_min", "gap_count", "gap_kinds"]


def write_graphml(graph: nx.DiGraph, path: str | Path) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "xb") as fh:  # UTF-8 bytes as the writer makes them
            write_graphml_stream(graph, fh)

    return atomic_write(path, write)


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame.drop(columns=[c for c in ("geometry",) if c in frame.columns]))
    return csv_frame(out)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` (its geometry left out) as CSV: UTF-8 with BOM so Excel on Windows shows
    Indonesian names right.  Written a column and a chunk of rows at a time
    (``layers.csv_write``: the bytes pandas' ``to_csv`` writes; the national gaps.csv is never
    held as one text)."""
    table = _csv_frame(frame)

    def write(tmp: Path) -> None:
        with open(tmp, "xb") as fh:
            fh.write("\ufeff".encode())
            csv_write.write_frame(table, fh)

    return atomic_write(path, write)


def write_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str) -> Path:
    out = frame.copy(deep=False)  # copy-on-write: only the columns converted below are new
    for col in out.columns:
        if isinstance(out[col].dtype, pd.BooleanDtype):
            out[col] = out[col].astype("Int8")
    # through Arrow: the same table (schema, rows, geometry blobs) at about two thirds of the
    # time of pyogrio's feature-by-feature writer
    return atomic_write(path, lambda tmp: pyogrio.write_dataframe(
        out, tmp, layer=layer, driver="GPKG", promote_to_multi=True, use_arrow=True))


def write_outputs(result: AnalysisResult, out_dir: str | Path, *,
                  on_written: Callable[[str], None] | None = None) -> list[Path]:
    """Write the five result files into ``out_dir`` (created) and return their paths;
    ``on_written(file name)`` is called as each one is done (the command's phase timings)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def done(path: Path) -> None:
        written.append(path)
        if on_written is not None:
            on_written(path.name)

    atomic_write_text(out / "summary.json",
                      json.dumps(result.summary, ensure_ascii=False, indent=2, default=str))
    done(out / "summary.json")
    done(write_csv(result.gaps, out / "gaps.csv"))
    desa = result.desa  # its columns picked before sorting: the polygons are never copied
    pr = desa[[c for c in PRIORITY_COLUMNS if c in desa.columns]].sort_values("priority_rank")
    done(write_csv(pr, out / "priority.csv"))
    done(write_gpkg(result.desa, out / "desa_coverage.gpkg", "desa_coverage"))
    done(write_graphml(result.graph, out / "network.graphml"))
    return written

