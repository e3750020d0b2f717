"""Property tests for every reader: arbitrary bytes or mutated valid files in, either a result
or the project's InputError (with a message) out — never another exception.

Readers: facility tables (CSV, XLSX), budget sheets (CSV, XLSX), boundary layers (GeoJSON) and
roads.  Each test keeps to a few hundred examples so the suite stays fast.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_gis.errors import InputError
from ilp_gis.project import Project
from layers import readers
from layers.budget_import import read_budget
from layers.importing import import_files

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")

FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

FACILITY_CSV = ("nama;lintang;bujur;jenis\nPuskesmas Alpha;-8,05;112,55;Puskesmas\n"
                "Pustu Beta;-7.95;112.65;Pustu\n")
BUDGET_CSV = ("No;Sumber Dana;TA;Uraian Kegiatan;Desa;Pagu (Rp)\n"
              "1;DAK Fisik;2026;Pembangunan Pustu;35.07.01.2001;Rp 1.250.000.000\n"
              "2;BOK;TA 2026;Pelatihan kader;35.07.01.2002;250 jt\n")
CELL_TEXT = st.sampled_from([
    "", " ", "-8,05", "112.55", "7°56' LS", "inf", "nan", "1,2,3", "1.2.3", "Rp 1.250.000",
    "123456789012345678901", "1e308", "=1+1", "=HYPERLINK(\"x\")", "#N/A", "Puskesmas", "BOK",
    "2026", "TA 2026", "\"", "\"\"", ";", ",", "\t", "\r", "\n", "\r\n", "\x00", "\ufeff",
    "Jumlah", "Total",
])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                             "cp1252", "latin-1"])
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])


def _either(call) -> object | None:
    """The result of ``call()``, or ``None`` when it raised the project's InputError with a
    message; any other exception fails the test."""
    try:
        return call()
    except InputError as exc:
        assert str(exc).strip(), "an InputError must say what is wrong"
        return None


def _in_file(name: str, data: bytes, call):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(data)
        return _either(lambda: call(path))


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    """``data`` with bytes overwritten at (position, value) pairs and cut at ``cut``."""
    buf = bytearray(data)
    for pos, val in edits:
        if buf:
            buf[pos % len(buf)] = val
    return bytes(buf[:cut] if cut is not None else buf)


def _text_file(lines: list[list[str]], sep: str, newline: str, encoding: str) -> bytes:
    text = newline.join(sep.join(r) for r in lines) + newline
    return text.encode(encoding, errors="replace")


EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6)
CUT = st.none() | st.integers(0, 4000)


# --- facility tables: CSV ------------------------------------------------------------------------
@FAST
@given(raw=st.binary(max_size=400))
def test_facility_csv_random_bytes(raw):
    _in_file("f.csv", raw, readers.read_table)


@FAST
@given(edits=EDITS, cut=CUT, encoding=ENCODINGS, newline=NEWLINES)
def test_facility_csv_mutated(edits, cut, encoding, newline):
    good = FACILITY_CSV.replace("\n", newline).encode(encoding)
    res = _in_file("f.csv", _mutate(good, edits, cut), readers.read_table)
    if not edits and cut is None:  # the untouched file reads in every encoding and newline
        assert res is not None and len(res.frame) == 2
        assert list(res.frame.columns) == ["nama", "lintang", "bujur", "jenis"]


@SLOW
@given(rows=st.lists(st.lists(CELL_TEXT, min_size=1, max_size=5), min_size=1, max_size=5),
       sep=st.sampled_from([";", ",", "\t", "|"]), newline=NEWLINES, encoding=ENCODINGS)
def test_facility_csv_through_the_importer(rows, sep, newline, encoding):
    data = _text_file([["nama", "lat", "lon", "jenis"], *rows], sep, newline, encoding)

    def run(path):
        rep = import_files(Project(), facilities=[(None, path)])
        data_rows = rep.frame.loc[rep.frame["row"] > 0, "row"]
        assert data_rows.is_unique  # one report line per data row
        return rep

    _in_file("f.csv", data, run)


# --- facility tables: XLSX -----------------------------------------------------------------------
def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD_XLSX = _workbook([["nama", "lintang", "bujur", "jenis"],
                       ["Puskesmas Alpha", -8.05, 112.55, "Puskesmas"],
                       ["Pustu Beta", "=B2+0.1", 112.65, "Pustu"]])
XLSX_CELLS = st.one_of(
    st.none(), CELL_TEXT.filter(lambda t: not any(c in t for c in "\x00\r")),
    st.integers(-10**7, 10**7), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.dates())


@SLOW
@given(edits=EDITS, cut=CUT)
def test_facility_xlsx_mutated_bytes(edits, cut):
    _in_file("f.xlsx", _mutate(GOOD_XLSX, edits, cut), readers.read_table)


@SLOW
@given(rows=st.lists(st.lists(XLSX_CELLS, max_size=6), max_size=5))
def test_facility_xlsx_mutated_cells(rows):
    data = _workbook([["nama", "lintang", "bujur", "jenis"], *rows])
    _in_file("f.xlsx", data, lambda p: import_files(Project(), facilities=[(None, p)]))


# --- budget sheets -------------------------------------------------------------------------------
@FAST
@given(raw=st.binary(max_size=400))
def test_budget_csv_random_bytes(raw):
    _in_file("anggaran.csv", raw, read_budget)


@FAST
@given(edits=EDITS, cut=CUT, encoding=ENCODINGS, newline=NEWLINES)
def test_budget_csv_mutated(edits, cut, encoding, newline):
    good = BUDGET_CSV.replace("\n", newline).encode(encoding)
    res = _in_file("anggaran.csv", _mutate(good, edits, cut), read_budget)
    if not edits and cut is None:  # bare CR and UTF-16 read like any other file
        budget, report = res
        assert list(budget["amount"]) == [1.25e9, 250e6]
        assert list(report["row"]) == [2, 3]


@SLOW
@given(rows=st.lists(st.lists(CELL_TEXT, min_size=1, max_size=6), max_size=5),
       sep=st.sampled_from([";", ",", "\t"]), newline=NEWLINES, encoding=ENCODINGS)
def test_budget_csv_random_cells(rows, sep, newline, encoding):
    header = ["No", "Sumber Dana", "TA", "Uraian Kegiatan", "Desa", "Pagu (Rp)"]
    data = _text_file([header, *rows], sep, newline, encoding)
    res = _in_file("anggaran.csv", data, read_budget)
    if res is not None:
        budget, _ = res
        amounts = budget["amount"].dropna()
        assert ((amounts >= 0) & (amounts <= 1e13)).all()  # never absurd, never guessed


GOOD_BUDGET_XLSX = _workbook([["RENCANA ANGGARAN"], [],
                              ["No", "Sumber Dana", "TA", "Uraian Kegiatan", "Pagu (Rp)"],
                              [1, "DAK Fisik", 2026, "Pembangunan Pustu", 1.25e9],
                              [2, "BOK", "TA 2026", "Pelatihan kader", "=E4/5"]])


@SLOW
@given(edits=EDITS, cut=CUT)
def test_budget_xlsx_mutated_bytes(edits, cut):
    _in_file("anggaran.xlsx", _mutate(GOOD_BUDGET_XLSX, edits, cut), read_budget)


@SLOW
@given(rows=st.lists(st.lists(XLSX_CELLS | st.sampled_from([1e308, 10**21]), max_size=6),
                     max_size=5))
def test_budget_xlsx_mutated_cells(rows):
    data = _workbook([["No", "Sumber Dana", "TA", "Uraian Kegiatan", "Desa", "Pagu (Rp)"],
                      *rows])
    res = _in_file("anggaran.xlsx", data, read_budget)
    if res is not None:
        amounts = res[0]["amount"].dropna()
        assert ((amounts >= 0) & (amounts <= 1e13)).all()


# --- boundary layers and roads (GeoJSON) ---------------------------------------------------------
COORD = st.one_of(st.floats(-200, 200, allow_nan=False), st.sampled_from([112.55, -8.05]),
                  st.sampled_from([1e308, -1e308, 0.0, 500000.0]))
POINT = st.lists(COORD, min_size=2, max_size=3)
RING = st.lists(POINT, min_size=0, max_size=6)
GEOMETRY = st.one_of(
    st.none(),
    st.builds(lambda c: {"type": "Point", "coordinates": c}, POINT),
    st.builds(lambda c: {"type": "LineString", "coordinates": c}, RING),
    st.builds(lambda rings: {"type": "Polygon", "coordinates": rings}, st.lists(RING, max_size=2)),
    st.builds(lambda polys: {"type": "MultiPolygon", "coordinates": polys},
              st.lists(st.lists(RING, max_size=2), max_size=2)),
    st.sampled_from([{"type": "Polygon", "coordinates": [[[112.5, -8.1], [112.6, -8.1],
                                                          [112.6, -8.0], [112.5, -8.1]]]},
                     {"type": "GeometryCollection", "geometries": []},
                     {"type": "Unknown"}, {"coordinates": 5}, "polygon", 7]),
)
PROP_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                       st.floats(allow_nan=False, allow_infinity=False), CELL_TEXT,
                       st.text(max_size=10))
PROPERTIES = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["KDEPUM", "WADMKD", "KDCPUM", "WADMKC", "nama", "kode",
                                     "PENDUDUK", "JUMLAH_DUSUN", "desa", "kelas", "REMARK",
                                     "highway", "name", ""]), PROP_VALUE, max_size=6))
FEATURES = st.lists(st.fixed_dictionaries({"type": st.just("Feature"), "geometry": GEOMETRY,
                                           "properties": PROPERTIES}), max_size=5)


def _geojson(features, damage: int | None) -> bytes:
    text = json.dumps({"type": "FeatureCollection", "features": features})
    if damage is not None:  # a cut file (a broken download)
        text = text[:damage % (len(text) + 1)]
    return text.encode("utf-8")


@SLOW
@given(features=FEATURES, damage=st.none() | st.integers(0, 10**6))
def test_boundary_geojson(features, damage):
    _in_file("desa.geojson", _geojson(features, damage),
             lambda p: import_files(Project(), desa=p))


@SLOW
@given(features=FEATURES, damage=st.none() | st.integers(0, 10**6))
def test_roads_geojson(features, damage):
    _in_file("jalan.geojson", _geojson(features, damage),
             lambda p: import_files(Project(), roads=p))


@SLOW
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".geojson", ".kml", ".gpkg"]))
def test_vector_random_bytes(raw, suffix):
    _in_file("desa" + suffix, raw, readers.read_vector)
