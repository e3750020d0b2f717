"""Whatever a CSV/XLSX holds, the importer raises nothing but the project's InputError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_gis.errors import InputError
from ilp_gis.project import Project
from layers.importing import import_files

HEADERS = ["nama", "lat", "lon", "jenis", "kode", "desa", "perawat", "bidan", "kader",
           "strata", "induk", "lokus_ilp", "mulai_ilp", "coe_sdm", "x", "y", "lintang", "bujur",
           "tipe", "", "nama"]
CELLS = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-10**7, 10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["-8,05", "112.55", "7°56' LS", "Puskesmas", "Pustu", "Posyandu", "Polindes",
                     "ya", "Madya", "0", "", "  ", "#N/A", "1.234.567", "35.07.01.2001"]),
)
TYPES = st.sampled_from([None, "puskesmas", "pustu", "posyandu"])


def _run(path: Path, ftype) -> None:
    try:
        rep = import_files(Project(), facilities=[(ftype, path)])
    except InputError as exc:
        assert str(exc)
        return
    # every data row has exactly one line
    rows = rep.frame.loc[rep.frame["row"] > 0, "row"]
    assert rows.is_unique


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.sampled_from(HEADERS), min_size=0, max_size=5).map(
           lambda extra: ["nama", "lat", "lon"] + extra),
       rows=st.lists(st.lists(CELLS, min_size=3, max_size=8), max_size=6),
       sep=st.sampled_from([",", ";", "\t"]), enc=st.sampled_from(["utf-8", "latin-1",
                                                                   "utf-8-sig"]),
       ftype=TYPES)
def test_csv_never_crashes(headers, rows, sep, enc, ftype):
    text = sep.join(headers) + "\n" + "\n".join(
        sep.join("" if c is None else str(c).replace("\n", " ") for c in r) for r in rows)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(text.encode(enc, errors="replace"))
        _run(path, ftype)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
       rows=st.lists(st.lists(CELLS, max_size=8), max_size=4), ftype=TYPES)
def test_csv_random_headers_never_crash(headers, rows, ftype):
    text = ",".join(headers) + "\n" + "\n".join(
        ",".join("" if c is None else str(c).replace("\n", " ") for c in r) for r in rows)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_text(text, "utf-8")
        _run(path, ftype)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=200), ftype=TYPES)
def test_csv_random_bytes_never_crash(raw, ftype):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(raw)
        _run(path, ftype)


XLSX_CELLS = st.one_of(
    st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.integers(-10**7, 10**7), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.dates(), st.sampled_from(["-8,05", "112.55", "Puskesmas", "=1+1", "Madya"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.sampled_from(HEADERS[:-2] + [None]), max_size=4).map(
           lambda extra: ["nama", "lintang", "bujur"] + extra),
       rows=st.lists(st.lists(XLSX_CELLS, min_size=3, max_size=7), max_size=5), ftype=TYPES)
def test_xlsx_never_crashes(headers, rows, ftype):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.xlsx"
        wb.save(path)
        _run(path, ftype)


def test_damaged_xlsx_is_input_error(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    try:
        import_files(Project(), facilities=[(None, path)])
    except InputError as exc:
        assert "Excel" in str(exc)
    else:
        raise AssertionError("expected InputError")
