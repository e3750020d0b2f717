"""Benchmark the sample generator: time, peak memory and sizes per scale (prints figures).

Usage (from the repository root)::

    python -m bench.bench_sample                      # kabupaten and provinsi
    python -m bench.bench_sample --scales nasional    # ~84,000 desa (about half a minute)
    python -m bench.bench_sample --scales provinsi --write --sources

``--write`` also saves the project file (GeoPackage) and ``--sources`` the raw source files
into a temporary folder, and reports their time and size.  Nothing is asserted: this prints.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers.project_file import save_project  # noqa: E402
from layers.sample import generate_sample, write_sources  # noqa: E402


def _peak_rss_mb() -> float | None:
    try:
        import resource  # not on Windows
    except ImportError:  # pragma: no cover
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if sys.platform != "darwin" else rss / 1024.0 / 1024.0


def _size_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6


def bench(scale: str, seed: int, write: bool, sources: bool, trace: bool) -> None:
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    project = generate_sample(scale, seed)
    t_gen = time.perf_counter() - t0
    py_peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace else None
    if trace:
        tracemalloc.stop()
    counts = project.facilities["type"].value_counts()
    print(f"[{scale}] generate: {t_gen:7.1f} s"
          + (f", python peak {py_peak:,.0f} MB" if py_peak else ""))
    print(f"[{scale}]   kabupaten {len(project.kabupaten):,}  kecamatan {len(project.kecamatan):,}"
          f"  desa {len(project.desa):,}  settlements {len(project.settlements):,}")
    print(f"[{scale}]   puskesmas {int(counts.get('puskesmas', 0)):,}"
          f"  pustu {int(counts.get('pustu', 0)):,}  posyandu {int(counts.get('posyandu', 0)):,}"
          f"  road segments {len(project.roads):,}  budget lines {len(project.budget):,}")
    mem = sum(int(f.memory_usage(deep=True).sum()) for f in project.layers.values()) / 1e6
    print(f"[{scale}]   frames in memory (pandas deep, without geometry objects): {mem:,.0f} MB")
    if write or sources:
        with tempfile.TemporaryDirectory() as tmp:
            if write:
                t0 = time.perf_counter()
                path = save_project(project, Path(tmp) / f"sample_{scale}.gpkg")
                print(f"[{scale}] save gpkg: {time.perf_counter() - t0:7.1f} s, "
                      f"{_size_mb(path):,.1f} MB")
            if sources:
                t0 = time.perf_counter()
                out = Path(tmp) / "sources"
                write_sources(project, out, seed=seed)
                print(f"[{scale}] write sources: {time.perf_counter() - t0:7.1f} s, "
                      f"{_size_mb(out):,.1f} MB")
    rss = _peak_rss_mb()
    if rss:
        print(f"[{scale}] peak resident memory so far: {rss:,.0f} MB")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", nargs="+", default=["kabupaten", "provinsi"],
                    choices=["kabupaten", "provinsi", "nasional"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write", action="store_true", help="also save the GeoPackage")
    ap.add_argument("--sources", action="store_true", help="also write the raw sources")
    ap.add_argument("--trace", action="store_true", help="trace Python allocations (slower)")
    args = ap.parse_args(argv)
    for scale in args.scales:
        bench(scale, args.seed, args.write, args.sources, args.trace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
