"""A save killed (SIGKILL, nothing runs after it) at any moment leaves the project file in the
previous or the new state, never a broken one: a child process saves, the test kills it after
a delay spread over the save's duration, then SQLite's integrity check passes and the project
reader opens one of the two states, whole (in place and whole-file saves alike, and the
storing of analysis results: new tables inserted many rows per statement with their spatial
indexes packed in bulk)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import time

import numpy as np
import pandas as pd
import pytest
import shapely

from ilp_gis.analysis import analyze, store_result
from layers.atomic import STALE_AFTER_S
from layers.project_file import open_project, save_project
from tests.layers.test_project_save_in_place import _check_file

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

KILL_POINTS = 21


def _edit(project) -> None:
    """A save with work in every part of the in-place writer: changed rows of one layer, a
    column changed in every row of another, a new table with geometry, a table dropped."""
    fac = project.facilities.copy(deep=False)
    geom = fac.geometry.name
    for pos in range(0, len(fac), 7):
        g = fac.geometry.iloc[pos]
        fac.iloc[pos, fac.columns.get_loc(geom)] = shapely.Point(g.x + 0.001, g.y - 0.001)
    project.set_layer("facilities", fac.iloc[3:].reset_index(drop=True))
    desa = project.desa.copy(deep=False)
    desa["population"] = desa["population"] + 1
    project.set_layer("desa", desa)
    roads = project.roads
    project.set_table("result_copy_roads", roads.assign(n=np.arange(len(roads), dtype=float)))
    for name in [t for t in project.tables if t.startswith("result_")][:1]:
        if name != "result_copy_roads":
            del project.tables[name]


def _store_results(project, result, made=None) -> None:
    """What ``ilp-gis analyze`` stores: every result table new to the file, and a table of
    hostile text."""
    store_result(project, result, made=made)
    project.set_table("catatan", pd.DataFrame({"teks": ["it's", "'); DROP TABLE desa; --",
                                                        "x" * 100_000, None]}))


def _state(project) -> dict:
    """The project's contents as comparable values (meta times left out)."""
    out = {}
    for name, frame in {**project.layers, **project.tables}.items():
        frame = pd.DataFrame(frame).copy()
        for col in frame.columns:
            if frame[col].dtype.name == "geometry":
                frame[col] = shapely.to_wkb(frame[col].values, hex=True)
        out[name] = frame.astype(object).where(frame.notna(), None).to_dict("list")
    out["meta"] = {k: v for k, v in project.meta.items() if k not in ("modified", "created")}
    return out


def _save_in_child(path, mode: str, result) -> tuple[int, int]:
    """Fork a child that opens ``path``, edits it (or stores ``result``) and saves; returns
    (pid, read end of a pipe the child writes "g" to just before saving and "d" when done)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            project = open_project(path)
            if mode == "results":
                _store_results(project, result)
            else:
                _edit(project)
            if mode == "whole_file":
                project.stored = None  # as a file changed by someone else: written anew
            os.write(write, b"g")
            save_project(project)
            os.write(write, b"d")
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def _run(path, mode: str, result, delay: float | None) -> tuple[bool, float]:
    """Save in a child, killed ``delay`` s after it started saving (None: let it finish);
    returns whether it had finished and how long the save took or ran."""
    pid, read = _save_in_child(path, mode, result)
    assert os.read(read, 1) == b"g"
    start = time.monotonic()
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    elapsed = time.monotonic() - start
    done = os.read(read, 1) == b"d"
    os.close(read)
    return done, elapsed


def _check_leftovers(path) -> None:
    """Beside the file a killed save may leave SQLite's journal (no longer hot: the file was
    just read) and its own temporary, which the next open removes once it is stale."""
    left = {p.name for p in path.parent.iterdir()} - {path.name, f"{path.name}-journal"}
    assert all(n.startswith(".p.saving-") for n in left), left
    old = time.time() - 2 * STALE_AFTER_S
    for name in left:
        os.utime(path.parent / name, (old, old))
    open_project(path)
    assert {p.name for p in path.parent.iterdir()} <= {path.name, f"{path.name}-journal"}


@pytest.mark.parametrize("mode", ["in_place", "whole_file", "results"])
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_state(sample_project_path,
                                                                     tmp_path, mode):
    base = save_project(open_project(sample_project_path), tmp_path / "base.gpkg")
    before = _state(open_project(base))
    assert not any(name.startswith("result_") for name in before)
    result = analyze(open_project(base)) if mode == "results" else None  # the child stores it
    new_path = tmp_path / "new.gpkg"
    shutil.copyfile(base, new_path)
    done, duration = _run(new_path, mode, result, None)
    assert done
    after = _state(open_project(new_path))
    assert after != before

    rng = random.Random(16)
    seen = {"before": 0, "after": 0}
    killed_mid_save = 0
    for i in range(KILL_POINTS):
        path = tmp_path / f"k{i}" / "p.gpkg"
        path.parent.mkdir()
        shutil.copyfile(base, path)
        delay = 0.0 if i == 0 else rng.uniform(0.0, 2.0 * duration)  # 0: before any write
        done, _ = _run(path, mode, result, delay)
        killed_mid_save += not done
        project = open_project(path)  # rolls back a hot journal, removes stale temporaries
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", (i, delay)
        _check_file(path)  # spatial indexes, feature counts, GDAL reads every layer
        state = _state(project)
        assert state in (before, after), (i, delay)
        seen["before" if state == before else "after"] += 1
        assert not done or state == after
        _check_leftovers(path)
    assert killed_mid_save and seen["before"] and seen["after"], (seen, killed_mid_save)


BESIDE_KILL_POINTS = 10


def _gone(pid: int, timeout: float = 120.0) -> None:
    """Wait until process ``pid`` (not a child of this one) has ended."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except FileNotFoundError:
            return
        except OSError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} still runs")


def _store_beside_in_child(path, result) -> tuple[int, int, int]:
    """Fork a command that opens ``path``, starts its store process early with the network's
    tables (as ``ilp-gis analyze`` does during its analysis), then stores the other results
    (and a large extra table) while its group is open, and commits; returns (its pid, the
    store process's pid, the read end of a pipe that gets "d" when the command is done)."""
    from ilp_gis.analysis import network_tables
    from layers import project_file
    from layers.atomic import all_or_nothing
    from layers.store_beside import EarlySave, save_beside

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the command: never returns into pytest
        try:
            os.close(read)
            project_file.BESIDE_MIN_CELLS = 0
            project = open_project(path)
            early = EarlySave(project)
            early.made = network_tables(result.edges, result.graph)
            early.hand(early.made)
            os.write(write, b"%10d" % early.child.pid)
            with all_or_nothing():
                early.with_group()
                _store_results(project, result, made=early.made)
                n = 300_000
                project.set_table("banyak", pd.DataFrame({
                    "i": np.arange(n), "x": np.arange(n) / 7.0,
                    "t": pd.Series([f"baris {i}" for i in range(n)], dtype=object)}))
                saving = save_beside(project, early)
                assert saving.pid == early.child.pid
                saving.wait()
            os.write(write, b"d")
        finally:
            os._exit(0)
    os.close(write)
    worker = b""
    while len(worker) < 10:
        got = os.read(read, 10 - len(worker))
        assert got, "the command ended before its store started"
        worker += got
    return pid, int(worker), read


@pytest.mark.parametrize("victim", ["store_process", "command"])
def test_a_store_in_a_second_process_killed_at_any_moment_leaves_the_old_or_the_new_state(
        sample_project_path, tmp_path, victim):
    """Either process killed at random points of a store beside the command (the child
    mid-transaction, the parent while it waits or commits): the file holds the previous or
    the new state, and the store process always ends (a dead parent: rolled back)."""
    base = save_project(open_project(sample_project_path), tmp_path / "base.gpkg")
    before = _state(open_project(base))
    result = analyze(open_project(base))
    full = tmp_path / "full" / "p.gpkg"
    full.parent.mkdir()
    shutil.copyfile(base, full)
    pid, worker, read = _store_beside_in_child(full, result)
    start = time.monotonic()
    os.waitpid(pid, 0)
    duration = time.monotonic() - start
    assert os.read(read, 1) == b"d"
    os.close(read)
    _gone(worker)
    after = _state(open_project(full))
    assert after != before

    rng = random.Random(19)
    seen = {"before": 0, "after": 0}
    for i in range(BESIDE_KILL_POINTS):
        path = tmp_path / f"k{i}" / "p.gpkg"
        path.parent.mkdir()
        shutil.copyfile(base, path)
        pid, worker, read = _store_beside_in_child(path, result)
        time.sleep(0.0 if i == 0 else rng.uniform(0.0, 1.5 * duration))
        try:
            os.kill(worker if victim == "store_process" else pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had ended already
        os.waitpid(pid, 0)
        done = os.read(read, 1) == b"d"
        os.close(read)
        _gone(worker)  # rolled back on its own once its parent is gone
        project = open_project(path)
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", i
        _check_file(path)
        state = _state(project)
        assert state in (before, after), i
        seen["before" if state == before else "after"] += 1
        assert not done or state == after
        _check_leftovers(path)
    assert seen["before"], seen
    if victim == "command":
        assert seen["after"], seen
