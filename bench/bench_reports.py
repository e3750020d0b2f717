"""Time and size of the paper outputs; prints figures (no asserts).

    python bench/bench_reports.py                 # kabupaten sample (+ real Malang if present)
    python bench/bench_reports.py --nasional      # also the national summary report (slow)
    python bench/bench_reports.py --project nas.gpkg   # only the plan report of an analysed
                                                       # project, as the user types it

Targets: kabupaten plan report < 3 s and < 5 MB; wall map < 2 s; national summary < 60 s;
national plan report with its budget section (``ilp-gis report nas.gpkg -o F.pdf`` end to end,
issue 16) < 60 s and < 3 GB peak memory.
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


def bench_command(project: Path, out: Path) -> None:
    """``ilp-gis report PROJECT -o FILE.pdf`` (the plan report) in a child process: wall and
    CPU time, the child's peak memory, pages and size beside the targets."""
    import subprocess

    from bench.bench_store import peak_mb

    path = out / f"{project.stem}_plan.pdf"
    cmd = [sys.executable, "-m", "ui.cli", "report", str(project), "-o", str(path)]
    t = time.perf_counter()
    c = _child_cpu()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t, _child_cpu() - c
    peak = peak_mb("children")
    status = "ok" if done.returncode == 0 else f"FAILED ({done.returncode}): {done.stderr[-500:]}"
    pages = size = "–"
    if path.exists():
        from pypdf import PdfReader

        pages, size = str(len(PdfReader(str(path)).pages)), f"{path.stat().st_size / 1e6:.1f} MB"
    print(f"ilp-gis report (plan) end to end: {wall:.1f} s wall (target: under 60 s), "
          f"{cpu:.1f} s CPU, peak memory "
          f"{'n/a' if peak is None else f'{peak / 1024:.2f} GB'} (target: under 3 GB), "
          f"{pages} pages, {size}; {status}", flush=True)


def _child_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


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
    ap.add_argument("--project", type=Path,
                    help="only the plan report of this analysed project (e.g. the nasional "
                         "sample after ilp-gis analyze), end to end as a command")
    args = ap.parse_args()
    from ilp_gis.analysis import analyze
    from layers.sample import generate_sample

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_reports_"))
    out.mkdir(parents=True, exist_ok=True)
    if args.project:
        bench_command(args.project.resolve(), out)
        print(f"outputs in {out}")
        return

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
