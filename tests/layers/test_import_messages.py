"""Messages that help: a header-only file, points given as desa, a workbook with an instruction
sheet and title rows, one row-numbering rule for CSV and XLSX, and the stale temporaries a
killed save leaves (removed by the next save or open, never anything else)."""

from __future__ import annotations

import os
import time

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point

from ilp_gis.errors import InputError
from ilp_gis.project import Project
from layers import atomic
from layers.importing import import_files
from layers.project_file import open_project, save_project
from tests.layers import import_fixtures as fx
from ui import cli

HEADER = ["kode_faskes", "nama_faskes", "jenis_faskes", "long_", "lat_", "desa"]


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_header_only_file_is_named_in_summary_and_report(tmp_path, capsys):
    fac = tmp_path / "kosong.csv"
    fac.write_text(";".join(HEADER) + "\n", "utf-8")
    good = tmp_path / "faskes.csv"
    good.write_text(fx.csv_text(";"), "utf-8")
    rep_path = tmp_path / "lap.csv"
    code = cli.main(["import", str(tmp_path / "p.gpkg"), "--facilities", str(fac), str(good),
                     "--report", str(rep_path)])
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.err + out.out
    assert "kosong.csv (fasilitas): 0 baris" in out.out
    assert "berkas tidak berisi baris data" in out.out
    report = rep_path.read_text("utf-8-sig")
    assert "kosong.csv" in report and "no_rows" in report
    assert len(open_project(tmp_path / "p.gpkg").facilities) == len(fx.FAC)  # good rows kept


def test_points_as_desa_boundaries(tmp_path):
    pts = gpd.GeoDataFrame({"nama": ["A", "B"]}, geometry=[Point(112.5, -8.0),
                                                        Point(112.6, -8.0)], crs="EPSG:4326")
    path = tmp_path / "desa.geojson"
    pts.to_file(path, driver="GeoJSON")
    before = _listing(tmp_path)
    with pytest.raises(InputError, match="lapisan ini berisi titik; batas desa harus poligon"):
        import_files(Project(), desa=path)
    code = cli.main(["import", str(tmp_path / "p.gpkg"), "--desa", str(path)])
    assert code == 1 and _listing(tmp_path) == before


def _workbook(path, *, instructions=True, titles=2, header=HEADER, rows=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if instructions:
        ws.title = "Petunjuk"
        ws.append(["Isi lembar Data; satu baris satu fasilitas."])
        ws.append(["Koordinat dalam derajat desimal."])
        ws = wb.create_sheet("Data")
    else:
        ws.title = "Data"
    for i in range(titles):
        ws.append([f"DAFTAR FASILITAS KABUPATEN UJI {i}"])
    ws.append(header)
    for r in rows if rows is not None else fx.FAC:
        ws.append([r[0], r[1], r[2], r[3], r[4], r[5]])
    wb.save(path)
    return path


def test_workbook_header_row_and_data_sheet_found(tmp_path):
    path = _workbook(tmp_path / "faskes.xlsx")
    project = Project()
    rep = import_files(project, facilities=[(None, path)])
    assert len(project.facilities) == len(fx.FAC)  # every row kept
    rows = sorted(rep.frame.loc[rep.frame["row"] > 0, "row"])
    assert rows == list(range(4, 4 + len(fx.FAC)))  # the sheet's own rows: header on row 3
    notes = " ".join(rep.frame.loc[rep.frame["row"] == 0, "message"])
    assert "baris 3" in notes and "Data" in notes


def test_csv_and_xlsx_number_rows_alike(tmp_path):
    csv_path = tmp_path / "f.csv"
    csv_path.write_text(fx.csv_text(), "utf-8")
    xlsx = _workbook(tmp_path / "f.xlsx", instructions=False, titles=0)
    for path in (csv_path, xlsx):
        rep = import_files(Project(), facilities=[(None, path)])
        assert sorted(rep.frame.loc[rep.frame["row"] > 0, "row"]) == \
            list(range(2, 2 + len(fx.FAC))), path.name


def test_unknown_headings_point_to_sheet_and_header_row(tmp_path, capsys):
    path = _workbook(tmp_path / "faskes.xlsx", header=["A", "B", "C", "D", "E", "F"])
    before = _listing(tmp_path)
    with pytest.raises(InputError, match="--sheet NAMA dan baris judul dengan --header-row"):
        import_files(Project(), facilities=[(None, path)])
    code = cli.main(["import", str(tmp_path / "p.gpkg"), "--facilities", str(path)])
    out = capsys.readouterr()
    assert code == 1 and "Petunjuk, Data" in out.err and "Traceback" not in out.err
    assert _listing(tmp_path) == before


def test_sheet_and_header_row_options(tmp_path, capsys):
    path = _workbook(tmp_path / "faskes.xlsx", titles=3)
    code = cli.main(["import", str(tmp_path / "p.gpkg"), "--facilities", str(path),
                     "--sheet", "Data", "--header-row", "4"])
    assert code == 0
    assert len(open_project(tmp_path / "p.gpkg").facilities) == len(fx.FAC)
    code = cli.main(["import", str(tmp_path / "q.gpkg"), "--facilities", str(path),
                     "--sheet", "Data", "--header-row", "99"])
    assert code == 1 and "baris judul 99" in capsys.readouterr().err
    assert not (tmp_path / "q.gpkg").exists()


# --- stale temporaries --------------------------------------------------------------------------
def _age(path, seconds=3600):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_killed_save_leftovers_removed_by_next_save_and_open(tmp_path):
    target = tmp_path / "P.gpkg"
    save_project(Project(layers={"desa": fx.desa_frame()}), target)
    dead = 2 ** 22 + 12345  # above the usual pid range: no such process
    stale = [tmp_path / f".P.saving-{dead}-abcd1234.gpkg",
             tmp_path / f".P.saving-{dead}-abcd1234.gpkg-journal",
             tmp_path / ".P.saving-k2j4h5g6.gpkg"]  # an older name without the owner
    keep = [tmp_path / f".P.saving-{os.getppid()}-live0001.gpkg",  # a running process's
            tmp_path / f".P.saving-{dead}-fresh001.gpkg",  # just written: maybe another host
            tmp_path / f".Q.saving-{dead}-other001.gpkg",  # another target
            tmp_path / "P.saving-notours.gpkg", tmp_path / "notes.txt"]
    for p in stale + keep:
        p.write_bytes(b"x" * 100)
        if "fresh" not in p.name:
            _age(p)
    save_project(open_project(target), target)
    for p in stale:
        assert not p.exists(), p.name
    for p in keep:
        assert p.exists(), p.name
    assert target.exists()
    # the same leftovers are removed when the project is only opened
    for p in stale:
        p.write_bytes(b"x")
        _age(p)
    open_project(target)
    assert not any(p.exists() for p in stale)


def test_a_save_in_progress_is_never_touched(tmp_path):
    target = tmp_path / "P.csv"
    seen = []

    def write(tmp):
        tmp.write_text("a", "utf-8")
        _age(tmp)  # looks old, but this process is writing it
        seen.append(atomic.clean_stale_temporaries(target))
        assert tmp.exists()

    atomic.atomic_write(target, write)
    assert seen == [[]] and target.read_text("utf-8") == "a"


def test_all_or_nothing_moves_every_file_or_none(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old", "utf-8")
    with pytest.raises(RuntimeError, match="second write failed"):
        with atomic.all_or_nothing():
            atomic.atomic_write_text(a, "new")
            assert a.read_text("utf-8") == "old"  # not moved yet

            def fail(tmp):
                raise RuntimeError("second write failed")

            atomic.atomic_write(b, fail)
    assert a.read_text("utf-8") == "old" and not b.exists()
    assert _listing(tmp_path) == ["a.csv"]  # no temporary left
    with atomic.all_or_nothing():
        atomic.atomic_write_text(a, "new")
        atomic.atomic_write_text(b, "b")
    assert a.read_text("utf-8") == "new" and b.read_text("utf-8") == "b"
    assert _listing(tmp_path) == ["a.csv", "b.csv"]


def test_import_saves_no_project_when_its_report_fails(tmp_path, capsys, monkeypatch):
    from layers.importing.report import ImportReport

    def broken(self, path):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(ImportReport, "write", broken)
    fac = tmp_path / "faskes.csv"
    fac.write_text(fx.csv_text(), "utf-8")
    before = _listing(tmp_path)
    code = cli.main(["import", str(tmp_path / "p.gpkg"), "--facilities", str(fac),
                     "--report", str(tmp_path / "r.xlsx")])
    out = capsys.readouterr()
    assert code == 1 and "No space left" in out.err and "Traceback" not in out.err
    assert _listing(tmp_path) == before
