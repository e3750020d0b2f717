"""``ilp-gis analyze`` imports only what the command needs: no report, table, web-map, planning
or Qt library is loaded by an analysis run end to end (start-up time of the national command).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from layers.project_file import save_project
from tests.ilp_gis.micro import frame, line, make_project

REPO = Path(__file__).resolve().parents[2]
NOT_NEEDED = ("reportlab", "PySide6", "shiboken6", "folium", "branca", "jinja2", "openpyxl",
              "xlsxwriter", "highspy", "matplotlib", "PIL")

_CHILD = (
    "import sys\n"
    "from ui.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[-1].split(',')))\n"
    "print('LOADED=' + ','.join(loaded))\n"
    "sys.exit(rc)\n"
)


def test_analyze_loads_no_report_table_webmap_planning_or_qt_library(tmp_path):
    roads = frame([dict(road_class="lokal")], [line((0, 2), (8, 2))])
    path = save_project(make_project(roads=roads), tmp_path / "micro.gpkg")
    out = tmp_path / "hasil"
    # the module list rides as the last argv item after "--lang en"; main() sees it as a
    # stray argument unless it is cut off first
    code = _CHILD.replace("main(sys.argv[1:])", "main(sys.argv[1:-1])")
    done = subprocess.run([sys.executable, "-c", code, "analyze", str(path), "--out", str(out),
                           "--lang", "en", ",".join(NOT_NEEDED)],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "network.graphml").exists()  # the whole command ran, outputs included
    loaded = done.stdout.rsplit("LOADED=", 1)[1].strip()
    assert loaded == "", f"ilp-gis analyze imported {loaded}"
