"""Benchmark of every CLI job a user runs, each as the ``ilp-gis`` command in a child process
(prints figures; never asserts on time).

    python bench/bench_cli_jobs.py --project nas.gpkg         # the nasional sample project
    python bench/bench_cli_jobs.py --scale provinsi           # generate the project first

Runs, in a work folder, one job after the other as a user would (the analysis first, then the
jobs that read its results):

- ``sample`` (with ``--sources``: the raw source files) and ``import`` of those sources into a
  new project, at ``--import-scale`` (default: the scale of ``--scale``);
- on a copy of ``--project`` (or of the project ``sample`` wrote): ``analyze``, ``tables``,
  ``report`` (plan and summary), ``webmap``, ``period save`` and ``list``, ``pws import`` of a
  three-month table for every desa and ``pws show``, ``actions list`` and ``export``, ``plan``
  (a scenario of new Pustu sites) and ``scenario list``, ``compare`` and ``delete``.

Prints for each job its wall time, CPU time (user + system) and peak resident memory (the
child's own, from ``os.wait4``) beside the target of issue 16 (every job under 3 GB), its exit
status and the size of what it wrote.  The machine's load changes wall time; CPU time is the
steadier figure.  ``--only`` runs some jobs (by label, or the first word of one: ``--only plan
scenario`` runs ``plan``, ``scenario list`` and ``scenario compare``), ``--skip`` leaves some
out; ``--analysed`` says ``--project`` already holds the analysis results (it is copied and
``analyze`` runs only when named); work files go to ``--work`` (default: a fresh temporary
folder, removed at the end).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.work_folder import work_folder  # noqa: E402

PEAK_TARGET_MB = 3 * 1024
"""Issue 16: no job needs more memory than an office PC has (under 3 GB)."""


def run_child(argv: list[str], timeout: float) -> dict:
    """Run ``ilp-gis ARGV`` as a child process: wall, CPU (user+sys), peak RSS (MB), exit
    status and the last lines of its error output."""
    cmd = [sys.executable, "-m", "ui.cli", *argv]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        timed_out = False
        if hasattr(os, "wait4"):
            deadline = t + timeout
            while True:
                pid, status, use = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    timed_out = True
                    pid, status, use = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.05)
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu, peak = use.ru_utime + use.ru_stime, use.ru_maxrss / 1024.0
        else:  # Windows: wall time only
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                timed_out = True
            cpu = peak = float("nan")
        wall = time.perf_counter() - t
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    return {"wall": wall, "cpu": cpu, "peak": peak, "rc": proc.returncode,
            "timed_out": timed_out, "err": " | ".join(tail)}


def _size(paths: list[Path]) -> str:
    total = 0
    for p in paths:
        if p.is_file():
            total += p.stat().st_size
        elif p.is_dir():
            total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return f"{total / 1e6:,.1f} MB" if total else "–"


def _pws_table(project: Path, path: Path) -> None:
    """A long PWS table (desa code, month, indicator K4, value, sasaran): three months of
    every desa of ``project``, the size a national Dinkes recap has."""
    import numpy as np
    import pandas as pd
    import pyogrio

    codes = pyogrio.read_dataframe(project, layer="desa", columns=["code"],
                                   read_geometry=False)["code"].astype(str)
    rng = np.random.default_rng(16)
    n = len(codes)
    frames = [pd.DataFrame({"kode desa": codes, "bulan": f"2026-0{m}", "indikator": "k4",
                            "nilai": rng.integers(0, 30, n), "sasaran": rng.integers(20, 60, n)})
              for m in (1, 2, 3)]
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)


def _sources_args(src: Path) -> list[str]:
    def vector(stem: str) -> str:
        gpkg = src / f"{stem}.gpkg"
        return str(gpkg if gpkg.exists() else src / f"{stem}.geojson")

    fac = [str(src / n) for n in ("puskesmas.xlsx", "puskesmas.csv", "pustu.csv",
                                  "posyandu.csv") if (src / n).exists()]
    budget = next((src / n for n in ("anggaran.xlsx", "anggaran.csv") if (src / n).exists()),
                  None)
    return ["--kabupaten", vector("batas_kabupaten"), "--kecamatan", vector("batas_kecamatan"),
            "--desa", vector("batas_desa"), "--roads", vector("jalan"), "--facilities", *fac,
            *(["--budget", str(budget)] if budget else [])]


def jobs(work: Path, project: Path | None, scale: str, import_scale: str):
    """``(label, argv, outputs, prepare)`` of each job in the order a user runs them."""
    sample = work / "sample.gpkg"
    src = work / "sources"
    p = work / "project.gpkg"
    yield ("sample", ["sample", str(work / f"sample_{import_scale}.gpkg"), "--scale",
                      import_scale, "--sources", str(src)], [src], None)
    yield ("import", ["import", str(work / "imported.gpkg"), "--new", *_sources_args(src),
                      "--report", str(work / "import_report.csv")],
           [work / "imported.gpkg"], None)

    def copy_project():
        if project is not None:
            shutil.copy(project, p)
            return
        if import_scale == scale:
            shutil.copy(work / f"sample_{import_scale}.gpkg", p)
            return
        run_child(["sample", str(sample), "--scale", scale], 3600)
        shutil.copy(sample, p)

    yield ("analyze", ["analyze", str(p), "--out", str(work / "analisis")],
           [work / "analisis"], copy_project)
    yield ("tables", ["tables", str(p), "-o", str(work / "tabel.xlsx")],
           [work / "tabel.xlsx"], None)
    yield ("report plan", ["report", str(p), "-o", str(work / "laporan.pdf")],
           [work / "laporan.pdf"], None)
    yield ("report summary", ["report", str(p), "--kind", "summary", "-o",
                              str(work / "ringkasan.pdf")], [work / "ringkasan.pdf"], None)
    yield ("webmap", ["webmap", str(p), "-o", str(work / "peta.html")],
           [work / "peta.html"], None)
    yield ("period save", ["period", "save", str(p), "--period", "Triwulan III 2026"], [], None)
    yield ("period list", ["period", "list", str(p)], [], None)
    pws = work / "pws_k4.csv"
    yield ("pws import", ["pws", "import", str(p), str(pws)], [],
           lambda: _pws_table(p, pws))
    yield ("pws show", ["pws", "show", str(p), "--indicator", "k4", "--month", "2026-03",
                        "-o", str(work / "pws.csv")], [work / "pws.csv"], None)
    yield ("actions list", ["actions", "list", str(p), "--as-of", "2026-12-01"], [], None)
    yield ("actions export", ["actions", "export", str(p), str(work / "aksi.xlsx"),
                              "--as-of", "2026-12-01"], [work / "aksi.xlsx"], None)
    yield ("plan", ["plan", str(p), "--k", "50", "--out", str(work / "rencana"),
                    "--scenario", "bench", "--year", "2027"], [work / "rencana"], None)
    yield ("scenario list", ["scenario", "list", str(p)], [], None)
    yield ("scenario compare", ["scenario", "compare", str(p), "bench", "--out",
                                str(work / "banding")], [work / "banding"], None)
    yield ("scenario delete", ["scenario", "delete", str(p), "bench"], [], None)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", type=Path,
                    help="the project the jobs run on (copied first; default: a generated one)")
    ap.add_argument("--scale", default="nasional", choices=("kabupaten", "provinsi", "nasional"),
                    help="scale of the generated project when no --project is given")
    ap.add_argument("--import-scale", choices=("kabupaten", "provinsi", "nasional"),
                    help="scale of the sources that sample writes and import reads "
                         "(default: --scale)")
    ap.add_argument("--only", nargs="+", metavar="LABEL",
                    help="run only these jobs (e.g. tables webmap); analyze runs first when "
                         "its results are missing in a fresh work folder")
    ap.add_argument("--skip", nargs="+", metavar="LABEL", default=[],
                    help="leave these jobs out (e.g. \"report plan\")")
    ap.add_argument("--analysed", action="store_true",
                    help="--project already holds the analysis results: copy it instead of "
                         "running analyze first (analyze still runs when --only names it)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per job (default 900)")
    ap.add_argument("--work", type=Path, help="work folder (default: temporary, removed)")
    args = ap.parse_args()
    with work_folder(args.work, "ilp_gis_bench_cli_") as work:
        import_scale = args.import_scale or args.scale
        print(f"work folder {work}; project "
              f"{args.project or f'generated ({args.scale})'}; sources {import_scale}", flush=True)
        print(f"{'job':<17} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}  target <{PEAK_TARGET_MB:,} MB"
              "  status", flush=True)
        over = []
        if args.analysed and args.project is None:
            ap.error("--analysed needs --project")

        def wanted(label: str) -> bool:
            return label in args.only or label.split()[0] in args.only

        for label, argv, outputs, prepare in jobs(work, args.project, args.scale, import_scale):
            if label == "analyze" and args.analysed and not (args.only and wanted(label)):
                if not (work / "project.gpkg").exists():
                    prepare()  # the analysed project's copy, without analysing it again
                continue
            if args.only and not wanted(label) and not (
                    label == "analyze" and not (work / "project.gpkg").exists()):
                continue
            if label in args.skip:
                continue
            if prepare is not None:
                prepare()
            r = run_child(argv, args.timeout)
            ok = r["rc"] == 0 and not r["timed_out"]
            status = ("ok" if ok else "TIMED OUT" if r["timed_out"]
                      else f"FAILED ({r['rc']}): {r['err'][-300:]}")
            peak_ok = r["peak"] != r["peak"] or r["peak"] < PEAK_TARGET_MB
            if not peak_ok:
                over.append(label)
            print(f"{label:<17} {r['wall']:8.1f} {r['cpu']:8.1f} {r['peak']:9,.0f}  "
                  f"{'ok' if peak_ok else 'OVER':<{len(str(PEAK_TARGET_MB)) + 14}}"
                  f"{status}; wrote {_size(outputs)}", flush=True)
    print(f"jobs over {PEAK_TARGET_MB:,} MB: {', '.join(over) if over else 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
