"""The fast GeoPackage writers behind an in-place save: rows inserted many per statement, the
spatial index packed in bulk, column values bound as GDAL would store them, and the project
reader taking each table's layout from the file's own bookkeeping.  Hand-made data; every
expected value is worked out here."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers import gpkg_rtree, gpkg_table, project_file, sqlite_rows
from layers.project_file import open_project, save_project
from tests.layers.test_project_save_in_place import _assert_same_project, _check_file, _whole


@pytest.mark.parametrize("n", [0, 1, 2, 255, 256, 257, 1000])
@pytest.mark.parametrize("limit", [None, 7])
def test_rows_inserted_many_per_statement_arrive_each_once_in_order(n, limit):
    con = sqlite3.connect(":memory:")
    if limit:
        con.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)  # 2 rows of 3 per statement
    con.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c REAL)")
    ids = list(range(1, n + 1))
    texts = [None if i % 5 == 0 else f"t{i}" for i in ids]
    reals = [i / 4 for i in ids]
    half = n // 2  # two batches of different lengths
    sqlite_rows.insert_columns(con, "INSERT INTO t VALUES", [
        [ids[:half], texts[:half], reals[:half]], [ids[half:], texts[half:], reals[half:]]])
    assert con.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall() == \
        list(zip(ids, texts, reals, strict=True))


def _brute(boxes, window):
    minx, maxx, miny, maxy = window
    hit = (boxes[:, 0] <= maxx) & (boxes[:, 1] >= minx) & (boxes[:, 2] <= maxy) \
        & (boxes[:, 3] >= miny)
    return hit


@pytest.mark.parametrize("n", [1, 50, 51, 52, 2_000, 30_000])
def test_bulk_loaded_spatial_index_finds_what_a_scan_finds(n):
    rng = np.random.default_rng(n)
    x = np.round(rng.uniform(95, 141, n), 2)  # rounded: many equal centres (ties in the sort)
    y = np.round(rng.uniform(-11, 6, n), 2)
    w = rng.uniform(0, 0.2, n)
    boxes = np.column_stack([x, x + w, y, y + w])
    ids = rng.permutation(np.arange(1, 3 * n + 1))[:n]
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
    gpkg_rtree.bulk_load(con, "r", ids, boxes)
    assert con.execute("SELECT rtreecheck('r')").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM r").fetchone()[0] == n
    for _ in range(20):
        cx, cy = rng.uniform(95, 141), rng.uniform(-11, 6)
        window = (cx - 1, cx + 1, cy - 1, cy + 1)
        found = {r[0] for r in con.execute(
            "SELECT id FROM r WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?",
            (window[1], window[0], window[3], window[2]))}
        # the index stores boxes rounded outwards to float32: never misses, may add a
        # box touching the window's edge within float32 rounding
        want = set(ids[_brute(boxes, window)].tolist())
        near = set(ids[_brute(boxes, (window[0] - 1e-4, window[1] + 1e-4, window[2] - 1e-4,
                                      window[3] + 1e-4))].tolist())
        assert want <= found <= near


def test_values_are_bound_as_stored_with_missing_ones_empty():
    frame = pd.DataFrame({
        "i": pd.array([1, None, -3], dtype="Int64"),
        "b": pd.array([True, None, False], dtype="boolean"),
        "f": [1.5, np.nan, -0.0],
        "s": pd.array(["a", None, "c"], dtype="str"),
        "o": np.array(["x", None, "z"], dtype=object),
        "n": np.array([7, 8, 9], dtype=np.int32)})
    got = {c: gpkg_table._values(frame[c]) for c in frame.columns}
    assert got == {"i": [1, None, -3], "b": [True, None, False], "f": [1.5, None, -0.0],
                   "s": ["a", None, "c"], "o": ["x", None, "z"], "n": [7, 8, 9]}
    assert [type(v) for v in got["i"]] == [int, type(None), int]
    assert np.signbit(got["f"][2])  # -0.0 stays -0.0
    with pytest.raises(gpkg_table.Unsupported):
        gpkg_table._values(pd.Series(np.array(["a", 4], dtype=object), name="mixed"))


HOSTILE = ["it's \"quoted\"", "'); DROP TABLE desa; --", "a\x00b", "x" * 300_000,
           "Kab. Sumba Barat Daya — ĀĒ 漢字 🏥", "", None, "NULL", "\\N", "line\nbreak\ttab"]


def _hostile_project(path, tmp_path):
    project = open_project(path)
    project.set_table("catatan", pd.DataFrame({
        "teks": pd.Series(HOSTILE, dtype=object),
        "nilai": [float(i) if i % 3 else np.nan for i in range(len(HOSTILE))]}))
    return project


def test_hostile_text_is_stored_as_given_but_nul_in_new_tables_and_changed_rows(
        sample_project_path, tmp_path):
    path = save_project(open_project(sample_project_path), tmp_path / "p.gpkg")
    project = _hostile_project(path, tmp_path)
    save_project(project)  # a new table, written in place
    # the file holds every value as it was, but a NUL (never legitimate text, and GDAL's
    # reader would end the text there) is removed: the file and every reader agree
    stored = [v.replace("\x00", "") if isinstance(v, str) else v for v in HOSTILE]
    assert "ab" in stored
    with sqlite3.connect(path) as con:
        assert [r[0] for r in con.execute("SELECT teks FROM catatan ORDER BY fid")] == stored
    back = open_project(path)
    assert [None if pd.isna(v) else v for v in back.tables["catatan"]["teks"]] == stored
    whole = _whole(project, tmp_path)  # a whole-file save through GDAL stores the same
    assert [None if pd.isna(v) else v for v in whole.tables["catatan"]["teks"]] == stored
    _assert_same_project(back, whole)
    assert "desa" in back.layers and len(back.desa) == len(project.desa)

    fac = back.facilities.copy(deep=False)
    for k, pos in enumerate((0, 5, len(fac) - 1)):
        fac.iloc[pos, fac.columns.get_loc("name")] = HOSTILE[k]
    back.set_layer("facilities", fac)
    calls = []
    real = gpkg_table.insert_rows
    try:
        gpkg_table.insert_rows = lambda con, table, *a, **k: calls.append(table) or real(
            con, table, *a, **k)
        save_project(back)  # three changed rows of one layer
    finally:
        gpkg_table.insert_rows = real
    assert calls == ["facilities"]
    _check_file(path)
    with sqlite3.connect(path) as con:
        names = dict(con.execute("SELECT fid, name FROM facilities"))
    fids = open_project(path).stored.row_ids["facilities"]
    assert [names[int(fids[p])] for p in (0, 5, len(fac) - 1)] == stored[:3]
    again = open_project(path)
    _assert_same_project(again, _whole(back, tmp_path))
    arrow = again  # the same from a text column of the str dtype
    arrow.set_table("catatan", pd.DataFrame({"teks": pd.array(HOSTILE, dtype="str")}))
    save_project(arrow)
    assert [None if pd.isna(v) else v for v in open_project(path).tables["catatan"]["teks"]
            ] == stored


def test_every_table_reads_as_gdal_describes_it(sample_project_path, tmp_path):
    """The layout the reader takes from the file's bookkeeping gives the same frames as the
    one GDAL reports layer by layer (geometry or not, BOOLEAN columns with empty cells)."""
    from ilp_gis.analysis import analyze, store_result

    path = save_project(open_project(sample_project_path), tmp_path / "p.gpkg")
    project = open_project(path)
    store_result(project, analyze(project))
    project.set_table("flags", pd.DataFrame({"ok": pd.array([True, None, False],
                                                            dtype="boolean"),
                                             "empty": [None, None, None]}))
    project.set_table("points", gpd.GeoDataFrame(
        {"k": [1, 2]}, geometry=[shapely.Point(110, -7), None], crs="EPSG:4326"))
    save_project(project)
    src = str(path)
    layouts = project_file._layouts(path)
    assert layouts["flags"].booleans == {"ok"} and not layouts["flags"].spatial
    assert layouts["points"].spatial and layouts["facilities"].spatial
    for name, layout in layouts.items():
        ours, our_ids = project_file._read_frame(src, name, layout)
        gdal, gdal_ids = project_file._read_frame(src, name)
        assert (our_ids == gdal_ids).all(), name
        assert type(ours) is type(gdal), name
        pd.testing.assert_frame_equal(pd.DataFrame(ours), pd.DataFrame(gdal), obj=name)
    flags = open_project(path).tables["flags"]
    assert flags["ok"].dtype == "boolean" and flags["ok"].isna().tolist() == [False, True, False]
    assert flags["empty"].tolist() == [None, None, None]


def test_single_geometries_promoted_in_their_blobs_equal_the_blobs_of_promoted_ones():
    geoms = np.array([
        shapely.Point(1, 2), shapely.LineString([(0, 0), (1, 1.5)]), None,
        shapely.Polygon([(0, 0), (1, 0), (1, 1)]), shapely.Point(), shapely.LineString(),
        shapely.Polygon(), shapely.MultiPoint([(1, 1), (2, 2)]), shapely.MultiPolygon(),
        shapely.GeometryCollection([shapely.Point(1, 1)]),
        shapely.Polygon([(0, 0), (4, 0), (4, 4)], [[(1, 1), (2, 1), (2, 2)]]),
        shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]),
        shapely.Point(0.0, 256.0)], dtype=object)  # coordinates whose bytes end in NULs
    want, want_bounds = gpkg_table.blobs(gpkg_table.promoted(geoms))
    got, got_bounds = gpkg_table.blobs(geoms, promote=True)
    assert got == want
    assert np.array_equal(got_bounds, want_bounds, equal_nan=True)
    assert gpkg_table.blobs(geoms)[0][0] != got[0]  # without promote a point stays a point


def test_nul_search_reads_exactly_the_texts_of_each_arrow_layout():
    """The NUL search scans Arrow's text bytes: a NUL anywhere in a text is found, one in
    the bytes of a slice's neighbours is not, whatever the layout (chunks, slices, large
    offsets, missing and empty texts)."""
    import pyarrow as pa

    from layers.project_file import _may_hold_nul

    def series(arr):
        return pd.Series(pd.arrays.ArrowStringArray(arr))

    plain = ["ab", None, "", "cd"]
    assert not _may_hold_nul(series(pa.array(plain)))
    for text in ("\x00ab", "ab\x00", "a\x00b", "\x00"):
        for kind in (pa.string(), pa.large_string()):
            assert _may_hold_nul(series(pa.array([None, "x", text, ""], type=kind))), text
    outside = pa.array(["\x00", "ab", "cd", "e\x00"])
    assert not _may_hold_nul(series(outside.slice(1, 2)))  # neighbours' NULs are not its own
    assert _may_hold_nul(series(outside.slice(2, 2)))
    chunked = pa.chunked_array([pa.array(["ab", "cd"]), pa.array([None, "e\x00f"])])
    assert _may_hold_nul(pd.Series(pd.arrays.ArrowStringArray(chunked)))
    assert not _may_hold_nul(series(pa.array([None, None], type=pa.string())))
    assert not _may_hold_nul(series(pa.array(["", ""])))
    assert not _may_hold_nul(series(pa.array([], type=pa.string())))
    assert _may_hold_nul(pd.Series(["a", None, "b\x00"], dtype=object))
    assert not _may_hold_nul(pd.Series(["a", None, "b"], dtype=object))
