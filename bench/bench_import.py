"""Benchmark: import the raw sources of a generated sample (default: nasional scale).

Prints the wall and CPU time of each import stage, the load average and the peak memory.  The
sources are generated once into ``<temp dir>/ilp_gis_bench/sources_<scale>``, outside the
repository (in a child process, so generation does not count in the peak memory of the import),
and reused by later runs.  The provinsi and nasional sources hold their boundaries and roads as
GeoPackage, the kabupaten sources as GeoJSON.

    python bench/bench_import.py [--scale nasional|provinsi|kabupaten] [--no-roads]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GENERATE = """
import sys
from layers.sample import generate_sample, write_sources
project = generate_sample(sys.argv[1], seed=1)
write_sources(project, sys.argv[2], seed=1)
"""


def peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows: no resource module
        return float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if sys.platform != "darwin" else rss / 1024.0 / 1024.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="nasional", choices=("kabupaten", "provinsi",
                                                                "nasional"))
    parser.add_argument("--no-roads", action="store_true", help="do not import the roads file")
    parser.add_argument("--sources", type=Path, help="existing sources directory")
    args = parser.parse_args()

    src = args.sources or Path(tempfile.gettempdir()) / "ilp_gis_bench" / f"sources_{args.scale}"
    if not (src / "DEFECTS.csv").exists():
        print(f"generating {args.scale} sources into {src} ...", flush=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", GENERATE, args.scale, str(src)], cwd=REPO,
                       check=True)
        print(f"  generated in {time.perf_counter() - t:.1f} s", flush=True)

    from ilp_gis.project import Project
    from layers.importing import import_files

    fac = [(None, src / n) for n in ("puskesmas.xlsx", "puskesmas.csv", "pustu.csv",
                                     "posyandu.csv") if (src / n).exists()]
    stages: list[tuple[str, float, float]] = []
    last = [time.perf_counter(), None, time.process_time()]

    def progress(fraction, message=None):
        if message and message != last[1]:
            now, cpu = time.perf_counter(), time.process_time()
            if last[1] is not None:
                stages.append((last[1], now - last[0], cpu - last[2]))
            last[0], last[1], last[2] = now, message, cpu

    t0 = time.perf_counter()
    c0 = time.process_time()
    def vector(stem: str) -> Path:
        gpkg = src / f"{stem}.gpkg"
        return gpkg if gpkg.exists() else src / f"{stem}.geojson"

    project = Project()
    rep = import_files(project, kabupaten=vector("batas_kabupaten"),
                       kecamatan=vector("batas_kecamatan"), desa=vector("batas_desa"),
                       roads=None if args.no_roads else vector("jalan"),
                       facilities=fac, lang="en", progress=progress)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"\nimport of the {args.scale} sample sources (wall / CPU seconds)")
    for name, secs, cpus in stages:
        print(f"  {name:<45s} {secs:7.2f} {cpus:7.2f}")
    print(f"  {'TOTAL':<45s} {total:7.2f} {cpu:7.2f}")
    if not args.no_roads:
        print("  (the roads file is read in a background thread while the facility files\n"
              "   are read: its time shows in those stages; CPU counts both threads)")
    try:
        import os

        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    except (AttributeError, OSError):
        pass
    print(f"  peak RSS {peak_rss_mb():,.0f} MB")
    counts = {k: len(v) for k, v in project.layers.items()}
    print(f"  layers: {counts}")
    print(f"  report lines: {len(rep.frame):,}; by status: "
          f"{rep.frame['status'].value_counts().to_dict()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
