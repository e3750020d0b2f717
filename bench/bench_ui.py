"""Desktop-app speed figures (printed, never asserted).

* start → map shown: a fresh process imports the app, opens the bundled sample and paints the
  map (goal < 3 s);
* redraw of the whole map at full extent into an offscreen QImage (1600×1000): kabupaten
  (goal < 30 ms), provinsi (~3,500 desa, ~15,000 facilities; < 100 ms), nasional (< 300 ms).
  "cold" is the first draw (simplified geometry and paths built), "warm" the median of 20 later
  full redraws after a view change (a one-pixel pan each: every static layer is drawn again —
  the widget's pan cache is not used here).  The with-analysis run shows gaps, network edges
  and desa coloured by a figure (--thematic), as a planner sees it; --per-layer prints the
  median time of each layer.  Figures depend on the machine's load (printed).

* the desktop app as a person meets it (``--project P.gpkg``, e.g. the analysed nasional
  sample): ``ilp-gis gui P.gpkg`` run as a child process with ``ILP_GIS_PAINT_PROBE=all``
  (ui.window.paint_probe): command start → first map frame (goal < 3 s), → every layer and the
  stored result loaded, then on a zoomed district 20 pans (the frame after each pan: mean and
  worst, goal < 50 ms; and until the view's own image is drawn), and the zoom out to the whole
  area (goal < 300 ms; and the same view drawn afresh); wall and CPU time and peak memory of
  the child (goal < 3 GB), and its resident memory at the end of each loading step (the
  window's tasks and the panels' plans that ran in it).

  With ``ILP_GIS_PAINT_PROBE_STACKS=N`` set, the N stacks the UI thread was seen in most often
  while it was blocked (and the functions on them), what the workers ran while the UI thread
  waited for the GIL in its event loop, the garbage collections and every block (start, ms)
  are printed as well.

Usage: python bench/bench_ui.py [--scales kabupaten,provinsi[,nasional]] [--runs 20] [--per-layer]
       python bench/bench_ui.py --project nas.gpkg [--no-start] [--scales ""] [--first-only]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

START_CODE = r"""
import time, sys
t0 = time.perf_counter()
from ui import app as qtapp
app = qtapp.make_app(["bench"], lang="id")
from ui.window.main_window import MainWindow
from ui.cli_gui import sample_project_path
w = MainWindow(autosave_minutes=0)
w.resize(1500, 950)
w.show()
w.open_path(sample_project_path(), check_recovery=False, wait=True)
w.analysis_timer.stop()
app.processEvents()
w.canvas.repaint()
app.processEvents()
t1 = time.perf_counter()
print(f"{t1 - t0:.3f} {w.canvas.last_render_ms:.1f}")
w.state.project.dirty = False
w.close()
"""


def bench_start() -> None:
    times = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", START_CODE], cwd=REPO, capture_output=True,
                             text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        if out.returncode != 0:
            print("start benchmark failed:", out.stderr[-800:])
            return
        times.append(float(out.stdout.split()[-2]))
    print(f"start → map shown (sample, incl. Python imports): best {min(times):.2f} s, "
          f"median {statistics.median(times):.2f} s (goal < 3 s)")


def bench_gui(project: Path, *, first_only: bool = False) -> None:
    """``ilp-gis gui PROJECT`` end to end in a child process, timed by its paint probe (with
    ``first_only``: until the first map frame, then quit)."""
    import resource

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "ILP_GIS_PAINT_PROBE": "first" if first_only else "all",
           "PYTHONPATH": str(REPO)}
    # as installed: the modules' bytecode compiled once (an environment that forbids writing
    # it would make every start compile ~400 modules again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", "import ui.cli, ui.window.main_window"], cwd=REPO,
                   env=env, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    try:
        out = subprocess.run([sys.executable, "-m", "ui.cli", "gui", str(project)], cwd=REPO,
                             capture_output=True, text=True, env=env, timeout=1500)
    except subprocess.TimeoutExpired:
        print("gui benchmark: no answer in 25 minutes")
        return
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    got = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "probe":
            got[parts[1]] = float(parts[2])
    if out.returncode != 0 or "first_paint" not in got:
        print("gui benchmark failed:", out.stderr[-1500:])
        return
    for line in out.stderr.splitlines():  # the resident memory at each step of the loading
        if line.startswith("probe-memory"):
            print("    " + line[len("probe-memory "):])
    if "probe-stacks" in out.stderr:  # ILP_GIS_PAINT_PROBE_STACKS=N: what blocked the UI thread
        print(out.stderr[out.stderr.index("probe-stacks"):].rstrip())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"gui {project.name}: command start → first map frame {got['first_paint'] - t0:.2f} s "
          f"(goal < 3 s; window built at {got['window_built'] - t0:.2f} s; CPU until then "
          f"{got['first_paint_cpu_s']:.1f} s)")
    if first_only:
        print(f"    child process: wall {wall:.1f} s, CPU {cpu:.1f} s (user+sys), peak RSS "
              f"{after.ru_maxrss / 1024:.0f} MB; load average {os.getloadavg()[0]:.2f}")
        return
    print(f"    → every layer and result loaded {got['loaded'] - t0:.2f} s; peak memory at the "
          f"first frame {got.get('first_paint_peak_mb', float('nan')):.0f} MB, when loaded "
          f"{got.get('loaded_peak_mb', float('nan')):.0f} MB (goal < 3000 MB), resident when "
          f"loaded {got.get('loaded_rss_mb', float('nan')):.0f} MB")
    print(f"    UI thread after the first frame until loaded: longest block "
          f"{got.get('block_worst_ms', float('nan')):.0f} ms (goal ~100 ms), "
          f"{got.get('blocks_over_limit', 0):.0f} blocks over 100 ms totalling "
          f"{got.get('blocks_total_ms', 0) / 1000:.2f} s")
    print(f"    whole-area render {got['home_render_ms']:.0f} ms; zoom to a district "
          f"{got['zoom_in_ms']:.0f} ms")
    print(f"    pan ({got.get('pans', 20):.0f} pans of the zoomed district): frame after the pan "
          f"mean {got['pan_mean_ms']:.1f} ms, worst {got['pan_worst_ms']:.1f} ms (goal < 50 ms); "
          f"until its own image is drawn mean {got['pan_settled_mean_ms']:.0f} ms")
    print(f"    zoom out to the whole area {got['zoom_out_ms']:.1f} ms (goal < 300 ms); the same "
          f"view drawn afresh {got['zoom_out_redraw_ms']:.0f} ms")
    print(f"    child process: wall {wall:.1f} s, CPU {cpu:.1f} s (user+sys), peak RSS "
          f"{after.ru_maxrss / 1024:.0f} MB (goal < 3000 MB with everything loaded); load "
          f"average {os.getloadavg()[0]:.2f}")


def bench_redraw(project, label: str, goal_ms: float, result=None, *, thematic: str | None = None,
                 runs: int = 20, per_layer: bool = False) -> None:
    from PySide6.QtGui import QImage, QPainter

    from ui.map import MapRenderer, View
    from ui.state import AppState

    state = AppState(project, load_result_fn=lambda p: None)
    if result is not None:
        state.set_result(result)
        if thematic and thematic in state.thematic_fields():
            state.set_thematic(thematic)  # what a planner sees: desa coloured by a figure
    t = time.perf_counter()
    renderer = MapRenderer(state)
    prep = time.perf_counter() - t
    layer_ms: dict[str, list[float]] = {}
    if per_layer:  # time each layer's _draw_* call
        for name in [n for n in dir(renderer) if n.startswith("_draw_")]:
            fn = getattr(renderer, name)

            def timed(*a, _fn=fn, _name=name, **k):
                t0 = time.perf_counter()
                out = _fn(*a, **k)
                layer_ms.setdefault(_name, []).append((time.perf_counter() - t0) * 1000)
                return out

            setattr(renderer, name, timed)
    w, h = 1600, 1000
    x0, y0, x1, y1 = renderer.extent()
    mupp = max((x1 - x0) / w, (y1 - y0) / h) * 1.05
    view = View((x0 + x1) / 2, (y0 + y1) / 2, mupp)
    img = QImage(w, h, QImage.Format_ARGB32_Premultiplied)

    def draw(v) -> float:
        p = QPainter(img)
        t0 = time.perf_counter()
        renderer.render(p, w, h, v)
        p.end()
        return (time.perf_counter() - t0) * 1000

    cold = draw(view)
    layer_ms.clear()
    # a pan is a view change: every redraw below renders all static layers again
    warm = [draw(View(view.cx + i * mupp, view.cy, view.mupp)) for i in range(1, runs + 1)]
    # each redraw calls a layer's _draw_* the same number of times: sum per redraw, median
    per = {k: statistics.median(sum(v[j * len(v) // runs:(j + 1) * len(v) // runs])
                                for j in range(runs))
           for k, v in layer_ms.items()}
    per.pop("_draw_polygons", None)  # the helper inside desa/kecamatan/kabupaten
    zoom = View(view.cx, view.cy, view.mupp / 8)
    draw(zoom)
    zoomed = [draw(View(zoom.cx + i * zoom.mupp * 3, zoom.cy, zoom.mupp)) for i in range(1, runs + 1)]
    n_desa = len(project.desa)
    n_fac = len(project.facilities)
    what = ""
    if result is not None:
        what = ", with analysis" + (f", desa coloured by {state.thematic.field}"
                                    if state.thematic.field else "")
    print(f"redraw {label} ({n_desa:,} desa, {n_fac:,} facilities{what}): "
          f"prepare {prep * 1000:.0f} ms, cold {cold:.0f} ms, warm full extent median of {runs} "
          f"{statistics.median(warm):.1f} ms (min {min(warm):.1f}; goal < {goal_ms:.0f} ms), "
          f"zoomed x8 {statistics.median(zoomed):.1f} ms; load average {os.getloadavg()[0]:.2f}")
    if per:
        print("    per layer (median ms, full extent): " + ", ".join(
            f"{k[6:]} {v:.1f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="kabupaten,provinsi")
    ap.add_argument("--no-start", action="store_true")
    ap.add_argument("--runs", type=int, default=20, help="redraws per median")
    ap.add_argument("--thematic", default="population",
                    help="desa field coloured in the with-analysis redraw")
    ap.add_argument("--per-layer", action="store_true", help="print the time of each layer")
    ap.add_argument("--project", type=Path, help="time `ilp-gis gui PROJECT` (first paint, "
                    "pan, zoom out), e.g. the analysed nasional sample")
    ap.add_argument("--first-only", action="store_true",
                    help="with --project: only the time to the first map frame")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])  # noqa: F841
    if not args.no_start:
        bench_start()
    if args.project is not None:
        bench_gui(args.project, first_only=args.first_only)
    goals = {"kabupaten": 30, "provinsi": 100, "nasional": 300}
    from ilp_gis.analysis import analyze

    for scale in [s for s in args.scales.split(",") if s]:
        if scale == "kabupaten":
            from layers.project_file import open_project

            project = open_project(REPO / "sample_data" / "kabupaten_contoh.gpkg")
        else:
            from layers.sample import generate_sample

            t = time.perf_counter()
            project = generate_sample(scale)
            print(f"(generated {scale} in {time.perf_counter() - t:.0f} s)")
        bench_redraw(project, scale, goals[scale], runs=args.runs, per_layer=args.per_layer)
        if scale != "nasional":
            bench_redraw(project, scale, goals[scale], analyze(project), thematic=args.thematic,
                         runs=args.runs, per_layer=args.per_layer)


if __name__ == "__main__":
    main()
