"""Benchmark of opening and saving a project, and of ``ilp-gis analyze`` as a user types it
(prints figures; never asserts on time).

    ilp-gis sample nas.gpkg --scale nasional         # once: the nasional sample project
    python bench/bench_store.py --project nas.gpkg   # (run national figures one at a time)

Prints, for the project named:
- opening it (every layer read by ``layers.project_file.open_project``) against a bare
  ``pyogrio.read_dataframe(..., use_arrow=True)`` of the same layers, and the ratio;
- ``ilp-gis analyze COPY --out DIR`` end to end in a child process, on a copy of the file (the
  command stores its results into the project): wall time and the child's peak memory;
- storing the results of an analysis into the project (``store_result`` + ``save_project``
  in place), storing the same results again (a re-analysis that changed nothing), once into
  the project holding them and once into the file reopened without them (as ``ilp-gis
  analyze`` opens it), and then saving after one facility moved, with the tables each save wrote and the file size before
  and after.
Each figure is printed beside its target (issue 16).  Work files go to ``--work`` (default: a
fresh temporary folder, removed at the end).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.work_folder import work_folder  # noqa: E402


def peak_mb(who: str = "self") -> float | None:
    """Peak resident memory (MB) of this process or of its waited-for children."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    kind = resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN
    return resource.getrusage(kind).ru_maxrss / 1024.0


def bench_open(path: Path) -> None:
    import pyogrio

    from layers.project_file import open_project

    names = [n for n, _ in pyogrio.list_layers(path)]
    with open(path, "rb") as fh:  # both reads from the system's file cache, neither from disk
        while fh.read(1 << 24):
            pass
    t, c = time.perf_counter(), time.process_time()
    for name in names:
        info = pyogrio.read_info(path, layer=name)
        if info.get("geometry_type") in (None, "Unknown") and not info.get("crs"):
            pyogrio.read_dataframe(path, layer=name, read_geometry=False, use_arrow=True)
        else:
            pyogrio.read_dataframe(path, layer=name, use_arrow=True)
    bare, bare_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    open_project(path)
    ours, ours_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"open project ({len(names)} layers): {ours:.2f} s wall, {ours_cpu:.2f} s CPU; bare "
          f"pyogrio.read_dataframe(use_arrow=True) of the same layers {bare:.2f} s wall, "
          f"{bare_cpu:.2f} s CPU; ratio {ours / bare:.2f}x wall, {ours_cpu / bare_cpu:.2f}x CPU "
          "(target: within 1.3x)", flush=True)


def bench_analyze_command(path: Path, work: Path) -> None:
    copy = work / "analyze_copy.gpkg"
    shutil.copyfile(path, copy)
    out = work / "analyze_out"
    cmd = [sys.executable, "-m", "ui.cli", "analyze", str(copy), "--out", str(out)]
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True)
    wall = time.perf_counter() - t
    peak = peak_mb("children")
    status = "ok" if done.returncode == 0 else f"FAILED ({done.returncode}): {done.stderr[-500:]}"
    print(f"ilp-gis analyze end to end: {wall:.1f} s wall (target: under 20 s), peak memory "
          f"{'n/a' if peak is None else f'{peak:,.0f} MB'} (target: under 3,000 MB); {status}",
          flush=True)


def _tables_written(calls: list[tuple[str, str, float]]) -> str:
    """The tables a save wrote, each with the writers called and their CPU time, the
    costliest first."""
    seen: dict[str, set[str]] = {}
    cpu: dict[str, float] = {}
    for fn, table, took in calls:
        seen.setdefault(table, set()).add(fn)
        cpu[table] = cpu.get(table, 0.0) + took
    order = sorted(seen, key=lambda t: (-cpu[t], t))
    return ", ".join(f"{t} ({'+'.join(sorted(seen[t]))}, {cpu[t]:.2f} s CPU)" for t in order)


def bench_saves(path: Path, work: Path) -> None:
    import shapely

    import layers.gpkg_table as gpkg_table
    from ilp_gis.analysis import analyze, store_result
    from layers.project_file import open_project, save_project

    copy = work / "save_copy.gpkg"
    shutil.copyfile(path, copy)
    calls: list[tuple[str, str, float]] = []
    for fn in ("write_table", "insert_rows", "delete_rows"):
        real = getattr(gpkg_table, fn)

        def spy(con, table, *args, _real=real, _fn=fn, **kwargs):
            c = time.process_time()
            try:
                return _real(con, table, *args, **kwargs)
            finally:
                calls.append((_fn, table, time.process_time() - c))

        setattr(gpkg_table, fn, spy)
    project = open_project(copy)
    t = time.perf_counter()
    result = analyze(project)
    print(f"analysis (in process): {time.perf_counter() - t:.1f} s", flush=True)
    size = copy.stat().st_size
    t, c = time.perf_counter(), time.process_time()
    store_result(project, result)
    tables_made, tables_cpu = time.perf_counter() - t, time.process_time() - c
    save_project(project)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"results stored (store_result + save in place): {took:.2f} s wall, {cpu:.2f} s CPU "
          f"(target: under 3 s; of it store_result {tables_made:.2f} s wall, {tables_cpu:.2f} "
          f"s CPU); file {size / 1e6:,.0f} -> {copy.stat().st_size / 1e6:,.0f} MB; wrote "
          f"{_tables_written(calls)}", flush=True)
    calls.clear()
    t, c = time.perf_counter(), time.process_time()
    store_result(project, result)  # a re-analysis whose results did not change
    save_project(project)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"the same results stored again: {took:.2f} s wall, {cpu:.2f} s CPU; wrote "
          f"{_tables_written(calls) or 'nothing'}", flush=True)
    calls.clear()
    from ilp_gis.results import RESULT_TABLES

    reopened = open_project(copy, skip_tables=RESULT_TABLES.values())  # as `ilp-gis analyze`
    t, c = time.perf_counter(), time.process_time()
    store_result(reopened, result)  # the results of a re-analysis that changed nothing
    save_project(reopened)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"the same results stored over the tables a re-analysis leaves unread: {took:.2f} s "
          f"wall, {cpu:.2f} s CPU (target: under 3 s); wrote "
          f"{_tables_written(calls) or 'nothing'}", flush=True)
    del reopened
    calls.clear()
    project = open_project(copy)
    fac = project.facilities.copy(deep=False)
    geom = fac.geometry.name
    g = fac.geometry.iloc[len(fac) // 2]
    fac.iloc[len(fac) // 2, fac.columns.get_loc(geom)] = shapely.Point(g.x + 0.001, g.y)
    project.set_layer("facilities", fac)
    t, c = time.perf_counter(), time.process_time()
    save_project(project)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"save after one facility moved: {took:.3f} s wall, {cpu:.3f} s CPU (target: under "
          "0.2 s); wrote "
          f"{_tables_written(calls)}",
          flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", type=Path, required=True, help="a project file (.gpkg)")
    ap.add_argument("--work", type=Path, help="folder for the copies (default: temporary)")
    ap.add_argument("--no-command", action="store_true", help="skip `ilp-gis analyze`")
    ap.add_argument("--no-saves", action="store_true", help="skip the in-process saves")
    args = ap.parse_args()
    with work_folder(args.work, "ilp_gis_bench_store_") as work:
        print(f"project {args.project} ({args.project.stat().st_size / 1e6:,.0f} MB)", flush=True)
        bench_open(args.project)
        if not args.no_command:
            bench_analyze_command(args.project, work)
        if not args.no_saves:
            bench_saves(args.project, work)
    peak = peak_mb()
    print(f"peak memory of this process: {'n/a' if peak is None else f'{peak:,.0f} MB'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
