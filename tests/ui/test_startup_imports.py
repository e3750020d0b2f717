"""The desktop app starts without the modules only an output or a planning run needs: the
PDF document layer, the web map, XLSX writers, the optimiser, the network graph and scipy are
imported at first use, so the first map frame does not wait for them (issue 16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

HEAVY = ("reportlab.platypus", "reports.pdf", "folium", "openpyxl", "xlsxwriter", "highspy",
         "networkx", "scipy", "ilp_gis.siting", "ilp_gis.scenario", "reports.webmap")

CODE = r"""
import json, sys
from ui import app as qtapp
app = qtapp.make_app(["t"], lang="id")
import ui.cli_gui
from ui.window.project_io import read_first_view
from ui.window.main_window import MainWindow
w = MainWindow(autosave_minutes=0)
w.show()
for _ in range(5):
    app.processEvents()
heavy = [m for m in HEAVY if m in sys.modules]
planning_before = w._planning_panel is not None
w.planning_dock.raise_()  # the person opens the planning tab
for _ in range(5):
    app.processEvents()
built = w._planning_panel is not None and w.planning_dock.widget() is w._planning_panel
print(json.dumps({"heavy": heavy, "planning_before": planning_before, "built": built,
                  "siting_after": "ilp_gis.siting" in sys.modules}))
w.close()
"""


def test_main_window_starts_without_output_and_planning_modules():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{CODE}"], cwd=REPO,
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == []  # none of them imported by the window shown empty
    assert got["planning_before"] is False  # the planning panel waits for its tab
    assert got["built"] is True  # and is there once its tab is opened
    assert got["siting_after"] is True
