"""Per-desa tables (``--desa-data``): columns found, rows joined to their desa by code or
name (the real spelling cases of Jambi, a kecamatan split), counts that are not numbers left
missing with a line, every unmatched row, second row and desa without a row reported."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from ilp_gis.errors import InputError
from ilp_gis.project import Project
from layers.importing import import_files

# code, name, kecamatan code, kecamatan name
DESA = [
    ("15.09.01.2001", "Pasar Atas", "15.09.01", "Bangko"),
    ("15.09.01.2002", "Pematang Kandis", "15.09.01", "Bangko"),
    ("15.09.01.1003", "Dusun Bangko", "15.09.01", "Bangko"),
    ("15.09.02.2001", "Muaro Pangi", "15.09.02", "Tabir"),
    ("15.09.02.2002", "Keroya", "15.09.02", "Tabir"),
    ("15.09.02.2003", "Pulau Tujuh", "15.09.02", "Tabir"),
    ("15.09.02.2004", "Kampung Baru", "15.09.02", "Tabir"),
    ("15.09.03.2001", "Sinar Gading", "15.09.03", "Tabir Timur"),
    ("15.09.03.2002", "Rantau Limau", "15.09.03", "Tabir Timur"),
]

TABLE = """kode_bps_2019,nama_desa,kecamatan,jumlah_pustu,jumlah_posyandu,jumlah_dusun,jumlah_kk
1509010001,PASAR ATAS BANGKO,BANGKO,1,3,4,500
1509010002,PEMATANG KANDIS,BANGKO,0,2,3,300
1509020001,MUARA PANGI,TABIR,2 buah,1,2,200
1509020002,K E R O Y A,TABIR,-,2,3,150
1509020003,PulauTujuh,TABIR,dua,1,,120
1509020004,KAMPUNG BARU,TABIR,-1,0,2,100
1509020005,SINAR GADING,TABIR,1,2,2,90
1509020006,DESA ENTAH,TABIR,1,1,1,10
1509020007,Kampung Baru,TABIR,1,1,1,10
"""


def _desa_file(tmp_path, *, bps=None):
    cols = {"KDEPUM": [d[0] for d in DESA], "WADMKD": [d[1] for d in DESA],
            "KDCPUM": [d[2] for d in DESA], "WADMKC": [d[3] for d in DESA]}
    if bps is not None:
        cols["KDEBPS"] = bps
    geoms = [box(102 + 0.1 * i, -2.1, 102.1 + 0.1 * i, -2.0) for i in range(len(DESA))]
    path = tmp_path / "desa.gpkg"
    gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:4326").to_file(path)
    return path


def _table(tmp_path, text=TABLE, name="podes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(tmp_path, table, **kw):
    project = Project()
    report = import_files(project, desa=_desa_file(tmp_path, bps=kw.pop("bps", None)),
                          desa_data=[table], **kw)
    lines = report.frame[report.frame["role"] == "desa_data"]
    return project, lines


def _line(lines, row):
    got = lines[lines["row"] == row]
    assert len(got) == 1
    return got.iloc[0]


def _desa(project, code):
    d = project.desa
    return d[d["code"] == code].iloc[0]


def test_names_join_within_the_kecamatan_one_to_one_and_reported(tmp_path):
    project, lines = _import(tmp_path, _table(tmp_path))
    expect = {  # spreadsheet row -> (desa, status, problem)
        2: ("15.09.01.2001", "doubtful", "desa_name_fuzzy"),      # Pasar Atas Bangko
        3: ("15.09.01.2002", "imported", None),
        4: ("15.09.02.2001", "doubtful", "desa_name_fuzzy"),      # Muara Pangi
        5: ("15.09.02.2002", "fixed", "desa_name_spelling"),      # K E R O Y A
        6: ("15.09.02.2003", "fixed", "desa_name_spelling"),      # PulauTujuh
        7: ("15.09.02.2004", "fixed", None),                      # Kampung Baru (count -1)
        8: ("15.09.03.2001", "doubtful", "desa_other_kecamatan"),  # Tabir -> Tabir Timur
    }
    src = project.desa.set_index("code")["desa_data_source"]
    for row, (code, status, problem) in expect.items():
        line = _line(lines, row)
        assert line["status"] == status
        if problem is not None:
            assert problem in str(line["problem"]).split(";")
        assert src[code] == "podes.csv"
    # the named desa of each reported match appears in its message
    assert "Pasar Atas (15.09.01.2001" in _line(lines, 2)["message"]
    assert "Tabir Timur" in _line(lines, 8)["message"]
    unknown = _line(lines, 9)
    assert (unknown["status"], unknown["problem"]) == ("skipped", "desa_not_found")
    second = _line(lines, 10)
    assert (second["status"], second["problem"]) == ("skipped", "duplicate_desa_row")
    assert "baris 7" in second["message"]
    without = lines[(lines["row"] == 0) & (lines["problem"] == "desa_without_row")]
    assert sorted(m.split(" (")[0].removeprefix("desa ") for m in without["message"]) == [
        "Dusun Bangko", "Rantau Limau"]
    # the BPS codes were not converted: said once, then joined by name
    assert (lines["problem"] == "code_system_absent").sum() == 1


def test_counts_that_are_not_numbers_stay_missing_with_a_line(tmp_path):
    project, lines = _import(tmp_path, _table(tmp_path))
    assert _desa(project, "15.09.01.2001")["count_pustu"] == 1
    assert _desa(project, "15.09.01.2002")["count_pustu"] == 0  # the cell says 0
    for code, row, kind in (("15.09.02.2001", 4, "count_text"),     # "2 buah"
                            ("15.09.02.2002", 5, "count_dash"),     # "-"
                            ("15.09.02.2003", 6, "count_text"),     # "dua"
                            ("15.09.02.2004", 7, "count_negative")):  # -1
        assert np.isnan(_desa(project, code)["count_pustu"])
        assert kind in _line(lines, row)["problem"].split(";")
    assert np.isnan(_desa(project, "15.09.02.2003")["dusun_count"])  # blank
    assert "count_blank" in _line(lines, 6)["problem"].split(";")
    assert _desa(project, "15.09.02.2004")["count_posyandu"] == 0
    assert _desa(project, "15.09.01.2001")["families"] == 500
    # a desa without a row keeps no figure at all (missing, never 0)
    assert np.isnan(_desa(project, "15.09.01.1003")["count_posyandu"])
    assert pd.isna(_desa(project, "15.09.01.1003")["desa_data_source"])


def test_codes_join_in_their_own_system_never_converted(tmp_path):
    bps = ["1509010001", "1509010002", None, None, None, None, None, None, None]
    table = _table(tmp_path, "kode,kode_bps,nama,jumlah_posyandu\n"
                             "15.09.02.2002,,Nama Lain,4\n"      # Kemendagri, name ignored
                             "1509022003,,Salah,5\n"             # Kemendagri without dots
                             ",1509010002,Salah Juga,6\n"        # BPS code of the layer
                             ",1509020004,Kampung Baru,7\n")     # BPS code unknown: by name
    project, lines = _import(tmp_path, table, bps=bps)
    assert _desa(project, "15.09.02.2002")["count_posyandu"] == 4
    assert _desa(project, "15.09.02.2003")["count_posyandu"] == 5
    assert _desa(project, "15.09.01.2002")["count_posyandu"] == 6
    assert _desa(project, "15.09.02.2004")["count_posyandu"] == 7
    assert _line(lines, 5)["problem"] == "desa_code_unknown"
    assert _line(lines, 5)["status"] == "doubtful"


def test_map_overrides_a_column_and_xlsx_is_read(tmp_path):
    frame = pd.DataFrame({"Desa": ["Keroya", "Pulau Tujuh"], "Kec": ["Tabir", "Tabir"],
                          "Pos": [3, 0], "Jumlah Posyandu": [9, 9]})
    path = tmp_path / "rekap.xlsx"
    frame.to_excel(path, index=False)
    project, lines = _import(tmp_path, path, mappings={"desa_data": {
        "count_posyandu": "Pos", "kecamatan_name": "Kec"}})
    assert _desa(project, "15.09.02.2002")["count_posyandu"] == 3
    assert _desa(project, "15.09.02.2003")["count_posyandu"] == 0
    assert (lines.loc[lines["row"] > 0, "status"] == "imported").all()


def test_a_table_without_desa_layer_or_key_fails_and_changes_nothing(tmp_path):
    with pytest.raises(InputError, match="batas desa"):
        import_files(Project(), desa_data=[_table(tmp_path)])
    project = Project()
    import_files(project, desa=_desa_file(tmp_path))
    before = project.desa.copy()
    bad = _table(tmp_path, "warna,jumlah_posyandu\nmerah,1\n", name="bad.csv")
    with pytest.raises(InputError, match="kode atau nama desa"):
        import_files(project, desa_data=[bad])
    pd.testing.assert_frame_equal(pd.DataFrame(project.desa.drop(columns="geometry")),
                                  pd.DataFrame(before.drop(columns="geometry")))


def test_cli_import_with_desa_data(tmp_path, capsys):
    from ui.cli import main

    target = tmp_path / "p.gpkg"
    rc = main(["import", str(target), "--desa", str(_desa_file(tmp_path)),
               "--desa-data", str(_table(tmp_path)), "--map",
               "desa_data.dusun_count=jumlah_dusun"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "podes.csv (tabel per desa): 9 baris" in out
    assert target.exists()
    rc = main(["analyze", str(target), "--out", str(tmp_path / "hasil")])
    assert rc == 0
    out = capsys.readouterr().out
    # 7 desa joined, 3 of them with a Pustu count that reads as a number
    assert "Pustu: jumlah dari tabel per desa di 3 desa, dari daftar fasilitas di 0 desa" in out
    # 6 desa with both a dusun and a Posyandu count: (3+2+1+2+0+2) / (4+3+2+3+2+2)
    assert "Posyandu per dusun/RW: 0,62 (10 Posyandu / 16; dasar, desa: jumlah dusun 6)" in out


def test_summary_shows_a_few_desa_without_row_and_counts_the_rest(tmp_path, monkeypatch):
    from layers.importing import report as report_module

    monkeypatch.setattr(report_module, "SUMMARY_NOTES_PER_KIND", 3)
    table = _table(tmp_path, "kode_desa,jumlah_posyandu\n15.09.01.2001,2\n")
    project = Project()
    rep = import_files(project, desa=_desa_file(tmp_path), desa_data=[table])
    lines = rep.frame[(rep.frame["problem"] == "desa_without_row")]
    assert len(lines) == 8  # every desa without a row is in the report
    text = rep.summary()
    assert text.count("tidak punya baris di tabel ini") == 3
    assert "… dan 5 baris lagi seperti itu" in text


def test_a_kabupaten_column_narrows_names_that_repeat_across_kabupaten(tmp_path):
    rows = [("15.09.02.2004", "Kampung Baru", "15.09.02", "Tabir"),
            ("15.10.02.2001", "Kampung Baru", "15.10.02", "Tabir")]
    desa = gpd.GeoDataFrame({"KDEPUM": [r[0] for r in rows], "WADMKD": [r[1] for r in rows],
                             "KDCPUM": [r[2] for r in rows], "WADMKC": [r[3] for r in rows]},
                            geometry=[box(102, -2.1, 102.1, -2.0), box(103, -2.1, 103.1, -2.0)],
                            crs="EPSG:4326")
    kab = gpd.GeoDataFrame({"kode": ["15.09", "15.10"], "nama": ["Kabupaten Merangin",
                                                                 "Kabupaten Tebo"]},
                           geometry=[box(101.9, -2.2, 102.2, -1.9), box(102.9, -2.2, 103.2, -1.9)],
                           crs="EPSG:4326")
    desa.to_file(tmp_path / "desa.gpkg")
    kab.to_file(tmp_path / "kab.gpkg")
    with_kab = _table(tmp_path, "kabupaten,kecamatan,desa,jumlah_posyandu\n"
                                "TEBO,TABIR,KAMPUNG BARU,5\n", name="kab.csv")
    without = _table(tmp_path, "kecamatan,desa,jumlah_posyandu\nTABIR,KAMPUNG BARU,6\n",
                     name="nokab.csv")
    project = Project()
    rep = import_files(project, kabupaten=tmp_path / "kab.gpkg", desa=tmp_path / "desa.gpkg",
                       desa_data=[with_kab, without])
    d = project.desa.set_index("code")["count_posyandu"]
    assert d["15.10.02.2001"] == 5 and np.isnan(d["15.09.02.2004"])
    line = rep.frame[(rep.frame["file"] == "nokab.csv") & (rep.frame["row"] == 2)].iloc[0]
    assert (line["status"], line["problem"]) == ("skipped", "desa_ambiguous")


def test_a_row_of_a_kecamatan_the_layer_lacks_is_not_joined_by_name_alone(tmp_path):
    table = _table(tmp_path, "kecamatan,desa,jumlah_posyandu\nANTAH BERANTAH,Keroya,3\n"
                             "Tabr,Keroya,4\n")  # a misspelt kecamatan is read as Tabir
    project, lines = _import(tmp_path, table)
    assert _desa(project, "15.09.02.2002")["count_posyandu"] == 4
    assert _line(lines, 2)["problem"] == "desa_not_found"
    files = lines[lines["row"] == 0]
    assert "kecamatan_not_found" in set(files["problem"])
    assert "kecamatan_name_fuzzy" in set(files["problem"])
