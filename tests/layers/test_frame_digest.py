"""A table whose content digest matches the one recorded when it was written is not written
again; any one-cell change changes the digest and is written (a wrong skip would lose data)."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from ilp_gis.analysis import analyze, store_result
from ilp_gis.results import RESULT_TABLES
from layers import gpkg_table
from layers.frame_digest import digest
from layers.project_file import open_project, save_project
from tests.layers.test_project_save_in_place import _check_file, _writes


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "i": np.array([1, 2, 3], dtype=np.int64),
        "f": [1.5, np.nan, 0.0],
        "n": pd.array([1, None, 3], dtype="Int64"),
        "b": pd.array([True, None, False], dtype="boolean"),
        "s": pd.array(["a", None, ""], dtype="str"),
        "o": np.array(["x", None, "z"], dtype=object),
        "y": np.array([True, False, None], dtype=object),
    }, geometry=[shapely.Point(110, -7), shapely.LineString([(1, 2), (3, 4)]), None],
        crs="EPSG:4326")


# every cell of _frame() changed to a value it must not be confused with
CHANGES = {
    "i": [0, 3, 2],
    "f": [-1.5, 0.0, -0.0],  # NaN vs 0.0, 0.0 vs -0.0
    "n": [None, 0, 4],
    "b": [False, True, None],
    "s": ["b", "", None],  # missing vs empty text
    "o": ["x ", "None", None],
    "y": [1, None, False],
    "geometry": [shapely.Point(110, -7.0000001), shapely.LineString([(1, 2), (3, 5)]),
                 shapely.Point(0, 0)],
}


def test_equal_content_gives_equal_digests_whatever_the_objects():
    a, b = _frame(), _frame()
    assert digest(a) is not None and digest(a) == digest(b) == digest(a.copy(deep=True))
    assert digest(a) == digest(a.set_axis([10, 11, 12]))  # the index is not stored
    assert digest(a) == digest(pd.concat([a.iloc[:1], a.iloc[1:]]))  # chunked texts
    assert digest(a.iloc[1:]) == digest(_frame().iloc[1:].reset_index(drop=True))


@pytest.mark.parametrize("col", list(CHANGES))
def test_any_one_cell_changed_changes_the_digest(col):
    base = digest(_frame())
    for row, value in enumerate(CHANGES[col]):
        frame = _frame()
        if col == "geometry":
            frame.loc[row, "geometry"] = value
        else:
            values = frame[col].astype(object).tolist()
            values[row] = value
            frame[col] = pd.array(values, dtype=frame[col].dtype) \
                if frame[col].dtype != object else np.array(values, dtype=object)
        assert digest(frame) != base, (col, row, value)


def test_layout_changes_change_the_digest():
    base = digest(_frame())
    frame = _frame()
    assert digest(frame.rename(columns={"i": "j"})) != base
    assert digest(frame.astype({"i": "int32"})) != base
    assert digest(frame[[c for c in frame.columns if c != "o"]]) != base
    assert digest(frame.to_crs("EPSG:3857")) != base
    assert digest(pd.DataFrame(frame.drop(columns="geometry"))) != \
        digest(frame.drop(columns="geometry").assign(geometry=None))
    assert digest(frame.iloc[:2]) != base


def test_columns_that_cannot_be_digested_give_none():
    assert digest(pd.DataFrame({"c": pd.Categorical(["a", "b"])})) is None
    assert digest(pd.DataFrame([[1, 2]], columns=["a", "a"])) is None


def _analysed(sample_project_path, tmp_path):
    path = save_project(open_project(sample_project_path), tmp_path / "p.gpkg")
    project = open_project(path)
    result = analyze(project)
    store_result(project, result)
    save_project(project)
    return path, project, result


def _result_writes(calls):
    return sorted({table for _, table in calls if table.startswith("result_")})


def test_same_results_stored_again_write_nothing_and_a_changed_cell_is_written(
        sample_project_path, tmp_path, monkeypatch):
    path, project, result = _analysed(sample_project_path, tmp_path)
    reference = open_project(path).tables["result_gaps"]
    calls = _writes(monkeypatch)
    store_result(project, result)  # new frames of the same content
    save_project(project)
    assert _result_writes(calls) == []
    # the same over tables the project was opened without (``ilp-gis analyze``)
    unread = open_project(path, skip_tables=RESULT_TABLES.values())
    store_result(unread, analyze(unread))
    save_project(unread)
    assert _result_writes(calls) == []
    _check_file(path)
    # one cell of one result table changed: that table is written, and reads back changed
    gaps = unread.tables["result_gaps"].copy()
    gaps.loc[len(gaps) // 2, "value"] = float(gaps["value"].iloc[len(gaps) // 2]) + 0.25
    unread.set_table("result_gaps", gaps)
    save_project(unread)
    assert _result_writes(calls) == ["result_gaps"]
    back = open_project(path)
    assert back.tables["result_gaps"]["value"].tolist()[len(gaps) // 2] == \
        gaps["value"].tolist()[len(gaps) // 2]
    # and the previous content set again is written back
    calls.clear()
    again = open_project(path, skip_tables=RESULT_TABLES.values())
    again.set_table("result_gaps", project.tables["result_gaps"])
    save_project(again)
    assert _result_writes(calls) == ["result_gaps"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(open_project(path).tables["result_gaps"].drop(columns="geometry")),
        pd.DataFrame(reference.drop(columns="geometry")))
    _check_file(path)


def test_a_table_changed_by_another_program_is_written_again(sample_project_path, tmp_path,
                                                             monkeypatch):
    path, project, result = _analysed(sample_project_path, tmp_path)
    with sqlite3.connect(path) as con:  # as GDAL edits a table: the value and last_change
        con.execute("UPDATE result_kecamatan SET name = 'diubah' WHERE fid = 1")
        con.execute("UPDATE gpkg_contents SET last_change = '2000-01-01T00:00:00.000Z' "
                    "WHERE table_name = 'result_kecamatan'")
        assert "result_kecamatan" not in gpkg_table.digests(con)
        assert "result_gaps" in gpkg_table.digests(con)
    calls = _writes(monkeypatch)
    unread = open_project(path, skip_tables=RESULT_TABLES.values())
    store_result(unread, result)
    save_project(unread)
    assert _result_writes(calls) == ["result_kecamatan"]
    assert open_project(path).tables["result_kecamatan"]["name"].tolist() == \
        result.kecamatan["name"].tolist()


def test_a_file_written_whole_holds_no_digest_and_its_next_save_records_them(
        sample_project_path, tmp_path, monkeypatch):
    path, project, result = _analysed(sample_project_path, tmp_path)
    with sqlite3.connect(path) as con:
        assert set(gpkg_table.digests(con)) >= {t.lower() for t in RESULT_TABLES.values()}
    other = save_project(project, tmp_path / "other.gpkg")  # a new file: written by GDAL
    with sqlite3.connect(other) as con:
        assert gpkg_table.digests(con) == {}
    calls = _writes(monkeypatch)
    reopened = open_project(other, skip_tables=RESULT_TABLES.values())
    store_result(reopened, result)
    save_project(reopened)  # no digest to trust: every unread result table written (those
    # read are compared row by row and found unchanged)
    assert set(_result_writes(calls)) >= set(RESULT_TABLES.values())
    calls.clear()
    again = open_project(other, skip_tables=RESULT_TABLES.values())
    store_result(again, result)
    save_project(again)
    assert _result_writes(calls) == []
    _check_file(other)
