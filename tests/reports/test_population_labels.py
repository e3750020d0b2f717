"""Population estimates are labelled "estimasi" wherever population appears and every desa's
source is printed (PDF data section line, XLSX desa sheet column, web map popups); a raster's
population points make the population within reach of a facility follow where people live."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import openpyxl
import pypdf
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from ilp_gis.analysis import analyze
from ilp_gis.project import Project
from layers.importing import import_files
from reports.pdf.report import build_report
from reports.webmap.export import export_webmap
from reports.xlsx_tables import write_tables

UTM = "EPSG:32749"
X0, Y0 = 680_000.0, 9_100_000.0


def _district(tmp_path):
    """Two desa of 1 and 3 km² and a Puskesmas and Pustu in the first."""
    d = gpd.GeoDataFrame({"kode": ["35.07.01.2001", "35.07.01.2002"], "nama": ["Kecil", "Besar"],
                          "kode_kec": ["35.07.01", "35.07.01"]},
                         geometry=[box(X0, Y0 - 1000, X0 + 1000, Y0),
                                   box(X0 + 1000, Y0 - 1000, X0 + 4000, Y0)], crs=UTM)
    desa = tmp_path / "desa.gpkg"
    d.to_crs("EPSG:4326").to_file(desa)
    pts = gpd.GeoSeries.from_xy([X0 + 300, X0 + 600], [Y0 - 500, Y0 - 500], crs=UTM).to_crs(
        "EPSG:4326")
    fac = tmp_path / "faskes.csv"
    fac.write_text("nama_faskes,jenis_faskes,lat,long\n"
                   f"Puskesmas Kecil,Puskesmas,{pts.y[0]:.7f},{pts.x[0]:.7f}\n"
                   f"Pustu Kecil,Pustu,{pts.y[1]:.7f},{pts.x[1]:.7f}\n", "utf-8")
    return desa, fac


def test_estimates_are_labelled_in_every_output(tmp_path):
    desa, fac = _district(tmp_path)
    project = Project()
    import_files(project, desa=desa, facilities=[(None, fac)],
                 population_totals=["kabupaten=4000"])
    assert project.desa.set_index("name")["population"].to_dict() == pytest.approx(
        {"Kecil": 1000, "Besar": 3000}, rel=1e-4)
    result = analyze(project)
    assert result.summary["population_sources"] == {"estimate_area": 2}
    assert set(result.desa["population_source"]) == {"estimate_area"}

    xlsx = write_tables(project, result, tmp_path / "tabel.xlsx")
    ws = openpyxl.load_workbook(xlsx, read_only=True)["Cakupan desa"]  # after "Kelengkapan data"
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("Sumber penduduk")
    assert rows[0][col - 1] == "Penduduk"
    assert {r[col] for r in rows[1:-1]} == {"estimasi (total dibagi menurut luas)"}
    assert rows[-1][0] == "Jumlah (2 desa)" and rows[-1][col - 1] == 4000  # 1000 + 3000

    pdf = build_report(project, result, tmp_path / "laporan.pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "Sumber penduduk desa: estimasi (total dibagi menurut luas) 2 desa" in text
    assert "(estimasi)" in text  # the key figure and the desa rows

    html = export_webmap(project, result, tmp_path / "peta.html").read_text("utf-8")
    assert "3.000 (estimasi)" in html or "3000 (estimasi)" in html


def test_raster_points_carry_population_within_reach(tmp_path):
    """People only in the eastern 1 km of Besar, 3 km from the Pustu: with the raster's
    points nobody of Besar is within 1 km of it; Kecil's people all are."""
    desa, fac = _district(tmp_path)
    grid = np.zeros((1, 4), dtype="float32")
    grid[0, 0] = 500.0  # Kecil
    grid[0, 3] = 900.0  # the eastern end of Besar
    tif = tmp_path / "p.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=4, height=1, count=1, dtype="float32",
                       crs=UTM, transform=from_origin(X0, Y0, 1000, 1000), nodata=-1) as dst:
        dst.write(grid, 1)
    project = Project()
    import_files(project, desa=desa, facilities=[(None, fac)], population_raster=tif)
    assert len(project.settlements) == 2  # one populated 1 km block per desa
    result = analyze(project, rules=project.rules.with_values(limit__pustu_distance_km=1.0))
    d = result.desa.set_index("name")
    assert d.loc["Kecil", "pop_within_pustu_km"] == pytest.approx(500.0, rel=1e-5)
    assert d.loc["Besar", "population"] == pytest.approx(900.0, rel=1e-5)
    assert d.loc["Besar", "pop_within_pustu_km"] == pytest.approx(0.0, abs=1e-6)
