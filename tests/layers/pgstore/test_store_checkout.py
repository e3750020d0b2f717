"""Offline work: a kabupaten team checks its kabupaten out to a GeoPackage, edits it without a
connection and checks it in later; changes made meanwhile to other columns merge, the same
column changed on both sides is a conflict that is listed (nothing written) until it is
settled; nothing is lost."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import shapely

from layers.pgstore.checkout import CHECKOUT_TABLE, ROW_ID, check_in, check_out
from layers.pgstore.connection import StoreError, connect
from layers.pgstore.edits import KEEP_MINE, KEEP_THEIRS, edit_row, find_rid, history
from layers.project_file import open_project, save_project
from tests.layers.pgstore.store_fixtures import KAB_A, KAB_B, pushed_with_roles
from ui.cli import main


@pytest.fixture
def store(pg_cluster, store_url):
    urls, roles = pushed_with_roles(pg_cluster, store_url,
                                    {"a": KAB_A, "b": KAB_B, "prov": None})
    return urls | {"tim_a": roles["a"]}


def _checked_out(url: str, path) -> object:
    with connect(url) as conn:
        project = check_out(conn, KAB_A)
    return open_project(save_project(project, path))


def _names(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT fac_id, name FROM facilities").fetchall())


def _edit(url: str, fac: str, changes: dict) -> None:
    with connect(url) as conn:
        rid, version = find_rid(conn, "facilities", "fac_id", fac)
        edit_row(conn, "facilities", rid, version, changes)


def test_a_check_out_holds_its_kabupaten_and_the_province_level_layers(store, tmp_path):
    project = _checked_out(store["a"], tmp_path / "malang.gpkg")
    assert project.facilities["fac_id"].tolist() == ["a1", "a2"]
    assert project.desa["code"].str.startswith(KAB_A).all()
    assert project.kabupaten["code"].tolist() == [KAB_A]
    assert len(project.roads) == 1 and project.budget["budget_id"].tolist() == ["ba"]
    assert project.facilities[ROW_ID].notna().all()
    assert len(project.tables[CHECKOUT_TABLE]) == 2 + 2 + 1 + 1  # fac, desa, kab, budget


def test_an_unchanged_check_out_checks_in_as_nothing(store, tmp_path):
    project = _checked_out(store["a"], tmp_path / "malang.gpkg")
    with connect(store["a"]) as conn:
        result = check_in(conn, project)
    assert result.applied and (result.updated, result.inserted, result.deleted) == (0, 0, 0)


def test_offline_edits_check_in_with_meanwhile_changes_merged(store, tmp_path):
    project = _checked_out(store["a"], tmp_path / "malang.gpkg")
    _edit(store["prov"], "a2", {"nurses": 8})  # meanwhile, another column of a2
    fac = project.facilities.copy()
    fac.loc[fac["fac_id"] == "a2", "name"] = "Pustu Kidul (pindah)"
    fac.loc[fac["fac_id"] == "a1", "geometry"] = shapely.Point(0.25, 0.55)
    new = gpd.GeoDataFrame({"fac_id": ["a3"], "name": ["Pustu Baru"], "type": ["pustu"],
                            "desa_code": [f"{KAB_A}.01.2001"], "nurses": [1.0]},
                           geometry=[shapely.Point(0.3, 0.3)], crs=4326)
    project.layers["facilities"] = gpd.GeoDataFrame(pd.concat([fac, new], ignore_index=True),
                                                     crs=4326)
    project.layers["budget"] = project.budget.iloc[0:0]
    path = save_project(project, tmp_path / "malang.gpkg")
    with connect(store["a"]) as conn:
        result = check_in(conn, open_project(path))
    assert result.applied and not result.conflicts
    assert (result.updated, result.merged, result.inserted, result.deleted) == (2, 1, 1, 1)
    with psycopg.connect(store["admin"]) as conn:
        rows = {f: (n, nurses, k) for f, n, nurses, k in conn.execute(
            "SELECT fac_id, name, nurses, _kab FROM facilities")}
        a1 = conn.execute("SELECT ST_AsText(geom) FROM facilities WHERE fac_id = 'a1'")
        assert a1.fetchone()[0] == "POINT(0.25 0.55)"
        assert conn.execute("SELECT budget_id FROM budget").fetchall() == [("bb",)]
        who = {w for (w,) in conn.execute("SELECT DISTINCT who FROM ilp_audit"
                                          " WHERE op IN ('update', 'insert', 'delete')")}
    assert rows["a2"] == ("Pustu Kidul (pindah)", 8.0, KAB_A)
    assert rows["a3"] == ("Pustu Baru", 1.0, KAB_A)
    assert rows["b1"][0] == "Pustu Wetan"
    assert store["tim_a"] in who


def test_the_same_column_changed_on_both_sides_is_listed_and_nothing_is_written(store,
                                                                                 tmp_path):
    project = _checked_out(store["a"], tmp_path / "malang.gpkg")
    _edit(store["prov"], "a1", {"name": "Nama Provinsi"})
    fac = project.facilities.copy()
    fac.loc[fac["fac_id"] == "a1", "name"] = "Nama Tim"
    fac.loc[fac["fac_id"] == "a2", "name"] = "Kidul Saja"
    project.layers["facilities"] = fac
    path = save_project(project, tmp_path / "malang.gpkg")
    with connect(store["a"]) as conn:
        result = check_in(conn, open_project(path))
    assert not result.applied and len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.mine == {"name": "Nama Tim"} and conflict.theirs["name"] == "Nama Provinsi"
    assert _names(store["admin"])["a2"] == "Pustu Kidul"  # nothing written
    assert open_project(path).facilities["name"].tolist() == ["Nama Tim", "Kidul Saja"]
    with connect(store["a"]) as conn:
        theirs = check_in(conn, open_project(path), keep=KEEP_THEIRS)
    assert theirs.applied and theirs.resolved == 1
    assert _names(store["admin"])["a1"] == "Nama Provinsi"
    assert _names(store["admin"])["a2"] == "Kidul Saja"
    _edit(store["prov"], "a1", {"name": "Lagi Provinsi"})
    with connect(store["a"]) as conn:
        mine = check_in(conn, open_project(path), keep=KEEP_MINE)
    assert mine.applied and _names(store["admin"])["a1"] == "Nama Tim"
    with connect(store["admin"]) as conn:
        rid = find_rid(conn, "facilities", "fac_id", "a1")[0]
        names = [h["after"]["name"] for h in history(conn, "facilities", rid)]
    assert names == ["Nama Provinsi", "Lagi Provinsi", "Nama Tim"]


def test_a_checked_in_project_is_ready_for_more_offline_work(store, tmp_path):
    project = _checked_out(store["a"], tmp_path / "malang.gpkg")
    fac = project.facilities.copy()
    fac.loc[fac["fac_id"] == "a1", "nurses"] = 4.0
    project.layers["facilities"] = fac
    with connect(store["a"]) as conn:
        assert check_in(conn, project).updated == 1
        again = check_in(conn, project)
    assert again.applied and (again.updated, again.inserted) == (0, 0)


def test_a_team_cannot_check_in_rows_of_another_kabupaten(store, tmp_path):
    project = _checked_out(store["a"], tmp_path / "malang.gpkg")
    stray = gpd.GeoDataFrame({"fac_id": ["x"], "name": ["Pustu Tetangga"], "type": ["pustu"],
                              "desa_code": [f"{KAB_B}.01.2001"]},
                             geometry=[shapely.Point(1.5, 0.2)], crs=4326)
    project.layers["facilities"] = gpd.GeoDataFrame(
        pd.concat([project.facilities, stray], ignore_index=True), crs=4326)
    fac = project.facilities
    fac.loc[fac["fac_id"] == "a1", "name"] = "diubah"
    with connect(store["a"]) as conn, pytest.raises(StoreError, match=KAB_B):
        check_in(conn, project)
    assert set(_names(store["admin"])) == {"a1", "a2", "b1"}
    assert _names(store["admin"])["a1"] == "Pustu Sumber"


def test_cli_checkout_and_checkin(store, tmp_path, capsys):
    path = tmp_path / "malang.gpkg"
    assert main(["db", "checkout", store["a"], str(path), "--kabupaten", KAB_A]) == 0
    project = open_project(path)
    fac = project.facilities.copy()
    fac.loc[fac["fac_id"] == "a1", "name"] = "Nama Tim"
    project.layers["facilities"] = fac
    save_project(project, path)
    _edit(store["prov"], "a1", {"name": "Nama Provinsi"})
    capsys.readouterr()
    assert main(["db", "checkin", store["a"], str(path)]) == 1
    err = capsys.readouterr().err
    assert "a1" in err or "Nama Tim" in err
    assert "--keep" in err
    assert main(["db", "checkin", store["a"], str(path), "--keep", "mine"]) == 0
    assert _names(store["admin"])["a1"] == "Nama Tim"


def test_cli_checkout_of_the_whole_province(store, tmp_path, capsys):
    """A province analyst takes every kabupaten out at once and sends an edit of each back."""
    path = tmp_path / "provinsi.gpkg"
    assert main(["db", "checkout", store["prov"], str(path), "--province"]) == 0
    assert "Seluruh provinsi diambil ke" in capsys.readouterr().out
    project = open_project(path)
    assert set(project.facilities["fac_id"]) == {"a1", "a2", "b1"}
    assert project.facilities[ROW_ID].notna().all()
    base = project.tables[CHECKOUT_TABLE]
    assert (base["layer"] == "facilities").sum() == 3
    fac = project.facilities.copy()
    fac.loc[fac["fac_id"] == "a1", "name"] = "Nama A"
    fac.loc[fac["fac_id"] == "b1", "name"] = "Nama B"
    project.layers["facilities"] = fac
    save_project(project, path)
    assert main(["db", "checkin", store["prov"], str(path)]) == 0
    names = _names(store["admin"])
    assert (names["a1"], names["a2"], names["b1"]) == ("Nama A", "Pustu Kidul", "Nama B")
    capsys.readouterr()
    with pytest.raises(SystemExit):  # one area: a kabupaten or the province, not both
        main(["db", "checkout", store["prov"], str(path), "--province", "--kabupaten", KAB_A])


def test_snapshot_text_is_what_json_would_write():
    """The check-out's row snapshot, made a column at a time, is the very text json.dumps
    writes for each row's values: floats (NaN, infinite), plain and nullable integers,
    booleans, texts with quotes, backslashes and non-Latin letters, dates, and geometry
    (single parts promoted to their multi kind, an empty one null)."""
    import datetime as dt
    import json

    import numpy as np

    from layers.pgstore.checkout import rows_json, rows_values

    frame = gpd.GeoDataFrame(
        {ROW_ID: pd.array([1, 2, 3, 4], dtype="Int64"),
         "name": ['Pustu "Sumber"', "Kidul\\Wetan", "Ранок • ñ", None],
         "nurses": [1.5, np.nan, np.inf, -np.inf],
         "count": np.array([1, -2, 3, 2**40], dtype=np.int64),
         "kader": pd.array([1, None, 3, 4], dtype="Int64"),
         "open": [True, False, np.bool_(True), None],
         "when": [dt.date(2026, 1, 2), None, pd.Timestamp("2026-03-04 05:06"), pd.NaT],
         "mixed": [1, 2.5, "x", pd.NA]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.Point(0.1, 0.2),
                  shapely.MultiLineString([[(0, 0), (1, 1)]]), shapely.Polygon()], crs=4326)
    want = [json.dumps(values, ensure_ascii=False) for values in rows_values(frame)]
    assert rows_json(frame) == want
    first = json.loads(rows_json(frame)[0])
    assert first["name"] == 'Pustu "Sumber"' and shapely.from_wkb(
        first["geometry"]).geom_type == "MultiPolygon"
    assert json.loads(rows_json(frame)[3])["geometry"] is None
    plain_frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    assert rows_json(plain_frame) == [json.dumps(v, ensure_ascii=False)
                                      for v in rows_values(plain_frame)]
    assert rows_json(plain_frame.iloc[:0]) == []
    multi = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=[
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]), shapely.Point(2, 3), None], crs=4326)
    sent = [None if g is None else shapely.to_wkb(g) for g in multi.geometry]
    want = [json.dumps(values, ensure_ascii=False) for values in rows_values(multi)]
    assert rows_json(multi, sent) == want  # the store's own WKB, as it is
    single = multi.set_geometry([shapely.box(0, 0, 1, 1), shapely.Point(2, 3), None])
    assert rows_json(single, sent) == want  # a single polygon: written again as multi
    big_endian = [None if g is None else shapely.to_wkb(g, byte_order=0) for g in multi.geometry]
    assert rows_json(multi, big_endian) == want
