"""Fixtures for the desktop app: a tiny hand-made district and a small analysis per the
AnalysisResult contract (so the views can be tested before/without the full analysis)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult

LON0, LAT0, STEP = 112.60, -8.10, 0.03


def make_project() -> Project:
    """2 kecamatan × 3 desa in a row; 2 Puskesmas, 3 Pustu (one desa without), 5 Posyandu."""
    desa_rows, geoms = [], []
    for k in range(2):
        for d in range(3):
            i = k * 3 + d
            desa_rows.append({"code": f"35.07.0{k + 1}.200{d + 1}", "name": f"Desa {chr(65 + i)}",
                              "kind": "desa", "kecamatan_code": f"35.07.0{k + 1}",
                              "kecamatan_name": f"Kec {k + 1}",
                              "population": float(1000 + 500 * i) if i != 4 else np.nan,
                              "dusun_count": 2.0})
            geoms.append(box(LON0 + i * STEP, LAT0, LON0 + (i + 1) * STEP, LAT0 + STEP))
    desa = gpd.GeoDataFrame(desa_rows, geometry=geoms, crs="EPSG:4326")
    kec = gpd.GeoDataFrame(
        [{"code": f"35.07.0{k + 1}", "name": f"Kec {k + 1}", "kabupaten_code": "35.07"}
         for k in range(2)],
        geometry=[box(LON0 + k * 3 * STEP, LAT0, LON0 + (k + 1) * 3 * STEP, LAT0 + STEP)
                  for k in range(2)], crs="EPSG:4326")
    kab = gpd.GeoDataFrame([{"code": "35.07", "name": "Kabupaten Uji"}],
                           geometry=[box(LON0, LAT0, LON0 + 6 * STEP, LAT0 + STEP)],
                           crs="EPSG:4326")

    def pt(i, dx=0.5, dy=0.5):
        return Point(LON0 + (i + dx) * STEP, LAT0 + dy * STEP)

    fac = [
        ("pkm1", "Puskesmas Satu", "puskesmas", None, 0, 0.5, 0.6),
        ("pkm2", "Puskesmas Dua", "puskesmas", None, 3, 0.5, 0.6),
        ("pst1", "Pustu A", "pustu", "pkm1", 0, 0.3, 0.3),
        ("pst2", "Pustu B", "pustu", "pkm1", 1, 0.5, 0.5),
        ("pst4", "Pustu D", "pustu", "pkm2", 3, 0.3, 0.3),
        ("psy1", "Posyandu A1", "posyandu", "pst1", 0, 0.7, 0.2),
        ("psy2", "Posyandu B1", "posyandu", "pst2", 1, 0.7, 0.2),
        ("psy3", "Posyandu C1", "posyandu", "pkm1", 2, 0.5, 0.5),
        ("psy4", "Posyandu D1", "posyandu", "pst4", 3, 0.7, 0.2),
        ("psy5", "Posyandu F1", "posyandu", None, 5, 0.5, 0.5),
    ]
    rows, pts = [], []
    for fid, name, typ, parent, i, dx, dy in fac:
        rows.append({"fac_id": fid, "name": name, "type": typ, "parent_id": parent,
                     "desa_code": desa_rows[i]["code"],
                     "kecamatan_code": desa_rows[i]["kecamatan_code"],
                     "kader": 5.0 if typ == "posyandu" else np.nan,
                     "nurses": 1.0 if typ == "pustu" else np.nan,
                     "midwives": 1.0 if typ == "pustu" else np.nan})
        pts.append(pt(i, dx, dy))
    facilities = gpd.GeoDataFrame(rows, geometry=pts, crs="EPSG:4326")
    roads = gpd.GeoDataFrame([{"road_class": "kolektor", "name": "Jalan Raya"}],
                             geometry=[LineString([(LON0, LAT0 + STEP / 2),
                                                   (LON0 + 6 * STEP, LAT0 + STEP / 2)])],
                             crs="EPSG:4326")
    return Project(layers={"desa": desa, "kecamatan": kec, "kabupaten": kab,
                           "facilities": facilities, "roads": roads},
                   meta={"fictional": "true"})


def fake_analyze(project: Project, *, progress=None, is_cancelled=None, **_kw) -> AnalysisResult:
    """A small analysis following the AnalysisResult contract (counts, gaps, graph)."""
    from ilp_gis.jobs import checkpoint

    checkpoint(progress, is_cancelled, 0.1, "start")
    desa = project.desa.copy()
    fac = project.facilities
    counts = fac.groupby(["desa_code", "type"]).size().unstack(fill_value=0)
    for t in ("puskesmas", "pustu", "posyandu"):
        col = counts[t] if t in counts.columns else pd.Series(dtype=float)
        desa[f"n_{t}"] = desa["code"].map(col).fillna(0).astype(float)
    desa["n_pustu_precursor"] = 0.0
    desa["has_pustu"] = desa["n_pustu"] > 0
    desa["posyandu_needed"] = desa["dusun_count"]
    desa["posyandu_deficit"] = (desa["posyandu_needed"] - desa["n_posyandu"]).clip(lower=0)
    desa["dist_pustu_km"] = np.where(desa["has_pustu"], 0.5, 4.0)
    desa["pop_within_pustu_km"] = desa["population"]
    desa["pop_within_puskesmas_km"] = desa["population"]
    desa["priority_unserved"] = np.where(desa["has_pustu"], 0.1, 0.8)
    desa["priority_travel"] = 0.2
    desa["priority_burden"] = 0.1
    desa["priority_score"] = (desa["priority_unserved"] + desa["priority_travel"]
                              + desa["priority_burden"]) / 3
    desa["priority_rank"] = desa["priority_score"].rank(ascending=False, method="first").astype(int)
    checkpoint(progress, is_cancelled, 0.5, "gaps")
    gaps = []
    for _, d in desa.iterrows():
        kinds = []
        if not d["has_pustu"]:
            kinds.append("no_pustu")
        if d["posyandu_deficit"] > 0:
            kinds.append("posyandu_deficit")
        for kind in kinds:
            gaps.append({"gap_id": f"{kind}:{d['code']}", "kind": kind, "desa_code": d["code"],
                         "desa_name": d["name"], "kecamatan_code": d["kecamatan_code"],
                         "kecamatan_name": d["kecamatan_name"], "fac_id": None,
                         "value": d["posyandu_deficit"], "threshold": 0.0, "unit": "",
                         "message": f"{kind} {d['name']}", "priority_score": d["priority_score"],
                         "priority_rank": d["priority_rank"], "geometry": d.geometry})
    gaps = gpd.GeoDataFrame(gaps, geometry="geometry", crs="EPSG:4326")
    kinds_by = gaps.groupby("desa_code")["kind"].apply(lambda s: ";".join(s))
    desa["gap_kinds"] = desa["code"].map(kinds_by).fillna("")
    desa["gap_count"] = desa["gap_kinds"].map(lambda s: len(s.split(";")) if s else 0)
    g = nx.DiGraph()
    for _, f in fac.iterrows():
        g.add_node(f["fac_id"], type=f["type"], name=f["name"], desa_code=f["desa_code"],
                   kecamatan_code=f["kecamatan_code"], lon=f.geometry.x, lat=f.geometry.y)
    edges = []
    pos = {f["fac_id"]: f.geometry for _, f in fac.iterrows()}
    for _, f in fac.iterrows():
        p = f["parent_id"]
        if isinstance(p, str) and p in pos:
            link = ("direct_to_puskesmas" if f["type"] == "posyandu"
                    and g.nodes[p]["type"] == "puskesmas" else "given")
            g.add_edge(p, f["fac_id"], distance_m=1000.0, travel_min=np.nan, link=link)
            edges.append({"parent_id": p, "child_id": f["fac_id"], "link": link,
                          "distance_m": 1000.0, "geometry": LineString([pos[p], f.geometry])})
    edges = gpd.GeoDataFrame(edges, geometry="geometry", crs="EPSG:4326")
    orphans = [n for n in g.nodes if g.in_degree(n) == 0 and g.nodes[n]["type"] != "puskesmas"]
    problems = pd.DataFrame([{"kind": "orphan", "fac_ids": n, "message": f"{n} tanpa induk"}
                             for n in orphans], columns=["kind", "fac_ids", "message"])
    kec = desa.groupby(["kecamatan_code", "kecamatan_name"]).agg(
        desa_total=("code", "size"), desa_with_pustu=("has_pustu", "sum"),
        posyandu=("n_posyandu", "sum"), posyandu_needed=("posyandu_needed", "sum"),
        population=("population", "sum"), pop_within_pustu_km=("pop_within_pustu_km", "sum"),
        pop_within_puskesmas_km=("pop_within_puskesmas_km", "sum"),
        n_puskesmas=("n_puskesmas", "sum"), n_pustu=("n_pustu", "sum"),
        gap_count=("gap_count", "sum")).reset_index().rename(
        columns={"kecamatan_code": "code", "kecamatan_name": "name"})
    kec["desa_without_pustu"] = kec["desa_total"] - kec["desa_with_pustu"]
    checkpoint(progress, is_cancelled, 1.0, "done")
    summary = {"desa_total": len(desa), "desa_without_pustu": int((~desa["has_pustu"]).sum()),
               "population_total": float(desa["population"].sum()),
               "population_within_distance": {"pustu": float(desa["pop_within_pustu_km"].sum()),
                                              "puskesmas": float(desa["population"].sum())},
               "facility_counts": fac["type"].value_counts().to_dict(),
               "coe_meeting_threshold": 1, "coe_total": 2}
    return AnalysisResult(desa=desa, kecamatan=kec, gaps=gaps, graph=g, edges=edges,
                          network_problems=problems, summary=summary)


def shown_canvas(qtbot, state, size=(800, 400)):
    """A map canvas of ``state`` of ``size`` pixels, shown and zoomed to the full extent."""
    from ui.map import MapCanvas

    c = MapCanvas(state)
    qtbot.addWidget(c)
    c.resize(*size)
    c.show()
    qtbot.waitExposed(c)
    c.full_extent()
    return c


@pytest.fixture
def tiny_project() -> Project:
    return make_project()


@pytest.fixture
def state(tiny_project):
    from ui.state import AppState

    st = AppState(tiny_project, analyze_fn=fake_analyze, load_result_fn=lambda p: None)
    st.set_result(fake_analyze(tiny_project))
    return st


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """QSettings and recovery copies under tmp_path, never in the user's profile."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    import ui.window.project_io as mw

    monkeypatch.setattr(mw, "recovery_dir", lambda: tmp_path / "recovery")
    return tmp_path


@pytest.fixture
def shown_errors(monkeypatch):
    """Error dialogs are recorded instead of shown (a modal dialog would block the test)."""
    errors: list = []
    monkeypatch.setattr("ui.app.show_error",
                        lambda parent, exc, details=None: errors.append((exc, details)))
    return errors


@pytest.fixture
def window(qtbot, state, isolated_settings, shown_errors):
    from ui import app as qtapp
    from ui.window.main_window import MainWindow

    qtapp.install_translator(__import__("PySide6.QtWidgets", fromlist=["QApplication"])
                             .QApplication.instance())
    win = MainWindow(state, autosave_minutes=0)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.cancel_tasks()
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks.values()), timeout=10000)
    expected = getattr(win, "_expected_errors", 0)
    win.state.project.dirty = False
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()
    assert len(shown_errors) == expected, shown_errors
