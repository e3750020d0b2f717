"""Column detection for the header families Indonesian data comes with."""

from __future__ import annotations

import pytest

from ilp_gis.errors import InputError
from layers.columns import ColumnMapping, detect_columns, norm_header, parse_map_options


def test_norm_header():
    assert norm_header(" Nama  Desa ") == "nama_desa"
    assert norm_header("lat_") == "lat"
    assert norm_header("JUMLAH-PENDUDUK (jiwa)") == "jumlah_penduduk_jiwa"


def test_big_rbi_desa():
    m = detect_columns(["OBJECTID", "NAMOBJ", "WADMKD", "WADMKC", "WADMKK", "KDEPUM", "KDEBPS",
                        "KDCPUM", "LUASWH"], "desa")
    assert m.fields["name"] == "WADMKD"
    assert m.fields["code"] == "KDEPUM" and m.systems["code"] == "kemendagri"
    assert m.fields["code_bps"] == "KDEBPS" and m.systems["code_bps"] == "bps"
    assert m.fields["kecamatan_code"] == "KDCPUM"
    assert m.fields["kecamatan_name"] == "WADMKC"
    assert "LUASWH" in m.unused


def test_big_rbi_kecamatan_and_kabupaten():
    assert detect_columns(["NAMOBJ", "KDCPUM", "WADMKK"], "kecamatan").fields == {
        "code": "KDCPUM", "name": "NAMOBJ"}
    kab = detect_columns(["NAMOBJ", "WADMKK", "KDPKAB"], "kabupaten")
    assert kab.fields["name"] == "WADMKK" and kab.fields["code"] == "KDPKAB"


def test_bps_headers():
    m = detect_columns(["iddesa", "nmdesa", "nmkec", "idkec"], "desa")
    assert m.fields == {"code_bps": "iddesa", "name": "nmdesa", "kecamatan_code": "idkec",
                        "kecamatan_name": "nmkec"}
    assert m.systems["code_bps"] == "bps" and m.systems["kecamatan_code"] == "bps"


def test_geoboundaries():
    m = detect_columns(["shapeName", "shapeISO", "shapeID", "shapeGroup", "shapeType"], "desa")
    assert m.fields == {"name": "shapeName"}
    assert "shapeISO" in m.unused  # an ISO code is not an area code of either system


def test_osm():
    m = detect_columns(["osm_id", "name", "amenity", "healthcare", "addr:city"], "facilities")
    assert m.fields["name"] == "name" and m.fields["type"] == "healthcare"
    assert m.fields["code"] == "osm_id"


def test_kemenkes():
    m = detect_columns(["kode_faskes", "nama_faskes", "jenis_faskes", "lat_", "long_",
                        "perawat", "bidan", "tenaga_medis_total"], "facilities")
    assert m.fields == {"code": "kode_faskes", "name": "nama_faskes", "type": "jenis_faskes",
                        "lat": "lat_", "lon": "long_", "nurses": "perawat",
                        "midwives": "bidan", "nakes": "tenaga_medis_total"}


@pytest.mark.parametrize("headers, expected", [
    (["Nama", "Lintang", "Bujur"], {"name": "Nama", "lat": "Lintang", "lon": "Bujur"}),
    (["NAMA", "LATITUDE", "LONGITUDE"], {"name": "NAMA", "lat": "LATITUDE", "lon": "LONGITUDE"}),
    (["nama", "y", "x"], {"name": "nama", "lat": "y", "lon": "x"}),
    (["nama", "lat", "lng"], {"name": "nama", "lat": "lat", "lon": "lng"}),
    (["Nama Posyandu", "Desa", "Strata", "Jumlah Kader", "Pustu Induk"],
     {"name": "Nama Posyandu", "declared_desa": "Desa", "level": "Strata",
      "kader": "Jumlah Kader", "parent": "Pustu Induk"}),
    (["nama", "tipe", "Puskesmas Induk", "nakes", "Tingkat"],
     {"name": "nama", "type": "tipe", "parent": "Puskesmas Induk", "nakes": "nakes",
      "level": "Tingkat"}),
])
def test_free_indonesian_facility_headers(headers, expected):
    assert detect_columns(headers, "facilities").fields == expected


def test_free_indonesian_desa_headers():
    m = detect_columns(["Kode", "Nama Desa", "Kecamatan", "Jumlah Penduduk", "Jumlah Dusun",
                        "Jenis"], "desa")
    assert m.fields == {"code": "Kode", "name": "Nama Desa", "kecamatan_name": "Kecamatan",
                        "population": "Jumlah Penduduk", "dusun_count": "Jumlah Dusun",
                        "kind": "Jenis"}
    assert "code" not in m.systems  # a generic "kode" declares no system


def test_override_and_removal():
    m = detect_columns(["NAMA PKM", "nama", "lat", "lon"], "facilities",
                       {"name": "nama pkm", "lat": "", "lon": "-"})
    assert m.fields == {"name": "NAMA PKM"}
    assert set(m.overridden) == {"name", "lat", "lon"}
    assert ColumnMapping.from_dict(m.to_dict()) == m


def test_override_errors_name_the_fix():
    with pytest.raises(InputError, match="tidak mengenal isian 'nmae'"):
        detect_columns(["nama"], "facilities", {"nmae": "nama"})
    with pytest.raises(InputError, match="kolom 'X' untuk facilities.name tidak ada; kolom yang"):
        detect_columns(["nama"], "facilities", {"name": "X"})


def test_parse_map_options():
    assert parse_map_options(["facilities.name=NAMA PKM", "desa.code = KODE"]) == {
        "facilities": {"name": "NAMA PKM"}, "desa": {"code": "KODE"}}
    with pytest.raises(InputError, match="PERAN.ISIAN=KOLOM"):
        parse_map_options(["name=NAMA"])
    with pytest.raises(InputError, match="peran harus salah satu"):
        parse_map_options(["puskesmas.name=NAMA"])


def test_preview_columns(tmp_path):
    from layers.importing import preview_columns

    path = tmp_path / "f.csv"
    path.write_text("Fasyankes;Lintang;Bujur\nPuskesmas A;-8,1;112,6\n", "utf-8")
    mapping, head = preview_columns(path, "facilities")
    assert mapping.fields == {"lat": "Lintang", "lon": "Bujur"}  # no name column guessed
    mapping, head = preview_columns(path, "facilities", {"name": "fasyankes"})
    assert mapping.fields["name"] == "Fasyankes" and list(head["Lintang"]) == ["-8,1"]


@pytest.mark.parametrize("text, expected, precursor", [
    ("Puskesmas", "puskesmas", False), ("PKM", "puskesmas", False), ("PUSK", "puskesmas", False),
    ("UPT Puskesmas Rawat Inap", "puskesmas", False), ("Puskesmas Pembantu", "pustu", False),
    ("PUSTU", "pustu", False), ("Poskesdes", "pustu", True), ("POLINDES", "pustu", True),
    ("Pos Kesehatan Desa", "pustu", True), ("Posyandu", "posyandu", False),
    ("Posyandu Lansia", "posyandu", False), ("Posbindu", None, False),
    ("Rumah Sakit", None, False), ("Klinik Pratama", None, False), ("", None, False),
    (None, None, False),
])
def test_facility_type_spellings(text, expected, precursor):
    from layers.importing import facility_type, facility_types

    ftype, pre = facility_type(text)
    assert (ftype.value if ftype else None, pre) == (expected, precursor)
    vec, vpre = facility_types([text])
    assert (vec[0], bool(vpre[0])) == (expected, precursor)
