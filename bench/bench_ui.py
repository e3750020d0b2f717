"""Desktop-app speed figures (printed, never asserted).

* start → map shown: a fresh process imports the app, opens the bundled sample and paints the
  map (goal < 3 s);
* redraw of the whole map at full extent into an offscreen QImage (1600×1000): kabupaten
  (goal < 30 ms), provinsi (~3,500 desa, ~15,000 facilities; < 100 ms), nasional (< 300 ms).
  "cold" is the first draw (simplified geometry and paths built), "warm" the median of later
  full redraws after a view change (what panning/zooming costs).

Usage: python bench/bench_ui.py [--scales kabupaten,provinsi[,nasional]]
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
from ui.main_window import MainWindow
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


def bench_redraw(project, label: str, goal_ms: float, result=None) -> None:
    from PySide6.QtGui import QImage, QPainter

    from ui.canvas import MapRenderer, View
    from ui.state import AppState

    state = AppState(project, load_result_fn=lambda p: None)
    if result is not None:
        state.set_result(result)
    t = time.perf_counter()
    renderer = MapRenderer(state)
    prep = time.perf_counter() - t
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
    warm = [draw(View(view.cx + i, view.cy, view.mupp)) for i in range(1, 6)]
    zoom = View(view.cx, view.cy, view.mupp / 8)
    draw(zoom)
    zoomed = [draw(View(zoom.cx + i * 50, zoom.cy, zoom.mupp)) for i in range(1, 6)]
    n_desa = len(project.desa)
    n_fac = len(project.facilities)
    print(f"redraw {label} ({n_desa:,} desa, {n_fac:,} facilities{', with analysis' if result else ''}): "
          f"prepare {prep * 1000:.0f} ms, cold {cold:.0f} ms, warm full extent "
          f"{statistics.median(warm):.1f} ms (goal < {goal_ms:.0f} ms), zoomed ×8 "
          f"{statistics.median(zoomed):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="kabupaten,provinsi")
    ap.add_argument("--no-start", action="store_true")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])  # noqa: F841
    if not args.no_start:
        bench_start()
    goals = {"kabupaten": 30, "provinsi": 100, "nasional": 300}
    for scale in args.scales.split(","):
        if scale == "kabupaten":
            from layers.project_file import open_project

            project = open_project(REPO / "sample_data" / "kabupaten_contoh.gpkg")
            from ilp_gis.analysis import analyze

            bench_redraw(project, scale, goals[scale])
            bench_redraw(project, scale, goals[scale], analyze(project))
        else:
            from layers.sample import generate_sample

            t = time.perf_counter()
            project = generate_sample(scale)
            print(f"(generated {scale} in {time.perf_counter() - t:.0f} s)")
            bench_redraw(project, scale, goals[scale])


if __name__ == "__main__":
    main()
