"""Benchmark of the XLSX tables (``ilp-gis tables``) as a user types it (prints figures; never
asserts on time).

    ilp-gis sample nas.gpkg --scale nasional         # once: the nasional sample project
    ilp-gis analyze nas.gpkg --out hasil             # once: stores the results in it
    python bench/bench_tables.py --project nas.gpkg  # (run national figures one at a time)

Prints, for the project named:
- ``ilp-gis tables PROJECT -o FILE.xlsx`` end to end in a child process: wall and CPU time,
  the child's peak memory and the file's size, beside the target (issue 16: under 30 s);
- the same work in this process stage by stage (opening the project as the command does,
  without the roads and settlements it never reads; reading the stored results; writing the
  workbook; wall and CPU time each), and the rows of each sheet.
The machine's load changes wall time; CPU time is the steadier figure.  Work files go to
``--work`` (default: a fresh temporary folder, removed at the end).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.bench_store import peak_mb  # noqa: E402
from bench.work_folder import work_folder  # noqa: E402


def _child_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def bench_command(project: Path, work: Path) -> None:
    out = work / "tabel_cli.xlsx"
    cmd = [sys.executable, "-m", "ui.cli", "tables", str(project), "-o", str(out)]
    t, c = time.perf_counter(), _child_cpu()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t, _child_cpu() - c
    peak = peak_mb("children")
    status = "ok" if done.returncode == 0 else f"FAILED ({done.returncode}): {done.stderr[-500:]}"
    size = f"{out.stat().st_size / 1e6:,.1f} MB" if out.exists() else "–"
    print(f"ilp-gis tables end to end: {wall:.1f} s wall, {cpu:.1f} s CPU (target: under 30 s), "
          f"peak memory {'n/a' if peak is None else f'{peak:,.0f} MB'}, file {size}; {status}",
          flush=True)


def _stage(label: str, fn):
    t, c = time.perf_counter(), time.process_time()
    value = fn()
    print(f"  {label:<28} wall {time.perf_counter() - t:6.2f} s  cpu "
          f"{time.process_time() - c:6.2f} s", flush=True)
    return value


def bench_stages(project: Path, work: Path) -> None:
    from layers.project_file import open_project
    from reports.source import get_result
    from reports.xlsx_tables import write_tables

    print("in this process:", flush=True)
    from ui.cli_tables import UNREAD_LAYERS

    p = _stage("open the project (as the command)",
               lambda: open_project(project, skip_layers=UNREAD_LAYERS))
    r = _stage("read the stored results", lambda: get_result(p, None))
    out = work / "tabel.xlsx"
    _stage("write the workbook", lambda: write_tables(p, r, out))
    import openpyxl

    wb = openpyxl.load_workbook(out, read_only=True)
    rows = ", ".join(f"{ws.title} {ws.max_row - 1:,}" for ws in wb)
    print(f"  sheets (rows under the header, totals included): {rows}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", type=Path, required=True,
                    help="an analysed project file (.gpkg)")
    ap.add_argument("--work", type=Path, help="folder for the workbooks (default: temporary)")
    ap.add_argument("--no-command", action="store_true", help="skip `ilp-gis tables`")
    ap.add_argument("--no-stages", action="store_true", help="skip the in-process stages")
    args = ap.parse_args()
    with work_folder(args.work, "ilp_gis_bench_tables_") as work:
        print(f"project {args.project} ({args.project.stat().st_size / 1e6:,.0f} MB)", flush=True)
        if not args.no_command:
            bench_command(args.project, work)
        if not args.no_stages:
            bench_stages(args.project, work)
    peak = peak_mb()
    print(f"peak memory of this process: {'n/a' if peak is None else f'{peak:,.0f} MB'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
