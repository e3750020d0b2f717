"""The ``ilp-gis`` program ends at once after its command (``ui.cli.entry``): the same exit
codes, every line printed, every file written and the project stored; in-process callers
(tests, the desktop app) keep nothing alive."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from ilp_gis.analysis import load_result
from layers.project_file import open_project, save_project
from tests.ilp_gis.micro import frame, line, make_project
from ui import cli

REPO = Path(__file__).resolve().parents[2]


def _program(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as users run it
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8")


def _project(tmp_path: Path) -> Path:
    roads = frame([dict(road_class="lokal")], [line((0, 2), (8, 2))])
    return save_project(make_project(roads=roads), tmp_path / "micro.gpkg")


def test_the_program_prints_writes_and_stores_everything_before_it_ends(tmp_path):
    path = _project(tmp_path)
    out = tmp_path / "hasil"
    done = _program("analyze", str(path), "--out", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert sum(1 for x in printed if x.startswith("Written")) == 5
    assert "5 desa; without a Pustu: 1;" in done.stdout  # the summary, printed last, is there
    assert json.loads((out / "summary.json").read_text("utf-8"))["desa_total"] == 5
    assert (out / "network.graphml").read_text("utf-8").endswith("</graphml>\n")
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not Path(f"{path}-journal").exists()
    stored = load_result(open_project(path))
    assert stored is not None and stored.summary["desa_total"] == 5


def test_the_program_keeps_its_exit_codes(tmp_path):
    assert _program("--help").returncode == 0  # argparse's own exit
    assert _program("analyze", "--no-such-option").returncode == cli.EXIT_USAGE
    bad = tmp_path / "rusak.gpkg"
    bad.write_bytes(b"not a geopackage")
    done = _program("analyze", str(bad), "--out", str(tmp_path / "hasil"), "--lang", "en")
    assert done.returncode == cli.EXIT_INPUT
    assert "rusak.gpkg" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "hasil").exists()


def test_in_process_nothing_is_held(tmp_path):
    path = _project(tmp_path)
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "hasil")]) == 0
    assert cli._HELD == []


def test_a_bundled_program_lets_its_store_process_start(monkeypatch):
    """Frozen into one executable (Windows), the program is also the store process's start:
    ``multiprocessing.freeze_support`` runs before the command; a plain Python run skips it."""
    import multiprocessing

    calls, ended = [], []
    monkeypatch.setattr(multiprocessing, "freeze_support", lambda: calls.append("freeze"))
    monkeypatch.setattr(cli, "main", lambda: calls.append("main") or 0)
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    monkeypatch.setattr(cli.logging, "shutdown", lambda: None)  # this test run's logs stay
    monkeypatch.setattr(cli, "_ENDING_AT_ONCE", [])
    cli.entry()
    assert calls == ["main"] and ended == [0]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    cli.entry()
    assert calls == ["main", "freeze", "main"] and ended == [0, 0]
