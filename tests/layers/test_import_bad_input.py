"""The bad-input corpus: every defect gets a clear line in the report, every good row survives."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon, box

from ilp_gis.errors import InputError
from ilp_gis.i18n import language
from ilp_gis.project import Project
from layers.importing import import_files
from tests.layers import import_fixtures as fx

HEADER = ["kode_faskes", "nama_faskes", "jenis_faskes", "long_", "lat_", "desa", "perawat",
          "bidan", "strata", "induk"]
GOOD = [dict(zip(HEADER, [c, n, k, lon, lat, d, 2, 1, "", ""], strict=False)) for c, n, k, lon, lat, d in fx.FAC]
GOOD_NAMES = {r["nama_faskes"] for r in GOOD}


def _bad(**over):
    row = dict(zip(HEADER, ["", "Pustu Uji", "Pustu", 112.66, -7.96, "", "", "", "", ""], strict=False))
    row.update(over)
    return row


# (id, bad row, status, problem kind, message fragment in Indonesian); a row whose coordinate
# is rejected and that names no desa is kept without a position (location unknown), doubtful
FACILITY_CASES = [
    ("comma_decimal", _bad(long_="112,66", lat_="-7,96"), "fixed", "comma_decimal",
     "koma desimal"),
    ("swapped", _bad(long_=-7.96, lat_=112.66), "fixed", "swapped_coordinates", "tertukar"),
    ("zero", _bad(long_=0, lat_=0), "doubtful", "zero_coordinates", "bernilai 0"),
    ("empty_coords", _bad(long_="", lat_=""), "doubtful", "missing_coordinates",
     "koordinat kosong"),
    ("outside_indonesia", _bad(long_=2.35, lat_=48.85), "doubtful", "outside_indonesia",
     "di luar Indonesia"),
    ("utm_metres", _bad(long_=680000, lat_=9120000), "doubtful", "projected_coordinates",
     "meter (UTM)"),
    ("dms", _bad(long_="112°39'36\" BT", lat_="7°57'36\" LS"), "fixed", "dms",
     "derajat-menit-detik"),
    ("hemisphere_swap", _bad(long_="7°57'36\" LS", lat_="112°39'36\" BT"), "fixed",
     "swapped_coordinates", "tertukar"),
    ("minus_sign", _bad(lat_=7.96), "fixed", "missing_minus_sign", "tanda minus"),
    ("unreadable_coords", _bad(long_="dekat pasar", lat_="-7.96"), "doubtful",
     "unreadable_coordinates", "tidak dapat dibaca"),
    ("hospital", _bad(nama_faskes="RSUD Kanjuruhan", jenis_faskes="Rumah Sakit"), "skipped",
     "unknown_type", "bukan Puskesmas, Pustu atau Posyandu"),
    ("posbindu", _bad(nama_faskes="Posbindu Anggrek", jenis_faskes="Posbindu"), "skipped",
     "unknown_type", "'Posbindu'"),
    ("polindes", _bad(nama_faskes="Polindes Tegalrejo", jenis_faskes="POLINDES"), "fixed",
     "pustu_precursor", "pendahulu Pustu"),
    ("type_from_name", _bad(nama_faskes="Posyandu Dahlia", jenis_faskes=""), "fixed",
     "type_from_name", "jenis dibaca dari nama"),
    ("no_name", _bad(nama_faskes=""), "doubtful", "missing_name", "nama fasilitas kosong"),
    ("exact_duplicate", _bad(nama_faskes="Puskesmas Alpha", jenis_faskes="Puskesmas",
                             long_=112.5501, lat_=-8.0501, desa="Sukamaju"),
     "skipped", "duplicate_facility", "fasilitas ganda"),
    ("similar_duplicate", _bad(nama_faskes="Puskesmas Alpa", jenis_faskes="Puskesmas",
                               long_=112.5501, lat_=-8.0501, desa="Sukamaju"),
     "doubtful", "possible_duplicate", "mungkin ganda"),
    ("declared_desa", _bad(desa="Sidomulyo"), "doubtful", "declared_desa_mismatch",
     "desa tertulis 'Sidomulyo'"),
    ("declared_desa_code", _bad(desa="35.07.01.2001"), "doubtful", "declared_desa_mismatch",
     "desa tertulis '35.07.01.2001'"),
    ("outside_boundaries", _bad(long_=112.75, lat_=-7.96), "doubtful", "outside_boundaries",
     "di luar semua batas wilayah"),
    ("outside_study_area", _bad(long_=106.8, lat_=-6.2), "doubtful", "outside_study_area",
     "di luar wilayah kajian"),
    ("bad_number", _bad(perawat="dua"), "fixed", "bad_number", "'dua' di kolom perawat bukan angka"),
    ("negative_number", _bad(bidan=-1), "fixed", "negative_number", "negatif"),
    ("bad_level", _bad(nama_faskes="Posyandu Anyelir", jenis_faskes="Posyandu", strata="super"),
     "fixed", "bad_level", "strata Posyandu 'super' tidak dikenal"),
    ("parent_not_found", _bad(induk="Puskesmas Gamma"), "doubtful", "parent_not_found",
     "induk 'Puskesmas Gamma' tidak ditemukan"),
    ("duplicate_code", _bad(kode_faskes="P3507010101"), "doubtful", "duplicate_code",
     "kode fasilitas P3507010101 ganda"),
]


def _write_csv(path, rows, header=HEADER, extra_line=None):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
        if extra_line:
            fh.write(extra_line + "\n")


@pytest.fixture
def district(tmp_path):
    desa = tmp_path / "desa.gpkg"
    fx.desa_frame().to_file(desa)
    return desa


def _report_line(rep, row):
    lines = rep.frame[(rep.frame["file"] == "faskes.csv") & (rep.frame["row"] == row)]
    assert len(lines) == 1
    return lines.iloc[0]


def _assert_good_rows_survive(project, rep, n_rows):
    assert GOOD_NAMES <= set(project.facilities["name"])
    good = rep.frame[(rep.frame["file"] == "faskes.csv") & rep.frame["row"].between(2, 7)]
    # the Poskesdes row is read as a Pustu precursor (a flagged "fixed" line); the rest is clean
    assert list(good["status"]) == ["imported"] * 3 + ["fixed"] + ["imported"] * 2
    assert good["problem"].iloc[3] == "pustu_precursor"
    # one report line per input row, none dropped
    assert sorted(rep.frame.loc[(rep.frame["file"] == "faskes.csv") & (rep.frame["row"] > 0),
                                "row"]) == list(range(2, n_rows + 2))  # header row 1


@pytest.mark.parametrize("case", FACILITY_CASES, ids=[c[0] for c in FACILITY_CASES])
def test_facility_defect(tmp_path, district, case):
    _, bad, status, kind, fragment = case
    path = tmp_path / "faskes.csv"
    _write_csv(path, GOOD + [bad])
    project = Project()
    rep = import_files(project, desa=district, facilities=[(None, path)])
    line = _report_line(rep, 8)
    assert line["status"] == status, line["message"]
    assert kind in line["problem"].split(";")
    assert fragment in line["message"]
    _assert_good_rows_survive(project, rep, 7)
    in_project = bad["nama_faskes"] and (project.facilities["name"] == bad["nama_faskes"]).sum()
    if status == "skipped":
        assert not in_project or bad["nama_faskes"] in GOOD_NAMES
    elif bad["nama_faskes"]:
        assert in_project


def test_too_many_fields(tmp_path, district):
    path = tmp_path / "faskes.csv"
    _write_csv(path, GOOD, extra_line="X1,Pustu Lebih,Pustu,112.66,-7.96,,1,1,,,,sisa")
    project = Project()
    rep = import_files(project, desa=district, facilities=[(None, path)])
    line = _report_line(rep, 8)
    assert line["status"] == "fixed" and "isian lebih dibuang" in line["message"]
    _assert_good_rows_survive(project, rep, 7)


@pytest.mark.parametrize("case", FACILITY_CASES[:6], ids=[c[0] for c in FACILITY_CASES[:6]])
def test_facility_defect_in_english(tmp_path, district, case):
    _, bad, status, kind, _ = case
    path = tmp_path / "faskes.csv"
    _write_csv(path, GOOD + [bad])
    rep = import_files(Project(), desa=district, facilities=[(None, path)], lang="en")
    line = _report_line(rep, 8)
    english = {"comma_decimal": "comma decimals", "swapped_coordinates": "swapped",
               "zero_coordinates": "are 0", "missing_coordinates": "missing",
               "outside_indonesia": "outside Indonesia", "projected_coordinates": "metres"}
    assert english[kind] in line["message"]
    assert "Import summary" in rep.summary()


# --- boundary defects --------------------------------------------------------------------------
def _desa_with(tmp_path, **changes):
    frame = fx.desa_frame()
    extra = changes.pop("extra_row", None)
    for (i, col), value in changes.items() if False else []:
        frame.loc[i, col] = value
    if extra is not None:
        import pandas as pd

        frame = gpd.GeoDataFrame(pd.concat([frame, gpd.GeoDataFrame([extra], crs=frame.crs)],
                                           ignore_index=True), crs=frame.crs)
    path = tmp_path / "desa_bad.gpkg"
    frame.to_file(path)
    return path


BOUNDARY_CASES = [
    ("bowtie", {"KDEPUM": "35.07.02.2003", "WADMKD": "Kupu", "KDCPUM": "35.07.02",
                "geometry": fx.bowtie()}, "fixed", "invalid_geometry_repaired", "diperbaiki"),
    ("empty_geometry", {"KDEPUM": "35.07.02.2004", "WADMKD": "Kosong", "KDCPUM": "35.07.02",
                        "geometry": Polygon()}, "skipped", "empty_geometry", "tanpa geometri"),
    ("point_geometry", {"KDEPUM": "35.07.02.2005", "WADMKD": "Titik", "KDCPUM": "35.07.02",
                        "geometry": Point(112.6, -8.0)}, "skipped", "not_polygon",
     "bukan poligon"),
    ("duplicate_code", {"KDEPUM": "35.07.01.2001", "WADMKD": "Kembar", "KDCPUM": "35.07.01",
                        "geometry": box(112.7, -8.1, 112.8, -8.0)}, "doubtful", "duplicate_code",
     "sudah dipakai di baris 1"),
    ("unreadable_code", {"KDEPUM": "tidak tahu", "WADMKD": "Tanpa Kode", "KDCPUM": "35.07.01",
                         "geometry": box(112.7, -8.1, 112.8, -8.0)}, "doubtful",
     "code_unreadable", "tidak dapat dibaca sebagai kode"),
    ("wrong_level", {"KDEPUM": "35.07.01", "WADMKD": "Salah Tingkat", "KDCPUM": "35.07.01",
                     "geometry": box(112.7, -8.1, 112.8, -8.0)}, "doubtful", "code_wrong_level",
     "kode tingkat kecamatan"),
    ("bps_in_kemendagri_column", {"KDEPUM": "3507010001", "WADMKD": "Kode BPS",
                                  "KDCPUM": "35.07.01",
                                  "geometry": box(112.7, -8.1, 112.8, -8.0)}, "doubtful",
     "code_bad_desa_part", "harus diawali 1"),
    ("no_name", {"KDEPUM": "35.07.01.2009", "WADMKD": None, "KDCPUM": "35.07.01",
                 "geometry": box(112.7, -8.1, 112.8, -8.0)}, "doubtful", "missing_name",
     "nama wilayah kosong"),
]


@pytest.mark.parametrize("case", BOUNDARY_CASES, ids=[c[0] for c in BOUNDARY_CASES])
def test_boundary_defect(tmp_path, case):
    _, extra, status, kind, fragment = case
    path = _desa_with(tmp_path, extra_row=extra)
    project = Project()
    rep = import_files(project, desa=path)
    line = rep.frame[(rep.frame["row"] == 5)].iloc[0]
    assert line["status"] == status
    assert kind in line["problem"].split(";")
    assert fragment in line["message"]
    assert {d[1] for d in fx.DESA} <= set(project.desa["name"])
    assert len(rep.frame[rep.frame["row"] > 0]) == 5
    if status != "skipped":
        assert len(project.desa) == 5


# --- whole-file problems: InputError naming the file and the fix --------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="tidak ditemukan"):
        import_files(Project(), desa=tmp_path / "tidak_ada.gpkg")


def test_no_name_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("kode,lat,lon\n1,-8,112\n", "utf-8")
    with pytest.raises(InputError, match=r"f\.csv.*tidak ada kolom untuk facilities\.name.*--map"):
        import_files(Project(), facilities=[(None, path)])


def test_no_name_column_english(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("kode,lat,lon\n1,-8,112\n", "utf-8")
    with language("en"), pytest.raises(InputError, match="no column found for facilities.name"):
        import_files(Project(), facilities=[(None, path)])


def test_map_override_unknown_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(fx.csv_text(), "utf-8")
    with pytest.raises(InputError, match="kolom 'NAMA PKM' untuk facilities.name tidak ada"):
        import_files(Project(), facilities=[(None, path)],
                     mappings={"facilities": {"name": "NAMA PKM"}})


def test_map_override_used(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("NAMA PKM,Y,X,ket\nPuskesmas Alpha,-8.05,112.55,x\n", "utf-8")
    project = Project()
    rep = import_files(project, facilities=[("puskesmas", path)],
                       mappings={"facilities": {"name": "nama pkm"}})
    assert list(project.facilities["name"]) == ["Puskesmas Alpha"]
    assert rep.mappings["f.csv"]["fields"]["name"] == "NAMA PKM"
    assert project.meta_json("column_mappings_json")["f.csv"]["fields"]["lat"] == "Y"


def test_old_xls(tmp_path):
    path = tmp_path / "f.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match="format Excel lama"):
        import_files(Project(), facilities=[(None, path)])


def test_empty_csv(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("\n\n", "utf-8")
    with pytest.raises(InputError, match="berkas kosong"):
        import_files(Project(), facilities=[(None, path)])


def test_lat_without_lon(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("nama,lintang\nA,-8\n", "utf-8")
    with pytest.raises(InputError, match="pasangannya"):
        import_files(Project(), facilities=[(None, path)])


def test_unknown_facility_type_option(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(fx.csv_text(), "utf-8")
    with pytest.raises(InputError, match="jenis fasilitas 'klinik' tidak dikenal"):
        import_files(Project(), facilities=[("klinik", path)])


def test_projected_shapefile_without_prj(tmp_path):
    path = tmp_path / "desa.shp"
    fx.desa_frame()[["KDEPUM", "WADMKD", "geometry"]].to_crs(32749).to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="tidak menyebut sistem koordinat"):
        import_files(Project(), desa=path)


def test_degrees_without_prj_assumed_and_reported(tmp_path):
    path = tmp_path / "desa.shp"
    fx.desa_frame()[["KDEPUM", "WADMKD", "geometry"]].to_file(path)
    path.with_suffix(".prj").unlink()
    project = Project()
    rep = import_files(project, desa=path)
    assert len(project.desa) == 4
    assert "dianggap EPSG:4326" in rep.summary()


def test_bad_zip(tmp_path):
    path = tmp_path / "desa.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="ZIP rusak"):
        import_files(Project(), desa=path)


def test_budget_goes_through_the_planning_reader(tmp_path, district, monkeypatch):
    """The budget table is read by layers.budget_import (planning module) after the
    facilities, with the project's desa/facilities to resolve targets; its report is kept."""
    import sys
    import types

    import pandas as pd

    from ilp_gis import model

    seen = {}

    def read_budget(path, *, mapping=None, lang=None, desa=None, facilities=None, sheet=None,
                    rules=None):
        seen.update(path=path, mapping=mapping, lang=lang, n_desa=len(desa),
                    n_fac=len(facilities))
        frame = model.conform(pd.DataFrame({"budget_id": ["B1"], "source": ["dau"],
                                            "year": [2026], "activity": ["build_pustu"],
                                            "amount": [1.5e9]}), model.BUDGET)
        report = pd.DataFrame({"file": [path.name], "role": ["budget"], "row": [1],
                               "status": ["imported"], "problem": [None], "message": [None],
                               "original": [None]})
        return frame, report

    fake = types.ModuleType("layers.budget_import")
    fake.read_budget = read_budget
    monkeypatch.setitem(sys.modules, "layers.budget_import", fake)
    import layers

    monkeypatch.setattr(layers, "budget_import", fake, raising=False)
    fac = tmp_path / "faskes.csv"
    _write_csv(fac, GOOD)
    budget = tmp_path / "anggaran.xlsx"
    budget.write_bytes(b"")
    project = Project()
    rep = import_files(project, desa=district, facilities=[(None, fac)], budget=budget,
                       mappings={"budget": {"amount": "Pagu"}})
    assert seen["mapping"] == {"amount": "Pagu"} and seen["n_desa"] == 4 and seen["n_fac"] == 6
    assert len(project.budget) == 1
    assert list(rep.frame.loc[rep.frame["file"] == "anggaran.xlsx", "status"]) == ["imported"]


def test_budget_file_without_budget_columns(tmp_path):
    budget = tmp_path / "anggaran.csv"
    budget.write_text("x\n1\n", "utf-8")
    with pytest.raises(InputError, match="anggaran.csv.*kolom wajib tidak ditemukan"):
        import_files(Project(), budget=budget)
