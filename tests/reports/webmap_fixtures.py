"""A tiny hand-made district and its AnalysisResult (following ilp_gis/results.py exactly)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, box

from ilp_gis import model
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult

LON0, LAT0, STEP = 112.60, -8.05, 0.02


def make_district(*, fictional: bool = True):
    """2 kecamatan × 3 desa (a 3×2 grid), 2 Puskesmas, 3 Pustu (1 Polindes), 8 Posyandu."""
    desa_rows = []
    for row in range(2):
        for col in range(3):
            k = row + 1
            i = len(desa_rows) + 1
            desa_rows.append({
                "code": f"35.07.0{k}.20{i:02d}", "name": f"Desa {chr(64 + i)}{'é' if i == 6 else ''}",
                "kind": "kelurahan" if i == 1 else "desa",
                "kecamatan_code": f"35.07.0{k}", "kecamatan_name": f"Kec {'Utara' if k == 1 else 'Selatan'}",
                "population": np.nan if i == 5 else 1000.0 * i, "dusun_count": 3.0,
                "geometry": box(LON0 + col * STEP, LAT0 - row * STEP,
                                LON0 + (col + 1) * STEP, LAT0 - (row - 1) * STEP),
            })
    desa = gpd.GeoDataFrame(desa_rows, crs=model.WGS84)
    kec = desa.dissolve("kecamatan_code", as_index=False)[["kecamatan_code", "kecamatan_name",
                                                          "geometry"]]
    kec = kec.rename(columns={"kecamatan_code": "code", "kecamatan_name": "name"})
    kab = gpd.GeoDataFrame({"code": ["35.07"], "name": ["Kabupaten Contoh"]},
                           geometry=[desa.union_all()], crs=model.WGS84)

    def centre(i, dx=0.0, dy=0.0):
        c = desa.geometry.iloc[i].centroid
        return Point(c.x + dx, c.y + dy)

    fac = [
        ("PKM1", "Puskesmas Utara", "puskesmas", False, None, 0, None),
        ("PKM2", "Puskesmas Selatan", "puskesmas", False, None, 4, None),
        ("PST1", "Pustu A", "pustu", False, "PKM1", 0, None),
        ("PST2", "Pustu B", "pustu", False, "PKM1", 1, None),
        ("PST3", "Polindes E", "pustu", True, "PKM2", 4, None),
    ]
    for j in range(8):
        d = j % 6
        parent = {0: "PST1", 1: "PST2", 4: "PST3"}.get(d)
        fac.append((f"POS{j + 1}", f"Posyandu <Mawar> {j + 1}", "posyandu", False, parent, d,
                    "madya" if j % 2 else "pratama"))
    frows = []
    for n, (fid, name, ftype, pre, parent, d, level) in enumerate(fac):
        frows.append({
            "fac_id": fid, "name": name, "type": ftype, "precursor": pre,
            "type_original": "Polindes" if pre else None, "parent_id": parent,
            "desa_code": desa["code"].iloc[d], "kecamatan_code": desa["kecamatan_code"].iloc[d],
            "nurses": 1.0 if ftype == "pustu" else np.nan, "midwives": 0.0 if fid == "PST2" else np.nan,
            "kader": 4.0 if ftype == "posyandu" else np.nan, "level": level,
            "geometry": centre(d, 0.002 * (n % 3) - 0.002, 0.0015 * (n % 2)),
        })
    facilities = gpd.GeoDataFrame(frows, crs=model.WGS84)

    project = Project(layers={"kabupaten": kab, "kecamatan": kec, "desa": desa,
                              "facilities": facilities},
                      meta={model.META_FICTIONAL: "true" if fictional else "false",
                            model.META_TITLE: "Kabupaten Contoh"})

    # --- the analysis result ---
    pos = dict(zip(facilities["fac_id"], facilities.geometry, strict=False))
    g = nx.DiGraph()
    for r in frows:
        g.add_node(r["fac_id"], type=r["type"], name=r["name"], desa_code=r["desa_code"],
                   kecamatan_code=r["kecamatan_code"], lon=r["geometry"].x, lat=r["geometry"].y)
    edge_rows = []
    for r in frows:
        parent = r["parent_id"]
        link = "given"
        if r["type"] == "posyandu" and parent is None:  # desa without Pustu
            parent = "PKM1" if r["kecamatan_code"].endswith("01") else "PKM2"
            link = "direct_to_puskesmas"
        if parent is None:
            continue
        line = LineString([pos[parent], pos[r["fac_id"]]])
        dist = line.length * 111_000
        g.add_edge(parent, r["fac_id"], distance_m=dist, travel_min=np.nan, link=link)
        edge_rows.append({"parent_id": parent, "child_id": r["fac_id"], "distance_m": dist,
                          "travel_min": np.nan, "link": link, "geometry": line})
    edges = gpd.GeoDataFrame(edge_rows, crs=model.WGS84)

    counts = facilities.groupby(["desa_code", "type"]).size().unstack(fill_value=0)
    rd = desa.copy()
    for t in ("puskesmas", "pustu", "posyandu"):
        rd[f"n_{t}"] = rd["code"].map(counts.get(t, pd.Series(dtype=float))).fillna(0).astype(int)
    rd["n_pustu_precursor"] = [1 if c == desa["code"].iloc[4] else 0 for c in rd["code"]]
    rd["has_pustu"] = rd["n_pustu"] > 0
    rd["posyandu_needed"] = rd["dusun_count"] * 1.0
    rd["posyandu_deficit"] = (rd["posyandu_needed"] - rd["n_posyandu"]).clip(lower=0)
    rd["pustu_nakes_ok"] = pd.array([True, False, pd.NA, pd.NA, True, pd.NA], dtype="boolean")
    rd["kader_ok_share"] = [0.0, 0.0, np.nan, np.nan, 0.0, np.nan]
    rd["dist_pustu_km"] = [0.4, 0.6, 2.5, 3.1, 0.5, 2.8]
    rd["dist_puskesmas_km"] = [0.3, 1.9, 3.9, 4.2, 0.4, 2.1]
    rd["travel_pustu_min"] = np.nan
    rd["travel_puskesmas_min"] = np.nan
    rd["pop_within_pustu_km"] = rd["population"] * np.array([1.0, 0.9, 0.2, 0.1, 1.0, 0.3])
    rd["pop_within_puskesmas_km"] = rd["population"] * np.array([1.0, 1.0, 0.5, 0.4, 1.0, 0.8])
    rd["pop_within_pustu_min"] = np.nan
    rd["pop_within_puskesmas_min"] = np.nan
    rd["pop_served_capacity"] = np.nan
    rd["priority_score"] = [0.1, 0.3, 0.8, 0.9, 0.2, 0.7]
    rd["priority_rank"] = [6, 4, 2, 1, 5, 3]
    rd["priority_unserved"] = rd["priority_score"] / 2
    rd["priority_travel"] = np.nan
    rd["priority_burden"] = np.nan
    kinds = {2: ["no_pustu", "posyandu_deficit"], 3: ["no_pustu"], 5: ["no_pustu",
                                                                         "beyond_distance"]}
    rd["gap_kinds"] = [";".join(kinds.get(i, [])) for i in range(6)]
    rd["gap_count"] = [len(kinds.get(i, [])) for i in range(6)]
    pts = rd.geometry.representative_point()
    rd["pop_lon"], rd["pop_lat"] = pts.x, pts.y

    gap_rows = []
    for i, ks in kinds.items():
        for kind in ks:
            gap_rows.append({
                "gap_id": f"G{len(gap_rows) + 1}", "kind": kind, "desa_code": rd["code"].iloc[i],
                "desa_name": rd["name"].iloc[i], "kecamatan_code": rd["kecamatan_code"].iloc[i],
                "kecamatan_name": rd["kecamatan_name"].iloc[i], "fac_id": None,
                "value": 0.0 if kind == "no_pustu" else 1.0, "threshold": 1.0,
                "unit": "pustu" if kind == "no_pustu" else "posyandu",
                "message": f"MSG-{kind}", "priority_score": rd["priority_score"].iloc[i],
                "priority_rank": rd["priority_rank"].iloc[i], "geometry": rd.geometry.iloc[i]})
    gap_rows.append({
        "gap_id": f"G{len(gap_rows) + 1}", "kind": "understaffed_pustu",
        "desa_code": rd["code"].iloc[1], "desa_name": rd["name"].iloc[1],
        "kecamatan_code": rd["kecamatan_code"].iloc[1], "kecamatan_name": rd["kecamatan_name"].iloc[1],
        "fac_id": "PST2", "value": 1.0, "threshold": 2.0, "unit": "nakes",
        "message": "MSG-understaffed", "priority_score": 0.3, "priority_rank": 4,
        "geometry": pos["PST2"]})
    gaps = gpd.GeoDataFrame(gap_rows, crs=model.WGS84)

    kec_roll = pd.DataFrame({
        "code": ["35.07.01", "35.07.02"], "name": ["Kec Utara", "Kec Selatan"],
        "desa_total": [3, 3], "desa_with_pustu": [2, 1], "desa_without_pustu": [1, 2],
        "posyandu": [6, 2], "posyandu_needed": [9.0, 9.0], "population": [6000.0, 10000.0],
        "pop_within_pustu_km": [np.nan, np.nan], "pop_within_puskesmas_km": [np.nan, np.nan],
        "pop_within_pustu_min": [np.nan, np.nan], "pop_within_puskesmas_min": [np.nan, np.nan],
        "n_puskesmas": [1, 1], "n_pustu": [2, 1], "gap_count": [2, 4]})
    problems = pd.DataFrame({"kind": pd.Series(dtype=object), "fac_ids": pd.Series(dtype=object),
                             "message": pd.Series(dtype=object)})
    result = AnalysisResult(desa=rd, kecamatan=kec_roll, gaps=gaps, graph=g, edges=edges,
                            network_problems=problems,
                            summary={"desa_total": 6, "desa_without_pustu": 3})
    return project, result
