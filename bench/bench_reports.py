"""Time and size of the paper outputs; prints figures (no asserts).

    python bench/bench_reports.py                 # kabupaten sample (+ real Malang if present)
    python bench/bench_reports.py --nasional      # also the national summary report (slow)

Targets: kabupaten plan report < 3 s and < 5 MB; wall map < 2 s; national summary < 60 s.
Wall-clock time depends on the machine's load; CPU time of this process is printed too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _timed(label: str, fn, path: Path | None = None) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = f"{path.stat().st_size / 1e6:7.2f} MB" if path is not None and path.exists() else ""
    pages = ""
    if path is not None and path.suffix == ".pdf":
        from pypdf import PdfReader

        pages = f"{len(PdfReader(str(path)).pages):4d} pages"
    print(f"{label:<38} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {size} {pages}", flush=True)


def bench_project(name: str, project, result, out: Path, kinds=("plan", "wallmap", "atlas"),
                  xlsx: bool = True) -> None:
    from reports.pdf import build_report
    from reports.xlsx_tables import write_tables

    print(f"-- {name}: {len(result.desa)} desa, {len(result.kecamatan)} kecamatan, "
          f"{len(project.facilities)} facilities, {len(result.gaps)} gaps", flush=True)
    for kind in kinds:
        path = out / f"{name}_{kind}.pdf"
        _timed(f"{name} {kind}", lambda k=kind, p=path: build_report(project, result, p, kind=k),
               path)
    if xlsx:
        path = out / f"{name}.xlsx"
        _timed(f"{name} xlsx", lambda: write_tables(project, result, path), path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nasional", action="store_true", help="also the national summary")
    ap.add_argument("--keep", help="directory to keep the outputs in")
    args = ap.parse_args()
    from ilp_gis.analysis import analyze
    from layers.sample import generate_sample

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_reports_"))
    out.mkdir(parents=True, exist_ok=True)

    sample = REPO / "sample_data" / "kabupaten_contoh.gpkg"
    if sample.exists():
        from layers.project_file import open_project

        project = open_project(sample)
    else:
        project = generate_sample("kabupaten")
    result = analyze(project)
    bench_project("kabupaten", project, result, out)

    real = REPO.parent / "shared" / "real_data" / "kabupaten_malang"
    if (real / "desa.gpkg").exists():
        from tests.reports.fixtures import malang_project

        malang = malang_project(real)
        bench_project("malang", malang, analyze(malang), out, kinds=("plan", "wallmap"),
                      xlsx=False)

    if args.nasional:
        t0 = time.perf_counter()
        nas = generate_sample("nasional")
        print(f"(nasional sample generated in {time.perf_counter() - t0:.0f} s)", flush=True)
        t0 = time.perf_counter()
        nres = analyze(nas)
        print(f"(nasional analysed in {time.perf_counter() - t0:.0f} s)", flush=True)
        bench_project("nasional", nas, nres, out, kinds=("summary",), xlsx=True)
    print(f"outputs in {out}")


if __name__ == "__main__":
    main()
