"""The faster import paths keep the results: the roads file read in a background thread (same
layer, report lines, progress order and errors; cancelling leaves no thread behind), the report
stored as built, generated ids, parent matching by name."""

from __future__ import annotations

import threading

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from ilp_gis import model
from ilp_gis.errors import Cancelled, InputError
from ilp_gis.i18n import language
from ilp_gis.project import Project
from layers.importing import cells, import_files
from layers.importing.ids import _fac_ids
from layers.importing.report import _FileLog
from layers.importing.roads import _read_roads
from tests.layers import import_fixtures as fx


def _roads_frame() -> gpd.GeoDataFrame:
    lines = [LineString([(112.52, -8.05), (112.68, -8.05)]),
             LineString([(112.55, -8.09), (112.55, -7.91)]),
             Point(112.6, -8.0)]  # not a line: skipped with a report line
    return gpd.GeoDataFrame({"FUNGSI": ["Jalan Lokal", "Jalan Kabupaten", "Lokal"],
                             "NAMA": ["Jl. Raya", None, "Titik"]},
                            geometry=lines, crs="EPSG:4326")


def _files(tmp_path, *, utm_roads=False, bad_roads=False, bad_facilities=False):
    desa = tmp_path / "desa.gpkg"
    fx.desa_frame().to_file(desa, driver="GPKG")
    roads = tmp_path / "jalan.gpkg"
    if bad_roads:
        roads.write_bytes(b"this is not a GeoPackage")
    else:
        frame = _roads_frame()
        (frame.to_crs("EPSG:32749") if utm_roads else frame).to_file(roads, driver="GPKG")
    fac = tmp_path / "faskes.csv"
    fac.write_text("nama;alamat\nx;y\n" if bad_facilities else fx.csv_text(),
                   encoding="utf-8")
    return desa, roads, fac


def _run(desa, roads, fac, **kw):
    project = Project()
    messages: list[str] = []
    report = import_files(project, desa=desa, roads=roads, facilities=[(None, fac)],
                          lang="en", progress=lambda f, m=None: messages.append(m), **kw)
    return project, report, messages


def _no_roads_thread() -> bool:
    """The roads thread has done its work (it may still be returning: give it a moment)."""
    for t in threading.enumerate():
        if t.name == "ilp-roads":
            t.join(timeout=5)
    return not any(t.name == "ilp-roads" and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize("utm", [False, True])
def test_threaded_roads_equal_sequential_read(tmp_path, utm):
    desa, roads, fac = _files(tmp_path, utm_roads=utm)  # UTM: reprojected inside the thread
    project, report, messages = _run(desa, roads, fac)
    with language("en"):
        expected, _ = _read_roads(roads, None, logs := [])
    expected = project.layers["roads"].__class__(expected)
    got = project.layers["roads"]
    assert len(got) == 2
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(model.conform(
                                      expected, model.LAYERS["roads"]
                                  ).drop(columns="geometry")))
    assert got.geometry.geom_equals_exact(expected.geometry, 1e-9).all()
    # report lines in file order: desa, roads, facilities; the point row skipped
    files = list(dict.fromkeys(report.frame["file"]))
    assert files == ["desa.gpkg", "jalan.gpkg", "faskes.csv"]
    road_lines = report.frame[report.frame["file"] == "jalan.gpkg"]
    assert list(road_lines["status"]) == list(logs[0].frame()["status"])
    assert road_lines.loc[road_lines["row"] == 3, "problem"].item() == "not_line"
    # progress in the sequential order, from the importing thread
    reading = [m for m in messages if m and m.startswith("Reading")]
    assert reading == ["Reading desa.gpkg", "Reading jalan.gpkg", "Reading faskes.csv"]
    assert list(report.mappings) == ["desa.gpkg", "jalan.gpkg", "faskes.csv"]
    assert _no_roads_thread()


def test_roads_error_is_the_readers_error(tmp_path):
    desa, roads, fac = _files(tmp_path, bad_roads=True)
    with pytest.raises(InputError) as caught:
        _run(desa, roads, fac)
    assert caught.value.file == "jalan.gpkg"
    assert _no_roads_thread()


def test_roads_error_comes_before_a_later_facility_error(tmp_path):
    desa, roads, fac = _files(tmp_path, bad_roads=True, bad_facilities=True)
    project = Project()
    with pytest.raises(InputError) as caught:
        import_files(project, desa=desa, roads=roads, facilities=[(None, fac)], lang="en")
    assert caught.value.file == "jalan.gpkg"  # the roads' turn comes first
    assert "roads" not in project.layers
    assert _no_roads_thread()


def test_facility_error_after_good_roads_keeps_roads(tmp_path):
    desa, roads, fac = _files(tmp_path, bad_facilities=True)
    project = Project()
    with pytest.raises(InputError) as caught:
        import_files(project, desa=desa, roads=roads, facilities=[(None, fac)], lang="en")
    assert caught.value.file == "faskes.csv"
    assert len(project.layers["roads"]) == 2  # as a sequential read leaves the project
    assert _no_roads_thread()


@pytest.mark.parametrize("after", ["Reading desa.gpkg", "Reading jalan.gpkg",
                                   "Reading faskes.csv"])
def test_cancel_stops_the_roads_thread(tmp_path, after):
    desa, roads, fac = _files(tmp_path)
    seen: list[str] = []

    def progress(_f, m=None):
        seen.append(m)

    with pytest.raises(Cancelled):
        import_files(Project(), desa=desa, roads=roads, facilities=[(None, fac)], lang="en",
                     progress=progress, is_cancelled=lambda: after in seen)
    assert _no_roads_thread()


def test_report_frame_is_stored_as_its_spec_makes_it(tmp_path):
    """The import report is built to model.IMPORT_REPORT and stored without conforming: it must
    be exactly what conforming would make of it (columns, dtypes, None for missing text)."""
    from ilp_gis import model

    desa, roads, fac = _files(tmp_path)
    rows = list(fx.FAC) + [("", "Pustu Tukar", "Pustu", -7.95, 112.65, "Tegalrejo"),
                           ("", "Posyandu Nol", "Posyandu", 0, 0, "Zzz")]
    fac.write_text(fx.csv_text(rows=rows), encoding="utf-8")
    project, report, _ = _run(desa, roads, fac)
    frame = project.layers["import_report"]
    assert frame is report.frame
    again = model.conform(frame, model.IMPORT_REPORT)
    pd.testing.assert_frame_equal(frame, again, check_exact=True)
    for col in ("file", "role", "status", "problem", "message", "original"):
        assert frame[col].dtype == object
        values = frame[col].to_numpy()
        assert all(v is None or isinstance(v, str) for v in values), col
    assert set(frame["status"]) >= {"imported", "fixed", "skipped"}
    # a second import of one file replaces that file's lines (conformed path)
    report2 = import_files(project, facilities=[(None, fac)], lang="en")
    stored = project.layers["import_report"]
    assert list(dict.fromkeys(stored["file"])) == ["desa.gpkg", "jalan.gpkg", "faskes.csv"]
    assert len(stored) == len(frame)
    assert set(report2.frame["file"]) == {"faskes.csv"}


def test_generated_ids_are_the_documented_hash():
    """Generated facility ids stay ``TYP-`` + sha1(type|lower(name)|lon·1e5|lat·1e5)[:10], the
    name lowered as pandas' string dtype lowers it (non-ASCII names included); duplicate
    codes get -2, -3."""
    import hashlib

    import numpy as np

    names = ["Posyandu Mawar", "PUSTU ÇİĞDEM Σ", "Posyandu Straße", "Pkm Alpha", "Pustu X"]
    fac = pd.DataFrame({
        "code": pd.Series([None, None, None, "P1", "P1"], dtype=object),
        "type": pd.Series(["posyandu", "pustu", "posyandu", "puskesmas", "pustu"],
                          dtype=object),
        "name": pd.Series(names, dtype=object),
        "_lon": [112.123456, 112.5, 112.7, 112.1, 112.2],
        "_lat": [-7.987654, -7.5, -7.7, -7.1, -7.2],
        "_file": [0] * 5, "_pos": np.arange(5)})
    log = _FileLog("f.csv", "facilities", np.arange(1, 6))
    with language("en"):
        ids = _fac_ids(fac, [log], set())
    lowered = pd.Series(names).astype(str).str.lower()
    for i in range(3):
        key = (f"{fac['type'][i]}|{lowered[i]}|{round(fac['_lon'][i] * 1e5)}|"
               f"{round(fac['_lat'][i] * 1e5)}")
        want = fac["type"][i][:3].upper() + "-" + hashlib.sha1(key.encode()).hexdigest()[:10]
        assert ids[i] == want
    assert ids[3:] == ["P1", "P1-2"]
    assert log.entries[4][0][1] == "duplicate_code"


def test_parent_by_name_nearest_and_ambiguous(tmp_path):
    """A parent written by name: the facility of a parent tier with that name in the same
    kecamatan, the nearest when several share it (reported as ambiguous), else the nearest
    anywhere; a point outside every desa matches parents outside too."""
    desa = tmp_path / "desa.gpkg"
    fx.desa_frame().to_file(desa, driver="GPKG")
    header = ["kode_faskes", "nama_faskes", "jenis_faskes", "long_", "lat_", "induk"]
    rows = [
        ["PA1", "Puskesmas Alpha", "Puskesmas", 112.52, -8.08, ""],      # Sukamaju (Alpha)
        ["PA2", "Puskesmas Alpha", "Puskesmas", 112.68, -8.02, ""],      # Kota Lama (Alpha)
        ["PB1", "Puskesmas Beta", "Puskesmas", 112.55, -7.95, ""],       # Sidomulyo (Beta)
        ["", "Pustu Satu", "Pustu", 112.66, -8.03, "PUSKESMAS alpha"],   # nearer PA2
        ["", "Pustu Dua", "Pustu", 112.53, -8.07, "Puskesmas Alpha"],    # nearer PA1
        ["", "Pustu Tiga", "Pustu", 112.65, -7.95, "Puskesmas Beta"],    # Tegalrejo (Beta)
        ["", "Posyandu Satu", "Posyandu", 112.661, -8.031, "Pustu Satu"],
        ["", "Posyandu Jauh", "Posyandu", 112.9, -8.3, "Puskesmas Beta"],  # outside every desa
        ["", "Posyandu Hilang", "Posyandu", 112.56, -8.04, "Pustu Entah"],
        ["", "Pustu Kode", "Pustu", 112.62, -8.06, "PB1"],                # by code
    ]
    fac = tmp_path / "faskes.csv"
    fac.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n",
                   encoding="utf-8")
    project = Project()
    report = import_files(project, desa=desa, facilities=[(None, fac)], lang="en")
    f = project.layers["facilities"].set_index("name")
    ids = f["fac_id"]
    assert f.loc["Pustu Satu", "parent_id"] == "PA2"
    assert f.loc["Pustu Dua", "parent_id"] == "PA1"
    assert f.loc["Pustu Tiga", "parent_id"] == "PB1"
    assert f.loc["Posyandu Satu", "parent_id"] == ids["Pustu Satu"]
    assert f.loc["Posyandu Jauh", "parent_id"] == "PB1"  # no kecamatan: the name anywhere
    assert f.loc["Posyandu Hilang", "parent_id"] is None
    assert f.loc["Pustu Kode", "parent_id"] == "PB1"
    lines = report.frame[report.frame["file"] == "faskes.csv"].set_index("row")
    assert lines.loc[5, "problem"] == "parent_ambiguous"  # spreadsheet rows: header row 1
    assert lines.loc[6, "problem"] == "parent_ambiguous"
    assert "parent" not in str(lines.loc[7, "problem"])
    assert lines.loc[10, "problem"] == "parent_not_found"


@pytest.mark.parametrize("name", ["boolean", "date", "level"])
def test_cell_readers_by_distinct_value_equal_reading_each_row(name):
    """Yes/no, date and Posyandu-level columns are read once per distinct value: the same
    values and report lines as reading row by row with a cache of equal values (missing cells,
    1 == 1.0 == True, NaN included)."""
    import datetime as dt

    import numpy as np

    values = ["ya", "Tidak", None, float("nan"), "x", 1, True, 1.0, "ya", "", " ya ",
              dt.date(2020, 1, 2), np.nan, "2024-03-01", "31/12/2023", "Madya", "strata 3"]
    fn = {"boolean": cells._boolean, "date": cells._date, "level": cells._level}[name]
    reader = {"boolean": cells._booleans, "date": cells._dates,
              "level": cells._levels}[name]
    args = () if name == "level" else ("kolom",)
    rows = np.arange(1, len(values) + 1)
    got_log = _FileLog("f.csv", "facilities", rows)
    want_log = _FileLog("f.csv", "facilities", rows)
    with language("en"):
        got = reader(values, got_log, *args)
        want = []
        cache: dict = {}  # row by row with one cache of equal values (1 == 1.0 == True)
        for i, v in enumerate(values):
            key = v if v == v else object()  # NaN: read on its own
            if key not in cache:
                cache[key] = fn(v, *args)
            value, problem = cache[key]
            if problem is not None:
                want_log.add(i, *problem)
            want.append(value)
    assert [(type(v), v) for v in got] == [(type(v), v) for v in want]
    assert got_log.entries == want_log.entries
