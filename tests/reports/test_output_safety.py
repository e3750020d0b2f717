"""Every CSV and XLSX ilp-gis writes keeps hostile text as text: no formula cell, no CSV field
a spreadsheet would run, no crash on control characters (also when they are already stored in
a project).  One scanner (:func:`scan_outputs`) checks a whole output folder."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.project_file import open_project, save_project
from layers.safe_cells import clean_text, csv_frame, csv_text, text_cell, xlsx_value
from tests.layers import import_fixtures as fx
from ui import cli

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tx", "\rx",
                 "bel\x07esc\x1bvt\x0bend", "=cmd|' /C calc'!A0"]
HOSTILE_DESA = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "-3+4", "Desa\x07Bel"]


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def scan_outputs(folder: Path) -> tuple[int, int]:
    """Fail on any formula or error cell in an .xlsx below ``folder``, any CSV field that
    starts like a formula and is not a number, and any control character; return how many
    XLSX and CSV files were scanned."""
    books = sorted(folder.rglob("*.xlsx"))
    tables = sorted(folder.rglob("*.csv"))
    for path in books:
        for ws in openpyxl.load_workbook(path):
            for row in ws.iter_rows():
                for c in row:
                    where = f"{path.name}!{ws.title}!{c.coordinate}: {c.value!r}"
                    assert c.data_type not in ("f", "e"), where
                    if isinstance(c.value, str):
                        assert not CONTROL.search(c.value), where
                        if c.value.startswith(PREFIXES) and not _is_number(c.value):
                            assert c.data_type == "s" and c.quotePrefix, where
    for path in tables:
        text = path.read_text("utf-8-sig")
        assert not CONTROL.search(text), path.name
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
        for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect)):
            for field in row:
                assert not field.startswith(PREFIXES) or _is_number(field), \
                    f"{path.name} line {i + 1}: {field!r}"
    return len(books), len(tables)


@pytest.fixture
def hostile_files(tmp_path):
    """A district whose desa names and facility names look like formulas or hold control
    characters, the facilities in a file named ``=1+2.csv``."""
    src = tmp_path / "in"
    src.mkdir()
    desa = fx.desa_frame()
    desa["WADMKD"] = HOSTILE_DESA
    desa.to_file(src / "desa.gpkg")
    fx.kecamatan_frame().to_file(src / "kecamatan.geojson", driver="GeoJSON")
    rows = [list(r) for r in fx.FAC]
    rows += [["", name, "Puskesmas", 112.551 + 0.001 * i, -8.06, ""]
             for i, name in enumerate(HOSTILE_NAMES)]
    fac = src / "=1+2.csv"
    with open(fac, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["kode_faskes", "nama_faskes", "jenis_faskes", "long_", "lat_", "desa",
                    "perawat", "bidan"])
        w.writerows(r + ["2", "1"] for r in rows)
    return tmp_path, src, fac, len(rows)


def test_every_output_of_a_hostile_project_keeps_text_as_text(hostile_files, capsys):
    tmp, src, fac, n_rows = hostile_files
    out = tmp / "out"
    out.mkdir()  # outputs go into folders that exist (a missing one is refused)
    proj = tmp / "proyek.gpkg"
    assert cli.main(["import", str(proj), "--desa", str(src / "desa.gpkg"), "--kecamatan",
                     str(src / "kecamatan.geojson"), "--facilities", str(fac),
                     "--report", str(out / "laporan.xlsx")]) == 0
    assert cli.main(["import", str(proj), "--facilities", str(fac),
                     "--report", str(out / "laporan.csv")]) == 0
    assert len(open_project(proj).facilities) == n_rows  # every row kept
    assert cli.main(["analyze", str(proj), "--out", str(out / "analisis")]) == 0
    assert cli.main(["tables", str(proj), "-o", str(out / "tabel.xlsx")]) == 0
    assert cli.main(["plan", str(proj), "--k", "1", "--out", str(out / "rencana"),
                     "--no-save"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert scan_outputs(out) == (2, 4)  # 2 workbooks; report, gaps, priority and sites CSVs

    # the hostile text is still there, visible, as text
    book = openpyxl.load_workbook(out / "tabel.xlsx")
    texts = {c.value for ws in book for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}
    assert {'=HYPERLINK("http://x","y")', "@SUM(A1)", "-3+4", "Desa\\x07Bel", "=1+2.csv",
            "=cmd|' /C calc'!A0"} <= texts
    report = (out / "laporan.csv").read_text("utf-8-sig")
    assert "'=1+2.csv" in report
    gaps = (out / "analisis" / "gaps.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in gaps and "'@SUM(A1)" in gaps and "Desa\\x07Bel" in gaps
    graph = nx.read_graphml(out / "analisis" / "network.graphml")  # XML still well-formed
    assert "bel\\x07esc\\x1bvt\\x0bend" in {d.get("name") for _, d in graph.nodes(data=True)}
    rows = openpyxl.load_workbook(out / "laporan.xlsx").worksheets[1].iter_rows(min_row=2)
    files = [r[0] for r in rows if r[0].value == "=1+2.csv"]
    assert len(files) == n_rows and all(c.data_type == "s" and c.quotePrefix for c in files)


def test_numbers_stay_numbers(hostile_files):
    tmp, src, fac, _ = hostile_files
    proj = tmp / "proyek.gpkg"
    assert cli.main(["import", str(proj), "--desa", str(src / "desa.gpkg"),
                     "--facilities", str(fac)]) == 0
    assert cli.main(["plan", str(proj), "--k", "1", "--out", str(tmp / "r"), "--no-save"]) == 0
    sites = pd.read_csv(tmp / "r" / "lokasi_usulan.csv")
    assert sites["lat"].dtype == float and (sites["lat"] < 0).all()  # -8.05, not "'-8.05"
    frame = pd.DataFrame({"x": [-1.5, 2.0], "t": ["-7,96", "-7.96e1"], "n": [-3, 4]})
    assert csv_frame(frame) is frame  # nothing needed a change
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("s")
    assert xlsx_value(ws, -3.5) == -3.5 and xlsx_value(ws, -4) == -4
    assert xlsx_value(ws, "-7,96") == "-7,96"  # plain text, already stored as text


def test_tables_on_a_project_with_stored_control_characters(tmp_path, capsys):
    proj = tmp_path / "p.gpkg"
    desa = tmp_path / "desa.gpkg"
    fx.desa_frame().to_file(desa)
    assert cli.main(["import", str(proj), "--desa", str(desa)]) == 0
    project = open_project(proj)
    d = project.desa.copy()
    d.loc[d.index[0], "name"] = "Suka\x07maju\x1f"
    d.loc[d.index[1], "name"] = "=Kota\x0bLama"
    project.set_layer("desa", d)
    rep = project.import_report.copy()
    rep.loc[rep.index[0], "message"] = "pesan\x01dengan\x08kontrol"  # (GPKG cuts at NUL)
    project.set_layer("import_report", rep)
    save_project(project)
    stored = open_project(proj)
    assert "Suka\x07maju\x1f" in set(stored.desa["name"])  # the project really holds them

    out = tmp_path / "t.xlsx"
    assert cli.main(["tables", str(proj), "-o", str(out)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    scan_outputs(tmp_path)
    texts = {c.value for ws in openpyxl.load_workbook(out) for row in ws.iter_rows()
             for c in row if isinstance(c.value, str)}
    assert {"Suka\\x07maju\\x1f", "=Kota\\x0bLama"} <= texts
    assert "pesan\\x01dengan\\x08kontrol" in texts


def test_import_report_writer_survives_control_characters_and_formulas(tmp_path):
    from layers.importing.report import ImportReport

    frame = pd.DataFrame({
        "file": ["=1+2.csv"] * 3, "role": ["facilities"] * 3, "row": [1, 2, 3],
        "status": ["imported", "doubtful", "skipped"],
        "problem": [None, "x", "y"],
        "message": ["ok", "bel\x07", "=HYPERLINK(\"http://x\",\"y\")"],
        "original": ["-3+4", "\tx", "-7.96"]})
    report = ImportReport(frame)
    report.write(tmp_path / "r.xlsx")
    report.write(tmp_path / "r.csv")
    assert scan_outputs(tmp_path) == (1, 1)
    lines = (tmp_path / "r.csv").read_text("utf-8-sig")
    assert "bel\\x07" in lines and "'-3+4" in lines and ",-7.96," in lines


def test_sample_writers_guard_hostile_text_and_keep_normal_text(tmp_path):
    from layers.sample.defects import Defects
    from layers.sample.writers import write_csv, write_xlsx

    hostile = pd.DataFrame({"nama": HOSTILE_NAMES, "lat": [-7.9] * len(HOSTILE_NAMES)})
    write_csv(hostile, tmp_path / "h.csv", sep=";", encoding="utf-8")
    write_xlsx(hostile, tmp_path / "h.xlsx", "Data")
    defects = Defects()
    defects.add("=1+2.csv", [0], "swapped_coordinates", "@detail")
    defects.write(tmp_path / "DEFECTS.csv")
    assert scan_outputs(tmp_path) == (1, 2)
    normal = pd.DataFrame({"nama": ["Pustu Sukamaju", "Posyandu Mawar"],
                           "lat": ["-7,95", "-8,01"], "n": [1, -2]})
    write_csv(normal, tmp_path / "n.csv", sep=";", encoding="latin-1")
    assert (tmp_path / "n.csv").read_bytes() == normal.to_csv(
        index=False, sep=";").encode("latin-1")  # byte for byte what pandas writes


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_any_text_is_written_safely(texts):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append([text_cell(ws, t) for t in texts])
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    cells = list(back.iter_rows())[0] if back.max_row else []
    for t, c in zip(texts, cells, strict=False):  # (trailing empty cells are not stored)
        assert c.data_type == "s" or c.value is None
        # the text comes back as written, escaped; XML reads every line end as LF
        assert (c.value or "") == re.sub("\r\n?", "\n", clean_text(t))
    for t in texts:
        field = csv_text(t)
        assert not CONTROL.search(field)
        assert not field.startswith(PREFIXES) or _is_number(field)
        field.encode("utf-8")  # never a lone surrogate
