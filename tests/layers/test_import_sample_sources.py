"""End to end: the sample's raw sources (with their deliberate defects) import, and every defect
listed in DEFECTS.csv has its line in the import report."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ilp_gis.project import Project
from layers.importing import import_files

SOURCES = Path(__file__).resolve().parents[2] / "sample_data" / "sources"

# DEFECTS.csv kind -> the problem kinds the importer reports for it
EXPECTED = {
    "code_without_dots": {"code_dots_added"},
    "code_lost_leading_zeros": {"code_padded"},
    "swapped_coordinates": {"swapped_coordinates"},
    "comma_decimal_text": {"comma_decimal"},
    "dms_coordinates": {"dms"},
    "zero_coordinates": {"zero_coordinates"},
    "duplicate": {"duplicate_facility", "possible_duplicate"},
    "orphan": {"parent_not_found"},
    "outside_district": {"outside_boundaries", "outside_study_area"},
    "unknown_type": {"unknown_type"},
    "precursor_type": {"pustu_precursor"},
}


@pytest.fixture(scope="module")
def imported():
    if not (SOURCES / "DEFECTS.csv").exists():
        pytest.skip("sample sources not present")
    project = Project()
    fac = [(None, SOURCES / n) for n in ("puskesmas.xlsx", "puskesmas.csv", "pustu.csv",
                                         "posyandu.csv") if (SOURCES / n).exists()]
    rep = import_files(project, kabupaten=SOURCES / "batas_kabupaten.geojson",
                       kecamatan=SOURCES / "batas_kecamatan.geojson",
                       desa=SOURCES / "batas_desa.geojson", roads=SOURCES / "jalan.geojson",
                       facilities=fac)
    return project, rep


def test_every_listed_defect_is_reported(imported):
    _, rep = imported
    frame = rep.frame
    files = set(frame["file"])
    missing = []
    with open(SOURCES / "DEFECTS.csv", encoding="utf-8") as fh:
        for d in csv.DictReader(fh):
            if d["file"] not in files:
                continue  # e.g. the budget sheet (read by the planning module)
            line = frame[(frame["file"] == d["file"]) & (frame["row"] == int(d["row"]))]
            assert len(line) == 1, d
            kinds = set(str(line["problem"].iloc[0]).split(";"))
            if line["status"].iloc[0] == "imported" or not kinds & EXPECTED[d["kind"]]:
                missing.append((d["file"], d["row"], d["kind"], line["problem"].iloc[0]))
    assert not missing


def test_counts_match_the_files(imported):
    project, rep = imported
    import geopandas as gpd

    for role, name in (("desa", "batas_desa"), ("kecamatan", "batas_kecamatan"),
                       ("kabupaten", "batas_kabupaten")):
        held = len(gpd.read_file(SOURCES / f"{name}.geojson"))
        assert len(project.layer(role)) == held
    data = rep.frame[rep.frame["row"] > 0]
    fac_lines = data[data["role"] == "facilities"]
    assert len(project.facilities) == (fac_lines["status"] != "skipped").sum()
    assert project.facilities["fac_id"].is_unique
    # the Posyandu parent names resolve to facility ids (except the listed orphans)
    pos = project.facilities[project.facilities["type"] == "posyandu"]
    named = pos[pos["parent_name"].notna()]
    assert len(named) > 0.9 * len(pos)
    assert named["parent_id"].isna().sum() == 2  # the two orphans listed in DEFECTS.csv
    # almost every facility lies in a desa
    assert project.facilities["desa_code"].notna().mean() > 0.99
    assert "desa" in project.meta_json("column_mappings_json")["batas_desa.geojson"]["role"]

