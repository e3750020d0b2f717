"""Results stored by a second process (``save_beside``, ``layers.store_worker``) are the tables,
values, types, digests and bookkeeping the in-process store writes; the child's transaction is
committed with the group or rolled back with it; a file changed meanwhile or a failing child
leaves no half-stored file, and a small project keeps the in-process store."""

from __future__ import annotations

import os
import shutil
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import layers.project_file as project_file
from ilp_gis.analysis import analyze, store_result
from ilp_gis.results import RESULT_TABLES
from layers import store_handover
from layers.atomic import all_or_nothing
from layers.project_file import open_project, save_project
from layers.store_beside import save_beside
from tests.layers.test_project_save_in_place import _assert_same_project, _check_file


def _file_content(path) -> dict:
    """Every table's columns, declared types and rows with each value's SQLite type, the
    schema, and the bookkeeping rows (their times and the digests' times left out)."""
    out = {}
    with sqlite3.connect(path) as con:
        out["schema"] = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                    "ORDER BY name").fetchall()
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                   "ORDER BY name").fetchall():
            if name == "meta" or name == "sqlite_sequence":
                continue
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
            what = ", ".join(f'"{c}", typeof("{c}")' for c in cols)
            rows = con.execute(f'SELECT {what} FROM "{name}" ORDER BY rowid').fetchall()
            if name == "gpkg_contents":
                keep = [i for i, c in enumerate(cols) if c != "last_change"]
                rows = [tuple(r[2 * i] if cols[i] != "description" else
                              str(r[2 * i]).rpartition("@")[0] for i in keep) for r in rows]
            out[name] = (cols, rows)
        out["meta_keys"] = sorted(r[0] for r in con.execute("SELECT key FROM meta"))
    return out


def _store(path, result, *, child: bool, monkeypatch, extra=None):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0 if child else 10 ** 12)
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    with all_or_nothing():
        store_result(project, result)
        for name, frame in (extra or {}).items():
            project.set_table(name, frame)
        saving = save_beside(project)
        assert saving.in_child == child
        figures = saving.wait()
    assert (figures["store_cpu_s"] >= 0) if child else figures == {}
    return project


@pytest.fixture
def analysed(sample_project_path, tmp_path):
    base = tmp_path / "base.gpkg"
    shutil.copyfile(sample_project_path, base)
    return base, analyze(open_project(base))


def _hostile_tables() -> dict:
    n = 23
    rng = np.random.default_rng(19)
    floats = rng.normal(size=n)
    floats[[0, 5]] = np.nan
    floats[1], floats[2], floats[3] = -0.0, np.inf, -np.inf
    texts = [f"teks {i} — ü ' \" ;" for i in range(n)]
    texts[4], texts[6], texts[7] = None, "", "a\x00b"
    geoms = [shapely.Point(100 + i / 10, -5 + i / 20) for i in range(n)]
    geoms[1] = None
    geoms[2] = shapely.Point()
    geoms[3] = shapely.LineString([(100, -5), (101, -6)])
    geoms[4] = shapely.Polygon()
    geoms[5] = shapely.box(100, -6, 101, -5)
    geoms[6] = shapely.MultiPolygon([shapely.box(102, -6, 103, -5)])
    geoms[7] = shapely.LineString()
    spatial = gpd.GeoDataFrame({
        "x": floats, "f32": floats.astype(np.float32), "i": np.arange(n, dtype=np.int64),
        "i8": np.arange(n, dtype=np.int8), "u": np.arange(n, dtype=np.uint16),
        "ni": pd.array([None if i % 4 == 0 else i for i in range(n)], dtype="Int64"),
        "yes": np.arange(n) % 2 == 0,
        "nyes": pd.array([None if i % 3 == 0 else i % 2 == 0 for i in range(n)],
                         dtype="boolean"),
        "oyes": pd.Series([bool(i % 2) if i % 5 else None for i in range(n)], dtype=object),
        "teks": pd.Series(texts, dtype=object), "s": pd.Series(texts, dtype="str"),
        "empty_text": pd.Series([None] * n, dtype=object)},
        geometry=geoms, crs="EPSG:4326")
    plain = pd.DataFrame({"k": [f"k{i}" for i in range(n)], "v": floats,
                          "nf": pd.array([None if i % 2 else i / 3 for i in range(n)],
                                         dtype="Float64")})
    return {"hostile_spatial": spatial, "hostile_plain": plain}


def test_results_stored_by_the_child_equal_those_stored_in_process(analysed, tmp_path,
                                                                   monkeypatch):
    base, result = analysed
    monkeypatch.setattr(store_handover, "_BATCH", 17)  # many record batches per table
    extra = _hostile_tables()
    files = {}
    projects = {}
    for child in (False, True):
        path = tmp_path / f"{child}.gpkg"
        shutil.copyfile(base, path)
        projects[child] = _store(path, result, child=child, monkeypatch=monkeypatch,
                                 extra=extra)
        files[child] = path
        _check_file(path)
    a, b = _file_content(files[False]), _file_content(files[True])
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    assert "hostile_spatial" in a and a["gpkg_contents"][1]
    # the parent's project reflects the saved file as an in-process save leaves it
    p, q = projects[False], projects[True]
    assert not q.dirty and q.path == files[True].resolve()
    assert q.stored.signature == project_file._signature(files[True])
    assert q.stored.unread == p.stored.unread
    assert set(q.stored.frames) == set(p.stored.frames)
    assert all(q.stored.frames[n] is q.tables.get(n, q.layers.get(n)) for n in q.stored.frames)
    assert {n: list(v) for n, v in q.stored.row_ids.items()} == \
        {n: list(v) for n, v in p.stored.row_ids.items()}
    assert {k: v for k, v in q.meta.items() if k not in ("modified", "created")} == \
        {k: v for k, v in p.meta.items() if k not in ("modified", "created")}
    _assert_same_project(open_project(files[False]), open_project(files[True]))


def _last_changes(path) -> dict:
    with sqlite3.connect(path) as con:
        return dict(con.execute("SELECT table_name, last_change FROM gpkg_contents"))


def test_unchanged_results_are_not_written_again_and_one_changed_value_is(analysed,
                                                                         monkeypatch):
    path, result = analysed
    _store(path, result, child=True, monkeypatch=monkeypatch)
    before = _last_changes(path)
    _store(path, result, child=True, monkeypatch=monkeypatch)  # the same results again
    after = _last_changes(path)
    assert {n: after[n] for n in RESULT_TABLES.values() if n in before} == \
        {n: before[n] for n in RESULT_TABLES.values() if n in before}
    gaps = result.gaps.copy()
    gaps.loc[gaps.index[0], "message"] = "satu sel berubah"
    result.gaps = gaps
    _store(path, result, child=True, monkeypatch=monkeypatch)
    again = open_project(path)
    assert again.tables["result_gaps"]["message"].iloc[0] == "satu sel berubah"
    assert _last_changes(path)["result_gaps"] != before["result_gaps"]
    assert _last_changes(path)["result_desa"] == before["result_desa"]
    _check_file(path)


def test_a_failing_group_rolls_the_child_store_back(analysed, monkeypatch):
    path, result = analysed
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    before = _file_content(path)
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    folders = []
    with pytest.raises(RuntimeError, match="writer failed"):
        with all_or_nothing():
            store_result(project, result)
            saving = save_beside(project)
            folders.append(saving._child.folder)
            raise RuntimeError("an output writer failed")
    assert _file_content(path) == before
    assert not folders[0].exists()
    assert not saving._child._proc.is_alive()
    assert not path.with_name(path.name + "-journal").exists()
    assert project.dirty


def test_a_file_changed_before_the_store_takes_its_lock_is_saved_whole(analysed, monkeypatch):
    path, result = analysed
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    begin = store_handover.ChildStore.begin

    def touched_first(self, target, *args):
        with sqlite3.connect(target) as con:  # someone else writes the file meanwhile
            con.execute("CREATE TABLE someone_else (x)")
        return begin(self, target, *args)

    monkeypatch.setattr(store_handover.ChildStore, "begin", touched_first)
    whole = []
    real_atomic_write = project_file.atomic_write
    monkeypatch.setattr(project_file, "atomic_write",
                        lambda target, write: whole.append(target) or
                        real_atomic_write(target, write))
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    with all_or_nothing():
        store_result(project, result)
        saving = save_beside(project)
        saving.wait()
    assert whole == [path.resolve()]  # the in-place save saw the change: written whole
    again = open_project(path)
    assert len(again.tables["result_gaps"]) == len(result.gaps)
    assert "someone_else" not in again.tables  # GDAL lists only registered tables
    _check_file(path)
    assert not project.dirty


def test_an_error_in_the_child_reaches_the_caller_and_stores_nothing(analysed, monkeypatch):
    path, result = analysed
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    send_table = store_handover.ChildStore.send_table

    def lost_file(self, spec):
        if spec.file == "t2.arrow":
            os.remove(self.folder / "t2.arrow")  # the child cannot read one table
        return send_table(self, spec)

    monkeypatch.setattr(store_handover.ChildStore, "send_table", lost_file)
    before = _file_content(path)
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    with pytest.raises(Exception) as caught:
        with all_or_nothing():
            store_result(project, result)
            saving = save_beside(project)
            saving.wait()
    assert "t2.arrow" in str(caught.value)
    assert _file_content(path) == before
    assert not saving._child._proc.is_alive()


def test_small_projects_store_in_process(analysed):
    path, result = analysed  # the bundled sample: far below the threshold
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    with all_or_nothing():
        store_result(project, result)
        saving = save_beside(project)
    assert not saving.in_child and saving.wait() == {}
    assert len(open_project(path).tables["result_gaps"]) == len(result.gaps)


def test_outside_a_group_or_for_a_new_file_the_save_runs_in_process(analysed, tmp_path,
                                                                    monkeypatch):
    path, result = analysed
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    store_result(project, result)
    assert not save_beside(project).in_child  # no group to commit with: committed now
    assert not project.dirty
    fresh = open_project(path)
    save_project(fresh, tmp_path / "other.gpkg")
    fresh.set_table("catatan", pd.DataFrame({"a": ["x"]}))
    fresh.stored = None  # a file the project was not read from: written whole
    with all_or_nothing():
        assert not save_beside(fresh).in_child
    assert list(open_project(tmp_path / "other.gpkg").tables["catatan"]["a"]) == ["x"]


def test_a_store_process_lost_after_its_commit_counts_as_stored(analysed, monkeypatch):
    """The child committed, then its word never came (it died before sending it): the file
    holds every table with the digest handed over with it, so the save is done, not lost."""
    path, result = analysed
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    receive = store_handover.ChildStore._receive

    def word_lost(self):
        kind, value = receive(self)
        if kind == "committed":
            raise store_handover.StoreFailed("the pipe closed")
        return kind, value

    monkeypatch.setattr(store_handover.ChildStore, "_receive", word_lost)
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    with all_or_nothing():
        store_result(project, result)
        save_beside(project).wait()
    assert not project.dirty
    again = open_project(path)
    assert len(again.tables["result_gaps"]) == len(result.gaps)
    _check_file(path)


def test_a_store_process_dead_before_its_commit_stores_nothing_and_says_so(analysed,
                                                                          monkeypatch):
    from ilp_gis.errors import ProjectError

    path, result = analysed
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    send = store_handover.ChildStore._send

    def killed_first(self, message):
        if message == "commit":  # the child is killed while the word is on its way
            self._proc.kill()
            self._proc.join()
        return send(self, message)

    monkeypatch.setattr(store_handover.ChildStore, "_send", killed_first)
    before = _file_content(path)
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    with pytest.raises(ProjectError, match="base.gpkg"):
        with all_or_nothing():
            store_result(project, result)
            save_beside(project).wait()
    assert _file_content(path) == before
    assert project.dirty
    _check_file(path)
