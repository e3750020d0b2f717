"""Benchmark: a national per-desa table (84,000 rows) joined to the desa of the nasional
sample, by code and by name.

Prints, per table: the wall and CPU time of reading the CSV and joining its rows
(``layers.importing.desa_data.read_desa_table``: columns, figures, the join and every report
line) and of writing the figures into the desa layer (``apply_figures``), the rows joined and
the report lines by kind, and how many rows were joined to another desa than the one they
were made from ("wrong").  Not timed: loading the desa layer from the GeoPackage and saving the
project.  The sample is made once into ``<temp dir>/ilp_gis_bench/sample_nasional.gpkg`` (as
``ilp-gis sample --scale nasional``, ~90 s) unless ``--project`` names one.

Tables (seeded, 84,000 of the sample's desa in random order, 5 % of the names spelt otherwise in
the name tables: upper case, a space dropped, or one vowel changed):

* ``code``: Kemendagri desa code and six figures;
* ``name+kec_code``: desa name and Kemendagri kecamatan code;
* ``name+kec_name``: desa name and kecamatan name only (kecamatan names repeat across
  kabupaten: the join narrows to every kecamatan of that name);
* ``name+kec+kab``: desa, kecamatan and kabupaten name (as PODES R104N, R103N, R102N).

    python bench/bench_desa_data.py [--project SAMPLE.gpkg] [--rows 84000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _spelt_otherwise(rng, names):
    import numpy as np

    out = list(names)
    for i in np.flatnonzero(rng.random(len(out)) < 0.05):
        s = out[i]
        kind = rng.integers(3)
        if kind == 0:
            out[i] = s.upper()
        elif kind == 1 and " " in s:
            out[i] = s.replace(" ", "", 1)
        else:
            vowels = [k for k, c in enumerate(s) if c in "aiueo"]
            if vowels:
                k = vowels[int(rng.integers(len(vowels)))]
                out[i] = s[:k] + ("o" if s[k] != "o" else "a") + s[k + 1:]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="a nasional sample project (.gpkg)")
    parser.add_argument("--rows", type=int, default=84_000)
    args = parser.parse_args()

    import numpy as np
    import pandas as pd
    import pyogrio

    from layers.importing.desa_data import DesaKeys, read_desa_table
    from layers.importing.desa_data.join import apply_figures

    path = args.project or Path(tempfile.gettempdir()) / "ilp_gis_bench" / "sample_nasional.gpkg"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating the nasional sample into {path} ...", flush=True)
        subprocess.run([sys.executable, "-m", "ui.cli", "sample", "--scale", "nasional",
                        str(path)], check=True, cwd=REPO)
    t = time.perf_counter()
    desa = pyogrio.read_dataframe(path, layer="desa", read_geometry=False)
    kab = pyogrio.read_dataframe(path, layer="kabupaten", read_geometry=False)
    print(f"desa layer: {len(desa):,} desa (loaded in {time.perf_counter() - t:.1f} s, "
          "not timed below)")
    rng = np.random.default_rng(1)
    pick = rng.permutation(len(desa))[:min(args.rows, len(desa))]
    d = desa.iloc[pick].reset_index(drop=True)
    figures = {"jumlah_penduduk": rng.integers(300, 9000, len(d)),
               "jumlah_kk": rng.integers(80, 2500, len(d)),
               "jumlah_dusun": rng.integers(1, 12, len(d)),
               "jumlah_pustu": rng.integers(0, 2, len(d)),
               "jumlah_poskesdes": rng.integers(0, 2, len(d)),
               "jumlah_posyandu": rng.integers(0, 9, len(d))}
    names = _spelt_otherwise(rng, d["name"].tolist())
    tables = {
        "code": pd.DataFrame({"kode_desa": d["code"], **figures}),
        "name+kec_code": pd.DataFrame({"nama_desa": names, "kode_kecamatan": d["kecamatan_code"],
                                       **figures}),
        "name+kec_name": pd.DataFrame({"nama_desa": names, "kecamatan": d["kecamatan_name"],
                                       **figures}),
        "name+kec+kab": pd.DataFrame({
            "nama_desa": names, "kecamatan": d["kecamatan_name"],
            "kabupaten": d["kecamatan_code"].str.slice(0, 5).map(
                dict(zip(kab["code"], kab["name"], strict=True))), **figures}),
    }
    out_dir = Path(tempfile.mkdtemp(prefix="ilp_gis_bench_desa_"))
    print(f"{'table':<15} {'rows':>7} {'read+join s':>12} {'cpu s':>7} {'apply s':>8} "
          f"{'joined':>8} {'wrong':>6}  report lines by kind")
    for label, table in tables.items():
        csv = out_dir / f"{label.replace('+', '_')}.csv"
        table.to_csv(csv, index=False)
        t, c = time.perf_counter(), time.process_time()
        keys = DesaKeys(desa, kab)
        logs: list = []
        values, pos, _mapping = read_desa_table(csv, desa, None, logs, keys=keys)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        apply_figures(desa, values, pos, csv.name)
        apply_s = time.perf_counter() - t
        frame = logs[0].frame()
        kinds = Counter(k for p in frame["problem"].dropna() for k in str(p).split(";") if k)
        print(f"{label:<15} {len(table):>7,} {wall:>12.2f} {cpu:>7.2f} {apply_s:>8.2f} "
              f"{int((pos >= 0).sum()):>8,} {int(((pos >= 0) & (pos != pick)).sum()):>6,}  "
              + ", ".join(f"{k} {n:,}"
                                                          for k, n in kinds.most_common(6)))
    try:
        import os

        print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    except (AttributeError, OSError):
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
