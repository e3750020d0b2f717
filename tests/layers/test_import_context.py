"""Context layers (provinces and kabupaten/kota around the district) imported for the locator
inset: levels told from a column or the code, bad features reported, a level given again
replaced, stored in the project file, never analysed."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from ilp_gis.errors import InputError
from layers.importing import import_files
from layers.project_file import open_project, save_project
from tests.conftest import REAL_DATA
from tests.layers import import_fixtures as fx

OUTLINE = REAL_DATA / "indonesia_outline"


def _write(frame: gpd.GeoDataFrame, path):
    frame.to_file(path, driver="GPKG")
    return path


def _provinces(path):
    return _write(gpd.GeoDataFrame(
        {"kode": ["35", "33"], "nama": ["Jawa Timur", "Jawa Tengah"]},
        geometry=[box(111.0, -8.8, 114.5, -6.8), box(108.5, -8.2, 111.0, -6.0)],
        crs="EPSG:4326"), path)


def _kabupaten(path, extra_rows=()):
    rows = [("35.07", "Kabupaten Malang", box(112.4, -8.4, 112.9, -7.8)),
            ("35.73", "Kota Malang", box(112.58, -8.0, 112.7, -7.9)),
            ("35.05", "Kabupaten Blitar", box(111.9, -8.4, 112.4, -7.9)), *extra_rows]
    return _write(gpd.GeoDataFrame({"kode": [r[0] for r in rows], "nama": [r[1] for r in rows]},
                                   geometry=[r[2] for r in rows], crs="EPSG:4326"), path)


def _district(tmp_path):
    d = _write(fx.desa_frame(), tmp_path / "desa.gpkg")
    k = _write(fx.kecamatan_frame(), tmp_path / "kec.gpkg")
    return d, k


def test_context_rows_in_the_project_and_the_file(tmp_path):
    from ilp_gis.project import Project

    d, k = _district(tmp_path)
    project = Project()
    import_files(project, desa=d, kecamatan=k,
                 context=[_provinces(tmp_path / "prov.gpkg"), _kabupaten(tmp_path / "kab.gpkg")])
    ctx = project.layer("context")
    assert sorted(ctx["level"].value_counts().items()) == [("kabupaten", 3), ("provinsi", 2)]
    kab = ctx[ctx["level"] == "kabupaten"].set_index("code")
    assert kab.loc["35.07", "parent_code"] == "35"
    assert kab.loc["35.73", "name"] == "Kota Malang"
    rep = project.import_report
    assert set(rep.loc[rep["role"] == "context", "status"]) == {"imported"}
    path = save_project(project, tmp_path / "p.gpkg")
    again = open_project(path)
    assert len(again.layer("context")) == 5
    # given again, the kabupaten level is replaced and the provinces stay
    import_files(again, context=[_kabupaten(tmp_path / "kab2.gpkg", extra_rows=[
        ("35.06", "Kabupaten Kediri", box(111.8, -8.0, 112.3, -7.5))])])
    assert sorted(again.layer("context")["level"].value_counts().items()) == [
        ("kabupaten", 4), ("provinsi", 2)]


def test_bad_features_are_reported_not_dropped(tmp_path):
    from ilp_gis.project import Project

    bad = gpd.GeoDataFrame(
        {"kode": ["35.07", "35.07.01", None, "36.01"],
         "nama": ["Kabupaten Malang", "Kecamatan Donomulyo", "Tanpa Kode", None]},
        geometry=[box(112.4, -8.4, 112.9, -7.8), box(112.4, -8.4, 112.5, -8.3),
                  box(112.0, -8.0, 112.1, -7.9), box(106.0, -6.5, 106.5, -6.0)],
        crs="EPSG:4326")
    project = Project()
    import_files(project, context=[_write(bad, tmp_path / "campur.gpkg")])
    assert list(project.layer("context")["name"]) == ["Kabupaten Malang"]
    rep = project.import_report
    rows = rep[(rep["file"] == "campur.gpkg") & (rep["row"] > 0)].set_index("row")
    assert rows.loc[2, "status"] == "skipped" and "tingkat wilayah" in rows.loc[2, "message"]
    assert rows.loc[3, "status"] == "skipped" and "tingkat wilayah" in rows.loc[3, "message"]
    assert rows.loc[4, "status"] == "skipped" and "tanpa nama" in rows.loc[4, "message"]


def test_points_are_not_a_context_layer(tmp_path):
    pts = gpd.GeoDataFrame({"nama": ["A", "B"]}, geometry=[Point(112, -8), Point(113, -8)],
                           crs="EPSG:4326")
    path = _write(pts, tmp_path / "titik.gpkg")
    with pytest.raises(InputError) as err:
        import_files(None, context=[path])
    assert "titik.gpkg" in str(err.value) and "poligon" in str(err.value)


def test_cli_import_context_writes_nothing_on_failure(tmp_path):
    from ui.cli import main

    d, k = _district(tmp_path)
    target = tmp_path / "proyek.gpkg"
    pts = _write(gpd.GeoDataFrame({"nama": ["A"]}, geometry=[Point(112, -8)], crs="EPSG:4326"),
                 tmp_path / "titik.gpkg")
    assert main(["import", str(target), "--desa", str(d), "--context", str(pts)]) != 0
    assert not target.exists()
    assert main(["import", str(target), "--desa", str(d), "--kecamatan", str(k),
                 "--context", str(_provinces(tmp_path / "prov.gpkg"))]) == 0
    assert len(open_project(target).layer("context")) == 2


def test_real_indonesia_outline(tmp_path):
    if not (OUTLINE / "provinsi.gpkg").exists():
        pytest.skip("real public data (../shared/real_data/indonesia_outline) is not present")
    from ilp_gis.project import Project

    project = Project()
    import_files(project, context=[OUTLINE / "provinsi.gpkg", OUTLINE / "kabupaten.gpkg"])
    ctx = project.layer("context")
    counts = ctx["level"].value_counts()
    assert counts["provinsi"] == 38 and counts["kabupaten"] == 514
    kab = ctx[ctx["level"] == "kabupaten"]
    assert kab["parent_code"].notna().all()
    assert set(kab.loc[kab["code"] == "35.07", "parent_code"]) == {"35"}
    assert set(kab["kind"].dropna()) == {"kabupaten", "kota"}
