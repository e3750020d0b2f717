"""Benchmark of monitoring over time (issue 14; prints figures, never asserts on time).

    python bench/bench_monev.py                       # 3,500 desa x every indicator x 60 months
    python bench/bench_monev.py --desa 300 --months 12  # a quick run

Builds a synthetic province (a grid of square desa), writes one wide PWS table (a row per desa
and indicator, a column per month) into ``--workdir``, then times: reading and adding the
values (``layers.pws_import.read_pws`` + ``pws.add_values``), one indicator's PWS view for one
month (``pws.ranking``, best of ``--repeat``), and the Monev PDF (``report --kind monev``).
Targets from the issue: import 10 s, PWS view 0.2 s, Monev PDF 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def province(n_desa: int):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from ilp_gis.project import Project

    side = int(np.ceil(np.sqrt(n_desa)))
    rows, geoms = [], []
    for i in range(n_desa):
        x, y = i % side, i // side
        kec = f"35.{i // 1000 + 1:02d}.{(i // 25) % 40 + 1:02d}"  # 40 kecamatan a kabupaten
        rows.append({"code": f"{kec}.{2001 + i % 25}",
                     "name": f"Desa {i + 1}", "kecamatan_code": kec,
                     "population": 2000.0 + 37 * (i % 50)})
        geoms.append(box(110 + x * 0.02, -7 - y * 0.02, 110.02 + x * 0.02, -7.02 - y * 0.02))
    desa = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs="EPSG:4326")
    return Project(layers={"desa": desa})


def write_table(project, path: Path, months: list[str], keys: list[str], seed: int) -> int:
    rng = np.random.default_rng(seed)
    codes = project.desa["code"].tolist()
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("kode desa;indikator;" + ";".join(months) + "\n")
        for key in keys:
            vals = rng.integers(0, 12, size=(len(codes), len(months)))
            for code, row in zip(codes, vals, strict=True):
                fh.write(f"{code};{key};" + ";".join(map(str, row)) + "\n")
                n += len(months)
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--desa", type=int, default=3500)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()

    from ilp_gis.monitoring import pws
    from layers.pws_import import read_pws
    from reports.pdf import build_report

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_monev_"))
    work.mkdir(parents=True, exist_ok=True)
    project = province(args.desa)
    inds = pws.default_indicators()
    keys = list(inds.items)
    months = [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(args.months)]
    table = work / "pws_wide.csv"
    n = write_table(project, table, months, keys, args.seed)
    print(f"{args.desa} desa x {len(keys)} indicators x {len(months)} months = {n:,} values "
          f"({table.stat().st_size / 1e6:.0f} MB CSV)")

    t0 = time.perf_counter()
    values, report = read_pws(table, project.desa, indicators=inds)
    t1 = time.perf_counter()
    pws.add_values(project, values)
    t2 = time.perf_counter()
    print(f"import: {t2 - t0:.2f} s (read {t1 - t0:.2f} s, add {t2 - t1:.2f} s; "
          f"{len(values):,} values, {len(report):,} report lines)   target 10 s")

    last = months[-1]
    best = np.inf
    for _ in range(args.repeat):
        t = time.perf_counter()
        r = pws.ranking(project, keys[0], last, inds)
        best = min(best, time.perf_counter() - t)
    print(f"PWS view ({keys[0]}, {last}, {len(r)} desa): {best:.3f} s best of {args.repeat}"
          "   target 0.2 s")

    t = time.perf_counter()
    out = build_report(project, None, work / "monev.pdf", kind="monev", as_of=f"{last}-28")
    print(f"Monev PDF: {time.perf_counter() - t:.2f} s ({out.stat().st_size / 1e6:.1f} MB)"
          "   target 10 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
