"""``ilp-gis import``: creates/updates a project, prints the summary, exit codes 0/1/2."""

from __future__ import annotations

import pytest

from layers.project_file import open_project
from tests.layers import import_fixtures as fx
from ui import cli
from ui.cli_import import split_facility_arg


@pytest.fixture
def files(tmp_path):
    desa = tmp_path / "desa.gpkg"
    fx.desa_frame().to_file(desa)
    kec = tmp_path / "kecamatan.geojson"
    fx.kecamatan_frame().to_file(kec, driver="GeoJSON")
    fac = tmp_path / "faskes.csv"
    fac.write_text(fx.csv_text(";"), "utf-8-sig")
    posy = tmp_path / "posyandu.csv"
    posy.write_text("nama;lintang;bujur;kader\nPosyandu Anggrek;-7,95;112,56;4\n", "utf-8")
    return tmp_path, desa, kec, fac, posy


def test_import_creates_then_updates(files, capsys):
    tmp, desa, kec, fac, posy = files
    proj = tmp / "proyek.gpkg"
    code = cli.main(["import", str(proj), "--desa", str(desa), "--kecamatan", str(kec),
                     "--facilities", str(fac), "--report", str(tmp / "lap.xlsx")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Ringkasan impor" in out and "faskes.csv (fasilitas): 6 baris" in out
    p = open_project(proj)
    assert len(p.desa) == 4 and len(p.facilities) == 6
    assert (tmp / "lap.xlsx").exists()
    # update: posyandu from another file replace only posyandu
    code = cli.main(["--lang", "en", "import", str(proj), "--facilities",
                     f"posyandu={posy}", "--map", "facilities.kader=kader",
                     "--report", str(tmp / "lap.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "Import summary" in out
    p = open_project(proj)
    assert sorted(p.facilities["type"].value_counts().items()) == [
        ("posyandu", 1), ("puskesmas", 2), ("pustu", 2)]
    new = p.facilities[p.facilities["type"] == "posyandu"].iloc[0]
    assert new["desa_code"] == "35.07.02.2001" and new["kader"] == 4
    files_in_report = set(p.import_report["file"])
    assert files_in_report == {"desa.gpkg", "kecamatan.geojson", "faskes.csv", "posyandu.csv"}


def test_bad_input_exit_1(files, capsys):
    tmp, *_ = files
    code = cli.main(["import", str(tmp / "p.gpkg"), "--desa", str(tmp / "tidak_ada.shp")])
    err = capsys.readouterr().err
    assert code == 1 and "tidak ditemukan" in err
    code = cli.main(["import", str(tmp / "p.gpkg"), "--desa", str(tmp / "desa.gpkg"),
                     "--map", "desa.nama"])
    assert code == 1 and "PERAN.ISIAN=KOLOM" in capsys.readouterr().err
    code = cli.main(["import", str(tmp / "p.txt"), "--desa", str(tmp / "desa.gpkg")])
    assert code == 1 and ".gpkg" in capsys.readouterr().err
    assert not (tmp / "p.gpkg").exists()


def test_usage_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["import"])
    assert exc.value.code == 2


@pytest.mark.parametrize("arg, expected", [
    ("pustu=data/pustu.csv", ("pustu", "data/pustu.csv")),
    ("data/pustu.csv", (None, "data/pustu.csv")),
    ("C:\\data\\a=b.csv", (None, "C:\\data\\a=b.csv")),
    ("Poskesdes=x.xlsx", ("Poskesdes", "x.xlsx")),
])
def test_split_facility_arg(arg, expected):
    assert split_facility_arg(arg) == expected
