"""Every input format reads into the same project."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from layers import readers
from layers.importing import import_files
from tests.layers import import_fixtures as fx

# Writing the shapefile fixtures truncates long column names (expected; the importer's
# synonyms cover the truncated RBI/BPS names).
pytestmark = [pytest.mark.filterwarnings("ignore:Column names longer than 10"),
              pytest.mark.filterwarnings("ignore:Normalized/laundered field name")]


@pytest.mark.parametrize("suffix, driver", [(".gpkg", "GPKG"), (".geojson", "GeoJSON"),
                                            (".shp", "ESRI Shapefile"), (".kml", "KML")])
def test_boundary_formats(tmp_path, suffix, driver):
    path = tmp_path / f"desa{suffix}"
    frame = fx.desa_frame()
    if driver == "KML":
        frame = frame.rename(columns={"WADMKD": "Name"})
    frame.to_file(path, driver=driver)
    from ilp_gis.project import Project

    project = Project()
    rep = import_files(project, desa=path)
    desa = project.desa
    assert len(desa) == 4
    assert set(rep.frame["status"]) <= {"imported", "fixed", "doubtful"}
    assert sorted(desa["name"]) == ["Kota Lama", "Sidomulyo", "Sukamaju", "Tegalrejo"]
    if driver != "KML":
        assert list(desa["code"]) == [d[0] for d in fx.DESA]
        assert list(desa["kind"]) == ["desa", "kelurahan", "desa", "desa"]
        assert list(desa["kecamatan_code"]) == ["35.07.01", "35.07.01", "35.07.02", "35.07.02"]
        assert desa["population"].isna().sum() == 1  # missing stays missing
        assert desa["population"].iloc[0] == 3000


def test_zipped_shapefile(tmp_path):
    shp = tmp_path / "shp" / "desa.shp"
    shp.parent.mkdir()
    fx.desa_frame().to_file(shp)
    zpath = tmp_path / "desa.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp.parent.iterdir():
            zf.write(f, f"batas/{f.name}")
    from ilp_gis.project import Project

    project = Project()
    import_files(project, desa=zpath)
    assert len(project.desa) == 4 and project.desa["code"].iloc[1] == "35.07.01.1002"


def test_kmz(tmp_path):
    kml = tmp_path / "doc.kml"
    fx.desa_frame().rename(columns={"WADMKD": "Name"}).to_file(kml, driver="KML")
    kmz = tmp_path / "desa.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(kml, "doc.kml")
    from ilp_gis.project import Project

    project = Project()
    import_files(project, desa=kmz)
    assert sorted(project.desa["name"]) == ["Kota Lama", "Sidomulyo", "Sukamaju", "Tegalrejo"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_encodings_and_separators(tmp_path, encoding, sep):
    rows = list(fx.FAC)
    rows[0] = ("P3507010101", "Puskesmas Alpha Pèrmai", "Puskesmas", 112.55, -8.05, "Sukamaju")
    if sep == ";":  # semicolon files come from Excel with comma decimals
        rows = [(c, n, k, str(lon).replace(".", ","), str(lat).replace(".", ","), d)
                for c, n, k, lon, lat, d in rows]
    path = tmp_path / "faskes.csv"
    path.write_bytes(fx.csv_text(sep, rows).encode(encoding))
    from ilp_gis.project import Project

    project = Project()
    import_files(project, desa=_write_desa(tmp_path), facilities=[(None, path)])
    fac = project.facilities
    assert len(fac) == 6
    assert "Puskesmas Alpha Pèrmai" in set(fac["name"])
    assert fac["nurses"].tolist() == [2.0] * 6
    assert set(fac["type"]) == {"puskesmas", "pustu", "posyandu"}
    assert fac.loc[fac["name"] == "Poskesdes Tegalrejo", "precursor"].iloc[0]
    assert list(fac.sort_values("name")["desa_code"])[0] is not None


def _write_desa(tmp_path):
    p = tmp_path / "desa.gpkg"
    if not p.exists():
        fx.desa_frame().to_file(p)
    return p


def test_xlsx_two_sheets_first_with_data_and_chosen(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Keterangan"
    ws2 = wb.create_sheet("Posyandu")
    ws2.append(["Nama Posyandu", "Lintang", "Bujur", "Jumlah Kader", "Strata"])
    ws2.append(["Posyandu Melati", -8.05, 112.55, 5, "Madya"])
    ws2.append(["Posyandu Kenanga", "-7,95", "112,65", None, "IV"])
    ws2["D4"] = "=2+3"  # a formula without a cached value reads as missing
    ws2.append([None, None, None, None, None])
    ws3 = wb.create_sheet("Pustu")
    ws3.append(["nama", "lat", "lon"])
    ws3.append(["Pustu Sukamaju", -8.05, 112.56])
    path = tmp_path / "faskes.xlsx"
    wb.save(path)
    res = readers.read_table(path)
    assert res.sheet == "Posyandu" and len(res.frame) == 2
    from ilp_gis.project import Project

    project = Project()
    rep = import_files(project, facilities=[("posyandu", path)])
    fac = project.facilities
    assert list(fac["kader"].isna()) == [False, True]
    assert list(fac["level"]) == ["madya", "mandiri"]
    assert "dipakai lembar 'Posyandu'" in rep.summary()
    project2 = Project()
    import_files(project2, facilities=[("pustu", path)], sheet="Pustu")
    assert list(project2.facilities["name"]) == ["Pustu Sukamaju"]


def test_point_layer_facilities(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({"name": ["Puskesmas Alpha", "Klinik Sehat"],
                            "amenity": ["clinic", "clinic"]},
                           geometry=[Point(112.55, -8.05), Point(112.65, -8.05)],
                           crs="EPSG:4326").to_crs(32749)
    path = tmp_path / "osm.geojson"
    gdf.to_file(path, driver="GeoJSON")
    from ilp_gis.project import Project

    project = Project()
    rep = import_files(project, facilities=[(None, path)])
    assert list(project.facilities["type"]) == ["puskesmas"]
    assert project.facilities.geometry.x.iloc[0] == pytest.approx(112.55)
    skipped = rep.frame[rep.frame["status"] == "skipped"]
    assert list(skipped["problem"]) == ["unknown_type"]


def test_report_written_as_csv_and_xlsx(tmp_path):
    from ilp_gis.project import Project

    path = tmp_path / "f.csv"
    path.write_text(fx.csv_text(), "utf-8")
    rep = import_files(Project(), facilities=[(None, path)])
    out = rep.write(tmp_path / "r.csv")
    lines = out.read_text("utf-8-sig").splitlines()
    # headers, roles and statuses in the report's language; machine codes in the last columns
    assert lines[0] == ("berkas,peran,baris,status,masalah,keterangan,nilai asli,kode status,"
                        "kode masalah")
    assert lines[1].startswith("f.csv,fasilitas,") and ",diimpor," in lines[1]
    assert ",imported," in lines[1] or lines[1].endswith(",imported,")
    out = rep.write(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Ringkasan", "Laporan impor"]
    assert wb["Laporan impor"].max_row == len(rep.frame) + 1
    ws = wb["Laporan impor"]  # styled like every ilp-gis sheet, and set up for print
    assert ws["A1"].value == "berkas" and ws["A1"].font.b
    assert ws["A1"].fill.fgColor.rgb.endswith("D6EAF8")
    assert ws.column_dimensions["F"].width > 60  # the message column
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:I{len(rep.frame) + 1}"
    for sheet in wb:
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
        assert sheet.oddFooter.right.text == "Halaman &P dari &N"
    assert ws.print_title_rows == "$1:$1"
    status = [c.value for c in ws["D"]]
    fixed = [i for i, v in enumerate(status, start=1) if v in ("diperbaiki", "dilewati")]
    assert fixed and all(ws.cell(i, 1).fill.fgColor.rgb[-6:] in ("FFF2CC", "F4CCCC") for i in fixed)


@pytest.mark.parametrize("text, rows, names", [
    # spreadsheet rows: the header is row 1, the first data row row 2
    ("nama,lat,lon\nA,-8.05,112.55\n\nB,-8.06,112.56\n", [2, 4], ["A", "B"]),  # blank line
    ("nama,lat,lon\n\"A, \nbaris dua\",-8.05,112.55\nB,-8.06,112.56\n", [2, 3],
     ["A, \nbaris dua", "B"]),  # newline inside quotes
    ("\n\nnama,lat,lon\nA,-8.05,112.55\n", [2], ["A"]),  # blank lines above the header
    ("nama;lat;lon\r\n  A  ;-8,05;112,55\r\n", [2], ["A"]),  # CRLF, padded cells
])
def test_csv_row_numbers_and_quoting(tmp_path, text, rows, names):
    path = tmp_path / "f.csv"
    path.write_text(text, "utf-8", newline="")
    res = readers.read_table(path)
    assert list(res.row_numbers) == rows
    assert list(res.frame["nama"]) == names


def test_long_xlsx_report_continues_on_more_sheets(tmp_path, monkeypatch):
    from ilp_gis.project import Project
    from layers.importing import report

    monkeypatch.setattr(report, "XLSX_MAX_ROWS", 4)
    path = tmp_path / "f.csv"
    path.write_text(fx.csv_text(), "utf-8")
    rep = import_files(Project(), facilities=[(None, path)])
    out = rep.write(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Ringkasan", "Laporan impor", "Laporan impor (2)"]
    rows = sum(len(list(ws.iter_rows())) - 1
               for ws in (wb["Laporan impor"], wb["Laporan impor (2)"]))
    assert rows == len(rep.frame)
