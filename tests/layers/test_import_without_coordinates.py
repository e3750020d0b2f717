"""Facility registers without coordinates (issue 12 §1): every row kept, with its location
quality — exact, fixed, desa (known only by its desa) or unknown — and its report line."""

from __future__ import annotations

import pytest

from layers.importing import import_files
from layers.project_file import open_project, save_project
from tests.layers.import_fixtures import desa_frame, kecamatan_frame


@pytest.fixture
def areas(tmp_path):
    desa = tmp_path / "desa.gpkg"
    kec = tmp_path / "kecamatan.gpkg"
    desa_frame().to_file(desa)
    kecamatan_frame().to_file(kec)
    return desa, kec


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_register_without_coordinate_columns_is_imported_by_desa(tmp_path, areas):
    desa, kec = areas
    reg = _write(tmp_path, "posyandu.csv",
                 "nama_posyandu,desa,kecamatan,kader\n"
                 "Posyandu Mawar,Sukamaju,Alpha,5\n"
                 "Posyandu Melati,Sukamaju,Alpha,4\n"
                 "Posyandu Anggrek,35.07.02.2002,,5\n"   # a desa code in the desa column
                 "Posyandu Kenanga,Desa Hilang,Alpha,3\n")  # no such desa
    p = import_files(None, desa=desa, kecamatan=kec, facilities=[("posyandu", reg)])
    proj = p  # ImportReport
    assert proj.facility_counts["posyandu"] == 4  # nothing dropped
    report = proj.frame[(proj.frame["file"] == "posyandu.csv") & (proj.frame["row"] > 0)]
    assert len(report) == 4
    assert (report["status"] == "skipped").sum() == 0
    unknown = report[report["problem"].str.contains("location_unknown", na=False)]
    assert unknown["row"].tolist() == [5]
    assert "Desa Hilang" in unknown["message"].iloc[0]
    assert proj.location_counts == {"exact": 0, "fixed": 0, "desa": 3, "unknown": 1}
    assert "Lokasi fasilitas: 3 hanya desanya diketahui, 1 lokasi tidak diketahui" in \
        proj.summary()


def test_location_quality_and_empty_geometry_survive_the_project_file(tmp_path, areas):
    desa, kec = areas
    reg = _write(tmp_path, "fasilitas.csv",
                 "nama_faskes,jenis_faskes,long_,lat_,desa\n"
                 "Puskesmas Alpha,Puskesmas,112.55,-8.05,Sukamaju\n"     # exact
                 "Pustu Kota Lama,Pustu,-8.05,112.65,Kota Lama\n"       # swapped: fixed
                 "Pustu Tegalrejo,Pustu,,,Tegalrejo\n"                  # empty: by desa
                 "Pustu Sidomulyo,Pustu,abc,def,35.07.02.2001\n"        # unreadable: by desa
                 "Posyandu Tanpa Desa,Posyandu,,,\n")                   # nothing: unknown
    from ilp_gis.project import Project

    project = Project()
    import_files(project, desa=desa, kecamatan=kec, facilities=[(None, reg)])
    fac = project.facilities.set_index("name")
    assert fac["location_quality"].to_dict() == {
        "Puskesmas Alpha": "exact", "Pustu Kota Lama": "fixed", "Pustu Tegalrejo": "desa",
        "Pustu Sidomulyo": "desa", "Posyandu Tanpa Desa": "unknown"}
    assert fac.loc["Pustu Tegalrejo", "desa_code"] == "35.07.02.2002"
    assert fac.loc["Pustu Sidomulyo", "desa_code"] == "35.07.02.2001"
    assert fac.loc["Pustu Tegalrejo", "kecamatan_code"] == "35.07.02"
    # stored at a point inside its desa
    dgeom = desa_frame().set_index("KDEPUM").geometry
    assert dgeom["35.07.02.2002"].contains(fac.loc["Pustu Tegalrejo", "geometry"])
    g = fac.loc["Posyandu Tanpa Desa", "geometry"]
    assert g is None or g.is_empty
    assert fac.loc["Posyandu Tanpa Desa", "desa_code"] is None
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    back = open_project(path).facilities.set_index("name")
    assert back["location_quality"].to_dict() == fac["location_quality"].to_dict()
    g = back.loc["Posyandu Tanpa Desa", "geometry"]
    assert g is None or g.is_empty
    rep = project.layers["import_report"]
    rows = rep[rep["file"] == "fasilitas.csv"].set_index("row")
    assert rows.loc[4, "status"] == "doubtful" and "located_by_desa" in rows.loc[4, "problem"]
    assert rows.loc[6, "status"] == "doubtful" and "location_unknown" in rows.loc[6, "problem"]


def test_no_coordinates_and_no_desa_column_is_refused_with_both_named(tmp_path, areas):
    from ilp_gis.errors import InputError

    desa, kec = areas
    reg = _write(tmp_path, "posyandu.csv", "nama_posyandu,kader\nPosyandu Mawar,5\n")
    with pytest.raises(InputError, match="desa") as err:
        import_files(None, desa=desa, kecamatan=kec, facilities=[("posyandu", reg)])
    assert "posyandu.csv" in str(err.value)
