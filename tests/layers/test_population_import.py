"""Desa population without desa figures: a population raster summed per desa (exactextract),
and kabupaten/kecamatan totals spread by families or area, on hand-made districts whose
answers are worked out here; the hostile rasters; the real Malang kabupaten total."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from ilp_gis.errors import InputError
from ilp_gis.project import Project
from layers.importing import import_files
from layers.importing.population import parse_total
from layers.project_file import open_project
from ui import cli

UTM = "EPSG:32749"  # WGS 84 / UTM 49S (East Java)
X0, Y0 = 680_000.0, 9_100_000.0  # the raster's upper-left corner in UTM
CELL = 100.0


def _desa_utm() -> gpd.GeoDataFrame:
    """Two desa over a 3x3 grid of 100 m cells: Barat is the left column, Timur the two
    right columns."""
    return gpd.GeoDataFrame(
        {"kode": ["35.07.01.2001", "35.07.01.2002"], "nama": ["Barat", "Timur"],
         "kode_kec": ["35.07.01", "35.07.01"]},
        geometry=[box(X0, Y0 - 3 * CELL, X0 + CELL, Y0),
                  box(X0 + CELL, Y0 - 3 * CELL, X0 + 3 * CELL, Y0)], crs=UTM)


def _write_raster(path, values, *, crs=UTM, nodata=-99.0, transform=None):
    values = np.asarray(values, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1],
                       height=values.shape[0], count=1, dtype="float32", crs=crs,
                       transform=transform or from_origin(X0, Y0, CELL, CELL),
                       nodata=nodata) as dst:
        dst.write(values, 1)
    return path


GRID = np.arange(1, 10, dtype=float).reshape(3, 3)  # 1 2 3 / 4 5 6 / 7 8 9
# Barat = 1 + 4 + 7 = 12; Timur = 2 + 3 + 5 + 6 + 8 + 9 = 33


@pytest.fixture
def desa_file(tmp_path):
    path = tmp_path / "desa.gpkg"
    _desa_utm().to_crs("EPSG:4326").to_file(path)  # boundaries in degrees, raster in UTM
    return path


def test_raster_sums_per_desa_in_another_crs(tmp_path, desa_file):
    tif = _write_raster(tmp_path / "penduduk.tif", GRID)
    project = Project()
    rep = import_files(project, desa=desa_file, population_raster=tif)
    d = project.desa.set_index("name")
    assert d.loc["Barat", "population"] == pytest.approx(12.0, rel=1e-6)
    assert d.loc["Timur", "population"] == pytest.approx(33.0, rel=1e-6)
    assert (d["population_source"] == "raster").all()
    lines = rep.frame[rep.frame["file"] == "penduduk.tif"]
    assert lines["problem"].eq("raster_summed").any()
    # population points for distance coverage: the whole raster within 1 km blocks
    st = project.settlements
    assert st["population"].sum() == pytest.approx(45.0, rel=1e-6)
    assert set(st["desa_code"]) <= set(project.desa["code"])


def test_raster_in_degrees(tmp_path):
    # desa and raster both in degrees, cells of 0.001° aligned with the desa edges
    x0, y0, c = 112.5, -8.0, 0.001
    d = gpd.GeoDataFrame({"kode": ["35.07.01.2001", "35.07.01.2002"], "nama": ["Barat", "Timur"]},
                         geometry=[box(x0, y0 - 3 * c, x0 + c, y0),
                                   box(x0 + c, y0 - 3 * c, x0 + 3 * c, y0)], crs="EPSG:4326")
    path = tmp_path / "desa.geojson"
    d.to_file(path, driver="GeoJSON")
    tif = _write_raster(tmp_path / "wgs.tif", GRID, crs="EPSG:4326",
                        transform=from_origin(x0, y0, c, c))
    project = Project()
    import_files(project, desa=path, population_raster=tif)
    out = project.desa.set_index("name")["population"]
    assert out.to_dict() == pytest.approx({"Barat": 12.0, "Timur": 33.0}, rel=1e-6)


def test_table_figure_is_kept_and_raster_fills_the_rest(tmp_path):
    d = _desa_utm().to_crs("EPSG:4326")
    d["penduduk"] = [500.0, None]
    path = tmp_path / "desa.gpkg"
    d.to_file(path)
    tif = _write_raster(tmp_path / "p.tif", GRID)
    project = Project()
    import_files(project, desa=path, population_raster=tif)
    out = project.desa.set_index("name")
    assert out.loc["Barat", "population"] == 500.0
    assert out.loc["Barat", "population_source"] == "boundary"
    assert out.loc["Timur", "population"] == pytest.approx(33.0, rel=1e-6)
    assert out.loc["Timur", "population_source"] == "raster"


def test_nodata_cells_are_not_people(tmp_path, desa_file):
    grid = GRID.copy()
    grid[:, 0] = -99.0  # Barat only nodata
    tif = _write_raster(tmp_path / "p.tif", grid)
    project = Project()
    rep = import_files(project, desa=desa_file, population_raster=tif)
    out = project.desa.set_index("name")
    assert np.isnan(out.loc["Barat", "population"])  # missing, never 0
    assert out.loc["Barat", "population_source"] is None
    assert out.loc["Timur", "population"] == pytest.approx(33.0, rel=1e-6)
    msg = rep.frame.loc[rep.frame["problem"] == "raster_no_data", "message"].iloc[0]
    assert "Barat" in msg


def _cli_fails(tmp_path, desa_file, tif, capsys) -> str:
    proj = tmp_path / "proyek.gpkg"
    code = cli.main(["import", str(proj), "--desa", str(desa_file),
                     "--population-raster", str(tif)])
    err = capsys.readouterr().err
    assert code == 1
    assert not proj.exists()  # nothing written
    assert tif.name in err and "Traceback" not in err
    return err


def test_raster_with_nodata_everywhere_is_refused(tmp_path, desa_file, capsys):
    tif = _write_raster(tmp_path / "kosong.tif", np.full((3, 3), -99.0))
    err = _cli_fails(tmp_path, desa_file, tif, capsys)
    assert "nodata" in err


def test_raster_not_covering_the_district_is_refused(tmp_path, desa_file, capsys):
    far = from_origin(X0 + 500_000, Y0, CELL, CELL)  # 500 km east
    tif = _write_raster(tmp_path / "jauh.tif", GRID, transform=far)
    err = _cli_fails(tmp_path, desa_file, tif, capsys)
    assert "tidak mencakup" in err


def test_a_text_file_named_tif_is_refused(tmp_path, desa_file, capsys):
    tif = tmp_path / "palsu.tif"
    tif.write_text("kode,penduduk\n1,2\n", "utf-8")
    err = _cli_fails(tmp_path, desa_file, tif, capsys)
    assert "GeoTIFF" in err


def test_a_broken_tiff_is_refused(tmp_path, desa_file, capsys):
    tif = tmp_path / "rusak.tif"
    tif.write_bytes(b"II*\x00" + b"\x00" * 60)  # a TIFF header and nothing behind it
    err = _cli_fails(tmp_path, desa_file, tif, capsys)
    assert "GeoTIFF" in err


def test_projected_raster_without_crs_is_refused(tmp_path, desa_file, capsys):
    tif = _write_raster(tmp_path / "tanpa_crs.tif", GRID, crs=None)
    err = _cli_fails(tmp_path, desa_file, tif, capsys)
    assert "CRS" in err


def test_partly_covered_desa_are_reported(tmp_path, desa_file):
    tif = _write_raster(tmp_path / "p.tif", GRID[:, :2],  # the third column is missing
                        transform=from_origin(X0, Y0, CELL, CELL))
    project = Project()
    rep = import_files(project, desa=desa_file, population_raster=tif)
    out = project.desa.set_index("name")
    assert out.loc["Timur", "population"] == pytest.approx(2 + 5 + 8, rel=1e-6)
    msg = rep.frame.loc[rep.frame["problem"] == "raster_partial", "message"].iloc[0]
    assert "Timur" in msg and "Barat" not in msg


# --- totals ------------------------------------------------------------------------------------
def _three_desa(tmp_path, families=True):
    """Three desa of 1, 2 and 3 km² (1 km tall strips) in two kecamatan; families 100, 300,
    600 (when given)."""
    geoms = [box(X0, Y0 - 1000, X0 + 1000, Y0), box(X0 + 1000, Y0 - 1000, X0 + 3000, Y0),
             box(X0 + 3000, Y0 - 1000, X0 + 6000, Y0)]
    d = gpd.GeoDataFrame({"kode": ["35.07.01.2001", "35.07.01.2002", "35.07.02.2001"],
                          "nama": ["Satu", "Dua", "Tiga"],
                          "kode_kec": ["35.07.01", "35.07.01", "35.07.02"]},
                         geometry=geoms, crs=UTM)
    if families:
        d["keluarga"] = [100.0, 300.0, 600.0]
    k = gpd.GeoDataFrame({"kode": ["35.07.01", "35.07.02"], "nama": ["Kiri", "Kanan"],
                          "penduduk": [8000.0, None]},
                         geometry=[box(X0, Y0 - 1000, X0 + 3000, Y0),
                                   box(X0 + 3000, Y0 - 1000, X0 + 6000, Y0)], crs=UTM)
    kab = gpd.GeoDataFrame({"kode": ["35.07"], "nama": ["Kabupaten Contoh"],
                            "penduduk_total": [12000.0]},
                           geometry=[box(X0, Y0 - 1000, X0 + 6000, Y0)], crs=UTM)
    paths = {}
    for name, frame in (("desa", d), ("kecamatan", k), ("kabupaten", kab)):
        paths[name] = tmp_path / f"{name}.gpkg"
        frame.to_crs("EPSG:4326").to_file(paths[name])
    return paths


def test_total_spread_by_area(tmp_path):
    paths = _three_desa(tmp_path, families=False)
    project = Project()
    rep = import_files(project, **paths, population_totals=["kabupaten=12000"])
    d = project.desa.set_index("name")
    # areas 1 : 2 : 3 of 6 km²
    assert d["population"].to_dict() == pytest.approx({"Satu": 2000, "Dua": 4000,
                                                       "Tiga": 6000}, rel=1e-4)
    assert (d["population_source"] == "estimate_area").all()
    assert rep.frame["problem"].eq("estimate_area").any()
    text = rep.summary()  # the typed-in total has no rows: its note, never "0 baris — 0 diimpor"
    assert "disebar ke 3 desa" in text and "(jumlah penduduk): 0 baris" not in text


def test_total_spread_by_families_from_the_boundary_attribute(tmp_path):
    paths = _three_desa(tmp_path)
    project = Project()
    # the families column of the desa layer is not a known boundary field: read it through
    # the mapping as a per-desa table would give it
    import_files(project, **paths)
    d = project.desa.copy()
    d["families"] = [100.0, 300.0, 600.0]
    project.set_layer("desa", d)
    assert project.kabupaten["population"].iloc[0] == 12000.0
    import_files(project, population_totals=["kabupaten"])  # 12,000 from penduduk_total
    d = project.desa.set_index("name")
    assert d["population"].to_dict() == pytest.approx({"Satu": 1200, "Dua": 3600,
                                                       "Tiga": 7200})
    assert (d["population_source"] == "estimate_families").all()


def test_kecamatan_total_first_then_the_kabupaten_covers_the_rest(tmp_path):
    paths = _three_desa(tmp_path, families=False)
    project = Project()
    import_files(project, **paths,
                 population_totals=["kabupaten", "kecamatan:Kiri=9000"])
    d = project.desa.set_index("name")
    # Kiri's 9,000 by area 1:2; the kabupaten's 12,000 leaves 3,000 for Tiga
    assert d["population"].to_dict() == pytest.approx({"Satu": 3000, "Dua": 6000,
                                                       "Tiga": 3000}, rel=1e-4)


def test_kecamatan_attribute_total(tmp_path):
    paths = _three_desa(tmp_path, families=False)
    project = Project()
    import_files(project, **paths, population_totals=["kecamatan:35.07.01"])  # 8,000
    d = project.desa.set_index("name")
    # 8,000 by area 1 : 2 in whole people (largest remainder): 2,667 and 5,333
    assert (d.loc["Satu", "population"], d.loc["Dua", "population"]) == (2667, 5333)
    assert np.isnan(d.loc["Tiga", "population"])  # Kanan has no total: stays missing
    with pytest.raises(InputError, match="Kanan"):
        import_files(project, population_totals=["kecamatan"])


def test_known_figures_are_taken_off_the_total(tmp_path):
    paths = _three_desa(tmp_path, families=False)
    d = gpd.read_file(paths["desa"])
    d["penduduk"] = [5000.0, None, None]
    d.to_file(paths["desa"])
    project = Project()
    import_files(project, **paths, population_totals=["kabupaten=12000"])
    out = project.desa.set_index("name")
    assert out.loc["Satu", "population"] == 5000 and \
        out.loc["Satu", "population_source"] == "boundary"
    # 7,000 left over Dua (2 km²) and Tiga (3 km²)
    assert out.loc["Dua", "population"] == pytest.approx(2800, rel=1e-4)
    assert out.loc["Tiga", "population"] == pytest.approx(4200, rel=1e-4)
    with pytest.raises(InputError, match="4.000"):
        import_files(project, population_totals=["kabupaten=4000"])  # less than known


def test_families_asked_for_but_missing(tmp_path):
    paths = _three_desa(tmp_path, families=False)
    project = Project()
    with pytest.raises(InputError, match="keluarga"):
        import_files(project, **paths, population_totals=["kabupaten"], spread_by="families")


@pytest.mark.parametrize("text", ["provinsi=5", "kabupaten=dua juta", "kabupaten=-3",
                                  "kabupaten:Malang=5"])
def test_bad_total_options(text):
    with pytest.raises(InputError, match="population-total"):
        parse_total(text)


def test_total_option_forms():
    assert parse_total("kabupaten=2.734.623").total == 2734623
    s = parse_total("kecamatan:Pagak=45000")
    assert (s.level, s.area, s.total) == ("kecamatan", "Pagak", 45000)
    assert parse_total("kab").total is None


def test_real_malang_kabupaten_population(real_malang, tmp_path, capsys):
    proj = tmp_path / "malang.gpkg"
    code = cli.main(["import", str(proj), "--kabupaten", str(real_malang / "kabupaten.gpkg"),
                     "--kecamatan", str(real_malang / "kecamatan.gpkg"),
                     "--desa", str(real_malang / "desa.gpkg"),
                     "--population-total", "kabupaten"])
    out = capsys.readouterr().out
    assert code == 0 and "2.734.623" in out
    d = open_project(proj).desa
    total = float(gpd.read_file(real_malang / "kabupaten.gpkg")["penduduk_total"].iloc[0])
    assert total == 2_734_623
    assert d["population"].sum() == pytest.approx(total)
    assert d["population"].notna().all() and (d["population"] > 0).all()
    assert (d["population_source"] == "estimate_area").all()
    # by area: the largest desa gets the most people
    area = d.to_crs(UTM).area
    assert d["population"].iloc[int(np.argmax(area))] == d["population"].max()
    assert pd.Series(d["population"] / area).std() / pd.Series(d["population"] / area).mean() \
        == pytest.approx(0.0, abs=1e-3)  # one density over the whole kabupaten
