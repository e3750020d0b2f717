"""Benchmark of ``ilp-gis analyze`` storing its results in a second process while it writes its
output files (``layers.store_handover``), against the store in process (prints figures; never
asserts on time).

    python bench/bench_store_beside.py nas.gpkg          # the store beside the outputs
    python bench/bench_store_beside.py nas.gpkg --ab     # and then the store in process

Runs the command end to end in a child process on a copy of the project and prints, beside
the targets of issue 16: wall time, CPU time (user + system of the command and of its store
process), the peak of the command's and its store process's memory added together (sampled
every 50 ms from ``/proc``, Linux only) and the larger single peak; the phases after the
analysis (hand-over of the tables, each output file, the wait for the store, the commit) and
the store process's own figures (start-up, store wall and CPU, peak memory), and the store's
part of the command's critical path (result tables, hand-over, also the part of it during
the analysis, wait, commit) beside its target.  ``--ab`` runs
the command a second time with the store in process (``ILP_GIS_STORE_BESIDE_MIN_CELLS``
above any project) and prints the difference.  Work files go to ``--work`` (default: a fresh
temporary folder, removed at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.work_folder import work_folder  # noqa: E402

PHASES_ENV = "ILP_GIS_PHASES"
CHILD_LINE = "ILP_GIS_STORE_CHILD "
MIN_CELLS_ENV = "ILP_GIS_STORE_BESIDE_MIN_CELLS"
WALL_TARGET_S = 20.0
STORE_TARGET_S = 1.7
STORE_PHASES = ("result tables built", "store handed over", "store", "store (waited for)",
                "all or nothing: commit")
PEAK_TARGET_MB = 3000.0


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                    parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(parent, []).append(int(entry))
    return kids


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class TreeMemory(threading.Thread):
    """Samples the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.at, self.processes = pid, 0.0, 0.0, 0
        self.stop = threading.Event()
        self.start_time = time.perf_counter()

    def run(self) -> None:
        while not self.stop.is_set():
            kids, todo, tree = _children(), [self.pid], []
            while todo:
                p = todo.pop()
                tree.append(p)
                todo += kids.get(p, [])
            total = sum(_rss_mb(p) for p in tree)
            if total > self.peak:
                self.peak, self.at = total, time.perf_counter() - self.start_time
                self.processes = len(tree)
            self.stop.wait(0.05)


def _usage() -> tuple[float, float] | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def run(project: Path, work: Path, label: str, env_extra: dict) -> dict | None:
    copy = work / f"copy_{label}.gpkg"
    shutil.copyfile(project, copy)
    cmd = [sys.executable, "-m", "ui.cli", "analyze", str(copy), "--out", str(work / label)]
    env = {**os.environ, PHASES_ENV: "1", **env_extra}
    before = _usage()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid) if Path("/proc").is_dir() else None
    if memory:
        memory.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    if memory:
        memory.stop.set()
        memory.join()
    after = _usage()
    copy.unlink(missing_ok=True)
    if proc.returncode != 0:
        print(f"{label}: ilp-gis analyze FAILED ({proc.returncode}): {err[-800:]}", flush=True)
        return None
    phases, child = [], None
    for line in err.splitlines():
        if line.startswith(PHASES_ENV + " "):
            phases = json.loads(line[len(PHASES_ENV) + 1:]).get("phases", [])
        elif line.startswith(CHILD_LINE):
            child = json.loads(line[len(CHILD_LINE):])
    cpu = None if before is None or after is None else after[0] - before[0]
    names = [n for n, _, _ in phases]
    rest = phases[names.index("analyse") + 1:] if "analyse" in names else phases
    print(f"{label}: {wall:.1f} s wall (target: under {WALL_TARGET_S:.0f} s)"
          + (f", {cpu:.1f} s CPU (command + store process)" if cpu is not None else "")
          + (f", peak memory added together {memory.peak:,.0f} MB at {memory.at:.1f} s "
             f"({memory.processes} processes; target: under {PEAK_TARGET_MB:,.0f} MB)"
             if memory else "")
          + (f", largest single peak {after[1]:,.0f} MB" if after else ""), flush=True)
    for name, w, c in [p for p in phases if p[0] == "analyse"] + rest:
        print(f"    {name:<28} {w:7.2f} s wall {c:7.2f} s CPU", flush=True)
    after_analysis = sum(w for _, w, _ in rest)
    print(f"    {'after the analysis, in all':<28} {after_analysis:7.2f} s wall", flush=True)
    store = [(w, c) for n, w, c in rest if n in STORE_PHASES]
    if child and child.get("early_hand_over_wall_s") is not None:  # spent in the analysis
        store.append((child["early_hand_over_wall_s"], child["early_hand_over_cpu_s"]))
    print(f"    {'the store on the critical path':<28} {sum(w for w, _ in store):7.2f} s wall "
          f"{sum(c for _, c in store):7.2f} s CPU (result tables, hand-over, also its part "
          f"in the analysis, wait, commit; target: {STORE_TARGET_S:.1f} s, 2 s under the 3.7 s of issue 16's last session)",
          flush=True)
    if child:
        print("    store process: " + ", ".join(f"{k} {v}" for k, v in child.items()),
              flush=True)
    return {"wall": wall, "cpu": cpu, "after_analysis": after_analysis}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project", type=Path, help="a project file (.gpkg)")
    ap.add_argument("--ab", action="store_true", help="also run with the store in process")
    ap.add_argument("--work", type=Path, help="folder for the copies (default: temporary)")
    args = ap.parse_args()
    with work_folder(args.work, "ilp_gis_bench_beside_") as work:
        beside = run(args.project, work, "beside", {})
        if args.ab:
            alone = run(args.project, work, "in_process", {MIN_CELLS_ENV: str(10 ** 15)})
            if beside and alone:
                print(f"store beside the outputs saves {alone['wall'] - beside['wall']:.1f} s "
                      f"wall of the command ({alone['after_analysis'] - beside['after_analysis']:.1f}"
                      f" s after the analysis)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
