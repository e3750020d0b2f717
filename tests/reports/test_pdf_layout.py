"""Layout of the plan report's tables and chart (issue 17): the priority list shows the top N
places with the full list in the annex, kecamatan tables end in a totals row, a table running
onto another page repeats its title ("… (lanjutan)") and header row, no page carries a single
orphan row, header words never break, and a "tidak ada data" note never overprints the chart's
axis numbers (nor a missing share drawn as a 0% bar)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from reportlab.graphics.shapes import Group, String
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate

from ilp_gis.errors import InputError
from reports.pdf import build_report
from reports.pdf.figures import _chart
from reports.pdf.flow import CELL_PADDING, fit_widths, long_table, word_width
from reports.styles import FONT, register_fonts, stylesheet, table_style

DATE = dt.date(2026, 12, 3)


def _pages(path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def sample():
    from ilp_gis.analysis import analyze
    from layers.project_file import open_project
    from tests.conftest import SAMPLE_PROJECT

    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample_data/kabupaten_contoh.gpkg not generated yet")
    project = open_project(SAMPLE_PROJECT)
    return project, analyze(project)


@pytest.fixture(scope="module")
def plan_pages(sample, tmp_path_factory):
    project, result = sample
    path = tmp_path_factory.mktemp("layout") / "plan.pdf"
    build_report(project, result, path, date=DATE, top=12)
    return _pages(path)


def test_fit_widths_keeps_every_header_word_whole_and_the_total_width():
    head = ["Prio.", "Puskesmas", "Kesenjangan yang belum didanai"]
    widths = [20.0, 25.0, 300.0]
    out = fit_widths(head, widths)
    assert sum(out) == pytest.approx(sum(widths))
    for text, w in zip(head, out, strict=True):
        assert w >= word_width(text) + CELL_PADDING
    assert out[2] < widths[2]  # the room came from the column with slack
    # no room anywhere: the widths stay as they were
    assert fit_widths(["Puskesmas", "Kesenjangan"], [10.0, 10.0]) == [10.0, 10.0]


def _table_pages(tmp_path, n_rows: int) -> list[str]:
    st = stylesheet()
    rows = [["Nomor", "Desa/Kelurahan"]] + [[str(i), f"Desa {i}"] for i in range(1, n_rows + 1)]
    rows.append(["Jumlah", f"{n_rows} desa"])
    t = long_table(rows, [60, 200], table_style(n_rows=len(rows)), totals=True,
                   continued="Daftar desa (lanjutan)", caption_style=st.h2)
    path = tmp_path / f"t{n_rows}.pdf"
    doc = SimpleDocTemplate(str(path), pagesize=(A4[0], 120 * mm), topMargin=10 * mm,
                            bottomMargin=10 * mm, invariant=1)
    doc.build([Paragraph("Daftar desa", st.h1), t])
    return _pages(path)


def test_a_long_table_repeats_title_and_header_and_leaves_no_orphan_row(tmp_path):
    seen_split = 0
    for n_rows in range(20, 45):  # the remainders 0, 1, 2 … rows all happen in this range
        pages = _table_pages(tmp_path, n_rows)
        all_rows = []
        for i, text in enumerate(pages):
            body = [int(m) for m in re.findall(r"^Desa (\d+)$", text, flags=re.M)]
            all_rows += body
            totals_here = "Jumlah" in text
            assert len(body) >= 2, (n_rows, i, text)  # never one row (or a lone total)
            if i:
                assert text.lstrip().startswith("Daftar desa (lanjutan)"), text
                assert "Nomor" in text and "Desa/Kelurahan" in text
            assert totals_here == (i == len(pages) - 1)
        assert all_rows == list(range(1, n_rows + 1)), n_rows  # nothing lost, nothing twice
        seen_split += len(pages) > 1
    assert seen_split > 10


def test_priority_list_shows_the_top_places_and_the_annex_holds_all(sample, plan_pages):
    _, result = sample
    text = "\n".join(plan_pages)
    from reports.pdf import gap_rows

    places = len(gap_rows(result.gaps))
    assert places > 12
    body = next(p for p in plan_pages if "Kesenjangan menurut prioritas" in p
                and "Daftar isi" not in p and "Lampiran" not in p)
    assert f"Ditampilkan 12 tempat teratas dari {places}" in body
    assert "Satu baris per tempat" in body  # the caption says what a row counts
    assert "daftar lengkap ada di lampiran" in body
    top = gap_rows(result.gaps)["desa"].tolist()
    lines = [ln.strip() for ln in body.split("Skor", 1)[1].splitlines()]
    assert all(name in lines for name in top[:12])
    assert top[12] not in lines and top[-1] not in lines
    annex = [p for p in plan_pages if "Lampiran: Daftar lengkap kesenjangan" in p
             and "Daftar isi" not in p]
    assert len(annex) >= 2
    assert "Lampiran: Daftar lengkap kesenjangan menurut prioritas (lanjutan)" in annex[1]
    assert "(Tabel XLSX" not in text and "(ilp-gis" not in text  # no hints for a CLI


def test_kecamatan_tables_have_totals_and_continuation_titles(sample, plan_pages):
    _, result = sample
    text = "\n".join(plan_pages)
    k = result.kecamatan
    total = f"Jumlah ({len(k)} kecamatan)"
    assert total in text
    lines = text.splitlines()
    after = lines[lines.index(total) + 1]  # the next cell of the totals row: all desa
    assert after == f"{int(k['desa_total'].sum())}"
    for name in k["name"]:
        n = int((result.desa["kecamatan_code"] == k.loc[k["name"] == name, "code"].iloc[0]).sum())
        assert f"Jumlah ({n} desa)" in text
    cont = [p for p in plan_pages if re.search(r"Kecamatan .+ \(lanjutan\)", p)]
    assert cont, "a kecamatan's desa table runs onto a second page in the sample"
    for p in cont:
        assert "Desa/Kelurahan" in p and "Penduduk" in p  # the header row is repeated


def test_no_header_word_is_broken(plan_pages):
    # the header words of every table printed whole: a broken word would appear cut in two
    text = "\n".join(plan_pages)
    for word in ("Puskesmas", "Kesenjangan", "Penduduk", "Desa/Kelurahan"):
        for frag in (word[:5], word[:7]):
            assert not re.search(rf"(^|\s){re.escape(frag)}$", text, flags=re.M), frag


def test_top_must_be_a_whole_number(sample, tmp_path):
    project, result = sample
    with pytest.raises(InputError, match="baris prioritas"):
        build_report(project, result, tmp_path / "x.pdf", top=-3)
    assert not (tmp_path / "x.pdf").exists()


def _strings(node, dx=0.0, dy=0.0):
    """Every String of a drawing with its absolute position (charts expanded)."""
    if isinstance(node, String):
        yield node, dx, dy
        return
    if hasattr(node, "draw") and not isinstance(node, Group):
        node = node.draw()
    if isinstance(node, Group):
        tx, ty = (node.transform[4], node.transform[5]) if node.transform else (0, 0)
        for child in node.contents:
            yield from _strings(child, dx + tx, dy + ty)


def _box(s: String, dx: float, dy: float) -> tuple[float, float, float, float]:
    w = stringWidth(s.text, s.fontName or FONT, s.fontSize)
    x = s.x + dx
    if s.textAnchor == "end":
        x -= w
    elif s.textAnchor == "middle":
        x -= w / 2
    y = s.y + dy
    return x, y - 0.2 * s.fontSize, x + w, y + 0.8 * s.fontSize


def test_chart_missing_note_never_overprints_axis_numbers_and_draws_no_zero_bar():
    shares = {"desa_pustu": 0.5, "posyandu": float("nan"), "pop_pustu": float("nan"),
              "pop_pkm": 0.9, "coe": float("nan")}
    blocked = {"posyandu": ["posyandu"]}
    register_fonts()
    d = _chart(shares, blocked, 480)
    strings = list(_strings(d))
    texts = [s.text for s, _, _ in strings]
    assert "0%" not in texts  # a share never loaded is no bar, not a 0% bar
    assert "50%" in texts and "90%" in texts
    notes = [t for t in texts if t.startswith("– ")]
    assert len(notes) == 3  # each missing share named under the chart
    assert sum("tidak ada data" in t for t in notes) == 3
    boxes = [(s.text, _box(s, dx, dy)) for s, dx, dy in strings]
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1:]:
            overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
            assert not overlap, (ta, tb, a, b)
