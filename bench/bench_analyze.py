"""Benchmark of ``ilp-gis analyze PROJECT --out DIR`` as a user types it (prints figures; never
asserts on time).

    ilp-gis sample nas.gpkg --scale nasional        # once: the nasional sample project
    python bench/bench_analyze.py nas.gpkg          # (run national figures one at a time)

Runs the command end to end in a child process on a copy of the project (the command stores
its results into the project) and prints, each beside its target (issue 16):
- start-up: ``ilp-gis analyze --help`` and the imports the command runs with before it starts
  reading the project (child processes);
- wall time, CPU time (user + system, and CPU/wall: above 1 when parts ran at the same time)
  and peak memory of the command;
- the phases of the command (open, analyse, each output file, result tables built, store,
  ...: wall and CPU, printed by the command on stderr when ``ILP_GIS_PHASES`` is set), and
  what no phase holds (start-up + imports, interpreter exit);
- the analysis stages the command reports in ``summary.json`` (``timings_s``);
- opening the project against its floor (target within 1.3x): in a child process, a bare
  ``pyogrio.read_dataframe(..., use_arrow=True)`` of each layer ``analyze`` reads, one after
  the other, and ``open_project`` as ``analyze`` calls it, in turn ``--open-runs`` times (best
  of them; wall and CPU ratios);
- unless ``--no-outputs``: ``bench/bench_outputs.py`` on the analysed copy, which prints each
  output file's time and network.graphml against the CSV floor (target under 2x).
Work files go to ``--work`` (default: a fresh temporary folder, removed at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.work_folder import work_folder  # noqa: E402

PHASES_ENV = "ILP_GIS_PHASES"  # ui/cli_analyze.py prints its phase timings when set
WALL_TARGET_S = 20.0
PEAK_TARGET_MB = 3000.0
ANALYSIS_TARGET_S = 7.0  # the analysis stages of the command (summary.json "total")
OPEN_TARGET_RATIO = 1.3  # opening the project against a bare read of the same layers


def child_usage() -> tuple[float, float] | None:
    """CPU seconds (user + system) and peak resident MB of the waited-for children."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def start_up() -> float:
    """Interpreter start-up plus the imports of the command line (``ilp-gis analyze --help``)
    and of the modules ``analyze`` runs with, each in a fresh child process; returns the wall
    seconds of the second."""
    took = 0.0
    for label, cmd in (
            ("ilp-gis analyze --help", [sys.executable, "-m", "ui.cli", "analyze", "--help"]),
            # what the command imports before it starts reading the project (the analysis
            # code is imported beside the reading: phase "imports beside the opening")
            ("start-up + imports of analyze", [sys.executable, "-c",
                                               "import ui.cli, ui.cli_analyze, ui.cli_source, "
                                               "ilp_gis.results, layers.project_file"])):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, capture_output=True, check=False)
        took = time.perf_counter() - t
        print(f"  {label}: {took:.2f} s wall", flush=True)
    return took


def phases(stderr: str) -> dict | None:
    """The phase timings the command printed on stderr (``ILP_GIS_PHASES``)."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(PHASES_ENV + " "):
            try:
                return json.loads(line[len(PHASES_ENV) + 1:])
            except ValueError:
                return None
    return None


def print_phases(found: dict | None, wall: float, start_up_s: float) -> None:
    """Each phase of the command (wall and CPU), and what no phase holds: interpreter
    start-up and imports (measured in a child of its own) and the exit after the command."""
    if not found:
        print("  phase timings: not printed by the command", flush=True)
        return
    rows = found.get("phases", [])
    peaks = dict((n, m) for n, m in found.get("peak_mb_after", []))
    print(f"  phases of the command (wall s / CPU s / peak memory MB of the process at the "
          f"phase's end; CPU before the command started, start-up and imports: "
          f"{found.get('cpu_before_command', 0.0):.2f} s):", flush=True)
    for name, w, c in rows:
        peak = f"{peaks[name]:9,.0f}" if name in peaks else ""
        print(f"    {name:<28} {w:7.2f} {c:7.2f}{peak}", flush=True)
    in_phases = sum(w for _, w, _ in rows)
    print(f"    {'sum of the phases':<28} {in_phases:7.2f}", flush=True)
    print(f"    {'start-up + imports (child)':<28} {start_up_s:7.2f}", flush=True)
    print(f"    {'rest (interpreter exit)':<28} {wall - in_phases - start_up_s:7.2f}", flush=True)


def run_command(project: Path, work: Path, start_up_s: float = 0.0) -> Path | None:
    copy = work / "analyze_copy.gpkg"
    shutil.copyfile(project, copy)
    out = work / "analyze_out"
    cmd = [sys.executable, "-m", "ui.cli", "analyze", str(copy), "--out", str(out)]
    before = child_usage()
    t = time.perf_counter()
    env = {**os.environ, PHASES_ENV: "1"}
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = child_usage()
    if done.returncode != 0:
        print(f"ilp-gis analyze FAILED ({done.returncode}): {done.stderr[-800:]}", flush=True)
        return None
    if before is None or after is None:
        cpu_text, peak_text = "CPU n/a", "peak memory n/a"
    else:
        cpu = after[0] - before[0]
        # above 1: parts of the command ran at the same time on several cores
        cpu_text = f"{cpu:.1f} s CPU (user+sys; CPU/wall {cpu / wall:.2f})"
        peak_text = (f"peak memory {after[1]:,.0f} MB (target: under {PEAK_TARGET_MB:,.0f} MB)")
    print(f"ilp-gis analyze end to end: {wall:.1f} s wall (target: under {WALL_TARGET_S:.0f} s), "
          f"{cpu_text}, {peak_text}", flush=True)
    print_phases(phases(done.stderr), wall, start_up_s)
    try:
        stages = json.loads((out / "summary.json").read_text(encoding="utf-8")).get(
            "timings_s", {})
    except (OSError, ValueError):
        stages = {}
    walls = {k: v for k, v in stages.items() if not k.endswith("_cpu") and k != "cpu_total"}
    if walls:
        # each stage's wall and CPU seconds (the road graph runs on a second thread beside
        # prepare: road_graph_overlap is the wall time the two shared; a stage's CPU is that
        # of its own thread, helper threads are counted in the total's CPU only)
        print("  analysis stages (wall s / CPU s, from summary.json): " + ", ".join(
            f"{k} {v:.2f}" + (f" / {stages[k + '_cpu']:.2f}" if k + "_cpu" in stages else "")
            for k, v in walls.items() if k != "total"), flush=True)
        if "total" in walls:
            cpu = stages.get("cpu_total")
            print(f"  analysis in all: {walls['total']:.2f} s wall (target: about "
                  f"{ANALYSIS_TARGET_S:.0f} s)" + (f", {cpu:.2f} s CPU" if cpu is not None
                                                   else ""), flush=True)
        print(f"  rest of the command (opening, writing the outputs, storing the results, "
              f"start-up): {wall - walls.get('total', 0.0):.1f} s", flush=True)
    return copy


def open_floor(project: Path, runs: int = 3) -> None:
    """Print the time of ``open_project`` as ``ilp-gis analyze`` opens the project against a
    bare Arrow read of the same layers (run in a child process of its own)."""
    import sqlite3
    from contextlib import closing

    import pyogrio

    from ilp_gis.results import RESULT_TABLES
    from layers.project_file import open_project

    with closing(sqlite3.connect(f"file:{project}?mode=ro", uri=True)) as con:
        names = sorted({r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
                       - set(RESULT_TABLES.values()))

    def bare() -> None:
        for name in names:
            pyogrio.read_dataframe(str(project), layer=name, use_arrow=True)

    def opened() -> None:
        open_project(project, skip_tables=RESULT_TABLES.values())

    best: dict[str, tuple[float, float]] = {}
    for _ in range(runs):
        for label, fn in (("bare", bare), ("open", opened)):
            t, c = time.perf_counter(), time.process_time()
            fn()
            took = (time.perf_counter() - t, time.process_time() - c)
            if label not in best or took[0] < best[label][0]:
                best[label] = took
    (bw, bc), (ow, oc) = best["bare"], best["open"]
    print(f"  opening ({len(names)} layers and tables, best of {runs}, in turn): open_project "
          f"{ow:.2f} s wall / {oc:.2f} s CPU; bare pyogrio Arrow read {bw:.2f} s wall / "
          f"{bc:.2f} s CPU; ratio {ow / bw:.2f}x wall (target within {OPEN_TARGET_RATIO}x), "
          f"{oc / bc:.2f}x CPU (the steadier figure on a loaded machine)", flush=True)


def main() -> int:
    if sys.argv[1:2] == ["--open-floor"]:  # the child process of the opening figure
        open_floor(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3)
        return 0
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project", type=Path, help="a project file (.gpkg)")
    ap.add_argument("--work", type=Path, help="folder for the copy (default: temporary)")
    ap.add_argument("--open-runs", type=int, default=3,
                    help="runs of the opening and of the bare read, in turn (best of them)")
    ap.add_argument("--no-outputs", action="store_true",
                    help="skip bench_outputs.py (per-output times, GraphML against CSV)")
    args = ap.parse_args()
    with work_folder(args.work, "ilp_gis_bench_analyze_") as work:
        print(f"project {args.project} ({args.project.stat().st_size / 1e6:,.0f} MB)", flush=True)
        start_up_s = start_up()
        copy = run_command(args.project, work, start_up_s)
        if copy is not None:
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--open-floor",
                            str(copy), str(args.open_runs)], cwd=REPO, check=False)
        if copy is not None and not args.no_outputs:
            subprocess.run([sys.executable, str(REPO / "bench" / "bench_outputs.py"), str(copy)],
                           cwd=REPO, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
