"""Benchmark the web map export: prints time and file size for a kabupaten and a provinsi.

Targets: kabupaten < 2 s and < 10 MB; provinsi < 20 s; with ``--project`` (an analysed project,
e.g. the nasional sample): the ``ilp-gis webmap`` command end to end in a child process, its
wall and CPU time (aim: 20 s), peak memory (target of issue 16: under 3 GB), page size
(target: well under 50 MB, a page an office PC's browser opens) and the size of the
per-kabupaten detail folder written beside a national page (its chunks in all, the median and
the largest).

    python bench/bench_webmap.py [--provinsi] [--keep DIR]
    python bench/bench_webmap.py --project ANALYSED.gpkg [--keep DIR]

Data, best first: the generated sample (``layers.sample.generate_sample``) analysed with
``ilp_gis.analysis.analyze`` when both exist; otherwise the real Kabupaten Malang boundaries
(../shared/real_data, when present) or a synthetic jagged grid, with synthetic facilities and an
AnalysisResult built here following ilp_gis/results.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ilp_gis import model  # noqa: E402
from ilp_gis.project import Project  # noqa: E402
from ilp_gis.results import AnalysisResult  # noqa: E402
from reports.webmap import export_webmap  # noqa: E402

REAL_MALANG = REPO.parent / "shared" / "real_data" / "kabupaten_malang"


def jagged_grid(nx_desa: int, ny_desa: int, *, lon0=111.0, lat0=-7.0, cell=0.025, sub=10,
                seed=1):
    """Desa polygons on a jittered lattice (neighbours share their jagged borders exactly)."""
    rng = np.random.default_rng(seed)
    nxp, nyp = nx_desa * sub + 1, ny_desa * sub + 1
    step = cell / sub
    gx, gy = np.meshgrid(np.arange(nxp) * step, np.arange(nyp) * step, indexing="ij")
    jit = rng.uniform(-0.35, 0.35, size=(2, nxp, nyp)) * step
    jit[:, 0, :] = jit[:, -1, :] = jit[:, :, 0] = jit[:, :, -1] = 0
    px, py = lon0 + gx + jit[0], lat0 - (gy + jit[1])
    polys, rows = [], []
    for a in range(nx_desa):
        for b in range(ny_desa):
            i0, i1, j0, j1 = a * sub, (a + 1) * sub, b * sub, (b + 1) * sub
            ring = ([(px[i, j0], py[i, j0]) for i in range(i0, i1 + 1)]
                    + [(px[i1, j], py[i1, j]) for j in range(j0 + 1, j1 + 1)]
                    + [(px[i, j1], py[i, j1]) for i in range(i1 - 1, i0 - 1, -1)]
                    + [(px[i0, j], py[i0, j]) for j in range(j1 - 1, j0, -1)])
            polys.append(Polygon(ring))
            kab = (a // 15) * 100 + b // 15
            kec = (a // 5) * 100 + b // 5
            rows.append({"kab": f"{kab:04d}", "kec": f"{kec:04d}", "a": a, "b": b})
    frame = gpd.GeoDataFrame(rows, geometry=polys, crs=model.WGS84)
    frame["code"] = [f"35.{int(k[:2]) % 99:02d}.{int(c) % 97:02d}.{2000 + i:04d}"
                     for i, (k, c) in enumerate(zip(frame["kab"], frame["kec"], strict=True))]
    frame["name"] = [f"Desa {i}" for i in range(len(frame))]
    frame["kecamatan_code"] = frame["kec"]
    frame["kecamatan_name"] = "Kec " + frame["kec"]
    return frame


def malang():
    """The real boundaries: desa, kecamatan and the kabupaten outline."""
    desa = gpd.read_file(REAL_MALANG / "desa.gpkg")
    desa = desa.rename(columns={"kode": "code", "nama": "name", "kode_kec": "kecamatan_code",
                                "nama_kec": "kecamatan_name"})
    desa["kab"] = "3507"
    kec = gpd.read_file(REAL_MALANG / "kecamatan.gpkg").rename(columns={"kode": "code",
                                                                       "nama": "name"})
    kab = gpd.read_file(REAL_MALANG / "kabupaten.gpkg").rename(columns={"kode": "code"})
    return {"desa": desa, "kec": kec[["code", "name", "geometry"]],
            "kab": kab[["code", "geometry"]]}


def synthetic_project(desa: gpd.GeoDataFrame, title: str, seed: int = 2, kec=None, kab=None):
    """Project + AnalysisResult with Puskesmas per kecamatan, Pustu in ~70% of desa and a
    Posyandu per dusun (3–8 per desa, some missing)."""
    rng = np.random.default_rng(seed)
    desa = desa.reset_index(drop=True)
    n = len(desa)
    desa["kind"] = np.where(rng.random(n) < 0.05, "kelurahan", "desa")
    desa["population"] = rng.integers(1500, 9000, n).astype(float)
    desa["dusun_count"] = rng.integers(3, 9, n).astype(float)
    if kec is None:
        kec = desa.dissolve("kecamatan_code", as_index=False)[["kecamatan_code",
                                                              "kecamatan_name", "geometry"]]
        kec = kec.rename(columns={"kecamatan_code": "code", "kecamatan_name": "name"})
    if kab is None:
        kab = desa.dissolve("kab", as_index=False)[["kab", "geometry"]]
        kab = kab.rename(columns={"kab": "code"})
    kab["name"] = title
    pts = desa.geometry.representative_point()
    fac, edges = [], []
    g = nx.DiGraph()

    def add(fid, name, ftype, p, d, parent=None, link="given"):
        fac.append({"fac_id": fid, "name": name, "type": ftype, "desa_code": desa["code"][d],
                    "kecamatan_code": desa["kecamatan_code"][d], "parent_id": parent,
                    "precursor": bool(ftype == "pustu" and rng.random() < 0.1),
                    "nurses": float(rng.integers(0, 3)), "midwives": float(rng.integers(0, 3)),
                    "kader": float(rng.integers(2, 7)) if ftype == "posyandu" else np.nan,
                    "level": rng.choice(["pratama", "madya", "purnama", "mandiri"])
                    if ftype == "posyandu" else None, "geometry": p})
        g.add_node(fid, type=ftype, name=name)
        if parent:
            line = LineString([pos[parent], p])
            g.add_edge(parent, fid, link=link)
            edges.append({"parent_id": parent, "child_id": fid, "link": link,
                          "distance_m": line.length * 111_000, "travel_min": np.nan,
                          "geometry": line})
        pos[fid] = p

    pos: dict[str, Point] = {}
    first_desa = desa.groupby("kecamatan_code").head(1).index
    pkm_of = {}
    for d in first_desa:
        fid = f"PKM{d}"
        add(fid, f"Puskesmas {desa['kecamatan_name'][d]}", "puskesmas", pts[d], d)
        pkm_of[desa["kecamatan_code"][d]] = fid
    has_pustu = rng.random(n) < 0.7
    gap_rows = []
    for d in range(n):
        p = pts[d]
        parent = pkm_of[desa["kecamatan_code"][d]]
        if has_pustu[d]:
            pid = f"PST{d}"
            add(pid, f"Pustu {desa['name'][d]}", "pustu", Point(p.x + 0.001, p.y), d, parent)
            parent, link = pid, "given"
        else:
            link = "direct_to_puskesmas"
            gap_rows.append((d, "no_pustu"))
        k = int(desa["dusun_count"][d]) - int(rng.integers(0, 2))
        for j in range(k):
            ang = 2 * np.pi * j / max(k, 1)
            add(f"POS{d}_{j}", f"Posyandu {desa['name'][d]} {j + 1}", "posyandu",
                Point(p.x + 0.004 * np.cos(ang), p.y + 0.004 * np.sin(ang)), d, parent, link)
        if k < desa["dusun_count"][d]:
            gap_rows.append((d, "posyandu_deficit"))
    facilities = gpd.GeoDataFrame(fac, crs=model.WGS84)
    rd = desa.copy()
    counts = facilities.groupby(["desa_code", "type"]).size().unstack(fill_value=0)
    for t in ("puskesmas", "pustu", "posyandu"):
        rd[f"n_{t}"] = rd["code"].map(counts[t]).fillna(0)
    rd["posyandu_needed"] = rd["dusun_count"]
    rd["posyandu_deficit"] = (rd["posyandu_needed"] - rd["n_posyandu"]).clip(lower=0)
    rd["pop_within_pustu_km"] = rd["population"] * np.where(has_pustu, rng.uniform(0.6, 1, n),
                                                            rng.uniform(0, 0.5, n))
    rd["dist_pustu_km"] = rng.uniform(0.2, 6, n)
    rd["priority_score"] = rng.random(n)
    rd["priority_rank"] = rd["priority_score"].rank(ascending=False, method="first")
    kinds: dict[int, list[str]] = {}
    for d, k in gap_rows:
        kinds.setdefault(d, []).append(k)
    rd["gap_kinds"] = [";".join(kinds.get(i, [])) for i in range(n)]
    rd["gap_count"] = [len(kinds.get(i, [])) for i in range(n)]
    gaps = gpd.GeoDataFrame([{
        "gap_id": f"G{i}", "kind": k, "desa_code": desa["code"][d], "desa_name": desa["name"][d],
        "kecamatan_code": desa["kecamatan_code"][d],
        "kecamatan_name": desa["kecamatan_name"][d], "fac_id": None, "value": 0.0,
        "threshold": 1.0, "unit": "pustu", "message": k,
        "priority_score": rd["priority_score"][d], "priority_rank": rd["priority_rank"][d],
        "geometry": desa.geometry[d]} for i, (d, k) in enumerate(gap_rows)], crs=model.WGS84)
    kec_roll = pd.DataFrame({"code": kec["code"], "name": kec["name"]})
    project = Project(layers={"kabupaten": kab, "kecamatan": kec, "desa": desa,
                              "facilities": facilities},
                      meta={model.META_FICTIONAL: "true", model.META_TITLE: title})
    result = AnalysisResult(desa=rd, kecamatan=kec_roll, gaps=gaps, graph=g,
                            edges=gpd.GeoDataFrame(edges, crs=model.WGS84),
                            network_problems=pd.DataFrame(), summary={})
    return project, result


def sample_project(scale: str):
    try:
        from ilp_gis.analysis import analyze
        from layers.sample import generate_sample
    except ImportError:
        return None
    project = generate_sample(scale=scale)
    return project, analyze(project)


def run(label: str, project, result, out_dir: Path) -> None:
    out = out_dir / f"webmap_{label}.html"
    times = []
    for _ in range(2):  # the first run also pays for importing folium/jinja (once per process)
        t0 = time.perf_counter()
        export_webmap(project, result, out)
        times.append(time.perf_counter() - t0)
    size = out.stat().st_size / 1e6
    fac = project.facilities
    print(f"{label:10s} desa={len(result.desa):6d} facilities={len(fac):6d} "
          f"edges={len(result.edges):6d}  export {times[0]:6.2f} s (first, with imports), "
          f"{times[1]:6.2f} s (again)  file {size:6.2f} MB")


PAGE_TARGET_MB = 50.0
"""A page an office PC's browser opens (issue 16, the national web map)."""
TIME_AIM_S = 20.0
"""The national command's wall time aimed at (15.8 s CPU before the per-kabupaten detail)."""


def run_command(project: Path, out_dir: Path) -> None:
    """``ilp-gis webmap PROJECT`` as a user runs it (child process), figures beside targets."""
    from bench.bench_cli_jobs import PEAK_TARGET_MB, run_child
    from reports.webmap.detail import detail_folder

    out = out_dir / f"{project.stem}.html"
    r = run_child(["webmap", str(project), "-o", str(out)], timeout=1800)
    size = out.stat().st_size / 1e6 if out.exists() else float("nan")
    folder = detail_folder(out)  # the per-kabupaten detail chunks of a national page
    chunks = [f for f in folder.iterdir() if f.is_file()] if folder.is_dir() else []
    sizes = sorted(f.stat().st_size / 1e6 for f in chunks)
    print(f"ilp-gis webmap {project.name}: exit {r['rc']}  wall {r['wall']:.1f} s  "
          f"CPU {r['cpu']:.1f} s (aim <= {TIME_AIM_S:.0f} s)  peak {r['peak'] / 1024:.2f} GB "
          f"(target < "
          f"{PEAK_TARGET_MB / 1024:.0f} GB)  page {size:.1f} MB (target < {PAGE_TARGET_MB:.0f} MB)"
          + (f"  error: {r['err']}" if r["rc"] else ""))
    if not chunks:
        print("  detail folder: none (not a national page)")
    else:
        print(f"  detail folder {folder.name}: {len(chunks)} chunks, {sum(sizes):.1f} MB in all, "
              f"median {sizes[len(sizes) // 2]:.2f} MB, largest {sizes[-1]:.2f} MB "
              f"(one kabupaten loaded by the browser at a time; target: each well under the "
              f"page's {PAGE_TARGET_MB:.0f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provinsi", action="store_true", help="also the provinsi-scale export")
    ap.add_argument("--project", help="an analysed project: time the ilp-gis webmap command")
    ap.add_argument("--keep", help="write the HTML files into this folder")
    args = ap.parse_args()
    out_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-webmap-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.project:
        run_command(Path(args.project).resolve(), out_dir)
        print(f"files in {out_dir}")
        return

    data = sample_project("kabupaten")
    if data is not None:
        print("data: generated sample + analysis")
        run("kabupaten", *data, out_dir)
    elif (REAL_MALANG / "desa.gpkg").exists():
        print("data: Kabupaten Malang boundaries (real) + synthetic facilities/result")
        m = malang()
        run("kabupaten", *synthetic_project(m["desa"], "Kabupaten Malang", kec=m["kec"],
                                            kab=m["kab"]), out_dir)
    else:
        print("data: synthetic grid 20x20 desa")
        run("kabupaten", *synthetic_project(jagged_grid(20, 20), "Kabupaten Contoh"), out_dir)
    if args.provinsi:
        data = sample_project("provinsi")
        if data is None:
            print("data: synthetic provinsi grid 90x95 desa")
            data = synthetic_project(jagged_grid(90, 95, cell=0.03), "Provinsi Contoh")
        run("provinsi", *data, out_dir)
    print(f"files in {out_dir}")


if __name__ == "__main__":
    main()
