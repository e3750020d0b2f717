"""The project remembers which files it was imported from (the reports' "data sources")."""

from __future__ import annotations

from pathlib import Path

from ilp_gis.project import Project
from layers.importing import import_files

SOURCES = Path(__file__).resolve().parents[2] / "sample_data" / "sources"


def test_import_records_each_source_file_with_its_date():
    project = Project()
    import_files(project, kecamatan=SOURCES / "batas_kecamatan.geojson",
                 facilities=[("puskesmas", SOURCES / "puskesmas.xlsx")])
    entries = project.meta_json("sources_json")
    assert {(e["role"], e["file"]) for e in entries} == {
        ("kecamatan", "batas_kecamatan.geojson"), ("facilities", "puskesmas.xlsx")}
    assert all(len(e["date"]) == 10 and e["imported"] for e in entries)
    # importing the same file again replaces its entry instead of adding a second one
    import_files(project, kecamatan=SOURCES / "batas_kecamatan.geojson")
    assert len(project.meta_json("sources_json")) == 2
