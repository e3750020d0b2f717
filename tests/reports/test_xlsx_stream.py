"""The streaming XLSX writer: its fast row stream writes the same sheets, byte for byte, as
XlsxWriter's public cell-by-cell API (its plain twin), for hostile text and odd numbers too."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reports import xlsx_stream
from reports.xlsx_stream import StreamingBook

COLUMNS = [("name", "Nama", "text"), ("pop", "Penduduk", "int"), ("share", "Bagian", "pct"),
           ("money", "Jumlah (Rp)", "rp"), ("ok", "Ada", "bool"), ("year", "Tahun", "year"),
           ("absent", "Tidak ada", "float1")]

HOSTILE = ["Sukamaju", "=1+2", "+SUM(A1)", "-3+4", "@cmd", "Desa\x07Bel", " lead", "trail ",
           "a & b < c > d", 'kutip "ganda"', "_x0041_ literal", "baris\nbaru", "cr\rdi tengah",
           "x" * 40_000, "#N/A", "\ufffe", "", "ÄÖÜ ŋ 漢字"]


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    names = [HOSTILE[i % len(HOSTILE)] for i in range(n)]
    names[5] = None
    pop = rng.integers(0, 10_000, n).astype(float)
    pop[[2, 7]] = [math.nan, math.inf]
    pop_obj = pop.astype(object)
    pop_obj[9] = "tidak tahu"  # text in a number column stays text
    pop_obj[10] = "nan"
    return pd.DataFrame({
        "name": names, "pop": pop_obj, "share": rng.random(n),
        "money": pd.array([1_250_000_000, None] * (n // 2), dtype="Int64"),
        "ok": pd.array([True, False, None] * (n // 3), dtype="boolean"),
        "year": [2027.0] * n,
    })


def _write(tmp_path, name, frames, fast):
    path = tmp_path / name
    book = StreamingBook(path, yes="ya", no="tidak", fast=fast)
    for i, frame in enumerate(frames):
        book.sheet(f"S{i}", COLUMNS, frame)
    book.close()
    return path


def _sheets_xml(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in sorted(z.namelist()) if n.startswith("xl/worksheets/")}


def test_fast_rows_are_the_public_api_bytes(tmp_path, monkeypatch):
    frames = [_frame(60), _frame(60).head(0), _frame(60).tail(7)]
    monkeypatch.setattr(xlsx_stream, "ROW_CHUNK", 4)  # many chunks
    fast = _write(tmp_path, "fast.xlsx", frames, True)
    plain = _write(tmp_path, "plain.xlsx", frames, False)
    assert _sheets_xml(fast) == _sheets_xml(plain)
    ws = openpyxl.load_workbook(fast)["S0"]
    rows = list(ws.iter_rows(min_row=2, max_row=61, values_only=True))
    assert rows[0][0] == "Sukamaju" and isinstance(rows[0][1], int)
    assert rows[2][1] is None and rows[7][1] is None  # NaN and infinity: empty, never 0
    assert rows[9][1] == "tidak tahu" and rows[10][1] is None
    assert rows[5][0] is None and rows[1][4] == "tidak" and rows[2][4] is None
    assert all(r[6] is None for r in rows)  # a column the frame lacks stays empty
    assert ws.cell(3, 1).quotePrefix and ws.cell(3, 1).value == "=1+2"
    assert ws.cell(2, 4).number_format == '"Rp" #,##0'
    assert len(ws.cell(15, 1).value) == 32_767
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:G61"


def test_markup_in_text_is_text(tmp_path):
    frame = pd.DataFrame({"name": ["<r><t>x</t></r>", "</c></row><row>"]})
    path = _write(tmp_path, "m.xlsx", [frame], True)
    rows = list(openpyxl.load_workbook(path)["S0"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["<r><t>x</t></r>", "</c></row><row>", "Jumlah (2 baris)"]


def test_without_the_row_stream_the_public_api_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_stream, "_row_stream_open", lambda ws: False)
    path = _write(tmp_path, "p.xlsx", [_frame(60).head(9)], True)
    assert openpyxl.load_workbook(path)["S0"].cell(2, 1).value == "Sukamaju"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=12),
       numbers=st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                        min_size=12, max_size=12))
def test_any_text_and_number_the_same_bytes(tmp_path_factory, texts, numbers):
    n = len(texts)
    frame = pd.DataFrame({"name": pd.Series(texts, dtype=object),
                          "share": pd.Series(numbers[:n], dtype=object)})
    tmp = tmp_path_factory.mktemp("h")
    if any(isinstance(t, str) and t.startswith("<r>") and t.endswith("</r>") for t in texts):
        assume(False)  # XlsxWriter's public API writes such text as raw rich-text markup
    assert _sheets_xml(_write(tmp, "f.xlsx", [frame], True)) == \
        _sheets_xml(_write(tmp, "p.xlsx", [frame], False))


PRINTED = [("name", "Nama", "text"), ("pop", "Penduduk", "int"), ("rank", "Peringkat", "rank"),
           ("money", "Jumlah (Rp)", "rp"), ("part", "Dengan Pustu", "int"),
           ("whole", "Desa", "int"), ("share", "% dengan Pustu", "pct"),
           ("blocked", "Pustu", "int"), ("value", "Nilai", "num"),
           ("score", "Skor", "float3"), ("kept", "Tidak dijumlah", "int", False)]


def _printed_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["A", "B", "C"], "pop": [1000, 2500, None], "rank": [1, 2, 3],
        "money": [1_500_000_000, 250_000_000, 0], "part": [1, 2, None], "whole": [4, 4, 2],
        "share": [0.25, 0.5, None], "blocked": ["tidak ada data — muat daftar Pustu"] * 3,
        "value": [1_500_000_000, 0.8, 5], "score": [0.5, 0.25, 0.125], "kept": [7, 8, 9]})


@pytest.mark.parametrize("fast", [True, False])
def test_print_setup_totals_and_formats(tmp_path, fast):
    path = tmp_path / "p.xlsx"
    book = StreamingBook(path, yes="ya", no="tidak", fast=fast, title="Kab. A & B")
    book.sheet("Cetak", PRINTED, _printed_frame(), ratios={"share": ("part", "whole")})
    book.sheet("Kosong", PRINTED, _printed_frame().head(0))
    book.sheet("Teks", [("name", "Nama", "text")], _printed_frame())
    book.close()
    wb = openpyxl.load_workbook(path)
    for ws in wb:  # every sheet: A4 landscape, one page wide, header repeated and frozen
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the file format's default
        assert ws.page_setup.fitToHeight == 0  # as many pages long as needed
        assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
        assert ws.oddFooter.right.text == "Halaman &P dari &N" and ws.oddFooter.left.text == "&A"
        assert ws.print_options.gridLines
        assert ws.oddHeader.left.text == "Kab. A && B"  # "&" doubled: not a header code
    ws = wb["Cetak"]
    assert ws.max_row == 5 and ws.auto_filter.ref == "A1:K4"  # the filter leaves the totals out
    total = [c.value for c in ws[5]]
    # 1000 + 2500 (C's population unknown, not 0); Rp 1.5 bn + 0.25 bn; (1 + 2) / (4 + 4 + 2)
    assert total[0] == "Jumlah (3 baris)"
    assert total[1] == 3500 and total[3] == 1_750_000_000 and total[4] == 3 and total[5] == 10
    assert total[6] == pytest.approx(0.3)
    assert total[7] == "tidak ada data — muat daftar Pustu"  # no figure known: said, never 0
    assert total[2] is None and total[8] is None and total[9] is None and total[10] is None
    assert ws.cell(5, 1).font.b and ws.cell(5, 2).number_format == "#,##0"
    assert ws.cell(5, 4).number_format == '"Rp" #,##0' and ws.cell(5, 7).number_format == "0.0%"
    # number formats by kind: whole "num" values without decimals, others with up to three
    assert [ws.cell(r, 9).number_format for r in (2, 3, 4)] == ["#,##0", "#,##0.0##", "#,##0"]
    assert ws.cell(2, 2).number_format == "#,##0" and ws.cell(2, 3).number_format == "#,##0"
    assert ws.cell(2, 4).number_format == '"Rp" #,##0' and ws.cell(2, 7).number_format == "0.0%"
    assert wb["Kosong"].max_row == 1  # no rows, no totals
    assert wb["Teks"].max_row == 4  # nothing adds up: no totals row


def test_totals_row_bytes_match_the_plain_twin(tmp_path):
    frames = [_printed_frame(), _printed_frame().iloc[[2, 0]]]

    def write(name, fast):
        path = tmp_path / name
        book = StreamingBook(path, yes="ya", no="tidak", fast=fast)
        for i, frame in enumerate(frames):
            book.sheet(f"S{i}", PRINTED, frame, ratios={"share": ("part", "whole")})
        book.close()
        return path

    assert _sheets_xml(write("f.xlsx", True)) == _sheets_xml(write("p.xlsx", False))


EDGE_TEXTS = ["plain", " lead", "trail ", "\u00a0nbsp", "", "a\x7f b", "x\x7f", "\x7f",
              "a_b", "a&b", "tab\tin", "=1+2", "-7.96", "#N/A", "#DIV/0!", "ok#", "bel\x07",
              "baris\n=1", "\n", "@cmd", "\ufffe", "Sukamaju", "a \x7f", "z"]


def test_one_search_picks_every_text_needing_care():
    """The texts one search over the joined column picks include every text the cell guard
    or the inline-text escape treats otherwise than as it is (and the plain ones are left)."""
    from layers.safe_cells import xlsx_text_mask

    escape = set(xlsx_stream._needing_escape(EDGE_TEXTS).tolist())
    needs_escape = {i for i, t in enumerate(EDGE_TEXTS)
                    if xlsx_stream._inline_text(t) != f"<is><t>{t}</t></is>"}
    # whitespace at an edge (" lead", "trail ", NBSP, a lone newline), "&", BEL, U+FFFE
    assert needs_escape == {1, 2, 3, 9, 16, 18, 20}
    assert needs_escape <= escape
    assert 0 not in escape and 21 not in escape and 23 not in escape  # plain texts

    care = set(xlsx_stream._texts_matching(EDGE_TEXTS, xlsx_stream._MAYBE_CARE, "\n").tolist())
    guarded = set(np.flatnonzero(xlsx_text_mask(np.array(EDGE_TEXTS, dtype=object))).tolist())
    assert guarded == {11, 13, 14, 16, 19, 20}  # formulas, error codes, control characters
    assert guarded <= care
    assert 12 in care and 12 not in guarded  # "-7.96" starts as a formula would: asked, no
    assert {0, 21, 23}.isdisjoint(care)
    assert xlsx_stream._texts_matching([], xlsx_stream._MAYBE_CARE, "\n").size == 0
