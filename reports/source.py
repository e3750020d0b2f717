"""Where the reports get their analysis: the results stored in the project, or a fresh run."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd

from ilp_gis.errors import ProjectError
from ilp_gis.i18n import register, tr
from ilp_gis.model import WGS84
from ilp_gis.results import META_SUMMARY, RESULT_TABLES, AnalysisResult

register({
    "report.no_analysis": (
        "Proyek belum dianalisis dan modul analisis tidak tersedia. Jalankan 'ilp-gis analyze' "
        "lebih dahulu.",
        "The project has not been analysed and the analysis module is not available. Run "
        "'ilp-gis analyze' first."),
    "report.progress.analysis": ("Menganalisis proyek…", "Analysing the project…"),
    "report.budget_sync_skipped": (
        "Sinkronisasi anggaran dengan kesenjangan tidak dihitung untuk proyek sebesar ini "
        "({n} kesenjangan); buat laporan per kabupaten untuk melihatnya.",
        "Budget synchronisation with the gaps is not computed for a project this large "
        "({n} gaps); make a report per district to see it."),
})


def stored_result(project) -> AnalysisResult | None:
    """The analysis stored in the project tables (``result_*``), or None when there is none."""
    try:
        from ilp_gis.analysis import load_result
    except ImportError:
        load_result = None
    if load_result is not None:
        return load_result(project)
    tables = project.tables
    if RESULT_TABLES["desa"] not in tables:
        return None

    def get(key, geo):
        frame = tables.get(RESULT_TABLES[key])
        if frame is None:
            return gpd.GeoDataFrame(geometry=[], crs=WGS84) if geo else pd.DataFrame()
        if geo and not isinstance(frame, gpd.GeoDataFrame):
            frame = gpd.GeoDataFrame(frame)
        return frame

    desa = get("desa", True)
    edges = get("edges", True)
    summary = project.meta_json(META_SUMMARY, {}) or {}
    return AnalysisResult(desa=desa, kecamatan=get("kecamatan", False), gaps=get("gaps", True),
                          graph=graph_from_edges(project.facilities, edges), edges=edges,
                          network_problems=get("network_problems", False), summary=summary,
                          coe=tables.get("result_coe"))


def graph_from_edges(facilities, edges) -> nx.DiGraph:
    """Rebuild the Puskesmas → Pustu → Posyandu graph from the stored edges table."""
    g = nx.DiGraph()
    if facilities is not None and len(facilities):
        pts = facilities.geometry
        for fid, ftype, name, dcode, kcode, pt in zip(
                facilities["fac_id"], facilities["type"], facilities["name"],
                facilities["desa_code"], facilities["kecamatan_code"], pts, strict=False):
            ok = pt is not None and not pt.is_empty
            g.add_node(fid, type=ftype, name=name, desa_code=dcode, kecamatan_code=kcode,
                       lon=pt.x if ok else None, lat=pt.y if ok else None)
    if edges is not None and len(edges) and {"parent_id", "child_id"} <= set(edges.columns):
        attrs = [c for c in ("distance_m", "travel_min", "link") if c in edges.columns]
        for row in edges[["parent_id", "child_id", *attrs]].itertuples(index=False):
            g.add_edge(row[0], row[1], **dict(zip(attrs, row[2:], strict=False)))
    return g


def get_result(project, result=None, *, progress=None, is_cancelled=None) -> AnalysisResult:
    """``result`` when given, else the stored analysis, else a fresh ``analyze(project)``."""
    if result is not None:
        return result
    stored = stored_result(project)
    if stored is not None:
        return stored
    try:
        from ilp_gis.analysis import analyze
    except ImportError as exc:
        raise ProjectError(tr("report.no_analysis")) from exc
    if progress:
        progress(0.0, tr("report.progress.analysis"))
    return analyze(project, progress=progress, is_cancelled=is_cancelled)


BUDGET_SYNC_MAX_GAPS = 30_000
"""Above this many gaps (national projects) budget sync is not computed for the outputs: it
would dominate the report's time; the budget lines are then shown grouped instead."""


def budget_sync_for(project, result) -> tuple[object | None, bool]:
    """``(BudgetSync or None, skipped_because_too_large)`` for ``project``/``result``.

    None when the project has no budget lines or the planning module is not installed.
    """
    if not len(project.budget):
        return None, False
    try:
        from ilp_gis.budget import budget_sync  # from the planning work, when present
    except ImportError:
        return None, False
    gaps = getattr(result, "gaps", None)
    if gaps is not None and len(gaps) > BUDGET_SYNC_MAX_GAPS:
        return None, True
    return budget_sync(project, result), False
