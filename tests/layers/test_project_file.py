"""The project GeoPackage: round trips keep layers, missing values, booleans and rules; saves are
atomic; damaged, newer and foreign files get clear messages."""

from __future__ import annotations

import os
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from ilp_gis.errors import ProjectError
from ilp_gis.project import Project
from ilp_gis.rules import default_rules
from layers.project_file import is_project_file, open_project, save_project


def _project() -> Project:
    desa = gpd.GeoDataFrame(
        {"code": ["53.10.01.2001", "53.10.01.2002"], "name": ["Satu", "Dua"],
         "population": [1200.0, None]},
        geometry=[shapely.box(0, 0, 1, 1),
                  shapely.MultiPolygon([shapely.box(1, 0, 2, 1), shapely.box(3, 0, 4, 1)])],
        crs=4326)
    fac = gpd.GeoDataFrame(
        {"fac_id": ["p1", "p2"], "name": ["Pustu Satu", "Poskesdes Dua"], "type": ["pustu"] * 2,
         "precursor": [False, True], "nurses": [1.0, None]},
        geometry=[shapely.Point(0.5, 0.5), shapely.Point(1.5, 0.5)], crs=4326)
    budget = pd.DataFrame({"budget_id": ["b1"], "source": ["bok"], "year": [2026],
                           "activity": ["equip"], "amount": [1_250_000.0]})
    return Project(layers={"desa": desa, "facilities": fac, "budget": budget},
                   tables={"scenario_actions": pd.DataFrame({"a": [1, 2]})},
                   rules=default_rules().with_values(limit__pustu_distance_km=3))


def test_round_trip_keeps_layers_missing_values_and_rules(tmp_path):
    path = save_project(_project(), tmp_path / "p.gpkg")
    back = open_project(path)
    assert list(back.desa["name"]) == ["Satu", "Dua"]
    assert pd.isna(back.desa["population"].iloc[1])  # missing stays missing, never zero
    assert back.desa.geometry.iloc[1].geom_type == "MultiPolygon"
    assert list(back.facilities["precursor"]) == [False, True]
    assert pd.isna(back.facilities["nurses"].iloc[1])
    assert back.budget["amount"].iloc[0] == 1_250_000
    assert back.tables["scenario_actions"]["a"].tolist() == [1, 2]
    assert back.rules["limit.pustu_distance_km"] == 3
    assert back.meta["format_version"] == "1"
    assert not back.dirty


def test_geopackage_is_standard(tmp_path):
    path = save_project(_project(), tmp_path / "p.gpkg")
    with sqlite3.connect(path) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    assert {"desa", "facilities", "budget", "meta"} <= names


def test_save_killed_half_way_keeps_previous_file(tmp_path, monkeypatch):
    path = save_project(_project(), tmp_path / "p.gpkg")
    before = path.read_bytes()
    import layers.project_file as pf

    calls = {"n": 0}
    real = pf._write_frame

    def dying(frame, p, layer):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        real(frame, p, layer)

    monkeypatch.setattr(pf, "_write_frame", dying)
    with pytest.raises(KeyboardInterrupt):
        save_project(_project(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.gpkg"]  # no temp file left behind


def test_damaged_newer_and_foreign_files_give_clear_messages(tmp_path):
    bad = tmp_path / "rusak.gpkg"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ProjectError, match="rusak.gpkg.*rusak"):
        open_project(bad)
    with pytest.raises(ProjectError, match="tidak ditemukan"):
        open_project(tmp_path / "tidak_ada.gpkg")
    foreign = tmp_path / "lain.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4326).to_file(foreign)
    with pytest.raises(ProjectError, match="bukan proyek ILP-GIS"):
        open_project(foreign)
    p = _project()
    p.meta["format_version"] = "99"
    path = tmp_path / "baru.gpkg"
    save_project(p, path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value='99' WHERE key='format_version'")
    with pytest.raises(ProjectError, match="lebih baru"):
        open_project(path)
    assert os.path.exists(path)


def test_is_project_file_tells_a_project_from_other_files(tmp_path):
    path = tmp_path / "proyek.gpkg"
    save_project(_project(), path)
    assert is_project_file(path)
    foreign = tmp_path / "lain.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4326).to_file(foreign)
    assert not is_project_file(foreign)
    bad = tmp_path / "rusak.gpkg"
    bad.write_bytes(b"this is not sqlite" * 100)
    assert not is_project_file(bad)
    assert not is_project_file(tmp_path / "tidak_ada.gpkg")


def test_booleans_with_empty_cells_come_back_as_booleans(tmp_path):
    """A yes/no column with empty cells (a COE that was not scored) is stored as a GeoPackage
    BOOLEAN and read back as booleans: never the text "False", which reads as true."""
    p = _project()
    p.set_table("result_coe", pd.DataFrame({
        "puskesmas_id": ["a", "b", "c"],
        "meets": pd.Series([True, False, None], dtype=object),
        "flag": pd.array([False, None, True], dtype="boolean"),
    }))
    path = save_project(p, tmp_path / "p.gpkg")
    with sqlite3.connect(path) as con:
        types = {row[1]: row[2] for row in con.execute("PRAGMA table_info(result_coe)")}
    assert types["meets"] == "BOOLEAN"
    coe = open_project(path).tables["result_coe"]
    assert coe["meets"].tolist()[:2] == [True, False] and pd.isna(coe["meets"].iloc[2])
    assert str(coe["meets"].dtype) == "boolean"
    assert int(coe["meets"].fillna(False).astype(bool).sum()) == 1
    assert str(coe["flag"].dtype) == "boolean"
    assert coe["flag"].fillna(False).astype(bool).tolist() == [False, False, True]


def test_result_tables_of_older_files_read_their_yes_no_text_as_booleans(tmp_path):
    """Older versions stored a COE's "meets" as the text "True"/"False"/"<NA>"; reading it as
    text made "False" count as met (Tirtatani showed 2/2 at 54% and 67%)."""
    p = _project()
    p.set_table("result_coe", pd.DataFrame({"puskesmas_id": ["a", "b", "c"],
                                            "meets": ["False", "True", "<NA>"],
                                            "note": ["True", "maybe", None]}))
    coe = open_project(save_project(p, tmp_path / "old.gpkg")).tables["result_coe"]
    assert coe["meets"].fillna(False).astype(bool).tolist() == [False, True, False]
    assert coe["note"].tolist()[:2] == ["True", "maybe"]  # other text stays text


def test_texts_read_back_as_python_texts_whether_repeated_or_distinct(tmp_path, monkeypatch):
    """A facility layer whose type repeats a few texts (each made once and shared), whose ids
    are all distinct and whose parent names are mostly missing: every text comes back as the
    same Python text, None where missing, whichever way it was made."""
    import layers.arrow_texts as arrow_texts

    monkeypatch.setattr(arrow_texts, "_SAMPLE", 40)  # small layers take the shared way too
    n = 200
    types = ["puskesmas", "pustu", "posyandu"]
    columns = {"fac_id": [f"f{i}" for i in range(n)],
               "type": [None if i % 17 == 0 else types[i % 3] for i in range(n)],
               "name": [f"Faskes {i % 5} é" for i in range(n)],
               "parent_name": [None if i % 4 else f"Induk {i}" for i in range(n)]}
    fac = gpd.GeoDataFrame(
        columns, geometry=[shapely.Point(i * 0.01, 0.5) for i in range(n)], crs=4326)
    path = save_project(Project(layers={"facilities": fac}), tmp_path / "p.gpkg")
    back = open_project(path).facilities
    for col in ("fac_id", "type", "name", "parent_name"):
        assert back[col].dtype == object
        got = back[col].tolist()
        assert got == columns[col]
        assert all(v is None or type(v) is str for v in got)
    shared = back["type"].tolist()
    assert shared[1] is shared[4]  # a repeated text made once
