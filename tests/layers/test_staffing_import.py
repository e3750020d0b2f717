"""Staffing tables (``--staffing``): rows joined to the project's facilities by code, by name
(with the kecamatan, as "PUSTU <desa> <kecamatan>") and by a one-to-one fuzzy name, every row
reported; understaffed Pustu follow; the real Puskesmas lists' nakes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from ilp_gis.coverage import facility_checks
from ilp_gis.errors import InputError
from ilp_gis.project import Project
from layers.importing import import_files
from layers.project_file import open_project
from ui import cli

DESA = [("15.03.01.2001", "Muara Pangi", (102.0, -2.1, 102.1, -2.0)),
        ("15.03.01.2002", "Suka Maju", (102.1, -2.1, 102.2, -2.0)),
        ("15.03.01.2003", "Tiga Alur", (102.2, -2.1, 102.3, -2.0))]

STAFFING = """kode_faskes,nama_faskes,kabupaten,perawat_asn,perawat_non_asn,perawat_total,bidan_asn,bidan_non_asn,bidan_total,nakes_lain
P1503010101,PUSKESMAS LIMUN,KAB. SAROLANGUN,10,4,14,8,7,,9
,PUSTU MUARO PANGI LIMUN,KAB. SAROLANGUN,1,0,1,0,1,1,0
,PUSTU SUKA MAJU LIMUN,Kabupaten Sarolangun,1,0,1,0,0,0,0
,PUSTU SUKA MAJU,KAB. SAROLANGUN,2,0,2,1,0,1,0
,PUSTU ENTAH BERANTAH,KAB. SAROLANGUN,1,1,2,1,1,2,0
,PUSTU LAIN,KAB. MERANGIN,1,1,2,1,1,2,0
"""


@pytest.fixture
def district(tmp_path):
    desa = gpd.GeoDataFrame({"kode": [d[0] for d in DESA], "nama": [d[1] for d in DESA],
                             "kode_kec": "15.03.01", "nama_kec": "Limun"},
                            geometry=[box(*d[2]) for d in DESA], crs="EPSG:4326")
    kec = gpd.GeoDataFrame({"kode": ["15.03.01"], "nama": ["Limun"]},
                           geometry=[box(102.0, -2.1, 102.3, -2.0)], crs="EPSG:4326")
    kab = gpd.GeoDataFrame({"kode": ["15.03"], "nama": ["Kabupaten Sarolangun"]},
                           geometry=[box(102.0, -2.1, 102.3, -2.0)], crs="EPSG:4326")
    paths = {}
    for name, frame in (("desa", desa), ("kecamatan", kec), ("kabupaten", kab)):
        paths[name] = tmp_path / f"{name}.gpkg"
        frame.to_file(paths[name])
    fac = tmp_path / "faskes.csv"
    fac.write_text("kode_faskes,nama_faskes,jenis_faskes,lat,long\n"
                   "P1503010101,Puskesmas Limun,Puskesmas,-2.05,102.05\n"
                   ",Pustu Muara Pangi,Pustu,-2.04,102.06\n"
                   ",Pustu Suka Maju,Pustu,-2.05,102.15\n"
                   ",Pustu Tiga Alur,Pustu,-2.05,102.25\n", "utf-8")
    staffing = tmp_path / "sdmk.csv"
    staffing.write_text(STAFFING, "utf-8")
    return paths, fac, staffing


def test_staffing_join_and_report(district):
    paths, fac, staffing = district
    project = Project()
    rep = import_files(project, **paths, facilities=[(None, fac)], staffing=staffing)
    f = project.facilities.set_index("name")
    # by code: the Puskesmas; bidan total from ASN + non-ASN; nakes = 14 + 15 + 9
    assert f.loc["Puskesmas Limun", ["nurses", "nurses_asn", "nurses_non_asn", "midwives",
                                     "midwives_asn", "midwives_non_asn", "other_nakes",
                                     "nakes"]].tolist() == [14, 10, 4, 15, 8, 7, 9, 38]
    # fuzzy: "PUSTU MUARO PANGI LIMUN" is Pustu Muara Pangi
    assert f.loc["Pustu Muara Pangi", ["nurses", "midwives"]].tolist() == [1, 1]
    # by name with the kecamatan; the second row for it is not used
    assert f.loc["Pustu Suka Maju", ["nurses", "midwives"]].tolist() == [1, 0]
    assert np.isnan(f.loc["Pustu Tiga Alur", "nurses"])  # no row: stays missing, never 0

    lines = rep.frame[(rep.frame["file"] == "sdmk.csv") & (rep.frame["row"] > 0)]
    assert len(lines) == 6  # one line per row
    by_row = lines.set_index("row")
    assert by_row.loc[2, "status"] == "imported"
    assert by_row.loc[3, "problem"] == "staffing_fuzzy_name" and by_row.loc[3, "status"] == "fixed"
    assert "Pustu Muara Pangi" in by_row.loc[3, "message"]
    assert by_row.loc[4, "status"] == "imported"
    assert by_row.loc[5, "problem"] == "duplicate_staffing_row"
    assert by_row.loc[6, "problem"] == "staffing_no_facility"
    assert by_row.loc[7, "problem"] == "staffing_other_kabupaten"
    assert (by_row.loc[[5, 6, 7], "status"] == "skipped").all()
    notes = rep.frame[(rep.frame["file"] == "sdmk.csv") & (rep.frame["row"] == 0)]
    missing = notes[notes["problem"] == "facility_without_staffing"]["message"].tolist()
    assert len(missing) == 1 and "Pustu Tiga Alur" in missing[0] and "1 Pustu" in missing[0]

    # understaffed Pustu follow from the rule (1 nurse and 1 midwife by default)
    checks = facility_checks(project.facilities, project.rules).set_index(
        project.facilities["name"])
    assert bool(checks.loc["Pustu Muara Pangi", "staff_ok"])
    assert not bool(checks.loc["Pustu Suka Maju", "staff_ok"])
    assert pd.isna(checks.loc["Pustu Tiga Alur", "staff_ok"])


def test_counts_as_text_and_totals_that_disagree(district, tmp_path):
    paths, fac, _ = district
    bad = tmp_path / "bad.csv"
    bad.write_text("nama_pustu,perawat_asn,perawat_non_asn,perawat,bidan\n"
                   "Pustu Muara Pangi,1,1,3,dua\n"
                   "Pustu Suka Maju,-,2 orang,,-1\n", "utf-8")
    project = Project()
    rep = import_files(project, **paths, facilities=[(None, fac)], staffing=bad)
    f = project.facilities.set_index("name")
    assert f.loc["Pustu Muara Pangi", "nurses"] == 3  # the total is kept
    assert np.isnan(f.loc["Pustu Muara Pangi", "midwives"])  # "dua" is not read as 2
    assert np.isnan(f.loc["Pustu Suka Maju", "nurses"])  # parts unknown: no total guessed
    assert np.isnan(f.loc["Pustu Suka Maju", "midwives"])  # negative: missing
    lines = rep.frame[(rep.frame["file"] == "bad.csv") & (rep.frame["row"] > 0)]
    problems = ";".join(lines["problem"].dropna())
    for kind in ("staffing_total_differs", "bad_number", "negative_number"):
        assert kind in problems


def test_staffing_needs_facilities_and_a_key(district, tmp_path, capsys):
    paths, fac, staffing = district
    with pytest.raises(InputError, match="--facilities"):
        import_files(Project(), **paths, staffing=staffing)
    nokey = tmp_path / "nokey.csv"
    nokey.write_text("perawat,bidan\n1,1\n", "utf-8")
    proj = tmp_path / "p.gpkg"
    code = cli.main(["import", str(proj), "--desa", str(paths["desa"]), "--facilities",
                     str(fac), "--staffing", str(nokey)])
    err = capsys.readouterr().err
    assert code == 1 and "nokey.csv" in err and "--map staffing.name" in err
    assert not proj.exists()


def test_english_messages(district):
    paths, fac, staffing = district
    rep = import_files(Project(), **paths, facilities=[(None, fac)], staffing=staffing,
                       lang="en")
    msg = rep.frame.loc[rep.frame["problem"] == "staffing_no_facility", "message"].iloc[0]
    assert msg == "'PUSTU ENTAH BERANTAH' matches no facility in the project"


def test_real_puskesmas_nakes_by_code_and_by_name(real_malang, tmp_path):
    """The Malang Puskesmas points imported without their nakes columns, then the Kemenkes
    list as a staffing table: every row joins by code; with the codes dropped and the names
    written as "PUSKESMAS <name>", every row joins by name, each to the same facility."""
    csv = pd.read_csv(real_malang / "puskesmas.csv", dtype={"kode_faskes": str})
    no_staff = ["facilities.nurses=", "facilities.midwives=", "facilities.nakes="]
    proj = tmp_path / "m.gpkg"
    assert cli.main(["import", str(proj), "--desa", str(real_malang / "desa.gpkg"),
                     "--kecamatan", str(real_malang / "kecamatan.gpkg"),
                     "--facilities", str(real_malang / "puskesmas.gpkg"),
                     "--map", *no_staff]) == 0
    before = open_project(proj).facilities
    assert before["nurses"].isna().all()
    assert cli.main(["import", str(proj), "--staffing", str(real_malang / "puskesmas.csv")]) == 0
    after = open_project(proj)
    fac = after.facilities.set_index("code")
    want = csv.set_index("kode_faskes")
    assert len(fac) == len(want) == 39
    assert (fac.loc[want.index, "nurses"].to_numpy() == want["perawat"].to_numpy()).all()
    assert (fac.loc[want.index, "midwives"].to_numpy() == want["bidan"].to_numpy()).all()
    assert (fac.loc[want.index, "other_nakes"].to_numpy() == want["nakes_lain"].to_numpy()).all()
    lines = after.import_report[(after.import_report["file"] == "puskesmas.csv")
                                & (after.import_report["row"] > 0)]
    assert len(lines) == 39 and (lines["status"] == "imported").all()

    by_name = tmp_path / "by_name.csv"
    named = csv.drop(columns=["kode_faskes"]).assign(
        nama_faskes="PUSKESMAS " + csv["nama_faskes"].str.upper())
    named.to_csv(by_name, index=False)
    project = open_project(proj)
    for col in ("nurses", "midwives"):
        project.facilities[col] = np.nan
    rep = import_files(project, staffing=by_name)
    fac = project.facilities.set_index("code")
    assert (fac.loc[want.index, "nurses"].to_numpy() == want["perawat"].to_numpy()).all()
    lines = rep.frame[(rep.frame["file"] == "by_name.csv") & (rep.frame["row"] > 0)]
    assert len(lines) == 39 and (lines["status"] == "imported").all()


@pytest.fixture
def real_sarolangun():
    from tests.conftest import REAL_DATA

    folder = REAL_DATA / "kabupaten_sarolangun"
    if not (folder / "desa.gpkg").exists():
        pytest.skip("real public data (../shared/real_data/kabupaten_sarolangun) is not present")
    return folder


def test_real_sarolangun_duplicate_code_is_two_rows_for_one_facility(real_sarolangun):
    """PELAWAN is listed twice with one code (PROVENANCE.md): the facility import keeps one,
    the staffing join reports the second row; the other 12 rows join by code."""
    project = Project()
    import_files(project, desa=real_sarolangun / "desa.gpkg",
                 facilities=[(None, real_sarolangun / "puskesmas.gpkg")],
                 mappings={"facilities": {"nurses": "", "midwives": "", "nakes": ""}})
    assert project.facilities["nurses"].isna().all()
    rep = import_files(project, staffing=real_sarolangun / "puskesmas.csv")
    csv = pd.read_csv(real_sarolangun / "puskesmas.csv", dtype={"kode_faskes": str})
    lines = rep.frame[(rep.frame["file"] == "puskesmas.csv") & (rep.frame["row"] > 0)]
    assert len(lines) == len(csv) == 13
    assert lines["problem"].eq("duplicate_staffing_row").sum() == 1
    assert (lines["status"] == "imported").sum() == 12
    fac = project.facilities.set_index("code")
    want = csv.drop_duplicates("kode_faskes").set_index("kode_faskes")
    common = want.index.intersection(fac.index)
    assert len(common) == len(fac)
    assert (fac.loc[common, "nurses"].to_numpy() == want.loc[common, "perawat"].to_numpy()).all()
