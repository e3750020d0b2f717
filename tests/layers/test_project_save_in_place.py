"""Saving a project into the file it came from writes only what changed, in one SQLite
transaction: the file stays a valid GeoPackage (SQLite integrity, spatial indexes, GDAL reads
every layer), reads back exactly as a whole new save would, and a save killed at any moment
leaves the previous or the new state."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import layers.gpkg_table as gpkg_table
from ilp_gis.analysis import analyze, store_result
from layers.atomic import all_or_nothing
from layers.project_file import open_project, save_project


def _check_file(path) -> None:
    """SQLite's integrity check and every spatial index pass; GDAL reads every layer with the
    feature count the bookkeeping states."""
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'rtree_%' "
                                   "AND sql LIKE 'CREATE VIRTUAL TABLE%'").fetchall():
            assert con.execute("SELECT rtreecheck(?)", (name,)).fetchone()[0] == "ok", name
            table = name.removeprefix("rtree_").removesuffix("_geom")
            n_geom = con.execute(f'SELECT count(*) FROM "{table}" WHERE geom IS NOT NULL'
                                 ).fetchone()[0]
            assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] <= n_geom
        counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
        contents = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    assert set(counts) == contents
    for name, _ in pyogrio.list_layers(path):
        info = pyogrio.read_info(path, layer=name)
        assert info["features"] == counts[name]
        pyogrio.read_dataframe(path, layer=name, max_features=5)


def _assert_same_project(a, b) -> None:
    assert set(a.layers) == set(b.layers) and set(a.tables) == set(b.tables)
    for name in set(a.layers) | set(a.tables):
        x = a.layers.get(name, a.tables.get(name))
        y = b.layers.get(name, b.tables.get(name))
        if isinstance(x, gpd.GeoDataFrame):
            assert bool(shapely.equals_identical(x.geometry.values, y.geometry.values).all()
                        or (x.geometry.isna() == y.geometry.isna()).all()), name
            x, y = pd.DataFrame(x.drop(columns=x.geometry.name)), pd.DataFrame(
                y.drop(columns=y.geometry.name))
        pd.testing.assert_frame_equal(x, y, check_dtype=True, obj=name)
    for key in set(a.meta) | set(b.meta):
        if key not in ("modified",):
            assert a.meta.get(key) == b.meta.get(key), key


def _fresh_copy(sample_project_path, folder):
    """The sample project saved anew (a file of today's columns)."""
    return save_project(open_project(sample_project_path), folder / "p.gpkg")


@pytest.fixture
def project_file(sample_project_path, tmp_path):
    return _fresh_copy(sample_project_path, tmp_path)


def _writes(monkeypatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    for fn in ("write_table", "insert_rows", "delete_rows"):
        real = getattr(gpkg_table, fn)

        def spy(con, table, *args, _real=real, _fn=fn, **kwargs):
            calls.append((_fn, table))
            return _real(con, table, *args, **kwargs)

        monkeypatch.setattr(gpkg_table, fn, spy)
    return calls


def _moved(fac, pos: int, lon: float, lat: float):
    out = fac.copy(deep=False)
    out.iloc[pos, out.columns.get_loc(out.geometry.name)] = shapely.Point(lon, lat)
    return out


def _whole(project, folder):
    """The project read back from a whole new save (the reference)."""
    return open_project(save_project(project.copy(), folder / "whole.gpkg"))


def test_results_and_an_edit_write_only_their_tables(project_file, tmp_path, monkeypatch):
    project = open_project(project_file)
    result = analyze(project)
    calls = _writes(monkeypatch)
    store_result(project, result)
    assert {"result_desa", "result_gaps", "meta"} <= project.unsaved
    save_project(project)
    written = {t for _, t in calls}
    assert written == {t for t in project.tables if t.startswith("result_")} | {"meta"}
    assert not project.dirty and not project.unsaved
    _check_file(project_file)
    calls.clear()
    _assert_same_project(open_project(project_file), _whole(project, tmp_path))

    calls.clear()
    fac = project.facilities
    project.set_layer("facilities", _moved(fac, 3, 112.61, -8.05))
    save_project(project)
    assert calls == [("delete_rows", "facilities"), ("insert_rows", "facilities"),
                     ("write_table", "meta")]  # one row of one layer, and the meta facts
    _check_file(project_file)
    back = open_project(project_file)
    assert back.facilities.geometry.iloc[3].equals(shapely.Point(112.61, -8.05))
    _assert_same_project(back, _whole(project, tmp_path))


def test_partial_save_reads_back_as_a_whole_save(project_file, tmp_path):
    project = open_project(project_file)
    fac = project.facilities
    extra = fac.iloc[[0]].copy()
    extra["fac_id"] = "baru-1"
    project.set_layer("facilities", pd.concat([fac.iloc[1:], extra], ignore_index=True))
    project.set_table("catatan", pd.DataFrame({"teks": ["a", None], "n": [1.5, np.nan]}))
    save_project(project)
    _check_file(project_file)
    _assert_same_project(open_project(project_file), _whole(project, tmp_path))


def test_a_file_changed_by_someone_else_is_written_whole(project_file, monkeypatch):
    project = open_project(project_file)
    other = open_project(project_file)
    other.set_table("catatan", pd.DataFrame({"teks": ["dari orang lain"]}))
    save_project(other)
    calls = _writes(monkeypatch)
    project.set_layer("facilities", _moved(project.facilities, 0, 112.5, -8.0))
    save_project(project)
    assert calls == []  # not in place: the whole file was written anew
    back = open_project(project_file)
    assert "catatan" not in back.tables  # the project as this person has it
    _check_file(project_file)


def test_failed_group_leaves_the_file_as_it_was(project_file):
    before = open_project(project_file)
    project = open_project(project_file)
    project.set_layer("facilities", _moved(project.facilities, 0, 112.5, -8.0))
    with pytest.raises(RuntimeError), all_or_nothing():
        save_project(project)
        raise RuntimeError("the report failed")
    assert project.dirty
    _assert_same_project(open_project(project_file), before)
    _check_file(project_file)


_EDITS = st.lists(st.tuples(st.sampled_from(["move", "add", "delete", "value", "undo_delete"]),
                            st.integers(0, 10_000), st.floats(-1, 1)), min_size=1, max_size=6)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_random_edits_saved_in_place_equal_a_whole_save(sample_project_path, tmp_path_factory,
                                                        edits):
    folder = tmp_path_factory.mktemp("edits")
    path = _fresh_copy(sample_project_path, folder)
    project = open_project(path)
    for kind, at, delta in edits:
        fac = project.facilities
        pos = at % len(fac)
        if kind == "move":
            g = fac.geometry.iloc[pos]
            fac = _moved(fac, pos, g.x + delta / 100, g.y - delta / 100)
        elif kind == "add":
            row = fac.iloc[[pos]].copy()
            row["fac_id"] = f"baru-{at}"
            fac = pd.concat([fac, row], ignore_index=True)
        elif kind == "delete":
            fac = fac.drop(index=fac.index[pos]).reset_index(drop=True)
        elif kind == "value":
            fac = fac.copy(deep=False)
            fac.iloc[pos, fac.columns.get_loc("nurses")] = None if delta < 0 else delta
        else:  # the person undid a delete: the row comes back where it was
            gone = fac.iloc[[pos]]
            fac = pd.concat([fac.iloc[:pos], gone, fac.iloc[pos:]], ignore_index=True)
        project.set_layer("facilities", gpd.GeoDataFrame(fac, geometry=fac.geometry.name,
                                                         crs=fac.crs))
        save_project(project)
    _check_file(path)
    _assert_same_project(open_project(path), _whole(project, folder))


def test_desa_results_are_stored_without_a_second_copy_of_the_polygons(project_file):
    from ilp_gis.analysis import load_result

    project = open_project(project_file)
    result = analyze(project)
    store_result(project, result)
    save_project(project)
    info = pyogrio.read_info(project_file, layer="result_desa")
    assert info["geometry_type"] is None and info["features"] == len(result.desa)
    back = load_result(open_project(project_file))
    assert isinstance(back.desa, gpd.GeoDataFrame) and back.desa.crs == result.desa.crs
    assert list(back.desa["code"]) == list(result.desa["code"])
    assert bool(shapely.equals(back.desa.geometry.values, result.desa.geometry.values).all())


def _analysed(project_file):
    project = open_project(project_file)
    store_result(project, analyze(project))
    save_project(project)
    return project


def test_tables_left_unread_are_kept_by_a_save_that_does_not_set_them(project_file, tmp_path):
    _analysed(project_file)
    full = open_project(project_file)
    skipped = ("result_gaps", "result_edges", "facilities", "meta")  # layers and meta: read
    project = open_project(project_file, skip_tables=skipped)
    assert "result_gaps" not in project.tables and "result_edges" not in project.tables
    assert "facilities" in project.layers and project.meta
    project.set_table("catatan", pd.DataFrame({"teks": ["a"]}))
    save_project(project)  # in place
    _check_file(project_file)
    back = open_project(project_file)
    for name in ("result_gaps", "result_edges"):
        pd.testing.assert_frame_equal(pd.DataFrame(back.tables[name]),
                                      pd.DataFrame(full.tables[name]), obj=name)
    other = open_project(project_file, skip_tables=skipped)
    save_project(other, tmp_path / "elsewhere.gpkg")  # a whole new file: read them now
    moved = open_project(tmp_path / "elsewhere.gpkg")
    assert set(moved.tables) == set(back.tables)
    pd.testing.assert_frame_equal(pd.DataFrame(moved.tables["result_gaps"]),
                                  pd.DataFrame(back.tables["result_gaps"]))


def test_results_stored_over_unread_ones_equal_those_stored_over_read_ones(project_file,
                                                                          tmp_path):
    from ilp_gis.results import RESULT_TABLES

    _analysed(project_file)
    reference = tmp_path / "read.gpkg"
    reference.write_bytes(project_file.read_bytes())
    for path, skip in ((reference, ()), (project_file, tuple(RESULT_TABLES.values()))):
        project = open_project(path, skip_tables=skip)
        store_result(project, analyze(project))
        save_project(project)
        _check_file(path)
    a, b = open_project(reference), open_project(project_file)
    assert set(a.tables) == set(b.tables)
    for name in a.tables:
        x, y = a.tables[name], b.tables[name]
        if isinstance(x, gpd.GeoDataFrame):
            assert bool(shapely.equals_identical(x.geometry.values, y.geometry.values).all())
            x, y = x.drop(columns=x.geometry.name), y.drop(columns=y.geometry.name)
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y), obj=name)


def test_tables_inserted_batch_by_batch_read_back_whole(project_file, tmp_path, monkeypatch):
    monkeypatch.setattr(gpkg_table, "_ROWS_PER_BATCH", 7)  # many batches on the sample
    project = open_project(project_file)
    store_result(project, analyze(project))
    save_project(project)
    _check_file(project_file)
    _assert_same_project(open_project(project_file), _whole(project, tmp_path))


def test_text_column_unsupported_in_a_later_batch_leaves_the_file_as_it_was(project_file,
                                                                             monkeypatch):
    monkeypatch.setattr(gpkg_table, "_ROWS_PER_BATCH", 2)
    con = sqlite3.connect(project_file, isolation_level=None)
    try:
        gpkg_table.register_functions(con)
        con.execute("BEGIN")
        with pytest.raises(gpkg_table.Unsupported):
            gpkg_table.write_table(con, "mixed", pd.DataFrame(
                {"v": np.array(["a", "b", "c", 4], dtype=object)}))  # 4: in the second batch
        con.rollback()
    finally:
        con.close()
    _check_file(project_file)
    assert "mixed" not in {n for n, _ in pyogrio.list_layers(project_file)}


def test_released_layers_are_kept_by_saves_and_changed_ones_are_not_released(project_file,
                                                                             tmp_path):
    from layers.project_file import release

    before = open_project(project_file)
    project = open_project(project_file)
    project.set_layer("facilities", _moved(project.facilities, 3, 112.61, -8.05))
    assert release(project, ("roads", "facilities", "no_such_table")) == ["roads"]
    assert "roads" not in project.layers and "facilities" in project.layers
    store_result(project, analyze(before))
    save_project(project)  # in place
    _check_file(project_file)
    back = open_project(project_file)
    assert bool(shapely.equals_identical(back.roads.geometry.values,
                                         before.roads.geometry.values).all())
    assert back.facilities.geometry.iloc[3].equals(shapely.Point(112.61, -8.05))
    release(back, ("roads",))
    save_project(back, tmp_path / "whole.gpkg")  # a whole new file: the roads read back first
    _assert_same_project(open_project(tmp_path / "whole.gpkg"), open_project(project_file))
