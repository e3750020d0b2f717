"""A table's heading never stays alone at the bottom of a page: ``long_table(..., lead=[...])``
moves the heading and its notes with the table's first rows (keep-with-next), and the budget
section's "Aksi belum didanai menurut prioritas" uses it."""

from __future__ import annotations

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from reports.pdf.flow import long_table
from reports.styles import stylesheet, table_style


def _pages(path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def _doc(path, filler_height: float, *, lead: bool) -> list[str]:
    st = stylesheet()
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1)
    frame_h = A4[1] - doc.topMargin - doc.bottomMargin
    rows = [["Kolom A", "Kolom B"]] + [[f"baris {i}", str(i)] for i in range(90)]
    heading = Paragraph("Judul tabel uji", st.h2)
    note = Paragraph("Catatan di bawah judul.", st.note)
    table = long_table(rows, [200, 100], table_style(n_rows=len(rows)),
                       lead=[heading, note] if lead else None, caption_style=st.h2,
                       continued="Judul tabel uji (lanjutan)")
    story = [Spacer(10, frame_h - filler_height)]
    story += [table] if lead else [heading, note, table]
    doc.build(story)
    return _pages(path)


def test_a_heading_with_room_for_no_rows_moves_to_the_next_page(tmp_path):
    # room for the heading and its note but not for two rows below them
    pages = _doc(tmp_path / "lead.pdf", 48, lead=True)
    assert "Judul tabel uji" not in pages[0]
    assert "Judul tabel uji" in pages[1] and "baris 0" in pages[1]
    assert "Catatan di bawah judul." in pages[1]
    # later pages carry the continuation caption above the repeated header
    assert "Judul tabel uji (lanjutan)" in pages[2] and "Kolom A" in pages[2]


def test_without_the_lead_the_heading_would_be_orphaned(tmp_path):
    # the same story with the heading as a loose paragraph: it stays alone on page 1
    pages = _doc(tmp_path / "loose.pdf", 48, lead=False)
    assert "Judul tabel uji" in pages[0] and "baris 0" not in pages[0]


def test_with_room_the_heading_and_rows_start_on_the_same_page(tmp_path):
    pages = _doc(tmp_path / "room.pdf", 200, lead=True)
    assert "Judul tabel uji" in pages[0] and "baris 0" in pages[0]


def test_the_unfunded_actions_heading_is_on_the_page_of_its_rows(tiny, tmp_path):
    from reports.pdf import build_report

    project, result = tiny
    out = build_report(project, result, tmp_path / "plan.pdf", kind="plan")
    pages = _pages(out)
    found = [i for i, t in enumerate(pages) if "Aksi belum didanai menurut prioritas" in t]
    assert found
    for i in found:
        assert "Prio." in pages[i], pages[i][-300:]  # the table's header row is there too


def test_a_mark_is_explained_on_every_page_that_shows_it(tmp_path):
    st = stylesheet()
    path = tmp_path / "marks.pdf"
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1)
    # 150 rows over three pages; only rows 3 and 140 carry the mark "1 (1*)"
    rows = [["Desa", "Pustu"]] + [[f"desa {i}", "1 (1*)" if i in (3, 140) else "1"]
                                  for i in range(150)]
    note = Paragraph("Tanda * = Poskesdes/Polindes.", st.note)
    doc.build([long_table(rows, [200, 100], table_style(n_rows=len(rows)), footnote=note,
                          mark="*)", caption_style=st.h2, continued="Tabel (lanjutan)")])
    pages = _pages(path)
    assert len(pages) >= 3
    for text in pages:
        shows = "(1*)" in text
        assert ("Tanda * = Poskesdes/Polindes." in text) == shows, text[-200:]
    assert sum("(1*)" in t for t in pages) == 2  # rows 3 and 140, on two pages
    assert "(1*)" in pages[0] and "(1*)" not in pages[1]
