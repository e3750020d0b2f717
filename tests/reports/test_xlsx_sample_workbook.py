"""The bundled sample's whole workbook, as ``ilp-gis tables`` writes it, is cell for cell the
workbook of the plain twin (every cell through XlsxWriter's public API): values, number
formats, column widths, frozen panes and filters of every sheet.  Any speed-up of the row
stream has to keep this green."""

from __future__ import annotations

import functools
import shutil
import zipfile

import openpyxl

from reports import xlsx_stream, xlsx_tables
from ui.cli import main


def _sheets_xml(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in sorted(z.namelist()) if n.startswith("xl/worksheets/")}


def _cells(path):
    """Per sheet: its frozen pane, filter, column widths and every cell's value and format."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        widths = {k: d.width for k, d in sorted(ws.column_dimensions.items())}
        cells = [[(c.value, c.number_format, bool(c.quotePrefix)) for c in row]
                 for row in ws.iter_rows()]
        out[ws.title] = (ws.freeze_panes, ws.auto_filter.ref, widths, cells)
    return out


def test_the_sample_workbook_is_the_plain_twins(sample_project_path, tmp_path, monkeypatch,
                                                capsys):
    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    fast = tmp_path / "fast.xlsx"
    assert main(["tables", str(proj), "-o", str(fast)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(xlsx_tables, "StreamingBook",
                        functools.partial(xlsx_stream.StreamingBook, fast=False))
    plain = tmp_path / "plain.xlsx"
    assert main(["tables", str(proj), "-o", str(plain)]) == 0

    assert _sheets_xml(fast) == _sheets_xml(plain)
    got, want = _cells(fast), _cells(plain)
    assert list(got) == list(want) and len(got) >= 10
    for title in want:
        assert got[title] == want[title], title
    # the sheets hold the sample's tables, not empty frames: the desa sheet has every desa
    freeze, _, widths, desa = got[list(got)[1]]
    assert freeze == "A2" and all(w >= 8 for w in widths.values())
    assert len(desa) > 20 and any(isinstance(v, (int, float)) for v, _, _ in desa[1])
