"""Hand-made projects and AnalysisResults that follow ilp_gis/results.py exactly.

``tiny_project`` is a two-kecamatan district with a multipolygon desa (an island), a desa with
a hole (an enclave, so the kabupaten has a hole too), a Poskesdes precursor and a kecamatan
without a Puskesmas.  ``make_result`` is a small, transparent stand-in for the analysis used
only by the report tests and benchmarks (the real one lives in ``ilp_gis.analysis``).
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, box

from ilp_gis.coe import coe_units, default_indicators, units_only
from ilp_gis.geo import nearest_distance, population_points, utm_crs
from ilp_gis.model import WGS84
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult

DESA_NAMES = ["Sukamaju", "Sukamakmur", "Mekarsari", "Tanjungsari", "Karangrejo", "Sidomulyo",
              "Wonosari", "Margomulyo", "Pulau Kecil", "Bojongsari", "Cibodas", "Rawamerta"]


def tiny_project(lon0: float = 110.40, lat0: float = -7.60, cell: float = 0.03,
                 *, fictional: bool = True, budget: bool = True) -> Project:
    """12 desa in a 6 × 2 grid; kecamatan 01 = columns 0–2, kecamatan 02 = columns 3–5."""
    rows = []
    for i in range(6):
        for j in range(2):
            n = len(rows)
            kec = "01" if i < 3 else "02"
            geom = box(lon0 + i * cell, lat0 + j * cell, lon0 + (i + 1) * cell,
                       lat0 + (j + 1) * cell)
            if n == 8:  # an island belonging to the desa on the coast
                island = box(lon0 + i * cell + 0.005, lat0 - 0.025, lon0 + i * cell + 0.015,
                             lat0 - 0.015)
                geom = MultiPolygon([geom, island])
            if n == 3:  # an enclave (e.g. a kota) cut out of this desa
                c = geom.centroid
                geom = geom.difference(box(c.x - 0.006, c.y - 0.006, c.x + 0.006, c.y + 0.006))
            code = f"53.10.{kec}.{2001 + n}"
            rows.append({"code": code, "name": DESA_NAMES[n], "kind": "desa",
                         "kecamatan_code": f"53.10.{kec}",
                         "kecamatan_name": "Kota Lama" if kec == "01" else "Pantai Indah",
                         "population": float(1500 + 250 * n) if n != 5 else np.nan,
                         "dusun_count": float(3 + n % 3) if n != 7 else np.nan,
                         "geometry": geom})
    desa = gpd.GeoDataFrame(rows, crs=WGS84)
    kec = desa.dissolve(by="kecamatan_code", as_index=False)[["kecamatan_code", "kecamatan_name",
                                                               "geometry"]]
    kec = kec.rename(columns={"kecamatan_code": "code", "kecamatan_name": "name"})
    kab = gpd.GeoDataFrame({"code": ["53.10"], "name": ["Kabupaten Contoh Uji"],
                            "population": [desa["population"].sum()]},
                           geometry=[shapely.union_all(desa.geometry.values)], crs=WGS84)
    pts = shapely.point_on_surface(desa.geometry.values)
    fac = []

    def add(fid, name, ftype, i, dx=0.0, dy=0.0, **kw):
        p = pts[i]
        fac.append({"fac_id": fid, "name": name, "type": ftype, "desa_code": desa["code"][i],
                    "kecamatan_code": desa["kecamatan_code"][i],
                    "geometry": Point(p.x + dx, p.y + dy), **kw})

    add("PKM1", "Puskesmas Kota Lama", "puskesmas", 2, nakes=25.0, coe=True,
        coe_infrastruktur=0.9, coe_kebijakan=1.0, coe_sdm=0.8, coe_bahan_alat=0.7,
        coe_model_pelayanan=0.9)
    add("PST1", "Pustu Sukamaju", "pustu", 0, nurses=1.0, midwives=1.0, nakes=2.0, coe=True)
    add("PST2", "Pustu Mekarsari", "pustu", 2, 0.004, 0.004, nurses=1.0, midwives=0.0, nakes=1.0)
    add("PST3", "Poskesdes Bojongsari", "pustu", 9, precursor=True, type_original="Poskesdes")
    add("PST4", "Pustu Wonosari", "pustu", 6, nurses=1.0, midwives=1.0, nakes=2.0)
    for k, i in enumerate([0, 0, 1, 2, 2, 3, 4, 6, 6, 7, 9, 10, 11]):
        add(f"POS{k + 1}", f"Posyandu Melati {k + 1}", "posyandu", i, 0.003 * (k % 3 - 1),
            -0.003, kader=float(3 + k % 4), level=("pratama", "madya", "purnama")[k % 3])
    facilities = gpd.GeoDataFrame(fac, crs=WGS84)
    layers = {"kabupaten": kab, "kecamatan": kec, "desa": desa, "facilities": facilities}
    if budget:
        layers["budget"] = pd.DataFrame([
            {"budget_id": "B1", "source": "dak_fisik", "year": 2027, "activity": "build_pustu",
             "target_desa": desa["code"][1], "amount": 1_250_000_000.0, "status": "usulan"},
            {"budget_id": "B2", "source": "dana_desa", "year": 2027, "activity": "open_posyandu",
             "target_desa": desa["code"][3], "amount": 45_000_000.0, "status": "disetujui"},
            {"budget_id": "B3", "source": "bok", "year": 2028, "activity": "train_kader",
             "target_desa": desa["code"][4], "amount": 12_500_000.0, "status": "usulan",
             "note": "=HYPERLINK(\"http://example.invalid\")"},
        ])
    layers["import_report"] = pd.DataFrame([
        {"file": "desa.shp", "role": "desa", "row": 1, "status": "imported"},
        {"file": "desa.shp", "role": "desa", "row": 2, "status": "fixed",
         "problem": "code_leading_zero", "message": "kode diperbaiki"},
        {"file": "faskes.xlsx", "role": "facilities", "row": 7, "status": "skipped",
         "problem": "no_coordinates", "message": "tanpa koordinat"},
        {"file": "faskes.xlsx", "role": "facilities", "row": 8, "status": "doubtful",
         "problem": "outside_boundary", "message": "di luar batas"},
    ])
    meta = {"fictional": "true" if fictional else "false",
            "sources_json": '[{"role": "desa", "file": "desa.shp", "date": "2026-10-01"}, '
                            '{"role": "facilities", "file": "faskes.xlsx", "date": "2026-11-02"}]'}
    return Project(layers=layers, meta=meta)


def make_result(project: Project) -> AnalysisResult:
    """A simple analysis of ``project`` that fills every field of the AnalysisResult contract."""
    rules = project.rules
    desa = project.desa.copy()
    fac = project.facilities.copy()
    crs = utm_crs(desa if len(desa) else fac)
    codes = desa["code"]

    def count(ftype, extra=None):
        sel = fac[fac["type"] == ftype]
        if extra is not None:
            sel = sel[extra(sel)]
        return codes.map(sel.groupby("desa_code").size()).fillna(0).astype(int)

    prec = fac.get("precursor", pd.Series(False, index=fac.index)).fillna(False).astype(bool)
    out = desa[["code", "name", "kecamatan_code", "kecamatan_name", "population",
                "dusun_count", "geometry"]].copy()
    out["n_puskesmas"] = count("puskesmas")
    out["n_pustu"] = count("pustu")
    out["n_pustu_precursor"] = codes.map(fac[prec].groupby("desa_code").size()).fillna(0) \
        .astype(int)
    out["n_posyandu"] = count("posyandu")
    out["has_pustu"] = out["n_pustu"] > 0
    out["posyandu_needed"] = out["dusun_count"] * rules["target.posyandu_per_dusun"]
    out["posyandu_deficit"] = (out["posyandu_needed"] - out["n_posyandu"]).clip(lower=0)
    pustu = fac[fac["type"] == "pustu"]
    nakes_ok = pustu.assign(ok=pustu["nakes"] >= rules["target.pustu_min_nakes"])
    out["pustu_nakes_ok"] = codes.map(nakes_ok.groupby("desa_code")["ok"].all()).astype("boolean")
    posy = fac[fac["type"] == "posyandu"]
    kader_ok = posy.assign(ok=(posy["kader"] >= rules["target.posyandu_min_kader"]).astype(float))
    out["kader_ok_share"] = codes.map(kader_ok.groupby("desa_code")["ok"].mean())
    pop_pts = population_points(desa, crs=crs)
    fm = fac.to_crs(crs)
    for ftype, key in (("pustu", "pustu"), ("puskesmas", "puskesmas")):
        d, _ = nearest_distance(pop_pts.geometry, fm[fm["type"] == ftype].geometry)
        km = pd.Series(d / 1000.0, index=pop_pts["desa_code"].values)
        km = km.groupby(level=0).mean()
        out[f"dist_{key}_km"] = codes.map(km).replace(np.inf, np.nan)
        limit = rules[f"limit.{key}_distance_km"]
        out[f"pop_within_{key}_km"] = np.where(out["population"].isna(), np.nan,
                                               np.where(out[f"dist_{key}_km"] <= limit,
                                                        out["population"], 0.0))
        out[f"travel_{key}_min"] = np.nan
        out[f"pop_within_{key}_min"] = np.nan
    out["pop_served_capacity"] = np.nan
    unserved = (~out["has_pustu"]).astype(float)
    burden = (out["posyandu_deficit"].fillna(0) / out["posyandu_needed"].replace(0, np.nan)) \
        .fillna(0)
    travel = (out["dist_pustu_km"] / rules["limit.pustu_distance_km"]).clip(0, 1).fillna(0)
    out["priority_unserved"] = unserved
    out["priority_travel"] = travel
    out["priority_burden"] = burden
    out["priority_score"] = (0.5 * unserved + 0.3 * travel + 0.2 * burden).round(4)
    out["priority_rank"] = out["priority_score"].rank(ascending=False, method="first") \
        .astype(int)
    ip = pop_pts.to_crs(WGS84).groupby("desa_code").first()
    out["pop_lon"] = codes.map(ip.geometry.x)
    out["pop_lat"] = codes.map(ip.geometry.y)

    gaps = []

    def gap(kind, row=None, geom=None, value=np.nan, threshold=np.nan, unit="", fac_id=None,
            msg="", kec=None):
        gaps.append({"kind": kind, "desa_code": None if row is None else row["code"],
                     "desa_name": None if row is None else row["name"],
                     "kecamatan_code": row["kecamatan_code"] if row is not None else kec[0],
                     "kecamatan_name": row["kecamatan_name"] if row is not None else kec[1],
                     "fac_id": fac_id, "value": value, "threshold": threshold, "unit": unit,
                     "message": msg,
                     "priority_score": row["priority_score"] if row is not None else 1.0,
                     "priority_rank": row["priority_rank"] if row is not None else 0,
                     "geometry": geom if geom is not None else row["geometry"]})

    for _, r in out.iterrows():
        if not r["has_pustu"]:
            gap("no_pustu", r, value=0, threshold=1, unit="Pustu",
                msg=f"Desa {r['name']} belum memiliki Pustu")
        if r["posyandu_deficit"] > 0:
            gap("posyandu_deficit", r, value=r["n_posyandu"], threshold=r["posyandu_needed"],
                unit="Posyandu", msg=f"Kurang {int(r['posyandu_deficit'])} Posyandu")
        if r["dist_pustu_km"] > rules["limit.pustu_distance_km"]:
            gap("beyond_distance", r, value=r["dist_pustu_km"],
                threshold=rules["limit.pustu_distance_km"], unit="km", msg="Jauh dari Pustu")
    kec = project.kecamatan
    kpk = fac[fac["type"] == "puskesmas"].groupby("kecamatan_code").size()
    for _, k in kec.iterrows():
        if kpk.get(k["code"], 0) == 0:
            gap("no_puskesmas", None, k.geometry, 0, 1, "Puskesmas", None,
                f"Kecamatan {k['name']} tanpa Puskesmas", kec=(k["code"], k["name"]))
    by_code = out.set_index("code")
    for _, f in pustu.iterrows():
        if not (f["nakes"] >= rules["target.pustu_min_nakes"]):
            r = by_code.loc[f["desa_code"]].copy()
            r["code"] = f["desa_code"]
            gap("understaffed_pustu", r, f.geometry, f["nakes"], rules["target.pustu_min_nakes"],
                "nakes", f["fac_id"], f"{f['name']} kurang nakes")
    gaps_gdf = gpd.GeoDataFrame(gaps, geometry="geometry", crs=WGS84) if gaps else \
        gpd.GeoDataFrame({"kind": []}, geometry=[], crs=WGS84)
    gaps_gdf = gaps_gdf.sort_values(["priority_rank", "kind"]).reset_index(drop=True)
    gaps_gdf.insert(0, "gap_id", [f"G{i + 1:04d}" for i in range(len(gaps_gdf))])
    out["gap_kinds"] = codes.map(gaps_gdf.dropna(subset=["desa_code"]).groupby("desa_code")["kind"]
                                 .agg(lambda s: ";".join(sorted(set(s))))).fillna("")
    out["gap_count"] = codes.map(gaps_gdf.groupby("desa_code").size()).fillna(0).astype(int)

    # network: Pustu → nearest Puskesmas, Posyandu → Pustu of its desa, else nearest Puskesmas
    g = nx.DiGraph()
    for _, f in fac.iterrows():
        g.add_node(f["fac_id"], type=f["type"], name=f["name"], desa_code=f["desa_code"],
                   kecamatan_code=f["kecamatan_code"], lon=f.geometry.x, lat=f.geometry.y)
    pkm = fm[fm["type"] == "puskesmas"]
    edges, problems = [], []
    for _, f in fm.iterrows():
        if f["type"] == "pustu" and len(pkm):
            d = pkm.geometry.distance(f.geometry)
            parent, link = pkm.loc[d.idxmin()], "inferred"
        elif f["type"] == "posyandu":
            same = fm[(fm["type"] == "pustu") & (fm["desa_code"] == f["desa_code"])]
            if len(same):
                parent, link = same.iloc[0], "given"
            elif len(pkm):
                parent, link = pkm.loc[pkm.geometry.distance(f.geometry).idxmin()], \
                    "direct_to_puskesmas"
                problems.append({"kind": "posyandu_without_pustu", "fac_ids": f["fac_id"],
                                 "message": f"{f['name']} langsung ke Puskesmas"})
            else:
                continue
        else:
            continue
        dist = float(parent.geometry.distance(f.geometry))
        g.add_edge(parent["fac_id"], f["fac_id"], distance_m=dist, travel_min=np.nan, link=link)
        edges.append({"parent_id": parent["fac_id"], "child_id": f["fac_id"], "distance_m": dist,
                      "travel_min": np.nan, "link": link,
                      "geometry": LineString([parent.geometry, f.geometry])})
    edges_gdf = gpd.GeoDataFrame(edges, geometry="geometry", crs=crs).to_crs(WGS84) if edges \
        else gpd.GeoDataFrame({"parent_id": []}, geometry=[], crs=WGS84)
    netp = pd.DataFrame(problems, columns=["kind", "fac_ids", "message"])

    kk = out.groupby("kecamatan_code")
    kecamatan = pd.DataFrame({
        "code": list(kk.groups),
        "name": kk["kecamatan_name"].first().values,
        "desa_total": kk.size().values,
        "desa_with_pustu": kk["has_pustu"].sum().values,
        "desa_without_pustu": (kk.size() - kk["has_pustu"].sum()).values,
        "posyandu": kk["n_posyandu"].sum().values,
        "posyandu_needed": kk["posyandu_needed"].sum(min_count=1).values,
        "population": kk["population"].sum(min_count=1).values,
        "pop_within_pustu_km": kk["pop_within_pustu_km"].sum(min_count=1).values,
        "pop_within_puskesmas_km": kk["pop_within_puskesmas_km"].sum(min_count=1).values,
        "pop_within_pustu_min": np.nan, "pop_within_puskesmas_min": np.nan,
        "n_puskesmas": kk["n_puskesmas"].sum().values, "n_pustu": kk["n_pustu"].sum().values,
        "gap_count": kk["gap_count"].sum().values,
    })
    # COE units as the analysis makes them (ilp_gis.coe): PKM1 with its designated Pustu PST1
    edges_df = pd.DataFrame(edges, columns=["parent_id", "child_id"]) if edges \
        else pd.DataFrame(columns=["parent_id", "child_id"])
    coe = coe_units(fac, edges_df, default_indicators(), rules["target.coe_threshold"])
    summary = {
        "desa_total": int(len(out)),
        "desa_without_pustu": int((~out["has_pustu"]).sum()),
        "desa_without_posyandu": int((out["n_posyandu"] == 0).sum()),
        "facility_counts": {t: int((fac["type"] == t).sum())
                            for t in ("puskesmas", "pustu", "posyandu")},
        "facilities_outside_boundaries": 0,
        "network_problems": netp.groupby("kind").size().astype(int).to_dict(),
        "population_total": float(out["population"].sum()),
        "population_within_distance": {
            "pustu": float(out["pop_within_pustu_km"].sum()),
            "puskesmas": float(out["pop_within_puskesmas_km"].sum())},
        "coe_meeting_threshold": int(units_only(coe)["meets"].astype("boolean").fillna(
            False).sum()),
        "coe_total": int(len(units_only(coe))),
    }
    return AnalysisResult(desa=out, kecamatan=kecamatan, gaps=gaps_gdf, graph=g, edges=edges_gdf,
                          network_problems=netp, summary=summary, coe=coe)


def malang_project(root) -> Project:
    """The real Kabupaten Malang boundaries and Puskesmas as a Project (no Pustu, Posyandu,
    roads or desa population exist in that public data)."""
    from pathlib import Path

    root = Path(root)
    kab = gpd.read_file(root / "kabupaten.gpkg").rename(columns={"kode": "code", "nama": "name"})
    kec = gpd.read_file(root / "kecamatan.gpkg").rename(columns={"kode": "code", "nama": "name"})
    desa = gpd.read_file(root / "desa.gpkg").rename(columns={
        "kode": "code", "nama": "name", "jenis": "kind", "kode_kec": "kecamatan_code",
        "nama_kec": "kecamatan_name"})
    pk = gpd.read_file(root / "puskesmas.gpkg")
    fac = gpd.GeoDataFrame({"fac_id": pk["kode_faskes"], "name": pk["nama_faskes"],
                            "type": "puskesmas", "nurses": pk["perawat"],
                            "midwives": pk["bidan"]}, geometry=pk.geometry, crs=pk.crs)
    joined = gpd.sjoin(fac, desa[["code", "kecamatan_code", "geometry"]], how="left",
                       predicate="within")
    joined = joined[~joined.index.duplicated()]
    fac["desa_code"] = joined["code"]
    fac["kecamatan_code"] = joined["kecamatan_code"]
    return Project(layers={
        "kabupaten": kab[["code", "name", "geometry"]],
        "kecamatan": kec[["code", "name", "geometry"]],
        "desa": desa[["code", "name", "kind", "kecamatan_code", "kecamatan_name", "geometry"]],
        "facilities": fac,
    }, meta={"sources_json": '[{"role": "batas wilayah", "file": "wilayah_boundaries", '
                             '"date": "2026-08-20"}]'})
