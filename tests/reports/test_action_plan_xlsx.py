"""The action plan workbook: written for the meeting, edited, read back (issue 14)."""

from __future__ import annotations

import openpyxl
import pytest

from ilp_gis.errors import InputError
from ilp_gis.monitoring import actions as A
from layers.action_plan_import import read_action_plan
from reports.action_plan_xlsx import write_action_plan
from tests.ilp_gis import micro


def _project():
    p = micro.make_project()
    a = A.add_action(p, kegiatan="Bangun Pustu B2", activity="build_pustu",
                     desa_code="35.07.02.2002", responsible="Seksi Yankes", start="2026-02-01",
                     end="2026-09-30", budget_amount=1.5e9, funding_source="dak_fisik",
                     status="berjalan")
    A.record_spending(p, a, "2026-05-10", 600e6, "termin 1")
    A.add_action(p, kegiatan="=HYPERLINK(\"x\")", end="2026-06-30")  # hostile text stays text
    return p


def test_write_then_edit_then_read_back(tmp_path):
    p = _project()
    path = write_action_plan(p, tmp_path / "rencana.xlsx", as_of="2026-10-15")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Rencana aksi", "Realisasi", "Rekap"]
    ws = wb["Rencana aksi"]
    head = [c.value for c in ws[3]]
    assert head[:3] == ["No. aksi", "Kegiatan", "Jenis kegiatan"]
    row = {h: c.value for h, c in zip(head, ws[4], strict=False)}
    assert row["Desa"] == "B2" and row["Status"] == "Berjalan"
    assert row["Anggaran (Rp)"] == 1.5e9 and row["Realisasi (Rp)"] == 600e6
    assert row["Keterlambatan"] == "terlambat 15 hari"
    assert ws.cell(5, 2).value == "=HYPERLINK(\"x\")" and ws.cell(5, 2).data_type == "s"
    assert ws.print_title_rows == "$3:$3"  # the header repeats on every printed page

    # the meeting edits it: the first action done, a new row, a payment, a bad row
    ws.cell(4, head.index("Status") + 1).value = "Selesai"
    ws.cell(6, 2).value = "Latih kader A1"
    ws.cell(6, head.index("Anggaran (Rp)") + 1).value = "Rp 20 jt"
    ws.cell(6, head.index("Sumber dana") + 1).value = "BOK"
    ws.cell(7, 2).value = "Renovasi"
    ws.cell(7, head.index("Mulai") + 1).value = "2026-05-01"
    ws.cell(7, head.index("Selesai") + 1).value = "2026-04-01"
    pay = wb["Realisasi"]
    pay.append(["RA-0001", "2026-09-01", 400e6, "termin 2"])
    wb.save(path)

    added, updated, payments, report = read_action_plan(path, p)
    assert (added, updated, payments) == (1, 2, 1)
    t = A.plan(p).set_index("action_id")
    assert t.loc["RA-0001", "status"] == "selesai"
    assert t.loc["RA-0003", "budget_amount"] == 20e6
    assert t.loc["RA-0003", "funding_source"] == "bok"
    bad = report[report["status"] == "skipped"]
    assert len(bad) == 1 and "sebelum tanggal mulai" in bad["message"].iloc[0]
    assert bad["row"].iloc[0] == 7
    assert A.progress(p, "2026-10-15").actions.set_index("action_id").loc[
        "RA-0001", "spent"] == 1e9
    # read again: nothing new (payments already recorded are not added twice)
    added, updated, payments, _ = read_action_plan(path, p)
    assert (added, payments) == (0, 0)  # a row without a number matched by its kegiatan


def test_not_an_action_plan(tmp_path):
    p = _project()
    other = tmp_path / "lain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.save(other)
    with pytest.raises(InputError, match="Rencana aksi"):
        read_action_plan(other, p)
    junk = tmp_path / "rusak.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(InputError, match="rusak.xlsx"):
        read_action_plan(junk, p)


def test_print_setup_and_totals_rows(tmp_path):
    p = _project()
    wb = openpyxl.load_workbook(write_action_plan(p, tmp_path / "r.xlsx", as_of="2026-10-15"))
    for ws in wb:  # every sheet: A4 landscape, one page wide, page numbers
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.oddFooter.right.text == "Halaman &P dari &N", ws.title
    assert wb["Rencana aksi"].freeze_panes == "C4"
    rows = list(wb["Rekap"].iter_rows(values_only=True))
    # two actions: Rp 1.5 bn planned on one (the other has no budget: not counted as 0),
    # Rp 600 m spent, both late on 2026-10-15; per status and per source the same totals
    totals = [r for r in rows if r[0] == "Jumlah (2 baris)"]
    assert totals == [("Jumlah (2 baris)", 2, 1_500_000_000, 600_000_000, 2)] * 2
    ws = wb["Rekap"]
    assert ws.cell(rows.index(totals[0]) + 1, 3).number_format == '"Rp" #,##0'
    # the sheets read back carry no totals row: a row added under the table is an action
    assert not any(isinstance(c, str) and c.endswith(" baris)")
                   for name in ("Rencana aksi", "Realisasi")
                   for r in wb[name].iter_rows(values_only=True) for c in r)
